"""Bundled models are prepared from pip packages only, verified, and work with no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag import models
from rag.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _network_cut_available() -> bool:
    return (
        shutil.which("unshare") is not None
        and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
    )


def test_tiktoken_cache_name_comes_from_tiktoken(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    path = models.prepare_tiktoken(Settings(cache_dir=tmp_path))
    url, expected = models._tiktoken_blob("cl100k_base")
    assert url.startswith("https://") and url.endswith("cl100k_base.tiktoken")
    import hashlib

    assert path.name == hashlib.sha1(url.encode()).hexdigest()
    assert models.sha256_file(path) == expected


@pytest.mark.skipif(not _network_cut_available(), reason="cannot cut the network here")
def test_tiktoken_works_with_the_network_cut(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken"))
    models.prepare_tiktoken(Settings(cache_dir=tmp_path))
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


def test_llm_parts_join_to_the_verified_file():
    path = models.prepare_llm(Settings())
    assert path.stat().st_size == models.LLM_SIZE
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"


def test_llm_hash_mismatch_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "LLM_SHA256", "0" * 64)
    with pytest.raises(models.ModelError, match="reinstall"):
        models.prepare_llm(Settings(cache_dir=tmp_path))
    assert not list(tmp_path.glob("*.gguf")), "a file that failed verification must not stay"


def test_missing_package_says_what_to_do():
    with pytest.raises(models.ModelError, match="make setup"):
        models.package_file("no-such-model-package", ".bin")
