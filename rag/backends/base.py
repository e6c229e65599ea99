"""What every answer backend does: turn the numbered context into answer text, streamed.

A backend only writes; verification, repair and refusal are the orchestrator's, so a new
backend cannot weaken them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.settings import Settings
from rag.context import ContextItem, format_context
from rag.prompts import prompt_text
from rag.query import QueryInfo
from rag.reader import Reading
from rag.scoring import QueryTerms

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


@dataclass
class GenerationRequest:
    """A standalone question and the context it is to be answered from."""

    question: str
    info: QueryInfo
    context: list[ContextItem]
    terms: QueryTerms
    #: the clause reader's verified answer (the extractive answer and every fallback)
    reading: Reading | None = None
    #: what the question asks for: figure, list, entity, reason or other
    answer_type: str = "other"


class Backend:
    """Base class: ``generate`` yields text pieces; ``generative`` says whether text may be
    invented (and so must be checked against the passages)."""

    name = ""
    generative = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def describe(self) -> str:
        """Human-readable name (UI, logs)."""
        return self.name

    def warm_up(self) -> None:
        """Load what the first answer would otherwise wait for."""

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        raise NotImplementedError


class ChatBackend(Backend):
    """A LangChain chat model prompted with ``prompts/answer_*.txt``.

    Figures, lists, names, dates and places are where the clause reader is exact and a model
    only adds risk (measured: the 0.5B model lost entity questions the reader answered), so for
    those the reader's verified answer is the answer. The model writes the answers to reason
    and description questions, which the orchestrator verifies and replaces by the reader's
    answer when they fail."""

    #: answer types the reader answers alone (see ``rag.question``)
    reader_types: tuple[str, ...] = ("figure", "list", "entity", "rank", "date", "place")

    #: held for a whole generation when the model has one KV cache (llama.cpp)
    lock: threading.Lock | None = None

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._model: BaseChatModel | None = None
        from langchain_core.prompts import ChatPromptTemplate

        self.prompt = ChatPromptTemplate.from_messages(
            [
                ("system", prompt_text("answer_system.txt")),
                ("human", prompt_text("answer_user.txt")),
            ]
        )

    def create_model(self) -> BaseChatModel:
        raise NotImplementedError

    @property
    def model(self) -> BaseChatModel:
        if self._model is None:
            self._model = self.create_model()
        return self._model

    def warm_up(self) -> None:
        _ = self.model

    def busy(self) -> contextlib.AbstractContextManager[None]:
        """Held for a whole generation (a local model tells other work it is computing)."""
        return contextlib.nullcontext()

    def messages(self, request: GenerationRequest) -> list[Any]:
        return self.prompt.format_messages(
            context=format_context(request.context), question=request.question
        )

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        reading = request.reading
        if reading is not None and not reading.refused and request.answer_type in self.reader_types:
            yield reading.answer
            return
        messages = self.messages(request)
        lock = self.lock
        if lock:
            lock.acquire()
        try:
            with self.busy():
                for chunk in self.model.stream(messages):
                    text = chunk.content if isinstance(chunk.content, str) else ""
                    if text:
                        yield text
        finally:
            if lock:
                lock.release()


__all__ = ["Backend", "ChatBackend", "GenerationRequest"]
