"""The openai backend: any OpenAI-compatible server (vLLM, Ollama, Xinference, DeepSeek …)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.packages import ModelError
from rag.backends.base import ChatBackend

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


class OpenAIBackend(ChatBackend):
    name = "openai"

    def describe(self) -> str:
        s = self.settings
        return f"openai: {s.openai_model} @ {s.openai_base_url}"

    def create_model(self) -> BaseChatModel:
        s = self.settings
        if not s.openai_base_url or not s.openai_model:
            raise ModelError(
                "REPORTQA_LLM=openai needs REPORTQA_OPENAI_BASE_URL and REPORTQA_OPENAI_MODEL "
                "(e.g. http://127.0.0.1:8000/v1 and the served model name)"
            )
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=s.openai_base_url,
            api_key=s.openai_api_key or "EMPTY",
            model=s.openai_model,
            temperature=0,
            max_tokens=s.llm_max_tokens,
            timeout=120,
            max_retries=1,
        )


__all__ = ["OpenAIBackend"]
