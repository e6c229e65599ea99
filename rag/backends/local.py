"""The local backend: the bundled (or a user's) GGUF model through llama.cpp.

The model is loaded once per process and used by one request at a time: llama.cpp keeps a
single KV cache, so concurrent calls would corrupt each other. The lock doubles as the request
queue the server relies on.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

from core import cpu
from models.llm_files import BUNDLED, prepare_llm
from rag.backends.base import ChatBackend

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

_models: dict[tuple[str, int, int, int], BaseChatModel] = {}
_models_lock = threading.Lock()
generation_lock = threading.Lock()  # one local generation at a time (the queue)


def close_all() -> int:
    """Free every loaded model now; returns how many were closed.

    ``Llama.__del__`` frees through module-level ctypes functions that interpreter shutdown may
    already have torn down, which prints "Exception ignored … 'NoneType' object is not
    callable" after every run. ``Llama.close()`` while the process is intact is the library's
    own remedy, so it runs at exit (atexit handlers run before module teardown)."""
    with _models_lock:
        models = list(_models.values())
        _models.clear()
    for model in models:
        client = getattr(model, "client", None)
        if client is not None:
            client.close()
    return len(models)


atexit.register(close_all)


class LocalBackend(ChatBackend):
    name = "local"
    lock = generation_lock

    def describe(self) -> str:
        s = self.settings
        name = s.llm_model_path or BUNDLED.get(s.llm_model, BUNDLED["0.5b"]).name
        return f"local: {name} (llama.cpp, {s.threads} threads)"

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Generation and ingest share two cores: while an answer is generated, other processes
        see the signal (an ingest pauses between batches), and llama.cpp takes only the cores
        left idle instead of spin-waiting against them."""
        with cpu.answering(self.settings):
            cpu.tune_llama(getattr(self.model, "client", None), self.settings)
            yield

    def create_model(self) -> BaseChatModel:
        s = self.settings
        path = str(prepare_llm(s))
        key = (path, s.llm_context, s.threads, s.llm_max_tokens)
        with _models_lock:
            if key not in _models:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    from langchain_community.chat_models import ChatLlamaCpp
                _models[key] = ChatLlamaCpp(
                    model_path=path,
                    n_ctx=s.llm_context,
                    n_threads=s.threads,
                    n_batch=512,
                    temperature=0.0,
                    max_tokens=s.llm_max_tokens,
                    verbose=False,
                    seed=0,
                )
                log.info("local LLM loaded: %s", path)
            return _models[key]


__all__ = ["LocalBackend", "close_all", "generation_lock"]
