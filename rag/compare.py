"""Which of the listed items is highest or lowest, passes a threshold, or fell.

"哪个乡镇茶园面积最大", "哪些村集体经济收入超过80万元", "哪些科目同比下降": the passage lists
the items with their figures ("…6个乡镇，茶园面积分别为6.8万亩、5.2万亩…", "东村、西村、
南村分别实现…126万元、98万元、85万元", "城乡社区支出15.73亿元，下降7.6%；农林水支出…", a
table row per street) and no clause says the answer: it has to be computed. The clause reader
quotes the clause that looks most like the question, which is the list's lead or a total.

This module reads the items of the passages the reader got as records (a name, a signed value
in the unit's base, what the figure measures), groups them by list and unit, picks the group
that measures what the question names, and answers from it. A rank the passage states itself
("居全省首位", "为多计金额最多的项目") is read first: it also covers items the list leaves out.
The cue words are data (``resources/compare.toml``; thresholds are the indicator table's).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

from core.lexicon import lexicon
from core.text import clause_spans, fold_figures, full_sentence_spans, strip_years
from rag.citations import bigrams
from rag.context import ContextItem
from rag.entity_fit import extreme_fits
from rag.question import QuestionSpec, question_rules, subject_words
from rag.table_answer import cues as table_cues
from rag.table_rows import row_cells, table_row

RULES_PATH = Path(__file__).with_name("resources") / "compare.toml"
#: how much of the question's subject a group's words must share to be what it asks about
MIN_SUBJECT = 0.34
#: the longest quote of a stated rank (the clauses before the rank that name the item)
MAX_QUOTE = 120

_SCALE = {"亿": 1e8, "万": 1e4}


@dataclass(frozen=True)
class CompareRules:
    falling: tuple[str, ...]
    kind_pattern: str
    growth_cues: tuple[str, ...]
    copulas: tuple[str, ...]
    totals: tuple[str, ...]
    verbs: tuple[str, ...]
    leads: tuple[str, ...]
    stated_high: tuple[str, ...]
    stated_low: tuple[str, ...]
    kinds: dict[str, tuple[str, ...]]
    units: tuple[str, ...]
    pair_pattern: str
    pair_joiners: str

    @property
    def unit_pattern(self) -> str:
        """A figure's unit: %, 个百分点, or 万/亿 and a unit of :attr:`units` (or none)."""
        return "(%|‰|个百分点|[亿万]?(?:" + "|".join(map(re.escape, self.units)) + ")|[亿万]?)"

    @cached_property
    def figure(self) -> re.Pattern[str]:
        """A figure and its unit ("-0.8%", "6.8万亩", "4,127万元")."""
        return re.compile(r"(?<![\d.])([-+－]?\d[\d,]*(?:\.\d+)?)\s*" + self.unit_pattern)


@lru_cache(maxsize=1)
def compare_rules() -> CompareRules:
    d = tomllib.loads(RULES_PATH.read_text(encoding="utf-8"))
    return CompareRules(
        falling=tuple(d["falling"]),
        kind_pattern=d["kind_pattern"],
        growth_cues=tuple(d["growth_cues"]),
        copulas=tuple(d["copulas"]),
        totals=tuple(d["totals"]),
        verbs=tuple(sorted(d["verbs"], key=len, reverse=True)),
        leads=tuple(sorted(d["leads"], key=len, reverse=True)),
        stated_high=tuple(d["stated_high"]),
        stated_low=tuple(d["stated_low"]),
        kinds={k: tuple(v) for k, v in d["kinds"].items()},
        units=tuple(sorted(d["units"], key=len, reverse=True)),
        pair_pattern=d["pair_pattern"],
        pair_joiners=d["pair_joiners"],
    )


@dataclass(frozen=True)
class Intent:
    """What a question asks of a list: ``mode`` is high, low, falling, or a threshold operator
    of the indicator table (above, at_least, below, at_most) with ``bound`` in base units."""

    mode: str
    bound: float = 0.0
    unit: str = ""  # the threshold's unit class ("元", "%"), empty when it names none
    endings: tuple[str, ...] = ()  # how the asked kind's names end ("村", "社区")
    growth: bool = False  # compares changes ("涨幅最大", "下降的"), not levels
    #: the things a question names to compare ("税收收入和非税收入，哪个增长更快"): only
    #: they are compared
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class Record:
    """One listed item's figure."""

    n: int  # the context item it is in (1-based, as the answer's marker)
    group: tuple[object, ...]  # the list it belongs to
    name: str
    value: float  # signed, in the unit's base ("5.2万亩" → 52000)
    unit: str  # unit class: "%", "pt", or the unit without 万/亿 ("亩", "元")
    shown: str  # the figure as the answer states it ("下降7.6%", "6.8万亩")
    about: str  # the words saying what the list measures (lead, header, caption)
    head: str = ""  # a table column's own header


def unit_value(number: str, unit: str) -> tuple[float, str]:
    """A figure in its unit's base ("5.2", "万亩" → 52000, "亩") and the unit's class."""
    value = float(number.replace(",", "").replace("－", "-"))
    if unit in ("%", "‰"):
        return value, "%"
    if unit == "个百分点":
        return value, "pt"
    if unit[:1] in _SCALE:
        return value * _SCALE[unit[0]], unit[1:]
    return value, unit


def intent_of(spec: QuestionSpec) -> Intent | None:
    """The comparison a name or list question asks, or None when it asks none."""
    if spec.answer_type not in ("entity", "list", "rank", "place"):
        return None
    rules = compare_rules()
    q = fold_figures(spec.text)
    endings: tuple[str, ...] = ()
    kind = re.search(rules.kind_pattern, q)
    if kind:
        key = max((k for k in rules.kinds if kind.group(1).startswith(k)), key=len, default="")
        endings = rules.kinds.get(key, ())
    growth = any(c in q for c in rules.growth_cues)
    for op, words in table_cues().filters.items():
        for w in sorted(words, key=len, reverse=True):
            m = re.search(re.escape(w) + r"\s*(\d+(?:\.\d+)?)\s*" + rules.unit_pattern, q)
            if m:
                bound, unit = unit_value(m.group(1), m.group(2))
                return Intent(op, bound, unit, endings, unit in ("%", "pt") and growth)
    mode = _superlative(q)
    if mode:
        return Intent(mode, endings=endings, growth=growth)
    named = named_pair(q)
    mode = _comparative(q) if named else ""
    if mode:
        return Intent(mode, endings=endings, growth=growth, named=named)
    if any(w in q for w in rules.falling):
        return Intent("falling", endings=endings, growth=True)
    return None


def _superlative(question: str) -> str:
    """ "high" or "low" when the question asks which is highest or lowest: a superlative word
    that ends what is asked ("茶园面积最大？", "排第一的是"), not one inside a name ("国家最高
    科学技术奖") nor a comparison of two named things ("哪个增长更快")."""
    rules = question_rules()
    for mode, words in (("high", rules.superlative_high), ("low", rules.superlative_low)):
        for w in words:
            if not w.startswith("更") and re.search(
                re.escape(w) + r"(?=[的是呢吗？?。，,！!]|$)", question
            ):
                return mode
    return ""


def _comparative(question: str) -> str:
    """ "high" or "low" when the question asks which of the things it names is more or less
    ("哪个增长更快", "谁的面积更大")."""
    rules = question_rules()
    for mode, words in (("high", rules.superlative_high), ("low", rules.superlative_low)):
        if any(w.startswith("更") and w in question for w in words):
            return mode
    return ""


def named_pair(question: str) -> tuple[str, ...]:
    """The things a question names before asking which of them ("税收收入和非税收入，哪个…"
    → 税收收入, 非税收入; the first keeps what precedes it, "2024年…的税收收入"); empty
    unless it names two or more."""
    m = re.search(compare_rules().pair_pattern, question)
    if not m:
        return ()
    parts = [p.strip() for p in re.split(compare_rules().pair_joiners, m.group(1)) if p.strip()]
    return tuple(parts) if len(parts) >= 2 else ()


def is_named(thing: str, name: str) -> bool:
    """A list item's ``name`` is a thing the question names: it ends the thing ("2024年…的
    税收收入" → 税收收入) or the thing ends it ("全县税收收入" for 税收收入)."""
    return thing.endswith(name) or name.endswith(thing)


def _named_rows(
    rows: list[Record], named: tuple[str, ...], measured: tuple[str, ...]
) -> list[Record]:
    """The rows of a list that the question's named things are: each named thing's row (its
    name ends the thing, maybe before a measured word: "非税" of 非税收入; or the thing ends
    the name: "全县税收收入" for 税收收入)."""
    out: list[Record] = []
    tails = ("", *measured)
    for thing in named:
        # each row as the question names it ("非税" → 非税收入)
        hits = [
            replace(r, name=r.name + t)
            for r in rows
            for t in tails
            if thing.endswith(r.name + t) or (not t and is_named(thing, r.name))
        ]
        if hits:
            best = max(hits, key=lambda r: len(r.name))
            if all(r.name != best.name for r in out):
                out.append(best)
    return out if len(out) == len(named) else []


# --------------------------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------------------------


def _name(words: str, strip: tuple[str, ...]) -> str:
    """An item's name: the words before its figure without lead, verbs and measured words
    (empty when they are only verbs: "，下降7.6%" continues the item before)."""
    rules = compare_rules()
    words = strip_years(words, "").strip(" ：:，,（(")
    changed = True
    while changed and words:
        changed = False
        for w in rules.leads:
            if words.startswith(w):
                words, changed = words[len(w) :], True
        for w in rules.verbs:
            if words.endswith(w):
                words, changed = words[: -len(w)], True
        for w in strip:  # what is measured, unless it is all there is ("农林水支出")
            if w and words.endswith(w) and len(words) > len(w):
                words, changed = words[: -len(w)], True
    return words.strip(" ：:，,")


def _shown(verb: str, figure: str) -> str:
    """The figure as the answer states it: with a verb saying which way it went ("下降7.6%"),
    not with a copula ("为6.8万亩")."""
    verb = verb.strip()
    return figure if not verb or verb in compare_rules().copulas else verb + figure


def _signed(value: float, before: str) -> float:
    """A change stated with a falling verb ("下降7.6%") is negative."""
    tail = before[-4:]
    return -abs(value) if any(w in tail for w in compare_rules().falling) else value


def _prose_records(n: int, text: str, strip: tuple[str, ...]) -> list[Record]:
    """Items of the sentences of ``text``: 分别 lists, and items naming their own figure
    ("食品烟酒价格下降0.8%，衣着上涨1.2%"); a change without a name ("，下降7.6%") is the
    item before's."""
    out: list[Record] = []
    for s, e in full_sentence_spans(text):
        about = text[max(0, s - 60) : e]
        for g in lexicon().spreads(text, s, e):
            names = [*g.names[:-1], g.names[-1].removesuffix(g.tail) or g.names[-1]]
            for i, (a, b) in enumerate(g.figures):
                m = compare_rules().figure.match(text, a, b)
                if not m:
                    break
                value, unit = unit_value(m.group(1), m.group(2))
                key = (n, s, "spread", g.figures[0][0])
                shown = _shown(g.verb, text[a:b])
                out.append(Record(n, key, names[i], _signed(value, g.verb), unit, shown, about))
        last = ""
        for a, b in clause_spans(text, s, e, enumeration=True):
            m = compare_rules().figure.search(text, a, b)
            if not m or any(c in text[a:b] for c in lexicon().distributive_cues):
                last = ""
                continue
            before = text[a : m.start()]
            name = _name(before, strip)
            if not name:
                name = last  # a change of the item before ("15.73亿元，下降7.6%")
            elif len(name) < 2 or len(name) > 16 or re.search(r"\d", name):
                name = ""
            if not name:
                last = ""
                continue
            value, unit = unit_value(m.group(1), m.group(2))
            verb = next((w for w in compare_rules().verbs if before.endswith(w)), "")
            shown = _shown(verb, text[m.start() : m.end()])
            out.append(
                Record(n, (n, s, "items", unit), name, _signed(value, before), unit, shown, about)
            )
            last = name
    return out


def _table_records(n: int, text: str, above: str) -> list[Record]:
    """Each table row's numbers, one group per column, named by the row."""
    out: list[Record] = []
    pos = 0
    start = 0  # where the current table starts
    for line in text.split("\n"):
        end = pos + len(line)
        if row_cells(line) is None:
            start = end + 1
        else:
            row = table_row(text, pos, end, above)
            if row is not None and row.header:
                # the lead before the table ("各街道（镇）低保情况如下表："), in the chunk before
                # when the table starts this one, and every column's name
                lead = text[max(0, start - 80) : start] if start else above[-80:]
                caption = lead + " " + " ".join(row.header)
                for j in row.values():
                    cell = row.cells[j]
                    m = compare_rules().figure.fullmatch(cell.strip().replace(" ", ""))
                    if not m:
                        continue
                    unit = m.group(2) or row.unit_of(j)
                    value, unit = unit_value(m.group(1), unit)
                    head = row.header[j] if j < len(row.header) else ""
                    out.append(
                        Record(n, (n, start, "column", j), row.label(), value, unit,
                               row.stated(j), caption, head)
                    )  # fmt: skip
        pos = end + 1
    return out


def records(context: list[ContextItem], strip: tuple[str, ...] = ()) -> list[Record]:
    """Every listed item's figure in the passages (figures folded to half width)."""
    out: list[Record] = []
    for n, item in enumerate(context, 1):
        text = fold_figures(item.text)
        out += _prose_records(n, text, strip)
        out += _table_records(n, text, fold_figures(item.above))
    return out


# --------------------------------------------------------------------------------------------
# answering
# --------------------------------------------------------------------------------------------


def _subject(spec: QuestionSpec) -> list[tuple[str, ...]]:
    """What the compared figures measure, as alternatives: each subject word of the question
    without the words of the comparison itself ("最大", "超过", "下降") or of the asked kind
    ("乡镇", "哪几类"), and each asked metric with its synonyms."""
    rules, q = compare_rules(), question_rules()
    cue_words = (
        *q.superlative_high, *q.superlative_low, *rules.falling, *rules.kinds,
        *(w for ws in table_cues().filters.values() for w in ws),
    )  # fmt: skip
    words = [
        (w,)
        for w in subject_words(spec.text, spec.regions)
        if not any(c in w or w in c for c in cue_words) and "类" not in w
    ]
    return [*words, *spec.metrics]


def _fits(text: str, asked: list[tuple[str, ...]]) -> float:
    """The share of the asked words ``text`` names (a word counts when half its character
    pairs are there: "集体经济收入" in "村集体经济总收入")."""
    if not asked:
        return 0.0
    have = bigrams(text)

    def named(term: str) -> bool:
        own = bigrams(term)
        return bool(own) and len(own & have) * 2 >= len(own)

    return sum(any(named(t) for t in terms) for terms in asked) / len(asked)


def _choose(
    groups: dict[tuple[object, ...], list[Record]],
    intent: Intent,
    asked: list[tuple[str, ...]],
    measured: tuple[str, ...] = (),
) -> list[Record]:
    """The group measuring what is asked: the most of the question's subject in its words,
    then the unit the question implies (a change, a level), then the earliest passage."""
    best: tuple[float, ...] | None = None
    chosen: list[Record] = []
    totals = compare_rules().totals
    for rows in groups.values():
        rows = [r for r in rows if not r.name.startswith(totals) and not r.name.endswith(totals)]
        if intent.endings:
            rows = [r for r in rows if r.name.endswith(intent.endings)]
        if intent.named:
            rows = _named_rows(rows, intent.named, measured)
        names = {r.name for r in rows}
        if len(names) < 2 or len(names) != len(rows):
            continue
        fit = _fits(rows[0].about + "".join(r.name for r in rows), asked)
        if fit < MIN_SUBJECT and not intent.named:
            continue
        unit = rows[0].unit
        wanted = (intent.unit,) if intent.unit else ("%", "pt") if intent.growth else ()
        if wanted and unit not in wanted:
            continue
        level = float(unit not in ("%", "pt")) if not intent.growth else 0.0
        rank = (fit, _fits(rows[0].head, asked), level, -rows[0].n)
        if best is None or rank > best:
            best, chosen = rank, rows
    return chosen


def _stated(
    intent: Intent, context: list[ContextItem], asked: list[tuple[str, ...]], question: str
) -> tuple[int, str] | None:
    """A clause stating the asked rank ("居全省首位") in a sentence about the asked subject,
    of the asked measure ("增速居…首位" ranks growth, not 产值): the quote from the clauses
    naming the item to the rank."""
    rules = compare_rules()
    cues = rules.stated_high if intent.mode == "high" else rules.stated_low
    for n, item in enumerate(context, 1):
        text = item.text
        for s, e in full_sentence_spans(text):
            if _fits(text[max(0, s - 60) : e], asked) < 0.5:
                continue
            for a, b in clause_spans(text, s, e):
                if not any(c in text[a:b] for c in cues) or not extreme_fits(question, text[a:b]):
                    continue
                start = min(
                    (x for x, _ in clause_spans(text, s, b) if b - x <= MAX_QUOTE), default=a
                )
                quote = text[start:b]
                if intent.endings and not re.search(
                    "[\u4e00-\u9fff]{1,10}(?:" + "|".join(map(re.escape, intent.endings)) + ")",
                    quote.replace("全" + intent.endings[0], ""),
                ):
                    continue
                return n, quote
    return None


def compare_answer(spec: QuestionSpec, context: list[ContextItem]) -> str | None:
    """The answer with its ``[n]`` marker to a comparison over the passages' lists, or None
    when the question compares nothing or no list measures what it asks."""
    intent = intent_of(spec)
    if intent is None:
        return None
    asked = _subject(spec)
    if intent.mode in ("high", "low") and spec.answer_type != "list" and not intent.named:
        # (a list's items may each state the rank: the reader quotes them all)
        stated = _stated(intent, context, asked, spec.text)
        if stated is not None:
            n, quote = stated
            return f"{quote}[{n}]。"
    groups: dict[tuple[object, ...], list[Record]] = {}
    measured = sorted({t for terms in asked for t in terms}, key=len, reverse=True)
    for r in records(context, tuple(measured)):
        groups.setdefault(r.group, []).append(r)
    rows = _choose(groups, intent, asked, tuple(measured))
    if not rows:
        return None
    n = rows[0].n
    if intent.mode in ("high", "low"):
        pick = max if intent.mode == "high" else min
        top = pick(r.value for r in rows)
        won = [r for r in rows if r.value == top]
        names = "、".join(f"{r.name}（{r.shown}）" for r in won)
        if intent.named:
            others = "、".join(f"{r.name}（{r.shown}）" for r in rows if r not in won)
            word = "高于" if intent.mode == "high" else "低于"
            return f"{names}{word}{others}[{n}]。"
        word = "最高" if intent.mode == "high" else "最低"
        return f"{names}：所列{len(rows)}个中{word}[{n}]。"
    if intent.mode == "falling":
        passed = [r for r in rows if r.value < 0]
    else:
        test = {
            "above": lambda v: v > intent.bound,
            "at_least": lambda v: v >= intent.bound,
            "below": lambda v: v < intent.bound,
            "at_most": lambda v: v <= intent.bound,
        }[intent.mode]
        passed = [r for r in rows if test(r.value)]
    if not passed:
        return None
    return "、".join(f"{r.name}（{r.shown}）" for r in passed) + f"[{n}]。"


__all__ = [
    "Intent",
    "Record",
    "compare_answer",
    "compare_rules",
    "intent_of",
    "is_named",
    "named_pair",
    "records",
    "unit_value",
]
