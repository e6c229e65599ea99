"""Chinese-aware, heading-aware chunking sized in tiktoken tokens.

Generic splitters cut Chinese reports badly: they break inside ``7.5%`` or ``工业4.0``, ignore
``一、`` / ``（一）`` section structure, and lose the section a sentence belongs to. Here a
document is cut into sentence units (at ``。！？；``, line breaks and paragraph spaces; never at a
``.`` so numbers stay whole), headings are recognised by their markers, and units are packed
into chunks of about ``chunk_tokens`` that prefer to end where a section ends. Every chunk keeps
its heading path and exact source offsets, so a citation can quote the source verbatim.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from core.records import HEADING_SEP
from core.text import CN_NUMERAL_CHARS, normalize_for_search
from ingest.clean import MappedText
from ingest.documents import Document

# Sentence ends: Chinese and ASCII terminators, with closing quotes/brackets kept on the sentence.
_SENT_END = re.compile(r"[。！？；!?;]+[”’」』）)\"']*")
# Whitespace runs are paragraph breaks unless they sit between two ASCII word characters.
_SPACE = re.compile(r"\s+")
_SOFT_BREAK = re.compile(r"[，,、：:]")
# Characters of a written number: a cut between two of them splits "1.2万" or "7.5%".
_NUMERIC = re.compile(r"[0-9０-９.．%％万亿]")

_CN_NUM = CN_NUMERAL_CHARS
_HEADING_MARKERS: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(rf"第[{_CN_NUM}\d]+[章节篇部分]")),
    (1, re.compile(rf"[{_CN_NUM}]+[、，,]")),
    (2, re.compile(rf"[（(][{_CN_NUM}]+[）)]")),
    (3, re.compile(r"\d{1,2}[.．、](?![\d%％])")),
    (4, re.compile(r"[（(]\d{1,2}[）)]")),
]
_INLINE_SUBHEADING = re.compile(rf"[（(][{_CN_NUM}]+[）)]")
MAX_HEADING_CHARS = 40
_GLUED_MARKER = re.compile(rf"(?:[{_CN_NUM}]+、|[（(][{_CN_NUM}]+[）)])")


@dataclass(frozen=True)
class HeadingRules:
    """``headings.toml``: how a heading glued to its body ends, and the unnumbered headings."""

    max_chars: int
    tail_words: tuple[str, ...]
    body_starts: str
    unnumbered: frozenset[str]


@lru_cache(maxsize=1)
def heading_rules() -> HeadingRules:
    data = tomllib.loads(Path(__file__).with_name("headings.toml").read_text(encoding="utf-8"))
    return HeadingRules(
        int(data["max_chars"]),
        tuple(data["tail_words"]),
        str(data["body_starts"]),
        frozenset(data.get("unnumbered", ())),
    )


def glued_heading_end(text: str) -> int | None:
    """Where a heading glued to its body text ends (``三、2021年工作安排2021年是…``), or None.

    Only for units that start with a 一、/（一） marker and are too long to be a heading: the
    heading ends after the first heading-tail word (安排, 回顾, 新格局 …) that is followed by
    what looks like the start of a body sentence, and before any sentence end.
    """
    m = _GLUED_MARKER.match(text)
    if not m:
        return None
    rules = heading_rules()
    max_chars, tails, starts = rules.max_chars, rules.tail_words, rules.body_starts
    window = text[:max_chars]
    stop = re.search(r"[。；;！？!?:：]", window)
    if stop:
        window = window[: stop.start()]
    ends = sorted(
        mm.end()
        for w in tails
        for mm in re.finditer(re.escape(w), window)
        if mm.start() >= m.end() + 2
    )
    for end in ends:
        if end < len(text) - 4:
            nxt = text[end]
            if nxt.isdigit() or nxt in starts or nxt in '“"「《':
                return end
    return None


@dataclass
class Unit:
    """A sentence or heading: clean-text span plus, for headings, its level."""

    start: int
    end: int
    text: str
    level: int | None = None  # heading level, None for body sentences
    path: tuple[str, ...] = ()
    tokens: int = 0


@dataclass
class Chunk:
    """A retrievable passage with everything a citation needs."""

    id: str
    doc_id: str
    ordinal: int
    text: str
    heading: str
    start: int  # offsets into the source file text
    end: int
    tokens: int
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)
    spans: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def norm(self) -> str:
        """Whitespace-free, width-normalised text: the key for duplicate detection."""
        return normalize_for_search(_SPACE.sub("", self.text))


#: a Markdown heading ("## 某市：科技创新…"): its level is one less than its marks, as
#: "## 一、…" and "### （一）…" are written
_MARKDOWN_HEADING = re.compile(r"(#{2,5})\s+\S")  # "# 标题" is the title, not a section
_MARKS_ONLY = re.compile(r"#{1,6}")


def heading_level(text: str) -> int | None:
    """Level of a heading-like unit (0 = 第X章, 1 = 一、, 2 = （一）, 3 = 1., 4 = （1）; a
    Markdown heading by its marks)."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_HEADING_CHARS:
        return None
    md = _MARKDOWN_HEADING.match(stripped)
    if md:
        return len(md.group(1)) - 1
    if stripped.rstrip("：:") in heading_rules().unnumbered:
        return 1
    for level, pattern in _HEADING_MARKERS:
        m = pattern.match(stripped)
        if m and len(stripped) > m.end():
            # "一、" followed by a digit is usually a list of numbers, not a heading.
            if level == 1 and stripped[m.end() - 1] in "，,":
                return None
            return level
    return None


#: a table row as a line, "| 石砚 | 31.5 | -8.1% |" (how every format's tables are written at load)
_TABLE_ROW = re.compile(r"(?m)^[ \t]*\|[^\n]*\|[ \t]*$")


def _row_interiors(text: str) -> list[tuple[int, int]]:
    """Spans of the table rows in ``text``: no unit ends inside one.

    A row cut at its cell spaces became a unit per cell, and a chunk could end between "| 石砚 |
    31.5" and "-8.1% |", leaving a figure without its row label or the rest of its row.
    """
    return [(m.start(), m.end()) for m in _TABLE_ROW.finditer(text)]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies strictly inside one of the sorted ``spans``."""
    i = bisect.bisect_right(spans, (start, start)) - 1
    return i >= 0 and spans[i][0] < start and end < spans[i][1]


def _raw_units(text: str) -> Iterator[tuple[int, int]]:
    """Split ``text`` into sentence spans at terminators and paragraph breaks (a table row is
    one span)."""
    start = 0
    n = len(text)
    rows = _row_interiors(text)
    breaks: list[tuple[int, int]] = []  # (unit end, next start)
    for m in _SENT_END.finditer(text):
        if not (rows and _inside(rows, m.start(), m.end())):
            breaks.append((m.end(), m.end()))
    for m in _SPACE.finditer(text):
        if rows and _inside(rows, m.start(), m.end()):
            continue
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < n else ""
        if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
            continue
        if before == "#" and _MARKS_ONLY.fullmatch(
            text, text.rfind("\n", 0, m.start()) + 1, m.start()
        ):
            continue  # "## 某市：…": a Markdown heading's marks and its title are one unit
        breaks.append((m.start(), m.end()))
    breaks.sort()
    for end, nxt in breaks:
        if end < start:
            continue
        if end > start:
            yield start, end
        start = max(start, nxt)
    if start < n:
        yield start, n


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_long(
    text: str, start: int, end: int, max_tokens: int, count: Callable[[str], int]
) -> Iterator[tuple[int, int]]:
    """Cut an over-long sentence at commas, else at a character that is not inside a number."""
    if count(text[start:end]) <= max_tokens:
        yield start, end
        return
    cut = None
    middle = (start + end) // 2
    candidates = [m.end() + start for m in _SOFT_BREAK.finditer(text[start:end])]
    candidates = [c for c in candidates if start < c < end]
    if candidates:
        cut = min(candidates, key=lambda c: abs(c - middle))
    else:
        cut = _cut_outside_number(text, start, end, middle)
    yield from _split_long(text, start, cut, max_tokens, count)
    yield from _split_long(text, cut, end, max_tokens, count)


def _cut_outside_number(text: str, start: int, end: int, middle: int) -> int:
    """A cut position in ``(start, end)`` near ``middle`` that does not fall inside a number.

    Look forward to the end of the number first, then back to its start; only a run of digits
    longer than the whole span (a flattened table) is cut in the middle. Falling back to the
    middle, not to ``end - 1``, keeps the recursion in :func:`_split_long` logarithmic.
    """

    def inside(i: int) -> bool:
        return bool(_NUMERIC.match(text[i - 1]) and _NUMERIC.match(text[i]))

    cut = middle
    while cut < end and inside(cut):
        cut += 1
    if cut < end:
        return cut
    cut = middle
    while cut > start and inside(cut):
        cut -= 1
    return cut if cut > start else middle


def _heading_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``一、工作情况（一）指挥体系运行高效`` holds two headings: split at inline （一） markers."""
    parts: list[tuple[int, int]] = []
    cursor = start
    for m in _INLINE_SUBHEADING.finditer(text, start + 1, end):
        if m.start() > cursor and text[cursor : m.start()].strip("# "):  # ("### （一）…")
            parts.append((cursor, m.start()))
            cursor = m.start()
    parts.append((cursor, end))
    return parts


def units_of(text: str, count: Callable[[str], int], max_tokens: int) -> list[Unit]:
    """Sentence and heading units of ``text`` with their heading paths."""
    units: list[Unit] = []
    stack: list[tuple[int, str]] = []
    for raw_start, raw_end in _raw_units(text):
        s, e = _trim(text, raw_start, raw_end)
        if s >= e:
            continue
        level = heading_level(text[s:e])
        glued = glued_heading_end(text[s:e]) if level is None else None
        if glued is not None:
            lvl = 1 if text[s] in _CN_NUM else 2
            while stack and stack[-1][0] >= lvl:
                stack.pop()
            stack.append((lvl, text[s : s + glued]))
            path = tuple(t for _, t in stack)
            units.append(Unit(s, s + glued, text[s : s + glued], lvl, path))
            s = s + glued
        elif level is not None:
            for ps, pe in _heading_parts(text, s, e):
                lvl = heading_level(text[ps:pe])
                lvl = level if lvl is None else lvl
                while stack and stack[-1][0] >= lvl:
                    stack.pop()
                title = text[ps:pe].rstrip("。；;：: ").lstrip("# ")  # (a Markdown title's marks)
                stack.append((lvl, title))
                units.append(Unit(ps, pe, text[ps:pe], lvl, tuple(t for _, t in stack)))
            continue
        path = tuple(t for _, t in stack)
        for ps, pe in _split_long(text, s, e, max_tokens, count):
            units.append(Unit(ps, pe, text[ps:pe], None, path))
    for unit in units:
        unit.tokens = count(unit.text)
    return units


def chunk_id(doc_id: str, norm_text: str) -> str:
    """Stable content-hash id: the same text in the same document always gets the same id."""
    return hashlib.sha1(f"{doc_id}\0{norm_text}".encode()).hexdigest()[:32]


def _fit_groups(
    groups: list[list[Unit]], text: str, count: Callable[[str], int], max_tokens: int
) -> list[list[Unit]]:
    """Cut any group whose chunk text is over ``max_tokens`` into groups that fit.

    Packing adds up the units' own token counts, but a chunk is the text from its first unit to
    its last one: the line breaks and spaces between units cost tokens too, and the tokenizer
    merges differently across unit boundaries, so a packed group can exceed the hard cap (the
    embedding window) by a few tokens. Only such groups are re-cut, so every chunk that already
    fits stays exactly as packed. A leading piece made only of overlap carried over from the
    previous group is dropped rather than becoming a chunk of its own.
    """
    out: list[list[Unit]] = []
    for group in groups:
        rest = group
        while rest:
            k = len(rest)
            while k > 1 and count(text[rest[0].start : rest[k - 1].end]) > max_tokens:
                k -= 1
            part, rest = rest[:k], rest[k:]
            carried = out and all(any(u is p for p in out[-1]) for u in part)
            if rest and carried:
                continue
            out.append(part)
    return out


def split_document(
    doc: Document,
    count: Callable[[str], int],
    target_tokens: int = 300,
    max_tokens: int = 420,
    overlap_sentences: int = 1,
) -> list[Chunk]:
    """Pack a document's units into chunks of about ``target_tokens`` (never above ``max_tokens``).

    A chunk closes early when a top-level section (``一、`` / ``（一）``) starts and it is already
    a third full, so passages rarely straddle two sections; the last ``overlap_sentences`` body
    sentences are repeated at the start of the next chunk within the same section.
    """
    text: MappedText = doc.text
    units = units_of(text.text, count, max_tokens)
    groups: list[list[Unit]] = []
    current: list[Unit] = []
    tokens = 0
    fresh = 0  # units in ``current`` that are not overlap

    def flush(carry: bool) -> None:
        nonlocal current, tokens, fresh
        if current and fresh:
            groups.append(current)
        carried: list[Unit] = []
        if carry and overlap_sentences:
            body = [u for u in current if u.level is None]
            for u in body[-overlap_sentences:]:
                if u.tokens <= target_tokens // 4:
                    carried.append(u)
        current, tokens, fresh = carried, sum(u.tokens for u in carried), 0

    for unit in units:
        if unit.level is not None and unit.level <= 2 and fresh and tokens >= target_tokens // 3:
            flush(carry=False)
        if current and tokens + unit.tokens > target_tokens and fresh:
            flush(carry=unit.level is None)
        if tokens + unit.tokens > max_tokens:  # carried overlap would overflow: drop it
            current, tokens = [], 0
        current.append(unit)
        tokens += unit.tokens
        fresh += 1
    flush(carry=False)
    groups = _fit_groups(groups, text.text, count, max_tokens)

    chunks: list[Chunk] = []
    for group in groups:
        first = next((u for u in group if u.level is None), group[0])
        start, end = group[0].start, group[-1].end
        piece = text.text[start:end]
        src_start, src_end = text.src_span(start, end)
        pieces = text.slice(start, end).pieces
        spans = [(c, src - src_start, n) for c, src, n in pieces] if len(pieces) > 1 else []
        norm = normalize_for_search(_SPACE.sub("", piece))
        chunks.append(
            Chunk(
                id=chunk_id(doc.doc_id, norm),
                doc_id=doc.doc_id,
                ordinal=len(chunks),
                text=piece,
                heading=HEADING_SEP.join(first.path),
                start=src_start,
                end=src_end,
                tokens=count(piece),
                spans=spans,
            )
        )
    return chunks


__all__ = ["Chunk", "Unit", "chunk_id", "heading_level", "split_document", "units_of"]
