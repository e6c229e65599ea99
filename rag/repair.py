"""After generation: verify the answer's citations and, when it cannot be trusted, repair it.

A generated answer whose numbers no passage holds, that cites nothing, or whose figure sits
beside a different metric than the one asked (a small model copies the neighbouring 固投 number
for a GDP question) is replaced by the verified extractive quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.lexicon import lexicon
from core.records import Citation
from core.text import normalize_for_search, numbers
from rag.backends.base import GenerationRequest
from rag.backends.extractive import extract_answer
from rag.citations import Verified, bigrams, verify
from rag.refusal import model_refused, output_rules

_MARKER = re.compile(r"\[\d{1,2}\]")


@dataclass
class Checked:
    """The final answer text and its citations, or a refusal."""

    answer: str = ""
    refused: bool = False
    reason: str = ""
    citations: list[Citation] = field(default_factory=list)
    verified: bool = True


def wrong_figure(checked: Verified, question: str) -> bool:
    """The answer's numbers exist in a passage but not beside the figure asked for."""
    groups = lexicon().metrics(question, asked=True)
    quotes = [normalize_for_search(c.quote) for c in checked.citations]
    if not groups or not any(numbers(q) for q in quotes):
        return False
    return not any(any(normalize_for_search(t) in q for t in g) for g in groups for q in quotes)


_ASKS_PERCENT = ("百分之", "百分比", "%", "％")


def percent_missing(answer: str, question: str) -> bool:
    """ "完成了百分之多少" answered with "4.79亿元": the answer's figures hold no percentage."""
    if not any(c in question for c in _ASKS_PERCENT):
        return False
    found = numbers(_MARKER.sub("", answer))
    return bool(found) and not any(kind == "%" for kind, _ in found)


def repeats_question(answer: str, question: str) -> bool:
    """An answer made of the question's own words ("…如何推进X[1]？") says nothing, yet its
    words are in the passage the question was retrieved with, so citations alone pass it."""
    grams = bigrams(_MARKER.sub("", answer))
    return len(grams) >= 2 and len(grams & bigrams(question)) / len(grams) >= 0.6


def check_answer(raw: str, request: GenerationRequest, generative: bool) -> Checked:
    """Parse, verify and, if needed, repair a backend's answer."""
    text = raw.strip()
    if model_refused(text):
        return Checked(refused=True, reason="model refused")
    reading = request.reading
    from_reader = reading is not None and not reading.refused and text == reading.answer
    if from_reader and reading is not None:
        checked = verify(text, reading.context, request.question)
    else:
        checked = verify(text, request.context, request.question)
    note = ""
    echoed = any(m in text for m in output_rules().scaffolding)
    echoed = echoed or repeats_question(text, request.question)
    if (
        echoed
        or checked.unsupported_numbers
        or not checked.citations
        or wrong_figure(checked, request.question)
        or percent_missing(text, request.question)
    ):
        # The model stated figures no passage holds (or cited nothing): quote the source.
        if reading is not None and not reading.refused:
            checked = verify(reading.answer, reading.context, request.question)
        else:
            checked = verify(extract_answer(request), request.context, request.question)
        note = output_rules().unverified_fallback_note if generative and not from_reader else ""
    out = Checked(answer=note + checked.answer, citations=checked.citations)
    out.verified = checked.all_verified and all(c.verified for c in checked.citations)
    if not out.verified:
        out.answer += output_rules().partly_unverified_note
    return out


__all__ = ["Checked", "check_answer", "percent_missing", "wrong_figure"]
