"""Which of the listed items is highest or lowest, passes a threshold, or fell.

"哪个乡镇茶园面积最大", "哪些村集体经济收入超过80万元", "哪些科目同比下降": the passage lists
the items with their figures ("…6个乡镇，茶园面积分别为6.8万亩、5.2万亩…", "东村、西村、
南村分别实现…126万元、98万元、85万元", "城乡社区支出15.73亿元，下降7.6%；农林水支出…", a
table row per street) and no clause says the answer: it has to be computed. The clause reader
quotes the clause that looks most like the question, which is the list's lead or a total.

This module takes the items of the passages the reader got as records
(:mod:`rag.compare_records`: a name, a signed value in the unit's base, what the figure
measures), groups them by list and unit, picks the group that measures what the question
names, and answers from it. A rank the passage states itself ("居全省首位",
"为多计金额最多的项目") is read first: it also covers items the list leaves out.
The cue words are data (``resources/compare.toml``; thresholds are the indicator table's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core.text import clause_spans, fold_figures, full_sentence_spans
from rag.citations import bigrams
from rag.compare_records import Record, compare_rules, records, unit_value
from rag.context import ContextItem
from rag.entity_fit import extreme_fits
from rag.named_parts import named_parts_answer
from rag.organ_fit import names_organ
from rag.question import QuestionSpec, question_rules, subject_words
from rag.table_answer import cues as table_cues

#: how much of the question's subject a group's words must share to be what it asks about
MIN_SUBJECT = 0.34
#: the longest quote of a stated rank (the clauses before the rank that name the item)
MAX_QUOTE = 120


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
    #: compares rates ("整改率", "占比"): a list's percentages, not its amounts
    rate: bool = False


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
        rate = any(w in q for w in rules.rate_words)
        return Intent(mode, endings=endings, growth=growth, rate=rate)
    named = named_pair(q)
    mode = _comparative(q) if named else ""
    if mode:
        rate = any(w in q for w in rules.rate_words)
        return Intent(mode, endings=endings, growth=growth, named=named, rate=rate)
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
    # "A和B哪个优良天数比例高": the bare word ends the question
    for mode, bare in (("high", rules.bare_high), ("low", rules.bare_low)):
        if bare and re.search(bare, question):
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
    when = compare_rules().time_tail
    parts = [re.sub(when, "", p) or p for p in parts] if when else parts  # "B区去年" → B区
    endings = question_rules().organ_endings
    if endings and any(p.endswith(endings) for p in parts):
        # departments: 和 inside a name ("市自然资源和规划局") joins its halves again
        merged: list[str] = []
        for p in parts:
            if merged and not merged[-1].endswith(endings):
                merged[-1] += "和" + p
            else:
                merged.append(p)
        parts = merged
    return tuple(parts) if len(parts) >= 2 else ()


def is_named(thing: str, name: str) -> bool:
    """A list item's ``name`` is a thing the question names: it ends the thing ("2024年…的
    税收收入" → 税收收入) or the thing ends it ("全县税收收入" for 税收收入), or both name
    the same department, one by its abbreviation ("县卫健局" for 县卫生健康局)."""
    if thing.endswith(name) or name.endswith(thing):
        return True
    return (
        thing[-1:] == name[-1:]
        and thing.endswith(question_rules().organ_endings)
        and (names_organ(thing, name))
    )


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
    question: str = "",
) -> list[Record]:
    """The group measuring what is asked: the breakdown the question names ("分门类看"), then
    the most of the question's subject in its words, then the unit the question implies (a
    change, a level), then the earliest passage."""
    pattern = compare_rules().breakdown_phrase
    asked_by = re.findall(pattern, question) if pattern else []
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
        # "分经济类型看，…。分门类看，采矿业…" for "分门类看哪个门类是负增长": the last
        # breakdown of the items' own sentence is theirs
        own = rows[0].about.rstrip("。").split("。")[-1]
        by = re.findall(pattern, own) if asked_by else []
        named_by = float(bool(by) and by[-1] in asked_by)
        if fit < MIN_SUBJECT and not intent.named and not named_by:
            continue
        unit = rows[0].unit
        wanted = (intent.unit,) if intent.unit else ("%", "pt") if intent.growth else ()
        if wanted and unit not in wanted:
            continue
        level = float(unit not in ("%", "pt")) if not intent.growth else 0.0
        if intent.rate:  # "哪个的整改率更高": percentages, not the amounts beside them
            level = float(unit == "%")
        rank = (named_by, fit, _fits(rows[0].head, asked), level, -rows[0].n)
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
    rows = _choose(groups, intent, asked, tuple(measured), spec.text)
    if not rows:
        if intent.named:  # "城镇和乡村…哪个增长快": each name's own clause
            return named_parts_answer(intent.named, intent.mode, intent.growth, context)
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
    "compare_answer",
    "intent_of",
    "is_named",
    "named_pair",
]
