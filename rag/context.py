"""The numbered context a model reads: the best passages, each cut to its relevant sentences.

Prompt length is most of a small CPU model's latency, so the whole context fits
``context_tokens``; passages are ordered by their best sentence so the one that states the
answer comes first (small models lean on ``[1]``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.records import ChunkMeta, Passage
from core.settings import Settings
from core.text import sentences
from models.tokens import count_tokens
from rag.guard import strip_instructions
from rag.query import QueryInfo
from rag.scoring import QueryTerms, focus, sentence_score

log = logging.getLogger(__name__)


@dataclass
class ContextItem:
    """One numbered passage of the prompt: the full text (for citing) and the focused cut."""

    id: str
    text: str
    focus: str
    meta: ChunkMeta
    #: the end of the chunk before, when this one starts inside a table (its header is there)
    above: str = ""


@dataclass
class Candidate:
    """A clause (or two adjacent clauses) of context passage ``n`` and how well it answers."""

    n: int
    start: int
    end: int
    sentence: tuple[int, int]
    text: str
    score: float = 0.0
    #: ranks the candidates that clear the threshold, never counted in answerability
    preference: float = 0.0
    violations: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.violations


def build_context(
    passages: list[Passage], info: QueryInfo, terms: QueryTerms, settings: Settings
) -> list[ContextItem]:
    """Numbered passages for the prompt, within the token budget."""
    budget = settings.context_tokens
    pool = passages[: settings.context_passages + 1]
    best = [
        max((sentence_score(s, terms, info, p.meta) for s in sentences(p.text)), default=0.0)
        for p in pool
    ]
    order = sorted(range(len(pool)), key=lambda i: -best[i])
    top = best[order[0]] if order else 0.0
    # drop passages far below the best one
    chosen = [pool[i] for i in order if best[i] >= 0.75 * top][: settings.context_passages]
    per = min(settings.passage_tokens, max(60, budget // max(1, len(chosen))))
    out: list[ContextItem] = []
    used = 0
    for p in chosen:
        clean = strip_instructions(p.text)
        if clean != p.text:
            log.warning("left instruction-like text of %s out of the prompt", p.id)
        text = focus(clean, terms, info, per, p.meta)
        cost = count_tokens(text)
        if out and used + cost > budget:
            break
        used += cost
        out.append(ContextItem(p.id, p.text, text, p.meta))
    return out


def format_context(context: list[ContextItem]) -> str:
    """``[n]《title·heading》focus`` lines, the form the prompt's citation rule refers to."""
    lines = []
    for n, c in enumerate(context, 1):
        where = "·".join(x for x in (c.meta.title, c.meta.heading) if x)
        lines.append(f"[{n}]《{where}》{c.focus}")
    return "\n".join(lines)


__all__ = ["Candidate", "ContextItem", "build_context", "format_context"]
