"""A real ReportQA server (``python app.py``) on 127.0.0.1 over a copy of the sample index."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index_dir: Path, tmp: Path, **env: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    environ = {
        **os.environ,
        "REPORTQA_INDEX_DIR": str(index_dir),
        "REPORTQA_UPLOAD_DIR": str(tmp / "uploads"),
        "REPORTQA_PORT": str(port),
        "REPORTQA_LLM": "extractive",
        **env,
    }
    log = open(tmp / f"server-{port}.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((tmp / f"server-{port}.log").read_text())
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("server did not start")


@pytest.fixture(scope="session")
def server(sample_index, tmp_path_factory):
    """Base URL of a live server (extractive backend) with its own copy of the index."""
    settings, _ = sample_index
    tmp = tmp_path_factory.mktemp("server")
    index = tmp / "index"
    shutil.copytree(settings.index_dir, index)
    proc, base = start_server(index, tmp)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


API_KEY = "test-key-1"


@pytest.fixture(scope="session")
def keyed_server(sample_index, tmp_path_factory):
    """Base URL of a live server that requires ``Authorization: Bearer test-key-1``."""
    settings, _ = sample_index
    tmp = tmp_path_factory.mktemp("keyed-server")
    index = tmp / "index"
    shutil.copytree(settings.index_dir, index)
    proc, base = start_server(index, tmp, REPORTQA_API_KEYS=f"other-key,{API_KEY}")
    yield base
    proc.terminate()
    proc.wait(timeout=30)
