"""Scale-out path: ingest into a real Chroma server (``chroma run``) on 127.0.0.1 and search it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ingest_and_search_through_chroma_server(tmp_path, settings_factory, embeddings):
    from ingest.index import Ingestor
    from rag.retrieve import Searcher

    chroma = Path(sys.executable).with_name("chroma")
    port = _port()
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "chroma-data"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma server did not start")
        folder = tmp_path / "docs"
        folder.mkdir()
        shutil.copy(ROOT / "data" / "002_d3be3124dc9d7849.txt", folder)
        settings = settings_factory(tmp_path / "index", chroma_host="127.0.0.1", chroma_port=port)
        summary = Ingestor(settings, embeddings=embeddings, progress=False).run([folder])
        assert summary.chunks_added > 3
        assert not (tmp_path / "index" / "chroma").exists(), "vectors must live on the server"
        hits = Searcher(settings, embeddings=embeddings).search("重点项目开工率", k=3, mode="dense")
        assert any("86.24%" in h.text for h in hits)
    finally:
        server.terminate()
        server.wait(timeout=30)
