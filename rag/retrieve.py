"""Hybrid retrieval: dense (Chroma, e5) + BM25 (jieba) fused by weighted reciprocal rank.

LangChain's ``EnsembleRetriever`` does plain weighted RRF; report QA also needs the region a
question names to restrict the search, and target/actual cues to reorder passages, so fusion is
done here and the whole thing is exposed as a LangChain ``BaseRetriever`` for the answer chain.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from core.lexicon import lexicon
from core.records import ChunkMeta, DocumentInfo, Filters, Passage
from core.settings import Settings, get_settings
from core.text import normalize_for_search, short_forms
from index.bm25 import Bm25Index
from index.store import (
    IndexPaths,
    IndexUnavailable,
    forget_client,
    get_collection,
    load_manifest,
    rebuild_hint,
)
from index.terms import get_tokenizer
from models.embeddings import E5Embeddings
from rag.query import QueryInfo, QueryParser

log = logging.getLogger(__name__)


#: how many of the fused chunks (times k) are checked for naming the asked place
WIDER_CHECKED = 4


def _keep_first(
    fused: list[tuple[str, float, int | None, int | None]], k: int
) -> list[tuple[str, float, int | None, int | None]]:
    """The top ``k`` of the fusion, with the keyword retriever's first hit kept in them: a
    chunk holding the question's exact words that the dense one missed entirely (a report's
    opening paragraph, embedded with its title and preamble) would otherwise fall out."""
    top = fused[:k]
    first = next((f for f in fused if f[3] == 1), None)
    if first is None or first in top or first[2] is not None or not top:
        return top
    return [*top[:-1], first]


class Searcher:
    """Loads the index once and answers searches; safe to share between threads."""

    def __init__(self, settings: Settings | None = None, embeddings: E5Embeddings | None = None):
        self.settings = settings or get_settings()
        self.embeddings = embeddings or E5Embeddings(self.settings)
        self.paths = IndexPaths(self.settings.index_dir)
        self._lock = threading.Lock()
        self._generation: str | None = None
        self.bm25 = Bm25Index(ids=[], meta=[], generation="")
        self.parser = QueryParser([])
        self._collection: Any = None
        self.documents: list[DocumentInfo] = []
        self._parent_of: dict[str, set[str]] = {}  # region -> parents with documents
        self.reload()

    # -- index state -------------------------------------------------------------------------

    def reload(self, force: bool = False) -> None:
        """(Re)load the BM25 side and document list if the index changed since last time."""
        pointer = self.paths.bm25 / "CURRENT"
        generation = pointer.read_text().strip() if pointer.exists() else ""
        with self._lock:
            if generation == self._generation and not force:
                return
            manifest = load_manifest(self.paths)
            bm25 = Bm25Index.load(self.paths.bm25)
            docs = [
                DocumentInfo.from_mapping({**d, "source": entry.source, "file_key": key})
                for key, entry in manifest.files.items()
                for d in entry.documents
            ]
            regions = {d.region for d in docs if d.region}
            regions |= {d.parent_region for d in docs if d.parent_region}
            words = set(regions)
            if self.paths.userdict.exists():
                words |= set(self.paths.userdict.read_text(encoding="utf-8").split())
            get_tokenizer(words)
            self.bm25, self.documents = bm25, docs
            own = {d.region for d in docs if d.region}
            self._parent_of = {}
            for d in docs:  # (a parent with documents of its own; see _parents)
                if d.region and d.parent_region in own and d.parent_region != d.region:
                    self._parent_of.setdefault(d.region, set()).add(d.parent_region)
            self.parser = QueryParser(d.region for d in docs if d.region)
            self._id_set = set(bm25.ids)
            self._row = {cid: i for i, cid in enumerate(bm25.ids)}
            if self._generation is not None:
                # a commit, maybe by another process (the server's ingest worker, a CLI
                # ingest): this process's vector index would not find its new vectors
                forget_client(self.settings)
                self._collection = self._reopened()
            self._generation = generation

    def _reopened(self) -> Any:
        """The store opened afresh now, by whoever noticed the commit (in the server, the
        upload's thread), so the next question does not pay the reopen (60 ms of a 200 ms
        answer, measured beside an upload); ``None`` leaves a failing open to that question,
        which reports it."""
        try:
            collection = get_collection(self.settings, self.embeddings)
            # the vector index loads on its first query: make that one here too
            first = collection.get(limit=1, include=["embeddings"])["embeddings"]
            if first is not None and len(first):
                collection.query(query_embeddings=[first[0]], n_results=1, include=[])
            return collection
        except Exception:  # reported by the next search, with its remedy
            return None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = get_collection(self.settings, self.embeddings)
        return self._collection

    def __len__(self) -> int:
        return len(self.bm25)

    def idf(self, tokens: set[str]) -> dict[str, float]:
        """Inverse document frequency of tokens in the keyword index (unknown tokens: max)."""
        n = max(1, len(self.bm25))
        retriever = self.bm25.retriever
        out: dict[str, float] = {}
        if retriever is None:
            return {t: 1.0 for t in tokens}
        vocab, indptr = retriever.vocab_dict, retriever.scores["indptr"]
        for t in tokens:
            tid = vocab.get(t)
            ok = tid is not None and tid + 1 < len(indptr)
            df = int(indptr[tid + 1] - indptr[tid]) if ok else 0
            out[t] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return out

    # -- search ------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
        timings: dict[str, float] | None = None,
    ) -> list[Passage]:
        """Top-k passages for ``query`` (hybrid unless ``mode`` says dense or bm25)."""
        self.reload()
        if not len(self.bm25):
            raise IndexUnavailable(
                f"the index in {self.settings.index_dir} is empty; run `python -m ingest data/` "
                "(or `make run`, which ingests data/ first)"
            )
        s = self.settings
        k = k or s.top_k
        mode = mode or s.retriever
        filters = filters or Filters()
        info = self.parser.parse(query)
        asked = set() if filters.regions else set(info.regions)
        wider = self._parents(asked)
        regions = set(filters.regions) or asked | wider
        years = set(filters.years)
        doc_ids = set(filters.doc_ids)
        fetch = max(s.fetch_k, k)
        t0 = time.perf_counter()
        dense: list[str] = []
        if mode in ("hybrid", "dense"):
            dense = self._dense(query, fetch, regions, years, doc_ids)
            if not dense and regions and not filters.regions:
                dense = self._dense(query, fetch, set(), years, doc_ids)
        t1 = time.perf_counter()
        lexical: list[tuple[int, float]] = []
        if mode in ("hybrid", "bm25"):
            lexical = self._lexical(info, fetch, regions, years, doc_ids)
            if not lexical and regions and not filters.regions:
                lexical = self._lexical(info, fetch, set(), years, doc_ids)
        t2 = time.perf_counter()
        fused = self._fuse(dense, [self.bm25.ids[i] for i, _ in lexical], info, mode)
        if wider:
            fused = self._naming(fused, asked, WIDER_CHECKED * k)
        top = _keep_first(fused, k)
        passages = self._hydrate(top)
        if timings is not None:
            timings["dense_ms"] = (t1 - t0) * 1000
            timings["bm25_ms"] = (t2 - t1) * 1000
            timings["retrieve_ms"] = (time.perf_counter() - t0) * 1000
        return passages

    def _parents(self, regions: set[str]) -> set[str]:
        """The places above the asked ones that have documents of their own: a city's report
        states its districts' figures too ("分县区看，某区优良天数比例86.9%"), which the
        district's own report may not."""
        return {p for r in regions for p in self._parent_of.get(r, ())} - regions

    def _naming(
        self, fused: list[tuple[str, float, int | None, int | None]], asked: set[str], n: int
    ) -> list[tuple[str, float, int | None, int | None]]:
        """The fusion without the chunks of a wider place's documents that never name the
        asked place: those hold the wider place's own figures (全市…), not the asked one's.
        The first ``n`` are checked; the rest stay as they are."""
        head = fused[:n]
        chunks = {p.id: p for p in self._hydrate(head)}
        forms = {f for r in asked for f in short_forms(r)}

        def kept(cid: str) -> bool:
            p = chunks.get(cid)
            return p is None or p.meta.region in asked or any(f in p.text for f in forms)

        return [f for f in head if kept(f[0])] + fused[n:]

    def _dense(
        self, query: str, n: int, regions: set[str], years: set[int], doc_ids: set[str]
    ) -> list[str]:
        clauses: list[dict[str, Any]] = []
        if regions:
            clauses.append({"region": {"$in": sorted(regions)}})
        if years:
            clauses.append({"year": {"$in": sorted(years)}})
        if doc_ids:
            clauses.append({"doc_id": {"$in": sorted(doc_ids)}})
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        vector = self.embeddings.embed_query(query)
        try:
            result = self.collection.query(
                query_embeddings=[vector], n_results=n, where=where, include=["distances"]
            )
        except IndexUnavailable:
            raise  # the store cannot be opened at all: passages could not be read either
        except Exception as exc:  # a vector index left unfinished by a killed ingest
            log.warning(
                "dense search unavailable (%s); using keyword search only. "
                "Re-run `python -m ingest <folder>` to repair the index.",
                exc,
            )
            return []
        return [cid for cid in result["ids"][0] if cid in self._id_set]

    def _lexical(
        self, info: QueryInfo, n: int, regions: set[str], years: set[int], doc_ids: set[str]
    ) -> list[tuple[int, float]]:
        tokens = get_tokenizer().tokens(info.keyword_text)
        mask = self.bm25.mask(regions or None, years or None, doc_ids or None)
        return self.bm25.top(tokens, n, mask)

    def _fuse(
        self, dense: list[str], lexical: list[str], info: QueryInfo, mode: str
    ) -> list[tuple[str, float, int | None, int | None]]:
        s = self.settings
        scores: dict[str, float] = {}
        d_rank = {cid: r for r, cid in enumerate(dense, 1)}
        b_rank = {cid: r for r, cid in enumerate(lexical, 1)}
        wd = s.dense_weight if mode != "bm25" else 0.0
        wb = s.bm25_weight if mode != "dense" else 0.0
        for cid, r in d_rank.items():
            scores[cid] = scores.get(cid, 0.0) + wd / (s.rrf_k + r)
        for cid, r in b_rank.items():
            scores[cid] = scores.get(cid, 0.0) + wb / (s.rrf_k + r)
        if mode == "hybrid" and (info.wants_target or info.wants_actual):
            lex = lexicon()
            cues = lex.target_text if info.wants_target else lex.actual_text
            unit = s.intent_boost / (s.rrf_k + 1)
            texts = self._texts(list(scores))
            for cid in scores:
                if any(c in texts.get(cid, "") for c in cues):
                    scores[cid] += unit
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return [(cid, sc, d_rank.get(cid), b_rank.get(cid)) for cid, sc in ranked]

    def document_chunks(self, doc_id: str) -> list[tuple[str, ChunkMeta]]:
        """(chunk id, metadata) of every chunk of one document, in document order: its outline."""
        got = self._get(None, ["metadatas"], where={"doc_id": doc_id})
        metas = zip(got["ids"], got["metadatas"], strict=False)
        pairs = [(cid, ChunkMeta.from_mapping(m)) for cid, m in metas]
        return sorted(pairs, key=lambda p: p[1].start)

    def passages(self, ids: list[str]) -> list[Passage]:
        """Stored chunks by id (score 0), in the order asked, each once."""
        return self._hydrate([(cid, 0.0, None, None) for cid in dict.fromkeys(ids)])

    def _texts(self, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        got = self._get(ids, ["documents"])
        return {
            cid: normalize_for_search(doc or "")
            for cid, doc in zip(got["ids"], got["documents"], strict=False)
        }

    def _get(self, ids: list[str] | None, include: list[str], where: dict | None = None) -> Any:
        """Chunk texts from Chroma; a store that fails here is damaged beyond the keyword-only
        fallback (it holds the passage texts), so say how to rebuild instead of a 500."""
        try:
            return self.collection.get(ids=ids, where=where, include=include)
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise IndexUnavailable(
                f"vector store in {self.paths.chroma} cannot be read "
                f"({type(exc).__name__}: {exc}); {rebuild_hint(self.paths.root)}"
            ) from exc

    def _hydrate(self, ranked: list[tuple[str, float, int | None, int | None]]) -> list[Passage]:
        if not ranked:
            return []
        ids = [cid for cid, *_ in ranked]
        got = self._get(ids, ["documents", "metadatas"])
        by_id = {
            cid: (doc, meta)
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=False)
        }
        out = []
        for cid, score, dr, br in ranked:
            if cid in by_id:
                doc, meta = by_id[cid]
                out.append(Passage(cid, doc or "", ChunkMeta.from_mapping(meta), score, dr, br))
        return out


class ReportQARetriever(BaseRetriever):
    """ReportQA's hybrid, region-aware retrieval as a LangChain ``BaseRetriever``.

    Composes in LCEL like any retriever (``retriever | format_docs``); each ``Document``
    carries the passage's title, region, year, heading, source file and ``start``/``end``
    offsets in that file, plus ``id`` and ``score``. A region named in the query narrows the
    search by itself; ``filters`` pins regions, years or documents for every query.

    ``ReportQARetriever.from_settings(region="…", year=2021)`` opens the local index
    (``REPORTQA_INDEX_DIR``); pass ``searcher=`` to share an already loaded one.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: Searcher
    k: int | None = None
    filters: Filters | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        k: int | None = None,
        region: str | list[str] | None = None,
        year: int | list[int] | None = None,
        doc_id: str | list[str] | None = None,
        embeddings: E5Embeddings | None = None,
    ) -> ReportQARetriever:
        """A retriever over the index of ``settings`` (default: the environment's)."""
        filters = Filters.from_dict({"region": region, "year": year, "doc_id": doc_id})
        return cls(searcher=Searcher(settings, embeddings=embeddings), k=k, filters=filters)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        passages = self.searcher.search(query, k=self.k, filters=self.filters)
        return [
            LCDocument(
                id=p.id,
                page_content=p.text,
                metadata={**p.metadata, "id": p.id, "score": p.score},
            )
            for p in passages
        ]


ReportRetriever = ReportQARetriever  # the earlier name, kept for existing callers


__all__ = ["Filters", "Passage", "ReportQARetriever", "ReportRetriever", "Searcher"]
