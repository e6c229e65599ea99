"""The peer baseline and the end-to-end scorer.

Fast tests run the tutorial pipeline with a toy character-bigram embedding, which is enough to
prove that chunk offsets point back into the raw files and that the span judge scores them.
The slow test runs ``python -m eval`` retrieval-only on a throwaway index with the real model.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from eval.baseline import CHUNK_SIZE, BaselinePipeline, load_raw, split
from eval.score import evidence_spans, first_hit_rank

ROOT = Path(__file__).parents[2]
DIM = 256


class BigramEmbeddings(Embeddings):
    """Hashed character-bigram counts: texts sharing phrases get similar vectors."""

    def _vec(self, text: str) -> list[float]:
        v = [0.0] * DIM
        for a, b in itertools.pairwise(text):
            v[int(hashlib.md5((a + b).encode()).hexdigest(), 16) % DIM] += 1.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    topics = [
        "森林覆盖率",
        "地区生产总值",
        "固定资产投资",
        "社会消费品零售总额",
        "一般公共预算收入",
    ]
    parts = []
    for i in range(40):
        topic = topics[i % len(topics)]
        parts.append(f"第{i}段：2020年全市{topic}达到{i}.5亿元，比上年增长{i % 9}%。")
        if i % 7 == 0:
            parts.append("\n\n")
    (tmp_path / "report.txt").write_text("".join(parts), encoding="utf-8")
    (tmp_path / "notes.md").write_text("云浮市惠云钛业成为我市第2家A股上市企业。", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    return tmp_path


def test_chunks_point_into_raw_files(corpus: Path) -> None:
    docs = load_raw(corpus)
    assert sorted(Path(d.metadata["source"]).name for d in docs) == ["notes.md", "report.txt"]
    chunks = split(docs)
    assert len(chunks) > 2
    for c in chunks:
        raw = Path(c.metadata["source"]).read_text(encoding="utf-8")
        start = c.metadata["start_index"]
        assert len(c.page_content) <= CHUNK_SIZE
        assert raw[start : start + len(c.page_content)] == c.page_content


def test_baseline_search_is_judged_by_span(corpus: Path) -> None:
    pipeline = BaselinePipeline(BigramEmbeddings(), corpus).build()
    try:
        evidence = "惠云钛业成为我市第2家A股上市企业"
        item = {"evidence": evidence, "source": "notes.md"}
        texts = {"notes.md": (corpus / "notes.md").read_text(encoding="utf-8")}
        hits = pipeline.search("惠云钛业 第2家A股上市企业", k=3)
        assert hits and hits[0].source == "notes.md"
        assert hits[0].end - hits[0].start == len(hits[0].text)
        assert first_hit_rank(hits, "notes.md", evidence_spans(item, texts)) == 1
    finally:
        pipeline.close()
    assert pipeline.store is None


def test_baseline_refuses_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no \.txt"):
        BaselinePipeline(BigramEmbeddings(), tmp_path).build()


@pytest.mark.slow
def test_retrieval_only_eval_end_to_end(tmp_path: Path) -> None:
    """Build a fresh index, score 10 questions retrieval-only with the baseline beside it."""
    from eval.__main__ import main

    out = tmp_path / "results"
    code = main(
        [
            "--llm",
            "none",
            "--limit",
            "10",
            "--baseline",
            "--index-dir",
            str(tmp_path / "index"),
            "--out-dir",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    name = "hybrid-none-limit10"
    result = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    assert (out / f"{name}.md").read_text(encoding="utf-8").startswith("# ReportQA evaluation")
    assert set(result["charts"]) == {"hitk", "by_type"}
    for file in result["charts"].values():
        assert (out / file).read_bytes()[:4] == b"\x89PNG"
    assert result["n_questions"] == 10 and result["answers"] is None
    for section in (result["retrieval"], result["peer_baseline"]["retrieval"]):
        overall = section["overall"]
        assert overall["n"] == 10
        for metric in ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10"):
            assert 0.0 <= overall[metric] <= 1.0
        assert overall["hit@1"] <= overall["hit@5"] <= overall["hit@10"]
    assert result["peer_baseline"]["chunks"] > 0
    assert all("baseline_rank" in q for q in result["questions"])
