"""Questions about a report itself: when, at which meeting and by whom it was delivered.

A 政府工作报告 opens with a header, not a sentence: "——2023年3月5日在第十四届全国人民代表大会
第一次会议上", then the speaker's title and name on lines of their own. No sentence of the body
states these facts, the short opening chunk seldom ranks among the passages, and the clause
reader rightly refuses words strung on separate lines as a name. So a question about the report
itself ("…政府工作报告是谁作的", "…在哪次会议上作的") is answered from the opening lines of the
top passage's document, quoted as they stand. The cue words are data
(``resources/question.toml``: ``header_speaker_cues``, ``header_occasion_cues``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.records import Passage
from rag.question import question_rules

# the occasion line; the speaker may follow on the same line ("…会议上河南省人民政府省长某某
# 作政府工作报告") or on lines of their own
_OCCASION = re.compile(r"^[—－\-\s]*(\S[^\n]{4,60}?会议上)([^\n]*)$", re.M)
_DELIVERS = re.compile(r"(?:所作|作)[^\n]{0,10}报告[。.]?\s*$")
_ADDRESS = re.compile(r"[：:]\s*$")  # "各位代表：": the speech begins
HEAD_CHARS = 400  # the header sits in the first lines of a report


@dataclass(frozen=True)
class HeaderFact:
    """One fact of a report's header: the quoted text and its offsets in the passage."""

    text: str
    start: int
    end: int


def asked_fact(question: str) -> str:
    """``speaker`` or ``occasion`` when the question asks who delivered the report or when and
    where; '' for every other question."""
    rules = question_rules()
    if "报告" not in question:
        return ""
    if any(c in question for c in rules.header_speaker_cues):
        return "speaker"
    if any(c in question for c in rules.header_occasion_cues):
        return "occasion"
    for word in rules.header_when_words:
        at = question.find(word)
        if at >= 0 and any(v in question[at + len(word) :] for v in rules.header_deliver_verbs):
            return "occasion"
    return ""


def header_fact(text: str, kind: str) -> HeaderFact | None:
    """The occasion line, or the speaker (the lines between it and the address), of a
    report's opening ``text``; None when the text has no such header."""
    head = text[:HEAD_CHARS]
    occasion = _OCCASION.search(head)
    if occasion is None:
        return None
    if kind == "occasion":
        return HeaderFact(occasion.group(1), occasion.start(1), occasion.end(1))
    rest = occasion.group(2)
    for word in question_rules().header_address_cues:  # "…市长某某 各位代表: 我代表…"
        rest = rest.split(word, 1)[0]
    if rest.strip():  # the speaker on the occasion's line
        said = _DELIVERS.search(rest)
        end = occasion.start(2) + (said.start() if said else len(rest))
        start = occasion.start(2) + len(rest) - len(rest.lstrip())
        return HeaderFact(text[start:end].strip(), start, end) if end > start else None
    lines = []
    for m in re.finditer(r"[^\n]+", head[occasion.end() :]):
        line = m.group(0).strip()
        if not line:
            continue
        if _ADDRESS.search(line) or len(line) > 20:
            break
        lines.append((line, occasion.end() + m.start(), occasion.end() + m.end()))
    if not lines:
        return None
    # title and name on lines of their own ("国务院总理" / "某某"): the name answers 谁, and a
    # quote stays within one line, as citations are checked line by line
    name, start, end = lines[-1]
    return HeaderFact(name, start, end)


def header_answer(
    question: str,
    passages: list[Passage],
    opening: Callable[[str], Passage | None],
) -> tuple[str, Passage] | None:
    """The answer text (with its ``[1]`` marker) and the opening passage it quotes, when the
    question asks about the report of the top passage and its opening has the fact."""
    kind = asked_fact(question)
    if not kind or not passages:
        return None
    first = opening(passages[0].meta.doc_id)
    if first is None:
        return None
    fact = header_fact(first.text, kind)
    if fact is None:
        return None
    return f"{fact.text}[1]。", first


__all__ = ["HeaderFact", "asked_fact", "header_answer", "header_fact"]
