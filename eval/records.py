"""Per-question records: what one answer and one retrieval look like in a result document.

These turn answer objects (``AnswerResult`` or the API's dicts) and retrieved passages
(ReportQA's or the baseline's) into the plain JSON records the metrics read, so the metrics
never depend on the answer chain's classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.reader_metrics import item_recall
from eval.score import (
    DIFFICULTY_ORDER,
    CitationRef,
    SpanRef,
    answer_correct,
    citation_supports,
    first_hit_rank,
    is_hit,
)

K = 10
WORST = 10
# Attribute / key names under which an answer result may expose its standalone rewrite of a
# follow-up question; the first non-empty one is used as the retrieval query.
REWRITE_FIELDS = ("standalone_question", "standalone", "rewritten_question")


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


def hit_rank(
    item: dict[str, Any], passages: Sequence[Any], spans: Sequence[tuple[int, int]], k: int = K
) -> int | None:
    """Rank of the first passage that holds the answer.

    Gold items with an evidence substring are judged by span; items that instead name the
    files holding an answer (``evidence_docs``: short news passages, one per file) are judged
    by file, since any passage of such a file contains the answer.
    """
    docs = item.get("evidence_docs")
    if docs:
        wanted = set(docs)
        for rank, ref in enumerate(span_refs(passages)[:k], 1):
            if Path(ref.source or "").name in wanted:
                return rank
        return None
    return first_hit_rank(span_refs(passages), item["source"], spans, k)


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


def _answerability(result: Any) -> float | None:
    """The answerer's confidence that the question is answerable, if it reports one."""
    value = _field(result, "answerability")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


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
    if item.get("evidence_docs"):
        docs = set(item["evidence_docs"])
        in_docs = [Path(ref.source).name in docs for ref in refs]
        supports = [a or b for a, b in zip(supports, in_docs, strict=True)]
    citation_ok = None if (refused or unanswerable) else any(supports)
    timings = dict(getattr(result, "timings", None) or {})
    record = {
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
    recall = item_recall(item, text, refused)
    if recall is not None:
        record["item_recall"] = recall
    score = _answerability(result)
    if score is not None:
        record["answerability"] = score
    return record


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


__all__ = [
    "K",
    "citation_ref",
    "hit_rank",
    "passage_view",
    "rewritten_question",
    "score_answer",
    "span_refs",
    "worst_misses",
]
