"""Hard-wrapped paragraphs: lines that continue the line before.

Text pulled out of a PDF, or saved from one, breaks every paragraph at the page width
("…其中，企业13482户，增长" / "10.6%；个体工商户…"). Kept, such a break splits a figure from its
subject: the reader's clauses end at line breaks. A line break is a wrap when the document
breaks most of its full-width lines mid-sentence and this line is one of them; headings, list
items and table rows start lines of their own and are never joined.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

#: a line at least this share of the document's line width is "full" (it reached the margin)
FULL_SHARE = 0.8
#: a document wraps when at least this share of its full lines end mid-sentence
MIN_WRAPPED_SHARE = 0.3
MIN_LINES = 6

_OWN_LINE = re.compile(
    r"\s*(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[、．.](?!\d)"
    r"|第[一二三四五六七八九十百]+[章节条部分]|[表图]\s*\d|注[:：]|[|｜#>*\-•●■◆])"
)


# joining "policy\nreport" would glue two words: Latin text keeps its breaks
_LATIN_END = re.compile(r"[A-Za-z0-9]$")
_LATIN_START = re.compile(r"[A-Za-z]")


_PUNCT = re.compile(r"[，,。；;：:！!？?、]")


def numbered_heading(text: str) -> bool:
    """A numbered line without punctuation ("（二）重点项目") is a heading: it ends its line
    however wide it is. A numbered paragraph that wraps has clause marks before the margin."""
    return bool(_OWN_LINE.match(text)) and not _PUNCT.search(text)


def _width(text: str) -> float:
    """Display width: a CJK character is as wide as two Latin ones."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text) / 2


def wrapped(lines: Sequence[tuple[str, bool]], ends_clause: Callable[[str], bool]) -> set[int]:
    """Indices of ``lines`` that continue the line before. ``lines`` are (text, follows a
    blank line) pairs in order; ``ends_clause`` says whether a line ends a sentence or lead-in."""
    widths = sorted(_width(t) for t, _ in lines if len(t) >= 8)
    if len(widths) < MIN_LINES:
        return set()
    margin = widths[int(0.9 * (len(widths) - 1))]
    if margin < 12:
        return set()
    full = [i for i, (t, _) in enumerate(lines) if _width(t) >= FULL_SHARE * margin]
    cut = [i for i in full if not ends_clause(lines[i][0])]
    if len(cut) < 3 or len(cut) < MIN_WRAPPED_SHARE * len(full):
        return set()
    return {
        i + 1
        for i in cut
        if i + 1 < len(lines)
        and not lines[i + 1][1]
        and not _OWN_LINE.match(lines[i + 1][0])
        and not lines[i][0].lstrip().startswith(("|", "｜"))
        and not numbered_heading(lines[i][0])
        and not (_LATIN_END.search(lines[i][0]) and _LATIN_START.match(lines[i + 1][0]))
    }


__all__ = ["numbered_heading", "wrapped"]
