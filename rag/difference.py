"""The gap between two figures of one sentence, when the question asks for it.

"立案数比结案数多出多少起", "按全年计划，下半年还要完成多少批次", "护林员里不是脱贫人口的有多少
名": the sentence states both figures ("行政处罚立案412起，结案387起", "完成…2,460批次，完成
全年计划4,800批次的51.3%", "聘用生态护林员612名，其中脱贫人口438名") and no clause states
the gap, so the clause reader can only quote one of them. This module finds the sentence of the
passages that holds the two figures the question names, in one unit, and answers with the
difference and the two figures it comes from, so the reader of the answer can check it.

Three ways of asking (the patterns are data, ``resources/difference.toml``):

- *than*: "A比B多多少", "A与B相差多少": the figure named like A less the one named like B. A
  side that is a period ("比上年多多少") is left to the clause reader: the text states changes.
- *remaining*: "还要完成多少": the figure of a plan or whole less the figure done.
- *complement*: "不是X的有多少", "有多少没有X": the whole less the part named X.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from core.text import full_sentence_spans, strip_years
from rag.compare_records import compare_rules, unit_value
from rag.context import ContextItem
from rag.question import QuestionSpec
from rag.scoring import QueryTerms

RULES_PATH = Path(__file__).with_name("resources") / "difference.toml"
#: how much of a side's characters the words before a figure must hold to be named by it
MIN_SIDE = 0.6
#: clause marks: the words naming a figure start after the last of them
_CLAUSE_MARK = re.compile(r"[，,；;、。：:（(]")
_SCALE_OF = {"亿": 1e8, "万": 1e4, "": 1.0}


@dataclass(frozen=True)
class DifferenceRules:
    than_pattern: str
    gap_pattern: str
    period_sides: str
    remaining_pattern: str
    whole_words: tuple[str, ...]
    done_words: tuple[str, ...]
    complement_patterns: tuple[str, ...]
    quantity_pattern: str
    side_suffixes: tuple[str, ...]
    stated_rest_words: tuple[str, ...] = ()
    part_breaks: tuple[str, ...] = ()

    @cached_property
    def sides(self) -> tuple[re.Pattern[str], ...]:
        return (re.compile(self.than_pattern), re.compile(self.gap_pattern))


@lru_cache(maxsize=1)
def difference_rules() -> DifferenceRules:
    d = tomllib.loads(RULES_PATH.read_text(encoding="utf-8"))
    return DifferenceRules(
        than_pattern=d["than_pattern"],
        gap_pattern=d["gap_pattern"],
        period_sides=d["period_sides"],
        remaining_pattern=d["remaining_pattern"],
        whole_words=tuple(d["whole_words"]),
        done_words=tuple(d["done_words"]),
        complement_patterns=tuple(d["complement_patterns"]),
        quantity_pattern=d["quantity_pattern"],
        side_suffixes=tuple(sorted(d["side_suffixes"], key=len, reverse=True)),
        stated_rest_words=tuple(d.get("stated_rest_words", ())),
        part_breaks=tuple(d.get("part_breaks", ())),
    )


@dataclass(frozen=True)
class Ask:
    """What gap a question asks: ``mode`` is than, remaining or complement; ``a`` and ``b``
    name the two sides (than), ``a`` the part left out (complement)."""

    mode: str
    a: str = ""
    b: str = ""


@dataclass(frozen=True)
class Figure:
    """A figure of a sentence: its value in the unit's base, the unit, and the words naming it."""

    start: int
    end: int
    value: float
    unit: str
    scale: str
    shown: str
    lead: str


def _side(words: str, spec: QuestionSpec) -> str:
    """A side's name without years, places and the suffixes the text leaves out."""
    words = strip_years(words, "")
    for region in spec.regions:
        words = words.replace(region, "")
    for suffix in difference_rules().side_suffixes:
        if words.endswith(suffix) and len(words) > len(suffix) + 1:
            return words.removesuffix(suffix)
    return words


def asked_gap(spec: QuestionSpec) -> Ask | None:
    """The gap the question asks, or None when it asks none."""
    rules = difference_rules()
    question = spec.text
    if not re.search(rules.quantity_pattern, question):
        return None
    for pattern in rules.sides:
        m = pattern.search(question)
        if m:
            if re.match(rules.period_sides, m.group("b")):
                return None
            a, b = _side(m.group("a"), spec), _side(m.group("b"), spec)
            return Ask("than", a, b) if a and b else None
    if re.search(rules.remaining_pattern, question):
        return Ask("remaining")
    for pattern in rules.complement_patterns:
        m = re.search(pattern, question)
        if m:
            return Ask("complement", _side(m.group("x"), spec))
    return None


@lru_cache(maxsize=1)
def _figure_pattern() -> re.Pattern[str]:
    units = sorted({*compare_rules().units, "批次", "起", "名", "例", "位"}, key=len, reverse=True)
    return re.compile(
        r"(?<![\d.])(\d[\d,]*(?:\.\d+)?)\s*([亿万]?)(" + "|".join(map(re.escape, units)) + ")"
    )


def figures(text: str, start: int, end: int) -> list[Figure]:
    """The counted figures of ``text[start:end]`` (no rates: a gap of rates is stated)."""
    out: list[Figure] = []
    for m in _figure_pattern().finditer(text, start, end):
        value, unit = unit_value(m.group(1), m.group(2) + m.group(3))
        before = text[start : m.start()]
        marks = list(_CLAUSE_MARK.finditer(before))
        lead = before[marks[-1].end() :] if marks else before
        out.append(Figure(m.start(), m.end(), value, unit, m.group(2), m.group(0), lead))
    return out


def _names(lead: str, side: str) -> float:
    """The share of a side's characters the words before a figure hold."""
    if not side:
        return 0.0
    return sum(c in lead for c in side) / len(side)


def _apart(text: str, first: Figure, second: Figure) -> bool:
    """A clause break between two figures that a whole and its part never straddle."""
    between = text[min(first.end, second.end) : max(first.start, second.start)]
    return any(mark in between for mark in difference_rules().part_breaks)


def stated_rest(ask: Ask, figs: list[Figure]) -> Figure | None:
    """The figure that states what is left ("剩余27.3万元正在追缴") when the question asks a
    remainder or a complement: the text's own figure, not a computed one."""
    if ask.mode not in ("remaining", "complement"):
        return None
    words = difference_rules().stated_rest_words
    return next((f for f in figs if any(f.lead.startswith(w) for w in words)), None)


def _pair(ask: Ask, figs: list[Figure], text: str = "") -> tuple[Figure, Figure] | None:
    """The two figures the gap is taken between, larger side first, or None."""
    rules = difference_rules()
    if ask.mode == "than":
        first = max(figs, key=lambda f: _names(f.lead, ask.a))
        second = max(figs, key=lambda f: _names(f.lead, ask.b))
        if first is second or min(_names(first.lead, ask.a), _names(second.lead, ask.b)) < MIN_SIDE:
            return None
        return first, second
    if ask.mode == "remaining":
        wholes = [f for f in figs if any(w in f.lead for w in rules.whole_words)]
        done = [f for f in figs if f not in wholes and any(w in f.lead for w in rules.done_words)]
        return (wholes[0], done[0]) if wholes and done else None
    parts = [f for f in figs if _names(f.lead, ask.a) >= MIN_SIDE]
    if not parts:
        return None
    part = parts[0]
    wholes = [
        f for f in figs if f.start < part.start and f not in parts and not _apart(text, f, part)
    ]
    return (wholes[-1], part) if wholes else None


def _shown(value: float, scale: str, unit: str, decimals: int) -> str:
    text = f"{value / _SCALE_OF[scale]:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}{scale}{unit}"


def _decimals(shown: str) -> int:
    number = re.match(r"[\d,]*(?:\.(\d+))?", shown)
    return len(number.group(1) or "") if number else 0


def gap(first: Figure, second: Figure) -> str:
    """``first`` less ``second`` in the smaller of their scales ("8.4亿元", "2340批次")."""
    scale = min((first.scale, second.scale), key=lambda s: _SCALE_OF[s])
    decimals = max(_decimals(first.shown), _decimals(second.shown))
    if first.scale != second.scale:
        decimals = 0
    return _shown(abs(first.value - second.value), scale, first.unit, decimals)


def difference_answer(
    spec: QuestionSpec, terms: QueryTerms, context: list[ContextItem]
) -> str | None:
    """The gap the question asks with its ``[n]`` marker, from the sentence of the passages
    that names the two figures and covers the question best, or None."""
    ask = asked_gap(spec)
    if ask is None:
        return None
    best: tuple[float, str] | None = None
    for n, item in enumerate(context, 1):
        text = item.text
        for s, e in full_sentence_spans(text):
            figs = figures(text, s, e)
            score = terms.coverage(f"{item.meta.heading} {text[s:e]}") + 0.04 / n
            rest = stated_rest(ask, figs)
            if rest is not None:  # the text says what is left: quote it
                if best is None or score > best[0]:
                    best = (score, f"{rest.lead}{rest.shown}[{n}]。")
                continue
            pair = _pair(ask, figs, text) if len(figs) >= 2 else None
            if pair is None or pair[0].unit != pair[1].unit:
                continue
            if best is None or score > best[0]:
                first, second = pair
                work = f"{first.lead[-10:]}{first.shown} − {second.lead[-10:]}{second.shown}"
                best = (score, f"{gap(first, second)}（{work}）[{n}]。")
    return best[1] if best else None


__all__ = ["Ask", "Figure", "asked_gap", "difference_answer", "difference_rules", "figures", "gap"]
