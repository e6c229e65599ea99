"""Crash safety: ``kill -9`` mid-ingest leaves a consistent index; the next run completes it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.index import index_lock
from rag.store import IndexPaths, load_manifest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _ingest(folder: Path, index: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "REPORTQA_INDEX_DIR": str(index), "REPORTQA_EMBEDDING_BATCH_SIZE": "4"}
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "--quiet", str(folder), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _state(index: Path, settings_factory, embeddings, complete: bool = True):
    """Committed chunk ids and Chroma's ids, after checking the index is consistent."""
    from rag.retrieve import Searcher

    settings = settings_factory(index)
    manifest_ids = load_manifest(IndexPaths(index)).chunk_ids()
    searcher = Searcher(settings, embeddings=embeddings)
    searchable = set(searcher.bm25.ids)
    # the keyword index is the queries' view: a committed generation, never a partial one
    assert searchable <= manifest_ids
    if complete:
        assert searchable == manifest_ids
    if searchable:  # queryable, and only committed chunks come back
        hits = searcher.search("重点项目投资", k=5)
        assert hits and {h.id for h in hits} <= searchable
    return manifest_ids, set(searcher.collection.get(include=[])["ids"])


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    for name in sorted(os.listdir(ROOT / "data"))[:4]:
        shutil.copy(ROOT / "data" / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def reference(small_corpus, tmp_path_factory, settings_factory, embeddings):
    index = tmp_path_factory.mktemp("ref")
    assert _ingest(small_corpus, index).wait() == 0
    return _state(index, settings_factory, embeddings)[0]


@pytest.mark.parametrize("delay", [6.0, 9.0, 12.0])
def test_kill_9_then_resume(small_corpus, reference, tmp_path, settings_factory, embeddings, delay):
    index = tmp_path / "index"
    proc = _ingest(small_corpus, index)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    _state(index, settings_factory, embeddings, complete=False)  # consistent after the crash
    done = _ingest(small_corpus, index)
    assert done.wait() == 0, done.stderr.read()
    manifest_ids, chroma_ids = _state(index, settings_factory, embeddings)
    assert manifest_ids == reference
    assert chroma_ids == manifest_ids, "no half-written or orphan chunks remain"


def test_second_ingest_waits_or_says_why(small_corpus, tmp_path):
    index = tmp_path / "index"
    with index_lock(IndexPaths(index)):
        proc = _ingest(small_corpus, index, "--no-wait")
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "another ingest" in err
