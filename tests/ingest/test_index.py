"""Ingest end to end: real embedding model, real Chroma in a temporary folder, sample corpus."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from index.store import IndexPaths, iter_committed_records, load_manifest

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parents[2] / "data"
BOILERPLATE = [
    "招商】",
    "点我投稿",
    "联系我们",
    "企业入驻",
    "2025-07-08",
    "下载文档前",
    "侵犯您的权益",
    "仅部分预览",
]


def _records(settings):
    paths = IndexPaths(settings.index_dir)
    return list(iter_committed_records(paths, load_manifest(paths)))


def test_sample_corpus_documents_and_chunks(sample_index):
    settings, summary = sample_index
    assert summary.documents >= 14
    assert summary.files_indexed == 5
    records = _records(settings)
    assert len(records) == summary.total_chunks > 100
    for r in records:
        for junk in BOILERPLATE:
            assert junk not in r["text"], (junk, r["text"][:80])
        assert r["text"].strip() not in {"-", ""}
    norms = Counter((r["metadata"]["region"], r["norm"]) for r in records)
    assert max(norms.values()) == 1, "two chunks of one place carry the same normalised text"
    in_004 = [r for r in records if r["metadata"]["source"].startswith("004_")]
    assert {r["metadata"]["region"] for r in in_004} >= {"紫金县", "云浮市", "南山区", "泗水镇"}
    assert all(r["metadata"]["region"] and r["metadata"]["year"] for r in in_004)


def test_chunk_offsets_point_into_source(sample_index):
    settings, _ = sample_index
    texts = {p.name: p.read_text(encoding="utf-8") for p in DATA.iterdir()}
    for r in _records(settings):
        m = r["metadata"]
        span = texts[m["source"]][m["start"] : m["end"]]
        # cleaning only deletes characters, so the chunk is a subsequence of its source span
        it = iter(span)
        assert all(ch in it for ch in r["text"]), r["text"][:60]


def test_chunks_fit_embedding_window(sample_index, embeddings):
    from ingest.index import embed_text

    settings, _ = sample_index
    tok = embeddings.model.tokenizer
    longest = max(
        len(tok(settings.passage_prefix + embed_text(r["metadata"], r["text"]))["input_ids"])
        for r in _records(settings)
    )
    assert longest <= 512


def test_reingest_is_a_no_op(sample_index, embeddings):
    from ingest.index import Ingestor

    settings, first = sample_index
    before = embeddings.calls
    again = Ingestor(settings, embeddings=embeddings, progress=False).run([DATA])
    assert embeddings.calls == before
    assert again.chunks_added == 0 and again.files_indexed == 0
    assert again.files_unchanged == 5
    assert again.total_chunks == first.total_chunks


def test_changed_file_replaces_chunks_and_prune(tmp_path, settings_factory, embeddings):
    from ingest.index import Ingestor

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DATA / "002_d3be3124dc9d7849.txt", folder / "a.txt")
    settings = settings_factory(tmp_path / "idx")
    ing = Ingestor(settings, embeddings=embeddings, progress=False)
    s1 = ing.run([folder])
    assert s1.chunks_added > 3
    text = (folder / "a.txt").read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text.replace("109个", "110个"), encoding="utf-8")
    calls = embeddings.calls
    s2 = Ingestor(settings, embeddings=embeddings, progress=False).run([folder])
    assert s2.files_indexed == 1
    assert 1 <= s2.chunks_added <= 2 and s2.chunks_removed == s2.chunks_added
    assert embeddings.calls == calls + 1
    records = _records(settings)
    assert any("110个" in r["text"] for r in records)
    assert not any("109个" in r["text"] for r in records)
    (folder / "a.txt").unlink()
    s3 = Ingestor(settings, embeddings=embeddings, progress=False).run([folder], prune=True)
    assert s3.files_removed == 1 and s3.total_chunks == 0


def test_bad_files_are_skipped_with_reasons(tmp_path, settings_factory, embeddings):
    from ingest.index import Ingestor

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    report = "2021年某县政府工作报告\n一、工作回顾\n全县地区生产总值增长8%，完成年度目标任务。\n"
    (folder / "gbk.txt").write_bytes(report.encode("gbk"))
    (folder / "bom.txt").write_bytes(report.replace("某县", "某区").encode("utf-8-sig"))
    summary = Ingestor(
        settings_factory(tmp_path / "idx"), embeddings=embeddings, progress=False
    ).run([folder])
    reasons = {Path(s["path"]).name: s["reason"] for s in summary.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "image.png"}
    assert all(len(r) > 10 for r in reasons.values())
    assert summary.files_indexed == 2
    assert "8%" in json.dumps(
        [r["text"] for r in _records(settings_factory(tmp_path / "idx"))], ensure_ascii=False
    )


SHARED = (
    "坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，统筹发展和安全，"
    "扎实推进乡村振兴，持续改善民生福祉，确保社会大局和谐稳定。"
)


def _report(place: str, figure: str) -> str:
    return (
        f"2021年{place}政府工作报告\n一、过去一年工作回顾\n{SHARED}\n"
        f"全年地区生产总值增长{figure}，圆满完成年度目标任务。\n"
    )


def test_duplicates_are_dropped_within_a_place_not_across_places(
    tmp_path, settings_factory, embeddings
):
    from ingest.index import Ingestor

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(_report("紫金县", "6.5%"), encoding="utf-8")
    (folder / "b.txt").write_text(_report("和平县", "7.1%"), encoding="utf-8")
    # the same report of 紫金县 saved again under another name
    (folder / "c.txt").write_text(_report("紫金县", "6.5%"), encoding="utf-8")
    settings = settings_factory(tmp_path / "idx")
    summary = Ingestor(settings, embeddings=embeddings, progress=False).run([folder])
    holders = Counter(
        r["metadata"]["region"] for r in _records(settings) if "乡村振兴" in r["text"]
    )
    assert holders == {"紫金县": 1, "和平县": 1}
    assert summary.duplicates_dropped >= 1


def test_pipeline_change_rechunks_without_embedding_again(tmp_path, settings_factory, embeddings):
    from ingest.index import Ingestor

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DATA / "002_d3be3124dc9d7849.txt", folder / "a.txt")
    settings = settings_factory(tmp_path / "idx")
    first = Ingestor(settings, embeddings=embeddings, progress=False).run([folder])
    paths = IndexPaths(settings.index_dir)
    raw = json.loads(paths.manifest.read_text(encoding="utf-8"))
    for entry in raw["files"].values():
        entry["pipeline"] = "older"  # as written by an earlier version of the chunker
    paths.manifest.write_text(json.dumps(raw), encoding="utf-8")
    calls = embeddings.calls
    again = Ingestor(settings, embeddings=embeddings, progress=False).run([folder])
    assert again.files_rechunked == 1 and again.files_indexed == 1
    assert embeddings.calls == calls and again.embedded == 0
    assert again.total_chunks == first.total_chunks
    third = Ingestor(settings, embeddings=embeddings, progress=False).run([folder])
    assert third.files_unchanged == 1 and third.files_rechunked == 0


def test_own_encoder_is_released_before_the_keyword_index(
    tmp_path, settings_factory, embeddings, monkeypatch
):
    """`python -m ingest` drops its encoder before the commit's BM25 build (whose peak grows
    with the corpus); an encoder handed in (the server's, which serves queries) stays."""
    import ingest.index as ix

    events: list[str] = []

    class Owned:
        name = embeddings.name

        def __init__(self, settings):
            pass

        def embed_documents(self, texts):
            events.append("embed")
            return embeddings.embed_documents(texts)

        def embed_query(self, text):
            return embeddings.embed_query(text)

        def release(self):
            events.append("release")

    build = ix.Bm25Index.build

    def spy_build(records, generation):
        events.append("bm25")
        return build(records, generation)

    monkeypatch.setattr(ix, "E5Embeddings", Owned)
    monkeypatch.setattr(ix.Bm25Index, "build", staticmethod(spy_build))
    monkeypatch.setattr(embeddings, "release", lambda: events.append("shared released"))
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DATA / "002_d3be3124dc9d7849.txt", folder / "a.txt")
    ix.Ingestor(settings_factory(tmp_path / "own"), progress=False).run([folder])
    assert events[-2:] == ["release", "bm25"] and "embed" in events
    events.clear()
    ix.Ingestor(settings_factory(tmp_path / "shared"), embeddings=embeddings, progress=False).run(
        [folder]
    )
    assert "bm25" in events and "shared released" not in events
