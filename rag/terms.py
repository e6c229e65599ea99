"""Chinese keyword tokens for BM25, shared by ingest (index side) and retrieval (query side).

jieba alone mis-segments report phrases (``打造成`` → ``打/造成``) and lets a stray chunk win on
question words. So we index jieba's search-mode tokens *plus* character bigrams of every CJK run,
drop question/function words from ``resources/stopwords.txt``, and teach jieba the region names
found in the corpus and the metric vocabulary from ``resources/synonyms.toml``.
"""

from __future__ import annotations

import logging
import re
import threading
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.normalize import normalize_for_search

RESOURCES = Path(__file__).with_name("resources")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORDISH = re.compile(r"[\w\u3400-\u9fff]")


@dataclass(frozen=True)
class Lexicon:
    """Synonym groups and target/actual cue words, loaded from the resources data file."""

    groups: tuple[tuple[str, ...], ...]
    target_terms: tuple[str, ...]
    target_text: tuple[str, ...]
    actual_terms: tuple[str, ...]
    actual_text: tuple[str, ...]
    generic: tuple[str, ...] = ()

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
    )


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words that never count as query or document terms."""
    lines = (RESOURCES / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#"))


class Tokenizer:
    """A private jieba tokenizer with the project's dictionary; thread-safe after set-up."""

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._words: set[str] = set()
        self.add_words(t for g in lexicon().groups for t in g)

    def add_words(self, words: Iterable[str]) -> None:
        """Teach jieba whole words (region names, metrics) so they are never split."""
        with self._lock:
            for word in words:
                w = normalize_for_search(word.strip())
                if len(w) >= 2 and w not in self._words:
                    self._jieba.add_word(w, freq=50_000)
                    self._words.add(w)

    def tokens(self, text: str) -> list[str]:
        """Search tokens: jieba search-mode words plus CJK character bigrams, stop words out."""
        norm = normalize_for_search(text)
        stop = stopwords()
        out = [t for t in self._jieba.cut_for_search(norm) if t not in stop and _WORDISH.search(t)]
        for run in _CJK_RUN.findall(norm):
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        return out


_tokenizer: Tokenizer | None = None
_tokenizer_lock = threading.Lock()


def get_tokenizer(extra_words: Iterable[str] = ()) -> Tokenizer:
    """The process-wide tokenizer; ``extra_words`` (e.g. region names) are added to it."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            _tokenizer = Tokenizer()
    _tokenizer.add_words(extra_words)
    return _tokenizer


__all__ = ["Lexicon", "Tokenizer", "get_tokenizer", "lexicon", "stopwords"]
