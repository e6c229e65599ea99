"""Listed items as records: a name, a signed value in its unit's base, what the list measures.

The comparison answers (:mod:`rag.compare`, :mod:`rag.difference`) compute over these; they
come from 分别 lists, items naming their own figure, and table rows (one group per column).
The cue words are data (``resources/compare.toml``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from core.lexicon import lexicon
from core.text import clause_spans, fold_figures, full_sentence_spans, strip_years
from rag.context import ContextItem
from rag.table_rows import row_cells, table_row

RULES_PATH = Path(__file__).with_name("resources") / "compare.toml"

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
    rate_words: tuple[str, ...] = ()
    time_tail: str = ""
    breakdown_phrase: str = ""

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
        rate_words=tuple(d.get("rate_words", ())),
        time_tail=d.get("time_tail", ""),
        breakdown_phrase=d.get("breakdown_phrase", ""),
    )


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


__all__ = ["CompareRules", "Record", "compare_rules", "records", "unit_value"]
