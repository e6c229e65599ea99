"""Outline answers: "2025年重点工作有哪些？" is answered by the section's sub-headings.

A work report states its tasks and its review as headed sections ("（一）在全方位扩大内需上持续
加力…"), not as one sentence, so the clause reader finds no list to quote. When a list
question's topic is the title of a section that a retrieved passage sits in, the answer is that
section's child headings in document order, each cited to the chunk that opens it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.records import ChunkMeta, Passage
from core.text import YEAR, normalize_for_search
from index.terms import get_tokenizer
from rag.context import ContextItem
from rag.question import QuestionSpec, question_rules
from rag.scoring import QueryTerms

#: heading path separator written at ingest ("二、2025年重点任务 › （一）…")
SEP = " › "
_ENUMERATOR = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*")


@dataclass
class Outline:
    """A section and its child headings, each with the id of the chunk that opens it."""

    section: str
    #: (child heading, ids of the chunks that may hold its heading line: the first chunk under
    #: it, and the two before, where a chunk boundary can leave the heading line)
    children: list[tuple[str, tuple[str, ...]]]
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
    the question's topic, with its child headings; ``None`` when no section fits."""
    if spec.answer_type != "list":
        return None
    least = question_rules().outline_min_coverage
    best: tuple[float, Passage, str] | None = None
    for p in passages:
        section = p.meta.heading.split(SEP)[0].strip()
        if not section or not _section_fits(spec, p.meta, section):
            continue
        cover = _overlap(topic, section)
        if cover >= least and (best is None or cover > best[0]):
            best = (cover, p, section)
    if best is None:
        return None
    cover, passage, section = best
    children: list[tuple[str, tuple[str, ...]]] = []
    before: list[str] = []
    for cid, meta in chunks_of(passage.meta.doc_id):
        parts = meta.heading.split(SEP)
        if len(parts) >= 2 and parts[0].strip() == section:
            child = parts[1].strip()
            if child and child not in (c for c, _ in children):
                children.append((child, (cid, *reversed(before[-2:]))))
        before.append(cid)
    return Outline(section, children, cover) if len(children) >= 2 else None


def outline_reading(
    outline: Outline, fetch: Callable[[list[str]], list[Passage]]
) -> tuple[str, list[ContextItem]] | None:
    """The answer text ("<section>：\n（一）…[1]。\n（二）…[2]。", one cited item per line)
    and its numbered context; only children whose heading line is found are listed, so each
    quote verifies."""
    passages = {p.id: p for p in fetch([cid for _, ids in outline.children for cid in ids])}
    items: list[ContextItem] = []
    parts: list[str] = []
    for child, ids in outline.children:
        want = normalize_for_search(child)
        found = [passages[c] for c in ids if c in passages]
        p = next((p for p in found if want in normalize_for_search(p.text)), None)
        if p is None:
            continue
        items.append(ContextItem(p.id, p.text, p.text, p.meta))
        parts.append(f"{child}[{len(items)}]。")
    if len(parts) < 2:
        return None
    title = _ENUMERATOR.sub("", outline.section)
    return f"{title}：" + "\n".join(parts), items


__all__ = ["SEP", "Outline", "find_outline", "outline_reading"]
