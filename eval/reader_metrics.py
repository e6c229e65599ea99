"""Metrics of the *reading* step: how an answer is phrased and when the reader refuses.

Accuracy alone hides why a reader fails. These add the shape of the answers (list item recall,
answer length) and the answerability decision seen as a detector of answerable questions
(precision/recall of "answered", and, when the answerer reports a score, a precision/recall
curve over thresholds) so a calibrated refusal can be tuned against a measured trade-off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eval.normalize_answer import answer_matches, strip_citation_markers
from eval.score import breakdown, is_unanswerable, percentile

CURVE_POINTS = 12
TRAP_ORDER = (
    "target-vs-actual",
    "five-year-vs-annual",
    "national-vs-province",
    "province-vs-province",
    "year-not-covered",
    "place-not-covered",
    "metric-not-reported",
)


def _ratio(num: float, den: int) -> float | None:
    return None if den == 0 else num / den


def item_recall(item: Mapping[str, Any], answer: str, refused: bool) -> float | None:
    """Share of a list question's gold items that the answer contains (None if not a list).

    ``match: all`` scores a list answer that names four of five items as simply wrong; the
    recall shows whether a reader is close (it cut the list) or lost (wrong clause).
    """
    golds = list(item.get("answers") or [])
    if is_unanswerable(item) or len(golds) < 2:
        return None
    if item.get("type") != "list" and item.get("match") != "all":
        return None
    if refused:
        return 0.0
    return sum(1 for g in golds if answer_matches(answer, [g])) / len(golds)


def answer_chars(answer: str) -> int:
    """Length of an answer in characters, citation markers and outer whitespace excluded."""
    return len(strip_citation_markers(answer or "").strip())


def answerability_metrics(records: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """The refuse/answer decision as a detector of answerable questions.

    Precision: share of answered questions that were answerable; recall: share of answerable
    questions that were answered. ``selective_accuracy`` is accuracy over answered questions:
    what a user who trusts every non-refusal gets.
    """
    answered = [r for r in records if not r["refused"]]
    answerable = [r for r in records if not r["unanswerable"]]
    tp = sum(1 for r in answered if not r["unanswerable"])
    return {
        "answerability_precision": _ratio(tp, len(answered)),
        "answerability_recall": _ratio(tp, len(answerable)),
        "selective_accuracy": _ratio(sum(1 for r in answered if r.get("correct")), len(answered)),
    }


def answerability_curve(records: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Precision/recall of "score ≥ t means answerable" over thresholds ``t``.

    Only records that carry an ``answerability`` score count; None when none do. Thresholds
    are at most :data:`CURVE_POINTS` score values spread over the observed ones, plus the
    average precision (area under the step curve) to compare calibrations in one number.
    """
    scored = [r for r in records if isinstance(r.get("answerability"), int | float)]
    if not scored:
        return None
    positives = sum(1 for r in scored if not r["unanswerable"])
    values = sorted({float(r["answerability"]) for r in scored}, reverse=True)
    step = max(1, len(values) // CURVE_POINTS)
    thresholds = values[::step]
    if values[-1] not in thresholds:
        thresholds.append(values[-1])
    points = []
    for t in thresholds:
        kept = [r for r in scored if r["answerability"] >= t]
        tp = sum(1 for r in kept if not r["unanswerable"])
        points.append(
            {
                "threshold": t,
                "kept": len(kept),
                "precision": _ratio(tp, len(kept)),
                "recall": _ratio(tp, positives),
            }
        )
    return {"n": len(scored), "points": points, "average_precision": _average_precision(scored)}


def _average_precision(scored: Sequence[Mapping[str, Any]]) -> float | None:
    ranked = sorted(scored, key=lambda r: -float(r["answerability"]))
    positives = sum(1 for r in ranked if not r["unanswerable"])
    if not positives:
        return None
    hits, total = 0, 0.0
    for i, r in enumerate(ranked, 1):
        if not r["unanswerable"]:
            hits += 1
            total += hits / i
    return total / positives


def _trap_metric(rs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"n": len(rs), "accuracy": _ratio(sum(1 for r in rs if r.get("correct")), len(rs))}


def reader_summary(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Reading metrics of a run: list item recall, answer length, answerability, traps."""
    answered = [r for r in records if not r["refused"]]
    lists = [r["item_recall"] for r in records if r.get("item_recall") is not None]
    lengths = [answer_chars(r.get("answer") or "") for r in answered]
    out: dict[str, Any] = {
        "list_item_recall": _ratio(sum(lists), len(lists)),
        "list_questions": len(lists),
        "answer_chars_p50": percentile(lengths, 50),
        "answered": len(answered),
    }
    out.update(answerability_metrics(records))
    trapped = [r for r in records if r.get("trap")]
    out["by_trap"] = breakdown(trapped, "trap", TRAP_ORDER, _trap_metric) if trapped else {}
    out["answerability_curve"] = answerability_curve(records)
    return out


def reader_table(reader: Mapping[str, Any]) -> list[str]:
    """Plain-text lines of the reading metrics, for the terminal and the Markdown report."""
    from eval.report import fmt

    lines = [
        "reader     "
        + "  ".join(
            f"{m} {fmt(reader.get(m))}"
            for m in (
                "answerability_precision",
                "answerability_recall",
                "selective_accuracy",
                "list_item_recall",
            )
        )
        + f"  answer_chars_p50 {fmt(reader.get('answer_chars_p50'), 0)}"
    ]
    curve = reader.get("answerability_curve")
    if curve:
        lines.append(
            f"answerability score on {curve['n']} questions, average precision "
            f"{fmt(curve.get('average_precision'))}"
        )
        lines.append(f"{'threshold':>10}{'kept':>6}{'precision':>11}{'recall':>8}")
        for p in curve["points"]:
            lines.append(
                f"{p['threshold']:>10.3f}{p['kept']:>6}{fmt(p['precision']):>11}"
                f"{fmt(p['recall']):>8}"
            )
    return lines


__all__ = [
    "answer_chars",
    "answerability_curve",
    "answerability_metrics",
    "item_recall",
    "reader_summary",
    "reader_table",
]
