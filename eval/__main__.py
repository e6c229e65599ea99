"""``python -m eval``: score ReportQA's retrieval and answers against ``eval/gold.jsonl``.

Models and the index load once per run; the index is refreshed first (a no-op when ``data/``
has not changed) so the scores always describe the current corpus. Results go to
``eval/results/<run>.json`` and ``.md`` with PNG charts; ``--compare`` prints deltas against the
committed reference ``eval/results/baseline.json`` and ``--fail-under`` turns the bars in
``eval/thresholds.toml`` into an exit code.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.score import (
    DIFFICULTY_ORDER,
    CitationRef,
    SpanRef,
    answer_correct,
    answers_summary,
    bars_for,
    check_thresholds,
    citation_supports,
    evidence_spans,
    first_hit_rank,
    flat_metrics,
    is_hit,
    load_gold,
    load_thresholds,
    read_source,
    retrieval_query,
    retrieval_summary,
    select_questions,
)

EVAL_DIR = Path(__file__).resolve().parent
RESULTS_DIR = EVAL_DIR / "results"
REFERENCE = RESULTS_DIR / "baseline.json"
K = 10
SHOWN_PASSAGES = 3
WORST = 10
# Attribute / key names under which an answer result may expose its standalone rewrite of a
# follow-up question; the first non-empty one is used as the retrieval query.
REWRITE_FIELDS = ("standalone_question", "standalone", "rewritten_question")

log = logging.getLogger("eval")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m eval",
        description="Score ReportQA retrieval and answers on the gold question set.",
    )
    p.add_argument("--retriever", choices=["hybrid", "dense", "bm25"], default="hybrid")
    p.add_argument(
        "--llm",
        choices=["local", "extractive", "openai", "none"],
        default="extractive",
        help="answer backend (default extractive: fast and deterministic); none = retrieval only",
    )
    p.add_argument("--limit", type=int, default=None, help="score only the first N questions")
    p.add_argument("--ids", default=None, help="comma-separated question ids, e.g. q001,q002")
    p.add_argument(
        "--subset",
        default=None,
        help="stratified-48: a fixed subset with equal parts per type (for slow LLMs)",
    )
    p.add_argument("--index-dir", type=Path, default=None, help="index folder (default: settings)")
    p.add_argument("--data-dir", type=Path, default=None, help="corpus folder (default: settings)")
    p.add_argument("--gold", type=Path, default=EVAL_DIR / "gold.jsonl")
    p.add_argument(
        "--no-ingest",
        action="store_true",
        help="score the index as it is instead of refreshing it from the data folder",
    )
    p.add_argument(
        "--baseline",
        action="store_true",
        help="also score the LangChain tutorial baseline's retrieval",
    )
    p.add_argument(
        "--compare",
        nargs="?",
        const=REFERENCE,
        default=None,
        type=Path,
        metavar="PATH",
        help=f"print deltas against a result JSON (default {REFERENCE})",
    )
    p.add_argument(
        "--fail-under",
        action="store_true",
        help="exit 1 if a metric misses its bar in the thresholds file",
    )
    p.add_argument("--thresholds", type=Path, default=EVAL_DIR / "thresholds.toml")
    p.add_argument("--out-dir", type=Path, default=RESULTS_DIR)
    p.add_argument("--name", default=None, help="run name (default from the options)")
    p.add_argument(
        "--update-baseline",
        action="store_true",
        help="also write this run's JSON as the reference eval/results/baseline.json",
    )
    p.add_argument("--quiet", action="store_true", help="only print the summary")
    return p


def run_name(args: argparse.Namespace) -> str:
    """``<retriever>-<llm>`` plus what narrowed the question set, so runs never overwrite a
    full run's report with a partial one."""
    if args.name:
        return args.name
    name = f"{args.retriever}-{args.llm}"
    if args.subset:
        name += f"-{args.subset}"
    if args.ids:
        name += "-ids"
    if args.limit is not None:
        name += f"-limit{args.limit}"
    return name


# --------------------------------------------------------------------------------------------
# per-question scoring
# --------------------------------------------------------------------------------------------


def passage_view(p: Any, gold_source: str, spans: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """What the report shows of a retrieved passage (works for ReportQA and baseline hits)."""
    meta = getattr(p, "metadata", None) or {}
    source = meta.get("source", getattr(p, "source", ""))
    start = meta.get("start", getattr(p, "start", None))
    end = meta.get("end", getattr(p, "end", None))
    return {
        "source": source,
        "start": start,
        "end": end,
        "title": meta.get("title", ""),
        "heading": meta.get("heading", ""),
        "text": " ".join((getattr(p, "text", "") or "")[:60].split()),
        "hit": is_hit(source, start, end, gold_source, spans),
    }


def span_refs(passages: Sequence[Any]) -> list[SpanRef]:
    refs = []
    for p in passages:
        meta = getattr(p, "metadata", None)
        if meta is not None:
            refs.append(SpanRef(meta.get("source", ""), meta.get("start"), meta.get("end")))
        else:
            refs.append(SpanRef(p.source, p.start, p.end))
    return refs


def rewritten_question(result: Any) -> str | None:
    """The standalone question the answerer searched with, if its result exposes one."""
    data: dict[str, Any] = {}
    if hasattr(result, "as_dict"):
        try:
            data = result.as_dict() or {}
        except Exception:  # a broken as_dict must not sink the run; attributes still work
            data = {}
    for name in REWRITE_FIELDS:
        value = getattr(result, name, None) or data.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _field(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a result object or of its dict form (the API returns dicts)."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def citation_ref(c: Any) -> CitationRef:
    """The span and quote of a citation object or dict."""
    return CitationRef(
        source=_field(c, "source") or "",
        start=_field(c, "start"),
        end=_field(c, "end"),
        quote=_field(c, "quote") or "",
    )


def score_answer(
    item: dict[str, Any], result: Any, spans: Sequence[tuple[int, int]], wall_ms: float
) -> dict[str, Any]:
    """The answer record of one question: correctness, refusal, citation support, latency."""
    text = getattr(result, "answer", "") or ""
    refused = bool(getattr(result, "refused", False))
    citations = list(getattr(result, "citations", None) or [])
    refs = [citation_ref(c) for c in citations]
    unanswerable = item["type"] == "unanswerable" or not item.get("answers")
    supports = [citation_supports(item, ref, spans) for ref in refs]
    citation_ok = None if (refused or unanswerable) else any(supports)
    timings = dict(getattr(result, "timings", None) or {})
    return {
        "answer": text,
        "refused": refused,
        "correct": answer_correct(item, text, refused),
        "unanswerable": unanswerable,
        "citation_ok": citation_ok,
        "citations": [
            {**ref.__dict__, "quote": ref.quote[:120], "supports": ok, "verified": verified}
            for ref, ok, verified in zip(
                refs, supports, [_field(c, "verified") for c in citations], strict=True
            )
        ],
        "total_ms": float(timings.get("total_ms") or wall_ms),
        "timings": {
            k: round(float(v), 1) for k, v in timings.items() if isinstance(v, int | float)
        },
    }


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------


class Evaluation:
    """One scoring run: loads what it needs once, then scores every selected question."""

    def __init__(self, args: argparse.Namespace, say: Callable[[str], None]) -> None:
        self.args = args
        self.say = say
        self.load_at_start: float | None = None

    def settings(self) -> Any:
        from core.settings import get_settings

        update: dict[str, Any] = {"retriever": self.args.retriever}
        if self.args.llm != "none":
            update["llm"] = self.args.llm
        if self.args.index_dir is not None:
            update["index_dir"] = self.args.index_dir.resolve()
        if self.args.data_dir is not None:
            update["data_dir"] = self.args.data_dir.resolve()
        return get_settings().model_copy(update=update)

    def run(self) -> dict[str, Any]:
        from models.embeddings import E5Embeddings

        args = self.args
        started = time.perf_counter()
        self.load_at_start = os.getloadavg()[0]
        settings = self.settings()
        items = select_questions(
            load_gold(args.gold),
            ids=[i.strip() for i in args.ids.split(",") if i.strip()] if args.ids else None,
            subset=args.subset,
            limit=args.limit,
        )
        if not items:
            raise ValueError("no questions selected")
        data_dir = Path(settings.data_dir)
        sources = {it["source"] for it in items if it["source"]}
        texts = {src: read_source(data_dir / src) for src in sources}
        spans = {it["id"]: evidence_spans(it, texts) for it in items}
        missing = [it["id"] for it in items if it.get("evidence") and not spans[it["id"]]]
        if missing:
            raise ValueError(f"evidence not found in its source file for {', '.join(missing)}")

        embeddings = E5Embeddings(settings)
        ingest_s = 0.0
        if not args.no_ingest:
            from ingest.index import Ingestor

            t = time.perf_counter()
            summary = Ingestor(settings, embeddings=embeddings, progress=False).run([data_dir])
            ingest_s = time.perf_counter() - t
            self.say(
                f"index {settings.index_dir}: {summary.total_chunks} chunks "
                f"({summary.chunks_added} added) in {ingest_s:.1f} s"
            )

        from rag.retrieve import Searcher

        searcher = Searcher(settings, embeddings=embeddings)
        # Warm-up with real queries: model, tokenizer and filter paths load outside the latency.
        for item in items[:2]:
            searcher.search(retrieval_query(item), k=K, mode=args.retriever)

        records = [self._record(it) for it in items]
        answers_s = 0.0
        if args.llm != "none":
            t = time.perf_counter()
            self._answer(settings, searcher, items, records, spans)
            answers_s = time.perf_counter() - t

        rewrite = None if args.llm != "none" else self._rewriter(settings, searcher)
        t = time.perf_counter()
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
            rec["rank"] = (
                None
                if rec["unanswerable"]
                else first_hit_rank(span_refs(passages), item["source"], spans[item["id"]], K)
            )
            rec["retrieved"] = [
                passage_view(p, item["source"], spans[item["id"]])
                for p in passages[:SHOWN_PASSAGES]
            ]
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

    @staticmethod
    def _record(item: dict[str, Any]) -> dict[str, Any]:
        return {
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

    def _answer(
        self,
        settings: Any,
        searcher: Any,
        items: list[dict[str, Any]],
        records: list[dict[str, Any]],
        spans: dict[str, list[tuple[int, int]]],
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
        spans: dict[str, list[tuple[int, int]]],
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
                    gold = item["source"], spans[item["id"]]
                    rec["baseline_rank"] = first_hit_rank(hits, *gold, K)
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
        result: dict[str, Any] = {
            "run": run_name(args),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "n_questions": len(items),
            "question_ids": [it["id"] for it in items],
            "selection": ", ".join(
                s
                for s in (
                    f"ids {args.ids}" if args.ids else "",
                    f"subset {args.subset}" if args.subset else "",
                    f"limit {args.limit}" if args.limit is not None else "",
                )
                if s
            ),
            "machine": machine_info(self.load_at_start),
            "options": {
                "retriever": args.retriever,
                "llm": args.llm,
                "k": K,
                "gold": _display_path(args.gold),
                "index_dir": _display_path(Path(settings.index_dir)),
                "top_k": settings.top_k,
                "fetch_k": settings.fetch_k,
                "dense_weight": settings.dense_weight,
                "bm25_weight": settings.bm25_weight,
                "rrf_k": settings.rrf_k,
                "chunk_tokens": settings.chunk_tokens,
            },
            "retrieval": retrieval_summary(records, "rank", "retrieve_ms"),
            "answers": None,
            "peer_baseline": peer,
        }
        if args.llm != "none":
            result["answers"] = answers_summary(records)
        result["worst_misses"] = worst_misses(records, answered=args.llm != "none")
        result["questions"] = records
        return result


def worst_misses(records: list[dict[str, Any]], answered: bool, n: int = WORST) -> list[dict]:
    """The ``n`` worst failures: wrong answers first, then by how badly retrieval missed
    (not in the top 10 is worst), easy questions before hard ones (missing those hurts most)."""

    def level(r: dict[str, Any]) -> int:
        if r["unanswerable"]:
            return 0
        return K + 1 if r.get("rank") is None else r["rank"]

    def is_miss(r: dict[str, Any]) -> bool:
        if answered and not r.get("correct"):
            return True
        return not r["unanswerable"] and level(r) > 1

    difficulty = {d: i for i, d in enumerate(DIFFICULTY_ORDER)}
    ranked = sorted(
        (r for r in records if is_miss(r)),
        key=lambda r: (
            bool(r.get("correct")) if answered else True,
            -level(r),
            difficulty.get(r["difficulty"], 9),
            r["id"],
        ),
    )
    keys = (
        "id",
        "question",
        "type",
        "difficulty",
        "answers",
        "title",
        "unanswerable",
        "query",
        "rank",
        "retrieved",
        "baseline_rank",
        "answer",
        "refused",
        "correct",
    )
    return [{k: r[k] for k in keys if k in r} for r in ranked[:n]]


def machine_info(load_avg: float | None = None) -> dict[str, Any]:
    """What latency figures depend on: cores, torch threads and how busy the machine was.

    A single query embedding takes tens of milliseconds on an idle machine but can take a
    second when torch's threads compete with other processes, so a latency delta between two
    runs means little without this.
    """
    load = os.getloadavg()[0] if load_avg is None else load_avg
    info: dict[str, Any] = {"cpus": os.cpu_count(), "load_avg_1m_at_start": round(load, 2)}
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    return info


def _display_path(path: Path) -> str:
    """Paths inside the project are shown relative to it, so committed results are portable."""
    try:
        return str(Path(path).resolve().relative_to(EVAL_DIR.parent))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------------------------


def summary_text(result: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    from eval.report import fmt

    r = result["retrieval"]["overall"]
    peer = ((result.get("peer_baseline") or {}).get("retrieval") or {}).get("overall")
    lines = [f"{result['run']}: {result['n_questions']} questions in {result['seconds']:.1f} s"]
    line = "retrieval  " + "  ".join(
        f"{m} {fmt(r.get(m))}" for m in ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10")
    )
    lines.append(line)
    if peer:
        lines.append(
            "baseline   "
            + "  ".join(
                f"{m} {fmt(peer.get(m))}" for m in ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10")
            )
        )
    lat = result["retrieval"]["latency"]
    p50, p95 = fmt(lat["p50_ms"], 1), fmt(lat["p95_ms"], 1)
    lines.append(f"latency    retrieve p50 {p50} ms  p95 {p95} ms")
    if result.get("answers"):
        a = result["answers"]["overall"]
        al = result["answers"]["latency"]
        lines.append(
            "answers    "
            + "  ".join(
                f"{m} {fmt(a.get(m))}"
                for m in (
                    "accuracy",
                    "citation_precision",
                    "refusal_precision",
                    "refusal_recall",
                    "false_refusal_rate",
                )
            )
        )
        p50, p95 = fmt(al["p50_ms"], 1), fmt(al["p95_ms"], 1)
        lines.append(f"latency    answer p50 {p50} ms  p95 {p95} ms")
    return "\n".join(lines)


def dump_result(result: dict[str, Any]) -> str:
    """The result as JSON: summaries indented, one line per question, so a committed reference
    stays compact and its diffs show which questions changed."""
    head = {k: v for k, v in result.items() if k not in ("questions", "question_ids")}
    text = json.dumps(head, ensure_ascii=False, indent=1)
    ids = json.dumps(result.get("question_ids") or [])
    lines = [json.dumps(q, ensure_ascii=False) for q in result.get("questions") or []]
    body = "[\n  " + ",\n  ".join(lines) + "\n ]" if lines else "[]"
    return text[:-2] + f',\n "question_ids": {ids},\n "questions": {body}\n}}\n'


def write_outputs(
    result: dict[str, Any],
    out_dir: Path,
    compare_text: str | None,
    reference: dict[str, Any] | None,
) -> dict[str, Path]:
    from eval.report import make_charts, render_markdown

    out_dir.mkdir(parents=True, exist_ok=True)
    name = result["run"]
    charts = make_charts(result, out_dir, name, reference)
    result["charts"] = charts
    json_path, md_path = out_dir / f"{name}.json", out_dir / f"{name}.md"
    json_path.write_text(dump_result(result), encoding="utf-8")
    md_path.write_text(render_markdown(result, charts, compare_text), encoding="utf-8")
    return {"json": json_path, "md": md_path, **{k: out_dir / v for k, v in charts.items()}}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from models.packages import ModelError, configure_offline

    configure_offline()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    def say(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    from index.store import IndexUnavailable

    try:
        result = Evaluation(args, say).run()
    except (IndexUnavailable, ModelError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    reference = None
    compare_text = None
    ref_path = args.compare
    if ref_path is not None:
        if ref_path.is_file():
            from eval.report import format_compare

            reference = json.loads(ref_path.read_text(encoding="utf-8"))
            compare_text = format_compare(result, reference, _display_path(ref_path))
        else:
            print(f"note: no reference result at {ref_path}; nothing to compare", file=sys.stderr)
    elif REFERENCE.is_file():
        reference = json.loads(REFERENCE.read_text(encoding="utf-8"))  # only for the chart

    paths = write_outputs(result, args.out_dir, compare_text, reference)
    if args.update_baseline:
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        REFERENCE.write_text(paths["json"].read_text(encoding="utf-8"), encoding="utf-8")
        paths["reference"] = REFERENCE
    print(summary_text(result))
    if compare_text:
        print(compare_text)
    print("wrote " + ", ".join(_display_path(p) for p in paths.values()))

    if args.fail_under:
        bars = bars_for(load_thresholds(args.thresholds), args.retriever, args.llm)
        check = check_thresholds(flat_metrics(result), bars)
        for note in check.notes:
            print(f"note: {note}", file=sys.stderr)
        if not check.ok:
            for failure in check.failures:
                print(f"FAIL {failure}", file=sys.stderr)
            print(
                f"{len(check.failures)} metric(s) missed their bars in "
                f"{_display_path(args.thresholds)}",
                file=sys.stderr,
            )
            return 1
        print(f"all {check.checked} bars in {_display_path(args.thresholds)} met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
