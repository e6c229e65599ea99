"""Refusal rules: when the retrieved passages cannot answer, say so instead of guessing.

Each rule is a function of typed :class:`Evidence` that returns a reason (refuse) or ``""``
(no objection). They run in order before any generation; the first reason wins. Keeping them
pure (no searcher, no model) is what lets every rule have a fast test.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from core.lexicon import lexicon
from core.records import Filters, Passage
from core.text import (
    SENTENCE,
    fold_figures,
    normalize_for_search,
    numbers,
    place_mentions,
)
from rag.organ_fit import names_organ, names_other_organ
from rag.query import QueryInfo
from rag.question import asked_organs, question_rules
from rag.scoring import IdfLookup, in_plan_section, topic_terms, wanted_kind
from rag.table_rows import table_row

_OUTPUT_RULES = Path(__file__).with_name("resources") / "model_output.toml"


@dataclass
class Evidence:
    """Everything the refusal rules look at."""

    question: str
    info: QueryInfo
    passages: list[Passage]
    idf: IdfLookup
    filters: Filters = field(default_factory=Filters)
    known_regions: set[str] = field(default_factory=set)
    parent_regions: set[str] = field(default_factory=set)
    min_coverage: float = 0.15


def no_passages(e: Evidence) -> str:
    """Nothing was retrieved at all."""
    return "" if e.passages else "no passages"


def unknown_place(e: Evidence) -> str:
    """A place no report is about: unknown to the index and not even mentioned in the
    passages, or a parent city (we only hold reports of its districts)."""
    if e.info.regions or e.filters.regions:
        return ""
    seen = " ".join(f"{p.meta.title} {p.text}" for p in e.passages)  # a title names its place
    for place in place_mentions(e.question):
        if any(place in r or r in place for r in e.known_regions):
            continue
        if place in e.parent_regions or place not in seen:
            return f"no report about {place}"
    return ""


def unknown_organ(e: Evidence) -> str:
    """A department the question names that no passage names, while the passages do name
    other departments (a table of 承办单位, an audit's list of 部门): the documents hold the
    others' figures, not this one's. Passages naming no department at all (a 统计公报 asked
    "据统计局…") do not decide."""
    texts = [f"{p.meta.title} {p.text}" for p in e.passages]
    for organ in asked_organs(e.question, e.info.regions):
        if any(names_organ(organ, t) for t in texts):
            continue
        if any(names_other_organ(organ, t) for t in texts):
            return f"no passage about {organ}"
    return ""


def year_absent(e: Evidence) -> str:
    """The asked year is neither written in the passages nor the year of (or after) their
    report: a report of year Y reviews year Y-1 ("过去一年") without always naming it."""
    # "２０２７年" names 2027 too
    texts = fold_figures(
        " ".join(f"{p.meta.title} {p.meta.year or ''} {p.text}" for p in e.passages)
    )
    doc_years = {p.meta.year for p in e.passages}
    pattern = question_rules().base_year_pattern
    bases = {int(y) for y in re.findall(pattern, fold_figures(e.question))} if pattern else set()
    for year in e.info.years:
        if year in bases and year + 1 in e.info.years:
            continue  # "2024年比2023年多了多少": the report says 比上年
        if str(year) not in texts and not doc_years & {year, year + 1}:
            return f"year {year} not in passages"
    return ""


def report_absent(e: Evidence) -> str:
    """The question names a report of a year ("浙江省2024年政府工作报告设定的目标") and no passage
    comes from a report of that year: the next year's report reviews that year's results but
    does not hold its plan. Passages of unknown year do not decide."""
    doc_years = {p.meta.year for p in e.passages if p.meta.year}
    for year in e.info.report_years:
        if doc_years and year not in doc_years:
            return f"no {year} report in passages"
    return ""


def coverage(e: Evidence) -> float:
    """How much of the question's topic (IDF-weighted, synonyms counted) the best passage
    holds; regions, years and question words do not count."""
    terms = topic_terms(e.question, e.info, e.idf)
    if not terms.own:
        return 1.0
    return max(
        (terms.coverage(f"{p.meta.title} {p.meta.heading} {p.text}") for p in e.passages),
        default=0.0,
    )


def low_coverage(e: Evidence) -> str:
    """The passages share too little of the question's topic."""
    value = coverage(e)
    return f"terms not covered ({value:.2f})" if value < e.min_coverage else ""


def missing_metric(e: Evidence) -> str:
    """The figure a question asks for (GDP, 社零 …) must appear with a number in some passage
    of the right kind (a target for 目标 questions); else the corpus lacks it."""
    lex = lexicon()
    for group in lex.metrics(e.question, asked=True):
        terms = [normalize_for_search(t) for t in group]
        if not any(_states_metric(p, terms, e.info) for p in e.passages):
            return f"no figure for {group[0]}"
    return ""


def _states_metric(p: Passage, terms: list[str], info: QueryInfo) -> bool:
    lex = lexicon()
    kind = wanted_kind(info, p.meta)
    for m in SENTENCE.finditer(p.text):
        sent = normalize_for_search(m.group(0))
        if not any(t in lex.distributed(sent) for t in terms) or not numbers(sent):
            continue
        # a target list opens with 预期目标是: and runs over several clauses; a table's row
        # is a target under a header naming one ("| 指标 | … | 2025年目标 |")
        row = table_row(p.text, m.start(), m.end())
        head = " ".join(row.header) if row is not None else ""
        lead = normalize_for_search(head + p.text[max(0, m.start() - 120) : m.end()])
        if (
            kind == "target"
            and not any(t in lead for t in lex.target_text)
            and not in_plan_section(p.meta.heading, p.text[: m.start()])
        ):
            continue
        return True
    return False


Rule = Callable[[Evidence], str]
#: The rules in the order they run.
RULES: tuple[Rule, ...] = (
    no_passages,
    unknown_place,
    unknown_organ,
    year_absent,
    report_absent,
    low_coverage,
    missing_metric,
)
#: The rules about where and when (no passages, an unknown place, an absent year): what a
#: section-title answer (:mod:`rag.outline`) must still pass.
SCOPE_RULES: tuple[Rule, ...] = (no_passages, unknown_place, year_absent, report_absent)


def refusal_reason(e: Evidence, rules: tuple[Rule, ...] = RULES) -> str:
    """The first rule's objection, or ``""`` when the passages may answer."""
    for rule in rules:
        reason = rule(e)
        if reason:
            return reason
    return ""


class OutputRules(BaseModel):
    """``resources/model_output.toml``: how a model's own text refuses, echoes, is marked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: phrases with which a model says it found nothing
    refusal_phrases: tuple[str, ...]
    #: prompt scaffolding a model echoed back instead of answering
    scaffolding: tuple[str, ...]
    #: put before a quoted source when the model's own answer could not be verified
    unverified_fallback_note: str
    #: put after an answer some of whose figures no passage holds
    partly_unverified_note: str


@lru_cache(maxsize=1)
def output_rules() -> OutputRules:
    return OutputRules.model_validate(tomllib.loads(_OUTPUT_RULES.read_text(encoding="utf-8")))


def model_refused(text: str) -> bool:
    """Whether a generated answer is itself a refusal (empty, or says it found nothing)."""
    return not text.strip() or any(p in text for p in output_rules().refusal_phrases)


__all__ = [
    "RULES",
    "SCOPE_RULES",
    "Evidence",
    "OutputRules",
    "coverage",
    "low_coverage",
    "missing_metric",
    "model_refused",
    "no_passages",
    "output_rules",
    "refusal_reason",
    "report_absent",
    "unknown_place",
    "year_absent",
]
