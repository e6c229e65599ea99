"""Crash safety and concurrency: ``kill -9`` at random points mid-ingest leaves a consistent,
queryable index that the next run completes; two ingests take turns; queries keep working
while an ingest runs."""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.store import IndexPaths, IndexUnavailable, load_manifest
from ingest.index import index_lock

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
QUERY = "重点项目投资"


def _ingest(index: Path, *args: str | Path) -> subprocess.Popen:
    env = {**os.environ, "REPORTQA_INDEX_DIR": str(index), "REPORTQA_EMBEDDING_BATCH_SIZE": "4"}
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "--quiet", *map(str, args)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(index: Path, *args: str | Path) -> float:
    """Ingest to completion; returns how long it took."""
    started = time.perf_counter()
    proc = _ingest(index, *args)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return time.perf_counter() - started


@dataclass
class State:
    """Everything a finished ingest leaves behind, keyed by chunk id."""

    records: dict[str, tuple[str, dict]]  # committed chunk records: text, metadata
    chroma: dict[str, tuple[str, dict]]  # what the vector store holds for them
    bm25: set[str]


def _check(index: Path, settings_factory, embeddings, complete: bool) -> State:
    """Assert the index is consistent and queryable; ``complete``: no uncommitted leftovers.

    Right after a crash Chroma may hold vectors of chunks no commit lists yet (upserted before
    the commit, by content-hash id, so the next run need not embed them again); the keyword
    index, which is what queries see, must list exactly the committed chunks.
    """
    from rag.retrieve import Searcher

    paths = IndexPaths(index)
    manifest = load_manifest(paths)
    committed = manifest.chunk_ids()
    records: dict[str, tuple[str, dict]] = {}
    for key, entry in manifest.files.items():
        lines = paths.chunk_file(key).read_text(encoding="utf-8").splitlines()
        by_id = {r["id"]: r for r in map(json.loads, lines)}  # no half-written line
        missing = set(entry.chunk_ids) - set(by_id)
        assert not missing, f"committed chunks without a record in {key}: {len(missing)}"
        records |= {cid: (by_id[cid]["text"], by_id[cid]["metadata"]) for cid in entry.chunk_ids}
    for f in paths.chunks.glob("*.jsonl") if paths.chunks.exists() else []:
        for line in f.read_text(encoding="utf-8").splitlines():
            json.loads(line)  # files of uncommitted work must be whole too

    searcher = Searcher(settings_factory(index), embeddings=embeddings)
    bm25 = set(searcher.bm25.ids)
    assert bm25 == committed, "the keyword index is not the committed generation"
    got = searcher.collection.get(include=["documents", "metadatas"])
    chroma = {
        cid: (doc, meta)
        for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    }
    assert committed <= set(chroma), "committed chunks missing from the vector store"
    if complete:
        assert set(chroma) == committed, "orphan vectors left behind"
    if committed:
        hits = searcher.search(QUERY, k=5)
        assert hits and {h.id for h in hits} <= committed
    else:
        with pytest.raises(IndexUnavailable, match="python -m ingest"):
            searcher.search(QUERY, k=5)
    return State(records, {c: chroma[c] for c in committed}, bm25)


def _assert_same(state: State, reference: State) -> None:
    """Same chunks with the same text and metadata everywhere, not just the same ids."""
    assert set(state.records) == set(reference.records)
    for cid, (text, meta) in reference.records.items():
        assert state.records[cid] == (text, meta), cid
        assert state.chroma[cid][0] == text
        assert state.chroma[cid][1] == reference.chroma[cid][1], cid
    assert state.bm25 == reference.bm25


@dataclass
class Corpus:
    folder: Path  # the current versions of four reports
    base: Path  # an index holding older versions of three of them (one unchanged)
    reference: State  # the folder ingested into an empty index in one go
    fresh_seconds: float  # how long that took
    update_seconds: float  # how long bringing a copy of ``base`` up to date took


def _older(text: str) -> str:
    """An earlier draft: the first two thirds, with one figure different."""
    return text[: len(text) * 2 // 3].replace("。", "；", 1)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, settings_factory, embeddings) -> Corpus:
    folder = tmp_path_factory.mktemp("corpus")
    names = sorted(os.listdir(ROOT / "data"))[:4]
    sources = {n: (ROOT / "data" / n).read_text(encoding="utf-8") for n in names}
    # The base index: file 0 as it is now, files 1 and 2 older drafts, file 3 not yet there.
    for i, name in enumerate(names[:3]):
        (folder / name).write_text(sources[name] if i == 0 else _older(sources[name]), "utf-8")
    base = tmp_path_factory.mktemp("base") / "index"
    _run(base, folder)
    for name in names:
        (folder / name).write_text(sources[name], encoding="utf-8")

    ref = tmp_path_factory.mktemp("ref") / "index"
    fresh_seconds = _run(ref, folder)
    reference = _check(ref, settings_factory, embeddings, complete=True)
    update = tmp_path_factory.mktemp("update") / "index"
    shutil.copytree(base, update)
    update_seconds = _run(update, folder)
    _assert_same(_check(update, settings_factory, embeddings, complete=True), reference)
    return Corpus(folder, base, reference, fresh_seconds, update_seconds)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kill_9_at_a_random_point_then_resume(corpus, tmp_path, settings_factory, embeddings, seed):
    """Odd seeds crash the first ingest into an empty index, even ones an update of an index
    that already holds older versions of some files (changed chunks, stale chunks to delete)."""
    rng = random.Random(seed)
    index = tmp_path / "index"
    if seed % 2 == 0:
        shutil.copytree(corpus.base, index)
        span = corpus.update_seconds
    else:
        span = corpus.fresh_seconds
    delay = rng.uniform(0.1, 0.95) * span
    proc = _ingest(index, corpus.folder)
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    _check(index, settings_factory, embeddings, complete=not killed)
    _run(index, corpus.folder)
    _assert_same(_check(index, settings_factory, embeddings, complete=True), corpus.reference)


def test_second_ingest_waits_or_says_why(corpus, tmp_path):
    index = tmp_path / "index"
    with index_lock(IndexPaths(index)):
        proc = _ingest(index, corpus.folder, "--no-wait")
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "another ingest" in err


def _lock_is_held(paths: IndexPaths) -> bool:
    if not paths.lock.exists():
        return False
    with open(paths.lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def test_second_ingest_waits_then_completes(corpus, tmp_path, settings_factory, embeddings):
    """Without --no-wait the second ingest blocks on the lock, then finishes the job.

    The first ingest is paused (SIGSTOP) while it holds the lock until the second one says it
    is waiting, so the two really overlap however fast either starts.
    """
    index = tmp_path / "index"
    paths = IndexPaths(index)
    first = _ingest(index, *sorted(corpus.folder.iterdir())[:2])
    deadline = time.monotonic() + 300
    while not _lock_is_held(paths):
        assert first.poll() is None and time.monotonic() < deadline, "first ingest never started"
        time.sleep(0.02)
    first.send_signal(signal.SIGSTOP)
    try:
        second = _ingest(index, corpus.folder)
        said = second.stderr.readline()  # blocks until it reaches the lock
    finally:
        first.send_signal(signal.SIGCONT)
    assert "another ingest" in said and "waiting" in said, said
    _, first_err = first.communicate(timeout=600)
    assert first.returncode == 0, first_err
    assert second.poll() is None or second.returncode == 0
    _, second_err = second.communicate(timeout=600)
    assert second.returncode == 0, second_err
    _assert_same(_check(index, settings_factory, embeddings, complete=True), corpus.reference)


def test_queries_keep_working_during_an_ingest(corpus, tmp_path, settings_factory, embeddings):
    """Searches against an index being updated succeed, see one committed generation at a
    time, and see the new files once the ingest is done."""
    from rag.retrieve import Filters, Searcher

    index = tmp_path / "index"
    shutil.copytree(corpus.base, index)
    before = _check(index, settings_factory, embeddings, complete=True)
    after = corpus.reference
    searcher = Searcher(settings_factory(index), embeddings=embeddings)
    queries = [QUERY, "乡村振兴", "人居环境整治", "招商引资项目"]
    proc = _ingest(index, corpus.folder)
    searches = 0
    while proc.poll() is None:
        hits = searcher.search(queries[searches % len(queries)], k=5)
        searches += 1
        ids = {h.id for h in hits}
        view = set(searcher.bm25.ids)
        assert view in (before.bm25, after.bm25), "queries saw a partial keyword index"
        assert hits and ids <= view, "a search returned an uncommitted chunk"
        for h in hits:
            text, meta = (before.records | after.records)[h.id]
            assert h.text == text and h.metadata["source"] == meta["source"]
    _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert searches >= 3, "the ingest finished before any search ran"
    searcher.reload()  # what the server does after an upload's commit
    # the store is reopened by the reload, not by the next question (whose search below
    # must then find the new vectors in it)
    assert searcher._collection is not None
    hits = searcher.search(QUERY, k=5)
    assert set(searcher.bm25.ids) == after.bm25 and {h.id for h in hits} <= after.bm25
    new_source = sorted(corpus.folder.iterdir())[3].name
    new_docs = [d.doc_id for d in searcher.documents if d.source == new_source]
    hits = searcher.search(QUERY, k=5, filters=Filters(doc_ids=new_docs))
    assert new_docs and hits, "the new file is not searchable"
    assert all(h.metadata["source"] == new_source for h in hits)
