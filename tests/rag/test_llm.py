"""LLM backends for real: the bundled GGUF through llama.cpp, and the same model served by an
OpenAI-compatible server on 127.0.0.1 (``llama_cpp.server``) reached through langchain-openai."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from models.llm_files import prepare_llm
from rag.answer import Answerer, AnswerResult

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _check(result: AnswerResult) -> None:
    assert not result.refused, result.answer
    assert "7.5%" in result.answer
    assert result.citations and result.citations[0].region == "紫金县"
    assert any(c.verified for c in result.citations)


# A "how" question: the model writes its answer (figures and names come from the reader).
HOW = "紫金县2021年如何推进“融深”“融湾”？"


def _check_generated(pieces: list) -> None:
    final = pieces[-1]
    assert isinstance(final, AnswerResult)
    assert sum(isinstance(p, str) for p in pieces) > 3, "the model's tokens should stream"
    assert not final.refused, final.answer
    assert final.citations and final.citations[0].region == "紫金县"
    assert "【" not in final.answer
    assert final.timings["first_token_ms"] < final.timings["total_ms"]


def test_local_backend_streams_a_cited_answer(sample_index, searcher):
    settings, _ = sample_index
    answerer = Answerer(settings.model_copy(update={"llm": "local"}), searcher=searcher)
    _check_generated(list(answerer.stream(HOW)))
    _check(answerer.ask("紫金县2021年GDP目标是多少"))  # a figure: the reader's verified clause


def test_local_backend_refuses_without_passages(sample_index, searcher):
    settings, _ = sample_index
    answerer = Answerer(settings.model_copy(update={"llm": "local"}), searcher=searcher)
    result = answerer.ask("紫金县2023年GDP目标是多少")
    assert result.refused and not result.citations


def test_openai_backend_against_a_local_server(sample_index, searcher):
    settings, _ = sample_index
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(prepare_llm(settings)),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--n_threads",
            str(settings.threads),
            "--model_alias",
            "qwen-local",
            "--chat_format",
            "chatml",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start")
        cfg = settings.model_copy(
            update={"llm": "openai", "openai_base_url": base, "openai_model": "qwen-local"}
        )
        answerer = Answerer(cfg, searcher=searcher)
        _check(answerer.ask("紫金县2021年GDP目标是多少"))
        _check_generated(list(answerer.stream(HOW)))
    finally:
        server.terminate()
        server.wait(timeout=30)
