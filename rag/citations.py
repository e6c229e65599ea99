"""Citation verification: every number an answer states must be in a passage it cites.

Small models cite the wrong passage, drop markers, or state a number that no passage holds. We
check each answer sentence: its numbers (normalised: ``7.5%`` = ``７.５％`` = ``百分之七点五``,
``1002.18亿元`` = ``10021800万元``) must occur in a cited passage; otherwise the citation moves to
the passage that has them, or the sentence is marked unverified. Each citation carries the exact
supporting quote with character offsets into the source file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol

from core.records import ChunkMeta, Citation
from core.text import SENTENCE, Number, normalize_width, numbers
from rag.table_rows import table_readings

_MARKER = re.compile(r"\[(\d{1,2})\]")
_YEAR = re.compile(r"(?:19|20)\d{2}(?=\s*年)")


def checkable_numbers(
    text: str, ignore: set[tuple[str, float]] | None = None
) -> set[tuple[str, float]]:
    """Numbers that must be supported: years and numbers copied from the question are exempt."""
    years = {("n", float(y)) for y in _YEAR.findall(normalize_width(text))}
    found = numbers(_MARKER.sub("", text)) - years - (ignore or set())
    return {n for n in found if not (n[0] == "n" and n[1] < 10 and n[1] == int(n[1]))}


def worked_gaps(nums: set[Number]) -> set[Number]:
    """Numbers of a sentence that are the gap of two others it quotes ("25起（立案412起 −
    结案387起）"): the answer computed them, and the two it shows are what is checked."""
    out: set[Number] = set()
    for n in nums:
        others = [m for m in nums if m != n and m[0] == n[0]]
        if any(
            math.isclose(abs(a[1] - b[1]), n[1], rel_tol=1e-9, abs_tol=1e-6)
            for i, a in enumerate(others)
            for b in others[i + 1 :]
        ):
            out.add(n)
    return out


def bigrams(text: str) -> set[str]:
    chars = [c for c in normalize_width(text) if "\u3400" <= c <= "\u9fff" or c.isalnum()]
    return {a + b for a, b in pairwise(chars)}


class Citable(Protocol):
    """A numbered passage an answer may cite (a context item or a retrieved passage)."""

    id: str
    text: str
    meta: ChunkMeta


def source_span(meta: ChunkMeta, i: int, j: int) -> tuple[int, int]:
    """Source offsets of chunk-text span [i, j), exact even when cleaning removed characters
    inside the chunk (the chunk's ``spans`` map records where its pieces came from)."""
    start = meta.start
    pieces = meta.span_pieces()
    if not pieces:
        return start + i, start + j

    def at(pos: int, end: bool) -> int:
        for clean_off, src_off, length in pieces:
            if clean_off <= pos < clean_off + length or (end and pos == clean_off + length):
                return start + src_off + (pos - clean_off)
        last = pieces[-1]
        return start + last[1] + last[2]

    return at(i, False), at(j, True) if j > i else at(i, False)


def best_sentence(text: str, nums: set[tuple[str, float]], grams: set[str]) -> tuple[int, int]:
    """The sentence of a passage that best supports a claim: most of its numbers, then words."""
    best, best_score = (0, len(text)), -1.0
    for m in SENTENCE.finditer(text):
        sent = m.group(0)
        s_nums = numbers(sent)
        score = 10 * len(nums & s_nums) + len(grams & bigrams(sent)) / (1 + len(grams))
        if score > best_score:
            best, best_score = (m.start(), m.end()), score
    s, e = best
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


@dataclass
class Verified:
    """Result of verifying an answer against its numbered passages."""

    answer: str
    citations: list[Citation]
    all_verified: bool
    unsupported_numbers: list[str]


def split_sentences(answer: str) -> list[str]:
    """Answer sentences, each keeping its trailing markers (``…7.5%左右[1]。``)."""
    parts = re.findall(r"[^。！？!?\n]+(?:[。！？!?]+(?:\[\d{1,2}\])*)?|\n", answer)
    return [p for p in parts if p.strip()]


@dataclass
class _Claim:
    """One answer sentence after checking: the passages it cites and whether they support it."""

    sentence: str
    cited: list[int]
    nums: set[Number]
    grams: set[str]
    ok: bool
    unsupported: list[str]


def _check_sentence(
    sentence: str, passages: Sequence[Citable], per_passage: list[set[Number]], exempt: set[Number]
) -> _Claim:
    """Verify one sentence: its numbers must be in a cited passage, else the citation moves to
    the passage that has them; a sentence without numbers must share words with its passage."""
    cited = [int(n) for n in _MARKER.findall(sentence) if 1 <= int(n) <= len(passages)]
    body = _MARKER.sub("", sentence)
    nums = checkable_numbers(body, exempt)
    nums -= worked_gaps(nums)
    grams = bigrams(body)
    ok, unsupported = True, []
    if nums:
        holders = [i + 1 for i, pn in enumerate(per_passage) if nums <= pn]
        good = [n for n in cited if n in holders]
        if good:
            cited = good
        elif holders:
            cited = [holders[0]]  # re-attach to the passage that holds the numbers
        else:
            partial = sorted(range(len(passages)), key=lambda i: -len(nums & per_passage[i]))
            if partial and nums & per_passage[partial[0]]:
                cited = cited or [partial[0] + 1]
            ok = False
            unsupported = [_fmt(n) for n in sorted(nums - set().union(*per_passage))]
    elif not cited and passages and len(grams) >= 2:
        overlaps = [len(grams & bigrams(p.text)) / len(grams) for p in passages]
        best = max(range(len(passages)), key=lambda i: overlaps[i])
        if overlaps[best] >= 0.3:
            cited = [best + 1]
    if grams and len(grams) >= 2 and not nums and cited:
        overlap = max(len(grams & bigrams(passages[n - 1].text)) / len(grams) for n in cited)
        ok = overlap >= 0.3
    return _Claim(body, cited, nums, grams, ok or not body.strip(), unsupported)


def _with_markers(body: str, cited: list[int], sentence: str) -> str:
    """The sentence with its resolved ``[n]`` markers before the final punctuation."""
    marks = "".join(f"[{n}]" for n in dict.fromkeys(cited))
    stripped = body.rstrip()
    tail = ""
    while stripped and stripped[-1] in "。！？!?":
        tail = stripped[-1] + tail
        stripped = stripped[:-1]
    return f"{stripped}{marks}{tail}" if stripped else sentence


def _citation(n: int, p: Citable, claims: list[_Claim]) -> Citation:
    """The citation of passage ``n``: the sentence that best supports what cites it."""
    nums = set().union(*(c.nums for c in claims))
    grams = set().union(*(c.grams for c in claims))
    i, j = best_sentence(p.text, nums, grams)
    start, end = source_span(p.meta, i, j)
    m = p.meta
    return Citation(
        n=n,
        chunk_id=p.id,
        title=m.title,
        region=m.region,
        year=m.year or None,
        source=m.source,
        heading=m.heading,
        quote=p.text[i:j],
        start=start,
        end=end,
        verified=all(c.ok for c in claims),
        doc_id=m.doc_id,
    )


def verify(answer: str, passages: Sequence[Citable], question: str = "") -> Verified:
    """Check, repair and resolve the ``[n]`` markers of ``answer``.

    ``passages`` are the numbered context passages (index 0 is ``[1]``); numbers copied from
    the question are exempt.
    """
    exempt = numbers(question)
    # a table row's cell stated with its unit ("2.13万吨" for "| 茶叶 | 万吨 | 2.13 |") is held
    per_passage = [
        numbers(p.text) | numbers(table_readings(p.text, getattr(p, "above", ""))) for p in passages
    ]
    support: dict[int, list[_Claim]] = {}
    out: list[str] = []
    unsupported: list[str] = []
    all_ok = True
    for sentence in split_sentences(answer):
        if sentence == "\n":
            out.append(sentence)
            continue
        claim = _check_sentence(sentence, passages, per_passage, exempt)
        for n in claim.cited:
            support.setdefault(n, []).append(claim)
        unsupported.extend(claim.unsupported)
        all_ok &= claim.ok
        out.append(_with_markers(claim.sentence, claim.cited, sentence))
    citations = [_citation(n, passages[n - 1], support[n]) for n in sorted(support)]
    return Verified("".join(out).strip(), citations, all_ok, unsupported)


def _fmt(n: tuple[str, float]) -> str:
    kind, value = n
    text = f"{value:g}"
    return text + "%" if kind == "%" else text


__all__ = [
    "Citation",
    "Verified",
    "bigrams",
    "checkable_numbers",
    "numbers",
    "source_span",
    "split_sentences",
    "verify",
]
