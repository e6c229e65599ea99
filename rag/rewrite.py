"""Follow-up rewriting: "那白河区呢？" after a question about 青山县 becomes a standalone question.

Deterministic slot filling, because a small model rewrites less reliably: places and years the
follow-up names replace those of the previous question; its other words are appended. A question
that stands on its own (it names a place and a topic) is never rewritten. The cue words are data
(``resources/followup.toml``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.lexicon import lexicon, stopwords
from core.text import YEAR, place_mentions, replace_year, short_forms, strip_years
from index.terms import get_tokenizer
from rag.query import QueryInfo, QueryParser

_RULES = Path(__file__).with_name("resources") / "followup.toml"


@dataclass(frozen=True)
class FollowupRules:
    start: re.Pattern[str]
    elliptical_ends: tuple[str, ...]
    tail: re.Pattern[str]
    scope_words: tuple[str, ...]


@lru_cache(maxsize=1)
def followup_rules() -> FollowupRules:
    data = tomllib.loads(_RULES.read_text(encoding="utf-8"))
    starts = sorted(data["starts"], key=len, reverse=True)
    tails = sorted(data["question_tails"], key=len, reverse=True)
    return FollowupRules(
        start=re.compile("^(" + "|".join(map(re.escape, starts)) + ")"),
        elliptical_ends=tuple(data["elliptical_ends"]),
        tail=re.compile("(" + "|".join(map(re.escape, tails)) + ")[？?。]?$"),
        scope_words=tuple(data.get("scope_words", ())),
    )


@dataclass
class Turn:
    """One earlier message of the conversation."""

    role: str
    content: str


def is_elliptical(question: str) -> bool:
    """Whether a question leans on the previous turn ("那…呢？", "同期…")."""
    rules = followup_rules()
    bare = question.rstrip("？?")
    return bool(rules.start.match(question)) or bare.endswith(rules.elliptical_ends)


def content_terms(text: str, info: QueryInfo) -> list[str]:
    """Topic words of a question: not question words, regions or years."""
    skip = set(stopwords())
    for region in info.regions:
        skip.update(short_forms(region))
    words = []
    for tok in get_tokenizer().tokens(strip_years(text)):
        if len(tok) >= 2 and tok not in skip and not tok.isdigit():
            words.append(tok)
    return list(dict.fromkeys(words))


def rewrite(question: str, history: list[Turn], parser: QueryParser) -> str:
    """The standalone form of ``question`` given the earlier user turns."""
    users = [t.content.strip() for t in history if t.role == "user" and t.content.strip()]
    if not users:
        return question.strip()
    previous = users[0]
    for turn in users[1:]:
        previous = merge(previous, turn, parser)
    return merge(previous, question.strip(), parser)


def merge(previous: str, question: str, parser: QueryParser) -> str:
    """Fill what ``question`` leaves out from ``previous``."""
    info, prev = parser.parse(question), parser.parse(previous)
    elliptical = is_elliptical(question)
    topic = content_terms(question, info)
    names_place = bool(info.regions or place_mentions(question))
    if any(w in question for w in followup_rules().scope_words):
        return question  # it states its own scope: never narrow it to the previous place
    if not elliptical and names_place and topic:
        return question
    if not elliptical and not names_place and len(topic) >= 2 and not prev.regions:
        return question
    if not info.regions and place_mentions(question):
        return question  # a place the index does not know: do not answer for the old one
    base = _swap_region(previous, info, prev)
    if info.years:
        base = replace_year(base, info.years[0])
    rest = question
    for region in info.regions:
        for form in sorted(set(short_forms(region)), key=len, reverse=True):
            rest = rest.replace(form, "")
    rest = YEAR.sub("", rest)
    rules = followup_rules()
    rest = rules.start.sub("", rest).strip(" ，,？?呢。")
    base, rest = _swap_metric(base, rest)
    base, rest = _swap_sibling(base, rest, prev)
    if len(rest) < 2:
        return base
    lex = lexicon()
    if any(t in rest for t in (*lex.actual_terms, *lex.target_terms)):
        for word in (*lex.target_terms, *lex.actual_terms):
            base = base.replace(word, "")
    # the previous question's tail (多少, 是什么 …) asks the same of the new topic
    tail = rules.tail.search(base.strip())
    asked = tail.group(1) if tail and tail.group(1) != "呢" and not rules.tail.search(rest) else ""
    base = rules.tail.sub("", base.strip()).rstrip("，, ")
    return f"{base}，{rest}{asked}？"


def _swap_metric(base: str, rest: str) -> tuple[str, str]:
    """A follow-up naming another metric ("那固投呢？") replaces the previous question's metric
    instead of being appended to it; returns the new base and what is left of the follow-up."""
    lex = lexicon()
    new = lex.metrics(rest, asked=True)
    old = lex.metrics(base, asked=True)
    if not new or not old or new == old:
        return base, rest
    said = max((t for g in new for t in g if t in rest), key=len, default="")
    if not said:
        return base, rest
    for group in old:
        for term in sorted(group, key=len, reverse=True):
            if term in base:
                return base.replace(term, said, 1), rest.replace(said, "", 1).strip(" ，,？?呢。")
    return base, rest


_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


def _swap_sibling(base: str, rest: str, prev: QueryInfo) -> tuple[str, str]:
    """A follow-up naming a sibling of a word of the previous question ("农村居民呢？" after
    "城镇居民人均可支配收入是多少", "工业呢？" after "农业产值"): a word of the same length that
    ends the same way is replaced, so the question asks the sibling's figure, not both."""
    if not _HAN_WORD.match(rest):
        return base, rest
    taken = [
        (m.start(), m.end())
        for r in prev.regions
        for form in short_forms(r)
        for m in re.finditer(re.escape(form), base)
    ]
    size = len(rest)
    for keep in range(size - 1, 0, -1):  # the longest shared ending first
        ending = rest[-keep:]
        for m in re.finditer(re.escape(ending), base):
            start = m.end() - size
            word = base[start : m.end()]
            if start < 0 or word == rest or not _HAN_WORD.match(word):
                continue
            if any(s < m.end() and start < e for s, e in taken):
                continue  # inside a place name ("江城区" for "新区")
            return base[:start] + rest + base[m.end() :], ""
    return base, rest


def _swap_region(previous: str, info: QueryInfo, prev: QueryInfo) -> str:
    """``previous`` with its place replaced by the one the follow-up names (or prefixed)."""
    base = previous
    if info.regions and prev.regions:
        for old in prev.regions:
            for form in sorted(set(short_forms(old)), key=len, reverse=True):
                if form in base:
                    base = base.replace(form, info.regions[0], 1)
                    break
        return base
    if info.regions:
        return info.regions[0] + base
    return base


__all__ = ["Turn", "content_terms", "followup_rules", "is_elliptical", "merge", "rewrite"]
