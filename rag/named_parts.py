"""Two named things compared by the parts of one sentence that state each ("城镇和乡村的消费品
零售额，哪个增长快些": "…城镇消费品零售额921.37亿元，增长4.9%；乡村消费品零售额162.27亿元，
增长6.3%"). The list comparer reads items of one list; these are the subjects of clauses, each
with its own figures, so each name's part is read for its own figure: the rate after a growth
word when growth is asked, else its first figure."""

from __future__ import annotations

import re

from core.text import full_sentence_spans
from rag.compare_records import compare_rules, unit_value
from rag.context import ContextItem

#: a growth figure and its sign ("增长6.3%", "下降2.3%")
_GROWTH = re.compile(r"(增长|提高|上升|下降|回落|减少)\s*(\d+(?:\.\d+)?)\s*%")
_FALLING = ("下降", "回落", "减少")


def _figure(part: str, growth: bool) -> tuple[float, str] | None:
    """The value and its shown text of a part's figure (its rate when growth is asked)."""
    if growth:
        m = _GROWTH.search(part)
        if m is None:
            return None
        value = float(m.group(2))
        return (-value if m.group(1) in _FALLING else value), m.group(0)
    m = compare_rules().figure.search(part)
    if m is None:
        return None
    value, _ = unit_value(m.group(1), m.group(2))
    return value, m.group(0)


def _sentence_parts(
    sentence: str, names: list[str], growth: bool
) -> dict[str, tuple[float, str]] | None:
    """Each name's figure from its own part of ``sentence`` (parts split at "；"), or None."""
    found: dict[str, tuple[float, str]] = {}
    used: set[int] = set()
    parts = re.split(r"[；;]", sentence)
    for name in names:
        for i, part in enumerate(parts):
            at = part.find(name)
            if i in used or at < 0:
                continue
            figure = _figure(part[at:], growth)
            if figure is not None:
                found[name] = figure
                used.add(i)
                break
    return found if len(found) == len(names) else None


def named_parts_answer(
    named: tuple[str, ...], mode: str, growth: bool, context: list[ContextItem]
) -> str | None:
    """Which of the named things is higher (``mode`` high) or lower, from the first sentence of
    the passages that states a figure for each in a part of its own; None when none does."""
    names = [n.split("的")[0].strip() for n in named]
    if len(names) < 2 or any(len(n) < 2 for n in names) or mode not in ("high", "low"):
        return None
    for n, item in enumerate(context, 1):
        for s, e in full_sentence_spans(item.text):
            found = _sentence_parts(item.text[s:e], names, growth)
            if found is None:
                continue
            pick = max if mode == "high" else min
            top = pick(v for v, _ in found.values())
            won = [k for k, (v, _) in found.items() if v == top]
            if len(won) != 1:
                return None  # a tie answers nothing
            others = "、".join(f"{k}（{t}）" for k, (v, t) in found.items() if k not in won)
            word = "高于" if mode == "high" else "低于"
            return f"{won[0]}（{found[won[0]][1]}）{word}{others}[{n}]。"
    return None


__all__ = ["named_parts_answer"]
