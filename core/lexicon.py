"""The metric lexicon: synonym groups (GDP ↔ 地区生产总值), target/actual cue words, stop words.

Data, not code: ``resources/synonyms.toml`` and ``resources/stopwords.txt`` are where a new
metric name or cue word goes. Ingest, retrieval and answering read the same copy.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

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

    def metrics(self, text: str) -> list[tuple[str, ...]]:
        """Figure-naming synonym groups (GDP, 社零 …) that a text mentions."""
        norm = normalize_for_search(text)
        return [
            g
            for g in self.groups
            if g[0] not in self.generic and any(normalize_for_search(t) in norm for t in g)
        ]

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
    )


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words that never count as query or document terms."""
    lines = (RESOURCES / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#"))


__all__ = ["Lexicon", "lexicon", "stopwords"]
