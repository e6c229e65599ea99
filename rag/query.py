"""Deterministic query understanding: regions, years, intent and metric synonyms.

No model is involved: a question names regions the index knows (also by short form, 青山 →
青山县), may name years, may ask for a target (目标/预期/计划) or an actual (完成/实现), and uses
everyday metric names (GDP, 固投) that the reports spell differently. Knowing these lets
retrieval filter to the right report and reward the right kind of passage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.lexicon import lexicon
from core.text import (
    normalize_for_search,
    place_rules,
    report_years,
    short_forms,
    village_mentions,
    years,
)


@dataclass
class QueryInfo:
    """What a question is about, as far as rules can tell."""

    text: str
    regions: list[str] = field(default_factory=list)
    #: zones named after a known region but not known themselves ("某川经济开发区" beside 某川县)
    zones: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    wants_target: bool = False
    wants_actual: bool = False
    #: the actual is asked in words no plan uses (实际, 去年): the report's year cannot turn it
    #: into a question about the plan
    actual_strong: bool = False
    #: asks about "今年" without naming the year: the report's own year
    this_year: bool = False
    #: years that name a report ("2023年政府工作报告"), not the period of the figure asked
    report_years: list[int] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)

    @property
    def keyword_text(self) -> str:
        """The question plus report wordings of its metrics, for BM25."""
        return " ".join([self.text, *self.expansions])


class QueryParser:
    """Parses questions against the regions known to the index."""

    def __init__(self, regions: Iterable[str]) -> None:
        self.forms: list[tuple[str, str]] = sorted(
            {(f, r) for r in regions if r for f in short_forms(r)},
            key=lambda fr: -len(fr[0]),
        )

    def parse(self, question: str) -> QueryInfo:
        norm = normalize_for_search(question)
        info = QueryInfo(text=question)
        taken = norm
        # a village or community whose name holds a region's short form ("小白河社区" and
        # 白河区) names no region
        for unit in village_mentions(norm):
            taken = taken.replace(unit, "\0" * len(unit))
        rules = place_rules()
        for form, region in self.forms:
            if form in taken and region not in info.regions:
                # "某川经济开发区" where only 某川县 is known: a zone in it, not the county
                zones = [form + z for z in rules.zone_suffixes if form + z in taken]
                if zones and not region.endswith(rules.zone_suffixes):
                    for zone in zones:
                        taken = taken.replace(zone, "\0" * len(zone))
                    info.zones += zones
                    continue
                info.regions.append(region)
                taken = taken.replace(form, "\0" * len(form))
        national = rules.national_region
        if (
            not info.regions
            and any(form == national for form, _ in self.forms)
            and any(w in norm for w in rules.national_words)
        ):
            info.regions.append(national)  # "国务院报告…", "我国…": the national report
        info.years = years(norm)
        lex = lexicon()
        info.report_years = report_years(norm, lex.report_nouns)
        info.wants_target = any(t in norm for t in lex.target_terms)
        strong = any(t in norm for t in lex.strong_actual_terms)
        info.wants_actual = (
            strong or any(t in norm for t in lex.actual_terms)
        ) and not info.wants_target
        info.actual_strong = info.wants_actual and strong
        info.this_year = not info.years and any(t in norm for t in lex.this_year_terms)
        info.expansions = lex.expansions(question)
        return info


__all__ = ["QueryInfo", "QueryParser", "short_forms"]
