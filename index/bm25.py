"""Keyword side of hybrid search: a bm25s index over jieba tokens, persisted beside Chroma.

bm25s scores the whole corpus as one sparse matrix product, which keeps search in milliseconds
at 100k chunks where ``rank_bm25``'s per-document loop takes seconds. Each build is saved in a
new generation folder and a ``CURRENT`` pointer is switched atomically, so a reader (or an
ingest killed mid-save) never sees a half-written index.

The build streams: each chunk record is reduced to its id, five metadata fields and its tokens
as 4-byte ids as it is read, so building over 57k chunks holds tens of megabytes of token ids
instead of every record with its text and token strings (gigabytes at 100x the sample).
"""

from __future__ import annotations

import json
import logging
import shutil
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.store import IndexUnavailable, atomic_write, rebuild_hint

META_FIELDS = ("doc_id", "region", "year", "source", "title")


@dataclass
class Bm25Index:
    """bm25s retriever plus the chunk id and filter metadata of each row."""

    ids: list[str]
    meta: list[dict[str, Any]]
    generation: str
    retriever: Any = None

    @classmethod
    def build(cls, records: Iterable[dict[str, Any]], generation: str) -> Bm25Index:
        """Index chunk records (each with ``id``, ``tokens`` and ``metadata``), read once.

        ``records`` may be a generator: only ids, filter metadata and token ids are kept, so
        memory grows with the token count, not with the records. Scores equal those of
        indexing the token strings (bm25s only renumbers the vocabulary).
        """
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it forces DEBUG on import
        ids: list[str] = []
        meta: list[dict[str, Any]] = []
        vocab: dict[str, int] = {}
        docs: list[Any] = []  # array("i") per chunk: 4 bytes a token
        for r in records:
            ids.append(r["id"])
            meta.append({k: r["metadata"].get(k) for k in META_FIELDS})
            docs.append(
                array("i", [vocab.setdefault(t, len(vocab)) for t in r["tokens"] or ["\u2205"]])
            )
        retriever = None
        if docs:
            retriever = bm25s.BM25(k1=1.2, b=0.75)
            retriever.index((docs, vocab), show_progress=False)
        return cls(ids=ids, meta=meta, generation=generation, retriever=retriever)

    def __len__(self) -> int:
        return len(self.ids)

    def save(self, folder: Path) -> None:
        """Save into ``folder/<generation>`` and switch ``folder/CURRENT`` to it."""
        target = folder / f"gen-{self.generation or 'empty'}"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        if self.retriever is not None:
            self.retriever.save(str(target / "bm25s"))
        atomic_write(
            target / "rows.json",
            json.dumps({"ids": self.ids, "meta": self.meta}, ensure_ascii=False),
        )
        atomic_write(folder / "CURRENT", target.name)
        for old in folder.glob("gen-*"):
            if old.name != target.name:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        """Load the current generation; a broken index raises a message saying how to rebuild."""
        import bm25s

        pointer = folder / "CURRENT"
        if not pointer.exists():
            return cls(ids=[], meta=[], generation="")
        try:
            target = folder / pointer.read_text().strip()
            rows = json.loads((target / "rows.json").read_text(encoding="utf-8"))
            retriever = None
            if rows["ids"]:
                retriever = bm25s.BM25.load(str(target / "bm25s"))
            generation = target.name.removeprefix("gen-")
            return cls(
                ids=rows["ids"], meta=rows["meta"], generation=generation, retriever=retriever
            )
        except Exception as exc:  # any corruption: one clear message, not a traceback loop
            raise IndexUnavailable(
                f"keyword index in {folder} is unreadable ({type(exc).__name__}: {exc}); "
                f"{rebuild_hint(folder.parent)}"
            ) from exc

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every row for the query tokens (zeros for an empty index/query)."""
        if self.retriever is None or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        vocab = self.retriever.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)

    def mask(
        self,
        regions: set[str] | None = None,
        years: set[int] | None = None,
        doc_ids: set[str] | None = None,
    ) -> np.ndarray | None:
        """Boolean row mask for metadata filters (None when there is no filter)."""
        if not (regions or years or doc_ids):
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        for i, m in enumerate(self.meta):
            if (
                (regions and m.get("region") not in regions)
                or (years and m.get("year") not in years)
                or (doc_ids and m.get("doc_id") not in doc_ids)
            ):
                keep[i] = False
        return keep

    def top(
        self, tokens: list[str], k: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k rows by BM25 score (rows with score 0 are not returned)."""
        scores = self.scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        if not len(scores):
            return []
        k = min(k, len(scores))
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [(int(i), float(scores[i])) for i in idx if scores[i] > 0]


__all__ = ["Bm25Index"]
