"""LLM backends, chosen by ``REPORTQA_LLM``: ``local`` (llama.cpp GGUF), ``openai`` (any
OpenAI-compatible server) or ``extractive`` (no generation at all).

The local model is loaded once per process and used by one request at a time: llama.cpp keeps a
single KV cache, so concurrent calls would corrupt each other. The lock doubles as the request
queue the server relies on.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from core.settings import Settings, get_settings
from models.llm_files import prepare_llm
from models.packages import ModelError

log = logging.getLogger(__name__)

_local_models: dict[tuple[str, int, int, int], BaseChatModel] = {}
_local_lock = threading.Lock()
generation_lock = threading.Lock()  # one local generation at a time (the queue)


def _local(settings: Settings) -> BaseChatModel:
    path = str(prepare_llm(settings))
    key = (path, settings.llm_context, settings.threads, settings.llm_max_tokens)
    with _local_lock:
        if key not in _local_models:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                from langchain_community.chat_models import ChatLlamaCpp
            _local_models[key] = ChatLlamaCpp(
                model_path=path,
                n_ctx=settings.llm_context,
                n_threads=settings.threads,
                n_batch=512,
                temperature=0.0,
                max_tokens=settings.llm_max_tokens,
                verbose=False,
                seed=0,
            )
            log.info("local LLM loaded: %s", path)
        return _local_models[key]


def _openai(settings: Settings) -> BaseChatModel:
    if not settings.openai_base_url or not settings.openai_model:
        raise ModelError(
            "REPORTQA_LLM=openai needs REPORTQA_OPENAI_BASE_URL and REPORTQA_OPENAI_MODEL "
            "(e.g. http://127.0.0.1:8000/v1 and the served model name)"
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key or "EMPTY",
        model=settings.openai_model,
        temperature=0,
        max_tokens=settings.llm_max_tokens,
        timeout=120,
        max_retries=1,
    )


def get_chat_model(settings: Settings | None = None) -> BaseChatModel | None:
    """The configured chat model, or None for the extractive backend."""
    settings = settings or get_settings()
    if settings.llm == "extractive":
        return None
    if settings.llm == "openai":
        return _openai(settings)
    return _local(settings)


def describe(settings: Settings | None = None) -> str:
    """Human-readable name of the active backend (shown in the UI and logs)."""
    settings = settings or get_settings()
    if settings.llm == "extractive":
        return "extractive（抽取式，无生成）"
    if settings.llm == "openai":
        return f"openai: {settings.openai_model} @ {settings.openai_base_url}"
    name = settings.llm_model_path or "Qwen2.5-Coder-0.5B-Instruct Q4_K_M"
    return f"local: {name} (llama.cpp, {settings.threads} threads)"


def stream_chat(model: BaseChatModel, messages: list[BaseMessage], local: bool) -> Iterator[str]:
    """Stream text pieces; the local model is held for the whole generation."""
    lock: Any = generation_lock if local else None
    if lock:
        lock.acquire()
    try:
        for chunk in model.stream(messages):
            text = chunk.content if isinstance(chunk.content, str) else ""
            if text:
                yield text
    finally:
        if lock:
            lock.release()


__all__ = ["describe", "generation_lock", "get_chat_model", "stream_chat"]
