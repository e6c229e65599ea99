"""One scoring run: load the models and the index once, then score every selected question.

The index is refreshed first (a no-op when the corpus has not changed) so the scores always
describe the current corpus; each corpus has its own index folder (see :mod:`eval.corpora`).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.corpora import Corpus, corpus, load_items
from eval.output import display_path, machine_info
from eval.reader_metrics import reader_summary
from eval.records import (
    K,
    hit_rank,
    passage_view,
    rewritten_question,
    score_answer,
    worst_misses,
)
from eval.score import (
    answers_summary,
    evidence_spans,
    read_source,
    retrieval_query,
    retrieval_summary,
    select_questions,
)

SHOWN_PASSAGES = 3
Spans = dict[str, list[tuple[int, int]]]

log = logging.getLogger("eval")


def run_name(args: argparse.Namespace) -> str:
    """``<retriever>-<llm>`` plus what narrowed the question set, so runs never overwrite a
    full run's report with a partial one; other corpora than the own gold set lead the name."""
    if args.name:
        return args.name
    name = f"{args.retriever}-{args.llm}"
    which = getattr(args, "corpus", None) or "own"
    if which != "own":
        name = f"{which}-{name}"
    if args.subset:
        name += f"-{args.subset}"
    if args.ids:
        name += "-ids"
    if args.limit is not None:
        name += f"-limit{args.limit}"
    return name


def question_record(item: dict[str, Any]) -> dict[str, Any]:
    """The gold side of a question's record (the run fills in what the system did)."""
    record = {
        "id": item["id"],
        "question": item["question"],
        "type": item["type"],
        "difficulty": item["difficulty"],
        "answers": item["answers"],
        "match": item.get("match", "any"),
        "title": item.get("title", ""),
        "source": item.get("source", ""),
        "unanswerable": item["type"] == "unanswerable" or not item.get("answers"),
    }
    if item.get("trap"):
        record["trap"] = item["trap"]
    return record


class Evaluation:
    """One scoring run: loads what it needs once, then scores every selected question."""

    def __init__(self, args: argparse.Namespace, say: Callable[[str], None]) -> None:
        self.args = args
        self.say = say
        self.load_at_start: float | None = None
        self.corpus: Corpus = corpus(getattr(args, "corpus", None) or "own", args.gold)

    def settings(self) -> Any:
        from core.settings import get_settings

        update: dict[str, Any] = {"retriever": self.args.retriever}
        if self.args.llm != "none":
            update["llm"] = self.args.llm
        index_dir = self.args.index_dir or self.corpus.index_dir
        if index_dir is not None:
            update["index_dir"] = Path(index_dir).resolve()
        data_dir = self.args.data_dir or self.corpus.data_dir
        if data_dir is not None:
            update["data_dir"] = Path(data_dir).resolve()
        return get_settings().model_copy(update=update)

    def questions(self, data_dir: Path) -> tuple[list[dict[str, Any]], Spans]:
        """The selected gold items and where each one's evidence lies in its source file."""
        args = self.args
        items = select_questions(
            load_items(self.corpus),
            ids=[i.strip() for i in args.ids.split(",") if i.strip()] if args.ids else None,
            subset=args.subset,
            limit=args.limit,
        )
        if not items:
            raise ValueError("no questions selected")
        sources = {it["source"] for it in items if it["source"] and it.get("evidence")}
        texts = {src: read_source(data_dir / src) for src in sources}
        spans = {it["id"]: evidence_spans(it, texts) for it in items}
        missing = [it["id"] for it in items if it.get("evidence") and not spans[it["id"]]]
        if missing:
            raise ValueError(f"evidence not found in its source file for {', '.join(missing)}")
        return items, spans

    def run(self) -> dict[str, Any]:
        from models.embeddings import E5Embeddings

        args = self.args
        started = time.perf_counter()
        self.load_at_start = os.getloadavg()[0]
        settings = self.settings()
        data_dir = Path(settings.data_dir)
        items, spans = self.questions(data_dir)
        embeddings = E5Embeddings(settings)
        ingest_s = 0.0 if args.no_ingest else self._ingest(settings, embeddings, data_dir)

        from rag.retrieve import Searcher

        searcher = Searcher(settings, embeddings=embeddings)
        # Warm-up with real queries: model, tokenizer and filter paths load outside the latency.
        for item in items[:2]:
            searcher.search(retrieval_query(item), k=K, mode=args.retriever)

        records = [question_record(it) for it in items]
        answers_s = 0.0
        if args.llm != "none":
            t = time.perf_counter()
            self._answer(settings, searcher, items, records, spans)
            answers_s = time.perf_counter() - t

        t = time.perf_counter()
        self._retrieve(settings, searcher, items, records, spans)
        retrieval_s = time.perf_counter() - t

        peer = None
        if args.baseline:
            peer = self._baseline(embeddings, data_dir, items, records, spans)

        result = self._assemble(items, records, peer, settings)
        result["seconds"] = round(time.perf_counter() - started, 2)
        result["phase_seconds"] = {
            "ingest": round(ingest_s, 2),
            "answers": round(answers_s, 2),
            "retrieval": round(retrieval_s, 2),
        }
        return result

    def _ingest(self, settings: Any, embeddings: Any, data_dir: Path) -> float:
        from ingest.index import Ingestor

        t = time.perf_counter()
        # a folder given on the command line is what is asked about, not the corpus's files
        inputs = [data_dir] if self.args.data_dir else self.corpus.ingest_inputs(data_dir)
        summary = Ingestor(settings, embeddings=embeddings, progress=False).run(inputs)
        seconds = time.perf_counter() - t
        self.say(
            f"index {settings.index_dir}: {summary.total_chunks} chunks "
            f"({summary.chunks_added} added) in {seconds:.1f} s"
        )
        return seconds

    def _retrieve(
        self,
        settings: Any,
        searcher: Any,
        items: list[dict[str, Any]],
        records: list[dict[str, Any]],
        spans: Spans,
    ) -> None:
        """Search every question and record where its evidence ranks."""
        args = self.args
        rewrite = None if args.llm != "none" else self._rewriter(settings, searcher)
        for item, rec in zip(items, records, strict=True):
            query = rec.pop("_rewrite", None)
            if query is None and rewrite is not None and item.get("history"):
                query = rewrite(item["question"], item["history"])
            if query:
                rec["query_from"] = "rewrite"
            else:
                query = retrieval_query(item)
                rec["query_from"] = "history" if item.get("history") else "question"
            timings: dict[str, float] = {}
            passages = searcher.search(query, k=K, mode=args.retriever, timings=timings)
            rec["query"] = query
            rec["retrieve_ms"] = float(timings.get("retrieve_ms", 0.0))
            rec["retrieve_timings"] = {k: round(float(v), 1) for k, v in timings.items()}
            gold_spans = spans[item["id"]]
            rec["rank"] = None if rec["unanswerable"] else hit_rank(item, passages, gold_spans)
            rec["retrieved"] = [
                passage_view(p, item["source"], spans[item["id"]])
                for p in passages[:SHOWN_PASSAGES]
            ]

    @staticmethod
    def _rewriter(settings: Any, searcher: Any) -> Callable[[str, list[dict]], str] | None:
        """The answer chain's follow-up rewrite, for retrieval-only runs.

        The app searches with the standalone rewrite of a follow-up, so retrieval is scored on
        it even when no answers are generated. The rewrite is rule-based and needs no LLM; if
        the answer chain is unavailable the scorer falls back to history + question.
        """
        try:
            from rag.answer import Answerer

            answerer = Answerer(settings.model_copy(update={"llm": "extractive"}), searcher)
        except Exception as exc:  # the fallback query is documented and still meaningful
            log.warning("follow-up rewrite unavailable (%s); using history + question", exc)
            return None
        fn = getattr(answerer, "rewrite", None)
        if fn is None:
            return None

        def rewrite(question: str, history: list[dict]) -> str:
            out = fn(question, history)
            return out.strip() if isinstance(out, str) else ""

        return rewrite

    def _answer(
        self,
        settings: Any,
        searcher: Any,
        items: list[dict[str, Any]],
        records: list[dict[str, Any]],
        spans: Spans,
    ) -> None:
        try:
            from rag.answer import Answerer
        except ImportError as exc:
            raise ValueError(
                f"answering is unavailable ({exc}); score retrieval only with --llm none"
            ) from exc

        answerer = Answerer(settings, searcher=searcher)
        # Warm-up: lazy model loads stay out of the latency figures.
        if hasattr(answerer, "warm_up"):
            answerer.warm_up()
        else:
            answerer.ask(items[0]["question"])
        for n, (item, rec) in enumerate(zip(items, records, strict=True), 1):
            history = item.get("history") or []
            t = time.perf_counter()
            try:
                result = answerer.ask(item["question"], history=history)
            except Exception as exc:  # one failing question is a wrong answer, not a lost run
                log.warning("%s: answering failed: %s", item["id"], exc)
                rec.update(
                    answer=f"(error: {type(exc).__name__}: {exc})",
                    refused=False,
                    correct=False,
                    citation_ok=None if rec["unanswerable"] else False,
                    citations=[],
                    total_ms=(time.perf_counter() - t) * 1000,
                    error=True,
                )
                continue
            wall = (time.perf_counter() - t) * 1000
            rec.update(score_answer(item, result, spans[item["id"]], wall))
            if history:
                rewrite = rewritten_question(result)
                if rewrite:
                    rec["_rewrite"] = rewrite
            if n % 20 == 0:
                self.say(f"answered {n}/{len(items)}")

    def _baseline(
        self,
        embeddings: Any,
        data_dir: Path,
        items: list[dict[str, Any]],
        records: list[dict[str, Any]],
        spans: Spans,
    ) -> dict[str, Any]:
        from eval.baseline import CHUNK_OVERLAP, CHUNK_SIZE, BaselinePipeline

        pipeline = BaselinePipeline(embeddings, data_dir).build()
        self.say(f"baseline: {len(pipeline.chunks)} chunks in {pipeline.build_seconds:.1f} s")
        try:
            for item, rec in zip(items, records, strict=True):
                t = time.perf_counter()
                hits = pipeline.search(rec["query"], k=K)
                rec["baseline_ms"] = (time.perf_counter() - t) * 1000
                if not rec["unanswerable"]:
                    rec["baseline_rank"] = hit_rank(item, hits, spans[item["id"]])
                    rec["baseline_retrieved"] = [
                        passage_view(h, item["source"], spans[item["id"]])
                        for h in hits[:SHOWN_PASSAGES]
                    ]
        finally:
            pipeline.close()
        return {
            "pipeline": "RecursiveCharacterTextSplitter + E5Embeddings + Chroma dense top-k",
            "chunk_size": CHUNK_SIZE,
            "chunk_overlap": CHUNK_OVERLAP,
            "chunks": len(pipeline.chunks),
            "build_seconds": round(pipeline.build_seconds, 2),
            "retrieval": retrieval_summary(records, "baseline_rank", "baseline_ms"),
        }

    def _assemble(
        self,
        items: list[dict[str, Any]],
        records: list[dict[str, Any]],
        peer: dict[str, Any] | None,
        settings: Any,
    ) -> dict[str, Any]:
        args = self.args
        answered = args.llm != "none"
        result: dict[str, Any] = {
            "run": run_name(args),
            "corpus": self.corpus.name,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "n_questions": len(items),
            "question_ids": [it["id"] for it in items],
            "selection": selection_text(args),
            "machine": machine_info(self.load_at_start),
            "options": run_options(args, settings, self.corpus),
            "retrieval": retrieval_summary(records, "rank", "retrieve_ms"),
            "answers": answers_summary(records) if answered else None,
            "reader": reader_summary(records) if answered else None,
            "peer_baseline": peer,
        }
        result["worst_misses"] = worst_misses(records, answered=answered)
        result["questions"] = records
        return result


def selection_text(args: argparse.Namespace) -> str:
    parts = (
        f"ids {args.ids}" if args.ids else "",
        f"subset {args.subset}" if args.subset else "",
        f"limit {args.limit}" if args.limit is not None else "",
    )
    return ", ".join(s for s in parts if s)


def run_options(args: argparse.Namespace, settings: Any, c: Corpus) -> dict[str, Any]:
    """The options a result depends on, recorded with it."""
    return {
        "retriever": args.retriever,
        "llm": args.llm,
        "k": K,
        "gold": display_path(c.gold),
        "index_dir": display_path(Path(settings.index_dir)),
        "top_k": settings.top_k,
        "fetch_k": settings.fetch_k,
        "dense_weight": settings.dense_weight,
        "bm25_weight": settings.bm25_weight,
        "rrf_k": settings.rrf_k,
        "chunk_tokens": settings.chunk_tokens,
    }


__all__ = ["Evaluation", "question_record", "run_name"]
