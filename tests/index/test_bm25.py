"""The streamed BM25 build equals the former build from a list of token strings: same rows,
same metadata and bit-identical scores for every gold question."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from core.settings import PROJECT_ROOT
from index.bm25 import META_FIELDS, Bm25Index
from index.store import IndexPaths, iter_committed_records, load_manifest
from index.terms import get_tokenizer


def _former_build(records: list[dict], generation: str) -> Bm25Index:
    """The build as it was: every record in memory, bm25s indexing token strings."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index([r["tokens"] or ["\u2205"] for r in records], show_progress=False)
    return Bm25Index(
        ids=[r["id"] for r in records],
        meta=[{k: r["metadata"].get(k) for k in META_FIELDS} for r in records],
        generation=generation,
        retriever=retriever,
    )


def _records(n: int) -> list[dict]:
    words = ["地区", "生产", "总值", "增长", "就业", "粮食", "产量", "预算", "收入", "项目"]
    return [
        {
            "id": f"c{i}",
            "tokens": [words[(i * 7 + j * 3) % len(words)] for j in range(i % 9)],
            "metadata": {"doc_id": f"d{i % 3}", "region": "甲县", "year": 2020 + i % 4},
        }
        for i in range(n)
    ]


def test_streamed_build_equals_former_build_on_small_records(tmp_path):
    records = _records(40)  # includes chunks without tokens
    new = Bm25Index.build(iter(records), "g1")
    old = _former_build(records, "g1")
    assert new.ids == old.ids and new.meta == old.meta
    for query in (["增长"], ["粮食", "产量", "增长"], ["收入", "没有"], []):
        assert np.array_equal(new.scores(query), old.scores(query)), query
    new.save(tmp_path)
    again = Bm25Index.load(tmp_path)
    assert np.array_equal(again.scores(["就业", "预算"]), old.scores(["就业", "预算"]))


def test_empty_build():
    index = Bm25Index.build(iter([]), "g0")
    assert len(index) == 0 and not index.scores(["增长"]).any()


@pytest.mark.slow
def test_streamed_build_equals_former_build_on_the_sample(sample_index):
    settings, _ = sample_index
    paths = IndexPaths(settings.index_dir)
    manifest = load_manifest(paths)
    records = list(iter_committed_records(paths, manifest))
    new = Bm25Index.build(iter_committed_records(paths, manifest), "g")
    old = _former_build(records, "g")
    assert new.ids == old.ids and new.meta == old.meta
    tokenizer = get_tokenizer()
    gold = (PROJECT_ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    for line in gold:
        tokens = tokenizer.tokens(json.loads(line)["question"])
        assert np.array_equal(new.scores(tokens), old.scores(tokens)), tokens
        assert new.top(tokens, 20) == old.top(tokens, 20)
