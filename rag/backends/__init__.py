"""Answer backends, chosen once from ``REPORTQA_LLM``. Adding one: a module here and a line in
:data:`BACKENDS`."""

from __future__ import annotations

from core.settings import Settings, get_settings
from models.packages import ModelError
from rag.backends.base import Backend, ChatBackend, GenerationRequest
from rag.backends.extractive import ExtractiveBackend
from rag.backends.local import LocalBackend
from rag.backends.openai import OpenAIBackend

BACKENDS: dict[str, type[Backend]] = {
    "local": LocalBackend,
    "openai": OpenAIBackend,
    "extractive": ExtractiveBackend,
}


def get_backend(settings: Settings | None = None) -> Backend:
    """The backend ``settings.llm`` names; an unknown name says which exist."""
    settings = settings or get_settings()
    try:
        cls = BACKENDS[settings.llm]
    except KeyError:
        raise ModelError(
            f"REPORTQA_LLM={settings.llm!r} is not a backend; use one of {', '.join(BACKENDS)}"
        ) from None
    return cls(settings)


def describe(settings: Settings | None = None) -> str:
    """Human-readable name of the configured backend (UI, logs)."""
    return get_backend(settings).describe()


__all__ = [
    "BACKENDS",
    "Backend",
    "ChatBackend",
    "GenerationRequest",
    "describe",
    "get_backend",
]
