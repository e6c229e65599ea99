"""Outline answers: "2025年重点工作有哪些？" is answered by the section's numbered sub-headings.

A work report states its tasks and its review as headed sections ("（一）在全方位扩大内需上持续
加力…"), not as one sentence, so the clause reader finds no list to quote. When a list
question's topic is the title of a section that a retrieved passage sits in, the answer is the
section's numbered items （一）（二）… in document order, each cited to the chunk it is written
in. The items are read from the section's text, not only from the chunk headings, so an item
whose heading line ingest did not recognise is still listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.records import HEADING_SEP, ChunkMeta, Passage
from core.text import YEAR
from index.terms import get_tokenizer
from rag.context import ContextItem
from rag.question import QuestionSpec, question_rules
from rag.scoring import QueryTerms

#: heading path separator written at ingest ("二、2025年重点任务 › （一）…")
_ENUMERATOR = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*")
_NUMERALS = "一二三四五六七八九十"
#: a numbered item at the start of a line or after a sentence end: （三）… up to its first stop
_ITEM = re.compile(
    rf"(?:^|(?<=[。！？\n:：]))\s*([（(]([{_NUMERALS}]{{1,2}})[）)][^。！？\n；;]{{2,40}})", re.M
)
#: chunks of one section read at most (a section of a long report spans 20-60 chunks)
MAX_CHUNKS = 120


@dataclass
class Outline:
    """A section title and the ids of its chunks in document order."""

    section: str
    chunk_ids: list[str]
    coverage: float


def _section_fits(spec: QuestionSpec, meta: ChunkMeta, section: str) -> bool:
    """The section is of an asked place and year (when the question names them)."""
    if spec.regions and meta.region not in spec.regions and meta.parent_region not in spec.regions:
        return False
    named = {int(y) for y in YEAR.findall(section)}
    return not (spec.years and named and not named & set(spec.years))


def _overlap(topic: QueryTerms, section: str) -> float:
    """Share of the topic's words in a section title, unweighted: the words of a section title
    (重点, 工作, 任务) are the commonest of a report, so IDF weights would erase them."""
    if not topic.own:
        return 0.0
    words = set(get_tokenizer().tokens(section))
    return len(topic.own & words) / len(topic.own)


def find_outline(
    spec: QuestionSpec,
    topic: QueryTerms,
    passages: list[Passage],
    chunks_of: Callable[[str], list[tuple[str, ChunkMeta]]],
) -> Outline | None:
    """The best section among the retrieved passages' top-level headings whose title covers
    the question's topic; ``None`` when no section fits."""
    if spec.answer_type != "list":
        return None
    least = question_rules().outline_min_coverage
    best: tuple[float, Passage, str] | None = None
    for p in passages:
        section = p.meta.heading.split(HEADING_SEP)[0].strip()
        if not section or not _section_fits(spec, p.meta, section):
            continue
        cover = _overlap(topic, section)
        if cover >= least and (best is None or cover > best[0]):
            best = (cover, p, section)
    if best is None:
        return None
    cover, passage, section = best
    ids = [
        cid
        for cid, meta in chunks_of(passage.meta.doc_id)
        if meta.heading.split(HEADING_SEP)[0].strip() == section
    ]
    return Outline(section, ids[:MAX_CHUNKS], cover) if ids else None


def numbered_items(passages: list[Passage]) -> list[tuple[str, Passage]]:
    """The section's numbered items （一）… in order, each with the chunk it is written in; the
    first of each number wins, and the run stops where the numbering breaks."""
    items: list[tuple[str, Passage]] = []
    for p in passages:
        for m in _ITEM.finditer(p.text):
            expected = _NUMERALS[len(items)] if len(items) < len(_NUMERALS) else ""
            if m.group(2) == expected:
                items.append((m.group(1).strip(), p))
    return items


def outline_reading(
    outline: Outline, fetch: Callable[[list[str]], list[Passage]]
) -> tuple[str, list[ContextItem]] | None:
    """The answer text ("<section>：（一）…[1]。\\n（二）…[2]。", one cited item per line) and
    its numbered context; ``None`` when the section has fewer than two numbered items."""
    items = numbered_items(fetch(outline.chunk_ids))
    if len(items) < 2:
        return None
    context: list[ContextItem] = []
    parts: list[str] = []
    for title, p in items:
        if not context or context[-1].id != p.id:
            context.append(ContextItem(p.id, p.text, p.text, p.meta))
        parts.append(f"{title}[{len(context)}]。")
    return f"{_ENUMERATOR.sub('', outline.section)}：" + "\n".join(parts), context


__all__ = ["Outline", "find_outline", "numbered_items", "outline_reading"]
