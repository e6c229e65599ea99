"""The metric lexicon: synonym groups (GDP ↔ 地区生产总值), target/actual cue words, stop words.

Data, not code: ``resources/synonyms.toml`` and ``resources/stopwords.txt`` are where a new
metric name or cue word goes. Ingest, retrieval and answering read the same copy.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from core.spreads import Spread, spreads
from core.text import RESOURCES, normalize_for_search


@dataclass(frozen=True)
class Lexicon:
    """Synonym groups and target/actual cue words, loaded from the resources data file."""

    groups: tuple[tuple[str, ...], ...]
    target_terms: tuple[str, ...]
    target_text: tuple[str, ...]
    actual_terms: tuple[str, ...]
    actual_text: tuple[str, ...]
    generic: tuple[str, ...] = ()
    strong_actual_terms: tuple[str, ...] = ()
    this_year_terms: tuple[str, ...] = ()
    report_nouns: tuple[str, ...] = ()
    distributive_cues: tuple[str, ...] = ()
    distributive_compounds: tuple[tuple[str, ...], ...] = ()
    spread_leads: tuple[str, ...] = ()
    compound_heads: tuple[str, ...] = ()
    asked_compound_heads: tuple[str, ...] = ()
    compound_qualifiers: tuple[str, ...] = ()

    def metrics(self, text: str, asked: bool = False) -> list[tuple[str, ...]]:
        """Figure-naming synonym groups (GDP, 社零 …) that a text mentions. A question
        (``asked``) names a group by any of its words ("几家规上工业企业" asks about 规上工业); a
        report's clause not by a short form heading another metric (:meth:`mentions`)."""
        norm = normalize_for_search(text)
        # a question asking "规上工业总产值" asks another figure than 规上工业增加值; one asking
        # "几家规上工业企业" still counts the group's firms
        heads = self.asked_compound_heads if asked else self.compound_heads
        return [
            g
            for g in self.groups
            if g[0] not in self.generic and any(self.mentions(t, norm, heads=heads) for t in g)
        ]

    def mentions(
        self, term: str, norm: str, asked: str = "", heads: tuple[str, ...] | None = None
    ) -> bool:
        """Whether ``norm`` (normalised text) names ``term`` as itself, not as the head of
        another metric ("规上工业" in "规上工业企业27家" or "规上工业总产值" names neither the
        增加值 the short form stands for), unless the question (``asked``, normalised) names
        that other metric too ("新增多少家规上工业企业")."""
        term = normalize_for_search(term)
        pos = norm.find(term)
        while pos >= 0:
            after = pos + len(term)
            heads = self.compound_heads if heads is None else heads
            head = next((h for h in heads if norm.startswith(h, after)), "")
            # "政府性基金预算支出" is another budget than the 预算支出 of 一般公共预算
            qualifier = next((q for q in self.compound_qualifiers if norm.endswith(q, 0, pos)), "")
            if (not head or term + head in asked) and (not qualifier or qualifier + term in asked):
                return True
            pos = norm.find(term, pos + 1)
        return False

    def distributed(self, text: str) -> str:
        """``text`` followed by its readings part by part when it spreads figures with 分别
        over a compound ("城乡居民收入分别增长4.3%、6.1%" also reads "农村居民收入…") or a list
        of names ("粮食播种面积和总产量分别…" also reads "粮食总产量"), so a metric check finds
        the part a question asks; ``text`` alone otherwise."""
        if not any(c in text for c in self.distributive_cues):
            return text
        readings = [
            text.replace(compound, part)
            for compound, *parts in self.distributive_compounds
            if compound in text
            for part in parts
        ]
        readings += [r for s in self.spreads(text) for r in s.readings()]
        return " ".join([text, *readings])

    def spreads(self, text: str, start: int = 0, end: int | None = None) -> list[Spread]:
        """The 分别 lists of ``text[start:end]`` (one sentence) whose names and figures pair up."""
        end = len(text) if end is None else end
        return spreads(text, start, end, self.distributive_cues, self.spread_leads)

    def expansions(self, text: str) -> list[str]:
        """Report wordings of every synonym group a text mentions (longest matches first)."""
        norm = normalize_for_search(text)
        out: list[str] = []
        for group in self.groups:
            if any(normalize_for_search(term) in norm for term in group):
                out.extend(t for t in group if normalize_for_search(t) not in norm)
        return out


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The metric synonym data (read once)."""
    data = tomllib.loads((RESOURCES / "synonyms.toml").read_text(encoding="utf-8"))
    return Lexicon(
        groups=tuple(tuple(g) for g in data["groups"]),
        target_terms=tuple(data["target_terms"]),
        target_text=tuple(data["target_text"]),
        actual_terms=tuple(data["actual_terms"]),
        actual_text=tuple(data["actual_text"]),
        generic=tuple(data.get("generic", ())),
        strong_actual_terms=tuple(data.get("strong_actual_terms", ())),
        this_year_terms=tuple(data.get("this_year_terms", ())),
        report_nouns=tuple(data.get("report_nouns", ())),
        distributive_cues=tuple(data.get("distributive_cues", ())),
        distributive_compounds=tuple(tuple(g) for g in data.get("distributive_compounds", ())),
        spread_leads=tuple(data.get("spread_leads", ())),
        compound_heads=tuple(data.get("compound_heads", ())),
        asked_compound_heads=tuple(data.get("asked_compound_heads", ())),
        compound_qualifiers=tuple(data.get("compound_qualifiers", ())),
    )


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words that never count as query or document terms."""
    lines = (RESOURCES / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#"))


__all__ = ["Lexicon", "lexicon", "stopwords"]
