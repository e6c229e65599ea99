"""Cleaned text that remembers where each character came from in the source.

Cleaning only deletes, so the cleaned text is a subsequence of the source; a few
``(clean_start, src_start, length)`` pieces map any cleaned offset back in ``O(log n)``. That is
what lets every citation point at exact characters of the original file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------
# MappedText
# --------------------------------------------------------------------------------------------


@dataclass
class MappedText:
    """Cleaned text that is a subsequence of the source text, with a compact map back.

    ``pieces`` holds ``(clean_start, src_start, length)`` triples, sorted and contiguous in
    clean space: piece ``k`` covers ``text[clean_start:clean_start + length]``, which equals
    ``source[src_start:src_start + length]``. Runs of kept characters become one piece, so a
    300 KB report needs only a few hundred triples instead of one offset per character.

    ``source_text`` optionally keeps a reference to the full source so that later stages can
    look at what was deleted (e.g. the portal tag in front of a title); it is not compared.
    """

    text: str
    pieces: list[tuple[int, int, int]]
    source_text: str | None = field(default=None, repr=False, compare=False)
    _starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._starts = [p[0] for p in self.pieces]

    @classmethod
    def identity(cls, text: str) -> MappedText:
        """A MappedText whose clean text is the whole source (nothing removed)."""
        pieces = [(0, 0, len(text))] if text else []
        return cls(text=text, pieces=pieces, source_text=text)

    def __len__(self) -> int:
        return len(self.text)

    def src_offset(self, i: int) -> int:
        """Source index of clean character ``i``.

        ``i == len(text)`` is allowed and maps just past the last kept character, so that an
        exclusive end offset can be translated too.
        """
        n = len(self.text)
        if i < 0:
            i += n
        if not 0 <= i <= n:
            raise IndexError(f"clean offset {i} outside 0..{n}")
        if not self.pieces:
            return 0
        if i == n:
            c0, s0, ln = self.pieces[-1]
            return s0 + ln
        k = bisect.bisect_right(self._starts, i) - 1
        c0, s0, _ = self.pieces[k]
        return s0 + (i - c0)

    def src_span(self, start: int, end: int) -> tuple[int, int]:
        """Source ``[s, e)`` covering ``clean[start:end]``.

        The span runs from the first to the last kept character, so it may include removed
        characters in between; a citation that shows ``source[s:e]`` shows the original text.
        """
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        if start == end:
            s = self.src_offset(start)
            return s, s
        return self.src_offset(start), self.src_offset(end - 1) + 1

    def slice(self, start: int, end: int) -> MappedText:
        """The clean text ``[start, end)`` with its pieces, still pointing into the source."""
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        pieces: list[tuple[int, int, int]] = []
        if start < end and self.pieces:
            k = bisect.bisect_right(self._starts, start) - 1
            while k < len(self.pieces):
                c0, s0, ln = self.pieces[k]
                if c0 >= end:
                    break
                lo = max(c0, start)
                hi = min(c0 + ln, end)
                if hi > lo:
                    pieces.append((lo - start, s0 + (lo - c0), hi - lo))
                k += 1
        return MappedText(self.text[start:end], pieces, source_text=self.source_text)


def pieces_from_mask(keep: bytearray) -> list[tuple[int, int, int]]:
    """Turn a keep-mask into contiguous (clean_start, src_start, length) pieces."""
    pieces = []
    clean_pos = 0
    for m in re.finditer(rb"\x01+", bytes(keep)):
        s, e = m.span()
        pieces.append((clean_pos, s, e - s))
        clean_pos += e - s
    return pieces


__all__ = ["MappedText", "pieces_from_mask"]
