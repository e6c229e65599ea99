"""Is a clause about the administrative level the question asks ("国考断面", not "省考断面")?

Reports state the same measure for several levels side by side: "国考断面水质优良比例92.9%" and
"省考断面…87.0%", "国家级专精特新企业" and "省级…". A question naming one level is not answered
by a clause naming only another level of the same kind (the suffix: 级, 考, 控). A clause naming
no level is left to the other rules: reports often drop the level the heading already gives.
The pattern is data (``resources/question.toml``).

A budget report states two totals of one place: the whole place's (全市) and its own
government's (市本级). A question naming one is not answered by a clause whose sentence last
named the other before it ("全市…156.92亿元" for 市本级 spending, "市本级“三公”经费" for 全市).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.question import question_rules


@lru_cache(maxsize=1)
def _levels() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A run of levels and its kind ("省、市级"), and one level name inside a run."""
    rules = question_rules()
    name = "|".join(re.escape(w) for w in sorted(rules.level_words, key=len, reverse=True))
    kind = "|".join(re.escape(k) for k in rules.level_kinds)
    not_after = re.escape(rules.level_not_after)
    run = re.compile(rf"(?<![{not_after}])((?:{name})(?:[、和与及](?:{name}))*)({kind})")
    return run, re.compile(name)


def levels(text: str) -> set[tuple[str, str]]:
    """(level, kind) pairs ``text`` names: "省、市级" → {(省, 级), (市, 级)}."""
    run, one = _levels()
    rules = question_rules()
    aliases, kinds = rules.level_aliases, rules.level_kind_aliases
    return {
        (aliases.get(name, name), kinds.get(m.group(2), m.group(2)))
        for m in run.finditer(text)
        for name in one.findall(m.group(1))
    }


def other_level(question: str, clause: str) -> bool:
    """The clause names another level of a kind the question names a level of, never the
    asked level."""
    asked = levels(question)
    found = levels(clause)
    return any(
        (level, kind) not in found and any(k == kind for _, k in found) for level, kind in asked
    )


def _scope(text: str) -> str:
    """``whole``, ``own`` or empty: which of the two totals ``text`` last names."""
    rules = question_rules()
    found = [(text.rfind(w), "whole") for w in rules.whole_scope_words]
    found += [(text.rfind(w), "own") for w in rules.own_level_words]
    pos, scope = max(found, default=(-1, ""))
    return scope if pos >= 0 else ""


def other_total(question: str, lead: str) -> bool:
    """The question names the whole place's total (全市) or its own level's (市本级), and the
    sentence up to the clause (``lead``) last names the other one."""
    asked = _scope(question)
    found = _scope(lead)
    return bool(asked and found and asked != found)


__all__ = ["levels", "other_level", "other_total"]
