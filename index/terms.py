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
from collections.abc import Iterable

from core.lexicon import lexicon, stopwords
from core.text import normalize_for_search

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORDISH = re.compile(r"[\w\u3400-\u9fff]")


class Tokenizer:
    """A private jieba tokenizer with the project's dictionary; thread-safe after set-up."""

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._words: set[str] = set()
        #: token sets of texts seen recently: the reader scores every clause against the same
        #: sentence and heading texts, so most lookups repeat (cleared when the dictionary grows)
        self._sets: dict[str, frozenset[str]] = {}
        self.add_words(t for g in lexicon().groups for t in g)

    def add_words(self, words: Iterable[str]) -> None:
        """Teach jieba whole words (region names, metrics) so they are never split."""
        with self._lock:
            for word in words:
                w = normalize_for_search(word.strip())
                if len(w) >= 2 and w not in self._words:
                    self._jieba.add_word(w, freq=50_000)
                    self._words.add(w)
                    self._sets = {}

    def token_set(self, text: str) -> frozenset[str]:
        """The set of :meth:`tokens` of ``text``, cached (at most 20,000 texts)."""
        got = self._sets.get(text)
        if got is None:
            if len(self._sets) >= 20_000:
                self._sets = {}
            got = self._sets[text] = frozenset(self.tokens(text))
        return got

    def words(self, text: str) -> list[str]:
        """jieba's words of ``text`` in order (precise mode, no bigrams), stop words out."""
        norm = normalize_for_search(text)
        stop = stopwords()
        return [t for t in self._jieba.cut(norm) if t not in stop and _WORDISH.search(t)]

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


__all__ = ["Tokenizer", "get_tokenizer"]
