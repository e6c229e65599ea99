"""The extractive backend: the best-supported source sentence, cited, with no generation.

Also the fallback of every generative backend when its text cannot be verified.
"""

from __future__ import annotations

from collections.abc import Iterator

from core.text import sentences
from rag.backends.base import Backend, GenerationRequest
from rag.guard import is_instruction
from rag.prompts import refusal_text
from rag.scoring import sentence_score


def extract_answer(request: GenerationRequest) -> str:
    """The reader's clause answer; without one, the best context sentence, with its marker."""
    if request.reading is not None and not request.reading.refused:
        return request.reading.answer
    best: tuple[float, int, str] | None = None
    for n, c in enumerate(request.context, 1):
        for raw in sentences(c.text):
            sent = raw.strip()
            if len(sent) < 4 or is_instruction(sent):
                continue
            score = sentence_score(sent, request.terms, request.info, c.meta) + 0.05 / n
            if best is None or score > best[0]:
                best = (score, n, sent)
    if best is None:
        return refusal_text()
    _, n, sent = best
    sent = sent.rstrip("。；;！!？?")
    return f"{sent}[{n}]。"


class ExtractiveBackend(Backend):
    """Deterministic and fast: for CI, small machines, and as the verified fallback."""

    name = "extractive"
    generative = False

    def describe(self) -> str:
        return "extractive（抽取式，无生成）"

    def generate(self, request: GenerationRequest) -> Iterator[str]:
        yield extract_answer(request)


__all__ = ["ExtractiveBackend", "extract_answer"]
