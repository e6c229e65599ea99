"""Command line of ``python -m eval``: options, the run, its outputs and the exit code."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from eval.corpora import CORPORA
from eval.output import (
    REFERENCE,
    RESULTS_DIR,
    display_path,
    summary_text,
    write_outputs,
)
from eval.score import Bar, bars_for, check_thresholds, flat_metrics, load_thresholds

EVAL_DIR = Path(__file__).resolve().parent
READER_METRICS = (
    "answerability_precision",
    "answerability_recall",
    "selective_accuracy",
    "list_item_recall",
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m eval",
        description="Score ReportQA retrieval and answers on a gold question set.",
    )
    p.add_argument(
        "--corpus",
        choices=CORPORA,
        default="own",
        help="own: eval/gold.jsonl over data/ (default); reports: eval/gold_reports.jsonl over "
        "the external reports; rgb: the external RGB dev sample. Each has its own index.",
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
    p.add_argument("--index-dir", type=Path, default=None, help="index folder (default: corpus)")
    p.add_argument("--data-dir", type=Path, default=None, help="corpus folder (default: corpus)")
    p.add_argument("--gold", type=Path, default=None, help="question file (default: corpus)")
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


def metrics_of(result: dict[str, Any]) -> dict[str, float | None]:
    """Headline metrics under the thresholds file's names, reading metrics included."""
    out = flat_metrics(result)
    reader = result.get("reader") or {}
    for name in READER_METRICS:
        if name in reader:
            out[name] = reader[name]
    return out


def corpus_bars(thresholds: dict[str, Any], corpus: str, retriever: str, llm: str) -> list[Bar]:
    """The own gold set's bars are the file's top-level tables; another corpus's live under
    ``[corpus.<name>]`` with the same layout (``[corpus.reports.extractive]`` …)."""
    if corpus == "own":
        return bars_for(thresholds, retriever, llm)
    return bars_for((thresholds.get("corpus") or {}).get(corpus) or {}, retriever, llm)


def _reference(args: argparse.Namespace, result: dict[str, Any]) -> tuple[Any, str | None]:
    """The reference result (for --compare and the baseline curve) and the delta table."""
    own = result.get("corpus", "own") == "own"
    ref_path = args.compare
    if ref_path is not None and not own and ref_path == REFERENCE:
        print("note: the reference run scores the own gold set; pass a path", file=sys.stderr)
        return None, None
    if ref_path is not None:
        if not ref_path.is_file():
            print(f"note: no reference result at {ref_path}; nothing to compare", file=sys.stderr)
            return None, None
        from eval.report import format_compare

        reference = json.loads(ref_path.read_text(encoding="utf-8"))
        return reference, format_compare(result, reference, display_path(ref_path))
    if own and REFERENCE.is_file():
        return json.loads(REFERENCE.read_text(encoding="utf-8")), None  # only for the chart
    return None, None


def _gate(args: argparse.Namespace, result: dict[str, Any]) -> int:
    """``--fail-under``: 1 if a bar is missed, else 0."""
    corpus = result.get("corpus", "own")
    bars = corpus_bars(load_thresholds(args.thresholds), corpus, args.retriever, args.llm)
    if not bars:
        print(f"note: no bars for corpus {corpus} in {display_path(args.thresholds)}")
        return 0
    check = check_thresholds(metrics_of(result), bars)
    for note in check.notes:
        print(f"note: {note}", file=sys.stderr)
    if not check.ok:
        for failure in check.failures:
            print(f"FAIL {failure}", file=sys.stderr)
        print(
            f"{len(check.failures)} metric(s) missed their bars in {display_path(args.thresholds)}",
            file=sys.stderr,
        )
        return 1
    print(f"all {check.checked} bars in {display_path(args.thresholds)} met")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.update_baseline and args.corpus != "own":
        print("error: --update-baseline writes the own gold set's reference", file=sys.stderr)
        return 2
    from models.packages import ModelError, configure_offline

    configure_offline()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    def say(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    from eval.run import Evaluation
    from index.store import IndexUnavailable

    try:
        result = Evaluation(args, say).run()
    except (IndexUnavailable, ModelError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    reference, compare_text = _reference(args, result)
    paths = write_outputs(result, args.out_dir, compare_text, reference)
    if args.update_baseline:
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        REFERENCE.write_text(paths["json"].read_text(encoding="utf-8"), encoding="utf-8")
        paths["reference"] = REFERENCE
    print(summary_text(result))
    if compare_text:
        print(compare_text)
    print("wrote " + ", ".join(display_path(p) for p in paths.values()))
    return _gate(args, result) if args.fail_under else 0


__all__ = ["build_parser", "corpus_bars", "main", "metrics_of"]
