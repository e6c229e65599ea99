"""``python -m eval.cross``: questions across reports, and the extraction check behind them.

Cross-report questions (``eval/cross_gold.jsonl``: tables, rankings, filters, two-place
comparisons, a trend) are answered by :func:`rag.table_answer.answer_from_table` on the index
in ``REPORTQA_INDEX_DIR`` (build it with ``python -m ingest data/``) and scored per expected
(place, value) pair: a pair counts when the table has a row for the place with that value
(``null``: a row saying the report has no such figure). A question fails outright when it lists
a place it excludes. The extraction check (``eval.cross_extraction``) scores the extracted
records against the hand labels. ``--fail-under`` exits non-zero below the bars.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.records import TableAnswer
from core.settings import get_settings
from eval.cross_extraction import score_extraction
from index.store import IndexPaths, load_manifest
from ingest.extract_indicators import sync_indicators
from ingest.index import index_lock
from rag.table_answer import answer_from_table

GOLD = Path(__file__).with_name("cross_gold.jsonl")
RESULTS = Path(__file__).with_name("results") / "cross.json"
BARS = {"pair_recall": 0.90, "precision": 0.97, "recall": 0.90}
MAX_P50_MS = 2000.0


@dataclass
class CrossCase:
    id: str
    type: str
    question: str
    expected: list[tuple[str, float | None]]
    excluded: list[str] = field(default_factory=list)
    top: str = ""


@dataclass
class CaseResult:
    id: str
    type: str
    pairs: int
    found: int
    listed_excluded: list[str]
    top_ok: bool | None
    ms: float
    missing: list[str]


def load_cases(path: Path = GOLD) -> list[CrossCase]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            raw["expected"] = [(p, v) for p, v in raw["expected"]]
            out.append(CrossCase(**raw))
    return out


def score_case(case: CrossCase, answer: TableAnswer | None, ms: float) -> CaseResult:
    rows = answer.rows if answer else []
    found, missing = 0, []
    for place, value in case.expected:
        ok = any(
            r.place == place
            and (r.value is None if value is None else r.value is not None)
            and (value is None or abs(r.value - value) < 1e-6)
            for r in rows
        )
        found += ok
        if not ok:
            missing.append(f"{place}={value}")
    listed = sorted({r.place for r in rows} & set(case.excluded))
    top = None
    if case.top:
        first = next((r for r in rows if r.value is not None), None)
        top = bool(first and first.place == case.top)
    return CaseResult(case.id, case.type, len(case.expected), found, listed, top, ms, missing)


def run_cross(cases: list[CrossCase]) -> tuple[list[CaseResult], dict[str, float]]:
    settings = get_settings()
    paths = IndexPaths(settings.index_dir)
    if not paths.manifest.exists():
        sys.exit(f"no index at {paths.root}: run `python -m ingest data/` first")
    with index_lock(paths):
        sync_indicators(paths, load_manifest(paths))  # no-op unless the extractor changed
    results = []
    for case in cases:
        started = time.perf_counter()
        answer = answer_from_table(case.question, settings)
        results.append(score_case(case, answer, (time.perf_counter() - started) * 1000))
    pairs = sum(r.pairs for r in results)
    summary = {
        "questions": len(results),
        "pair_recall": round(sum(r.found for r in results) / pairs, 4) if pairs else 0.0,
        "questions_listing_excluded": sum(bool(r.listed_excluded) for r in results),
        "top_correct": sum(r.top_ok is True for r in results),
        "top_asked": sum(r.top_ok is not None for r in results),
        "p50_ms": round(statistics.median(r.ms for r in results), 1),
        "max_ms": round(max(r.ms for r in results), 1),
    }
    return results, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.cross", description=__doc__)
    parser.add_argument("--fail-under", action="store_true", help="exit 1 below the bars")
    parser.add_argument("--extraction-only", action="store_true")
    args = parser.parse_args(argv)
    ext = score_extraction()
    report: dict[str, object] = {
        "extraction": {
            "labels": ext.labels,
            "records": ext.records,
            "matched": ext.matched,
            "precision": round(ext.precision, 4),
            "recall": round(ext.recall, 4),
            "skipped_sources": ext.skipped_sources,
            "misses": ext.misses,
            "false_positives": ext.false_positives,
        }
    }
    print(f"extraction: precision {ext.precision:.3f}  recall {ext.recall:.3f}  "
          f"({ext.matched} matched, {ext.records} records, {ext.labels} labels)")  # fmt: skip
    failed = ext.precision < BARS["precision"] or ext.recall < BARS["recall"]
    if not args.extraction_only:
        results, summary = run_cross(load_cases())
        report["cross"] = summary
        report["cases"] = [asdict(r) for r in results]
        for r in results:
            flag = "ok " if r.found == r.pairs and not r.listed_excluded else "BAD"
            extra = f" excluded listed: {','.join(r.listed_excluded)}" if r.listed_excluded else ""
            extra += f" missing: {' '.join(r.missing)}" if r.missing else ""
            print(f"{flag} {r.id} {r.type:8s} {r.found}/{r.pairs} pairs {r.ms:6.1f} ms{extra}")
        print(json.dumps(summary, ensure_ascii=False))
        failed |= summary["pair_recall"] < BARS["pair_recall"]
        failed |= summary["questions_listing_excluded"] > 0 or summary["p50_ms"] > MAX_P50_MS
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if (failed and args.fail_under) else 0


if __name__ == "__main__":
    sys.exit(main())
