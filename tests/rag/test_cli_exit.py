"""``python -m rag ask`` with the local model ends cleanly: no destructor traceback at exit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_ask_with_local_model_leaves_stderr_clean(sample_index):
    settings, _ = sample_index
    env = {
        **os.environ,
        "REPORTQA_INDEX_DIR": str(settings.index_dir),
        "REPORTQA_LLM": "local",
        "OMP_NUM_THREADS": "1",
    }
    out = subprocess.run(
        [sys.executable, "-m", "rag", "ask", "紫金县2021年GDP目标是多少"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert "7.5%" in out.stdout
    assert "Traceback" not in out.stderr and "Exception ignored" not in out.stderr, out.stderr


def test_close_all_frees_a_loaded_model():
    from models.packages import configure_offline

    configure_offline()
    from core.settings import Settings
    from rag.backends.local import LocalBackend, close_all

    model = LocalBackend(Settings(llm="local", llm_threads=1)).model
    assert close_all() >= 1
    assert model.client._stack is not None  # closing twice (at exit, then __del__) is harmless
    model.client.close()
