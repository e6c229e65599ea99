"""Metrics of the ReportQA evaluation, kept free of models so they can be unit-tested by hand.

Retrieval is judged by *character spans*, never by chunk ids: chunking changes whenever the
splitter is tuned (and the peer baseline chunks differently), but the gold evidence is a fixed
substring of a source file. A passage is a hit when it comes from the same file and its
``[start, end)`` covers at least half of the evidence span, so a passage that was cut just
before the end of the evidence still counts, while one that merely touches it does not.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.normalize_answer import answer_matches, contains, normalize_text

KS: tuple[int, ...] = (1, 3, 5, 10)
MIN_COVER = 0.5
TYPE_ORDER = ("numeric", "entity", "list", "reasoning", "multi-turn", "unanswerable")
DIFFICULTY_ORDER = ("easy", "medium", "hard")
# Metrics where lower is better: thresholds for them are maxima, not minima.
LOWER_IS_BETTER = frozenset(
    {"false_refusal_rate", "retrieve_p50_ms", "retrieve_p95_ms", "answer_p50_ms", "answer_p95_ms"}
)


# --------------------------------------------------------------------------------------------
# gold set and sources
# --------------------------------------------------------------------------------------------


def load_gold(path: Path) -> list[dict[str, Any]]:
    """The gold questions, in file order."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_source(path: Path) -> str:
    """A source file's text exactly as ingest reads it (decoded, newlines normalised, the text
    of a .docx/.pdf/.html extracted), so passage offsets and evidence offsets index the same
    string whatever the format."""
    from ingest.load import load_file

    return load_file(path).text


def evidence_spans(item: Mapping[str, Any], texts: Mapping[str, str]) -> list[tuple[int, int]]:
    """Every ``[start, end)`` where the item's evidence occurs in its source file.

    Gold evidence is unique in practice, but a repeated sentence is equally good evidence at
    each place it occurs, so all occurrences are returned.
    """
    evidence, source = item.get("evidence") or "", item.get("source") or ""
    text = texts.get(source)
    if not evidence or text is None:
        return []
    spans, pos = [], text.find(evidence)
    while pos >= 0:
        spans.append((pos, pos + len(evidence)))
        pos = text.find(evidence, pos + 1)
    return spans


def covers(start: int | None, end: int | None, span: tuple[int, int]) -> bool:
    """Whether ``[start, end)`` covers at least half of ``span``."""
    if start is None or end is None:
        return False
    s, e = span
    overlap = min(end, e) - max(start, s)
    return overlap > 0 and overlap >= MIN_COVER * (e - s)


def is_hit(
    source: str,
    start: int | None,
    end: int | None,
    gold_source: str,
    spans: Sequence[tuple[int, int]],
) -> bool:
    """A passage is a hit if it is from the gold file and covers half of an evidence span."""
    return bool(source) and source == gold_source and any(covers(start, end, s) for s in spans)


@dataclass
class SpanRef:
    """Where a retrieved passage (or a citation) lies in its source file."""

    source: str
    start: int | None
    end: int | None


def first_hit_rank(
    passages: Sequence[SpanRef], gold_source: str, spans: Sequence[tuple[int, int]], k: int = 10
) -> int | None:
    """1-based rank of the first hit among the top ``k`` passages, None if there is none."""
    for rank, p in enumerate(passages[:k], 1):
        if is_hit(p.source, p.start, p.end, gold_source, spans):
            return rank
    return None


def retrieval_metrics(
    ranks: Sequence[int | None], ks: Iterable[int] = KS
) -> dict[str, float | None]:
    """hit@k for each k and MRR@10 from first-hit ranks (None = not in the top 10)."""
    n = len(ranks)
    out: dict[str, float | None] = {"n": n}
    for k in ks:
        out[f"hit@{k}"] = _ratio(sum(1 for r in ranks if r is not None and r <= k), n)
    out["mrr@10"] = _ratio(sum(1.0 / r for r in ranks if r is not None and r <= 10), n)
    return out


def _ratio(num: float, den: int) -> float | None:
    return None if den == 0 else num / den


# --------------------------------------------------------------------------------------------
# answers
# --------------------------------------------------------------------------------------------


def is_unanswerable(item: Mapping[str, Any]) -> bool:
    return item.get("type") == "unanswerable" or not item.get("answers")


def answer_correct(item: Mapping[str, Any], answer: str, refused: bool) -> bool:
    """Unanswerable: correct iff refused. Answerable: not refused and the gold answers are
    contained in the answer (one for ``match: any``, all for ``match: all``)."""
    if is_unanswerable(item):
        return refused
    if refused:
        return False
    return answer_matches(answer, list(item["answers"]), item.get("match", "any"))


@dataclass
class CitationRef:
    """The parts of a citation that scoring needs."""

    source: str = ""
    start: int | None = None
    end: int | None = None
    quote: str = ""


def citation_supports(
    item: Mapping[str, Any], citation: CitationRef, spans: Sequence[tuple[int, int]]
) -> bool:
    """Whether a citation backs the gold answer: its source span covers the evidence, or its
    quote contains the evidence or one of the gold answers."""
    if is_hit(citation.source, citation.start, citation.end, item.get("source", ""), spans):
        return True
    quote = citation.quote or ""
    if not quote:
        return False
    evidence = item.get("evidence") or ""
    if evidence and normalize_text(evidence) in normalize_text(quote):
        return True
    return any(contains(quote, a) for a in item.get("answers") or [])


def refusal_metrics(records: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """Refusal precision/recall on unanswerable questions and false refusals on answerable ones.

    ``records`` need ``unanswerable`` and ``refused``. Precision is None when nothing was
    refused (undefined, rather than a flattering 1.0 or a misleading 0.0).
    """
    refused = [r for r in records if r["refused"]]
    unans = [r for r in records if r["unanswerable"]]
    answerable = [r for r in records if not r["unanswerable"]]
    tp = sum(1 for r in refused if r["unanswerable"])
    return {
        "refusal_precision": _ratio(tp, len(refused)),
        "refusal_recall": _ratio(tp, len(unans)),
        "false_refusal_rate": _ratio(sum(1 for r in answerable if r["refused"]), len(answerable)),
    }


def answer_metrics(records: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """Accuracy, citation precision and refusal metrics over per-question answer records.

    Each record has ``correct``, ``refused``, ``unanswerable`` and ``citation_ok`` (None when
    the question was refused or is unanswerable). Citation precision is over answerable
    questions that were answered: an answer without citations counts as unsupported.
    """
    cited = [r["citation_ok"] for r in records if r.get("citation_ok") is not None]
    out: dict[str, float | None] = {
        "n": len(records),
        "accuracy": _ratio(sum(1 for r in records if r["correct"]), len(records)),
        "citation_precision": _ratio(sum(1 for c in cited if c), len(cited)),
    }
    out.update(refusal_metrics(records))
    return out


# --------------------------------------------------------------------------------------------
# aggregation
# --------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), None for no values."""
    if not values:
        return None
    data = sorted(values)
    pos = (len(data) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def latency(values: Sequence[float]) -> dict[str, float | None]:
    return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95), "n": len(values)}


def group_by(
    records: Sequence[Mapping[str, Any]], key: str, order: Sequence[str]
) -> dict[str, list[Mapping[str, Any]]]:
    """Records grouped by ``key``, in ``order`` first and then any other values sorted."""
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in records:
        groups[str(r[key])].append(r)
    keys = [k for k in order if k in groups] + sorted(k for k in groups if k not in order)
    return {k: groups[k] for k in keys}


def breakdown(
    records: Sequence[Mapping[str, Any]],
    key: str,
    order: Sequence[str],
    metric: Callable[[Sequence[Mapping[str, Any]]], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """``metric`` computed per group of ``key`` (type or difficulty)."""
    return {k: metric(rs) for k, rs in group_by(records, key, order).items()}


def retrieval_summary(
    records: Sequence[Mapping[str, Any]], rank_key: str = "rank", ms_key: str = "retrieve_ms"
) -> dict[str, Any]:
    """Retrieval metrics overall, by type and by difficulty from per-question records.

    Ranks count over answerable questions only (an unanswerable one has no evidence to find);
    latency counts every query that was searched.
    """
    answerable = [r for r in records if not r["unanswerable"]]

    def metric(rs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        return retrieval_metrics([r.get(rank_key) for r in rs])

    return {
        "overall": metric(answerable),
        "by_type": breakdown(answerable, "type", TYPE_ORDER, metric),
        "by_difficulty": breakdown(answerable, "difficulty", DIFFICULTY_ORDER, metric),
        "latency": latency([r[ms_key] for r in records if r.get(ms_key) is not None]),
    }


def answers_summary(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Answer metrics overall, by type and by difficulty from per-question records."""
    return {
        "overall": answer_metrics(records),
        "by_type": breakdown(records, "type", TYPE_ORDER, answer_metrics),
        "by_difficulty": breakdown(records, "difficulty", DIFFICULTY_ORDER, answer_metrics),
        "latency": latency([r["total_ms"] for r in records if r.get("total_ms") is not None]),
        "errors": sum(1 for r in records if r.get("error")),
    }


def restrict(result: Mapping[str, Any], ids: Sequence[str]) -> dict[str, Any] | None:
    """``result`` re-scored on the questions ``ids`` from its per-question records.

    Lets ``--compare`` set a subset run (``--subset stratified-48``) against the full reference
    run question for question; None when the result lacks records for some of ``ids``.
    """
    by_id = {q["id"]: q for q in result.get("questions") or []}
    if not ids or any(i not in by_id for i in ids):
        return None
    records = [by_id[i] for i in ids]
    out = dict(result)
    out["n_questions"], out["question_ids"], out["questions"] = len(ids), list(ids), records
    out["retrieval"] = retrieval_summary(records)
    if result.get("answers"):
        out["answers"] = answers_summary(records)
    if result.get("peer_baseline"):
        out["peer_baseline"] = {
            **result["peer_baseline"],
            "retrieval": retrieval_summary(records, "baseline_rank", "baseline_ms"),
        }
    return out


# --------------------------------------------------------------------------------------------
# question selection
# --------------------------------------------------------------------------------------------

_SUBSET = re.compile(r"stratified-(\d+)")


def stratified_subset(items: Sequence[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    """A fixed, deterministic subset of about ``size`` questions, equal parts per type.

    Equal allocation (rather than proportional) keeps small types such as unanswerable and
    multi-turn large enough to say something about refusals and follow-ups on a slow LLM.
    Within a type the picks are evenly spaced over the gold order, which spreads them over
    reports and difficulties; a type with too few questions gives its share to the others.
    """
    by_type = group_by(items, "type", TYPE_ORDER)
    quota = {t: 0 for t in by_type}
    left = size
    while left > 0:
        open_types = [t for t in by_type if quota[t] < len(by_type[t])]
        if not open_types:
            break
        for t in open_types:
            if left == 0:
                break
            quota[t] += 1
            left -= 1
    chosen: set[str] = set()
    for t, group in by_type.items():
        n, q = len(group), quota[t]
        for i in range(q):
            chosen.add(group[math.floor((i + 0.5) * n / q)]["id"])
    return [it for it in items if it["id"] in chosen]


def select_questions(
    items: Sequence[dict[str, Any]],
    ids: Sequence[str] | None = None,
    subset: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Apply ``--ids``, then ``--subset``, then ``--limit`` (in gold order)."""
    selected = list(items)
    if ids:
        wanted = set(ids)
        unknown = wanted - {it["id"] for it in items}
        if unknown:
            raise ValueError(f"unknown question ids: {', '.join(sorted(unknown))}")
        selected = [it for it in selected if it["id"] in wanted]
    if subset:
        m = _SUBSET.fullmatch(subset)
        if not m:
            raise ValueError(f"unknown subset {subset!r}; use stratified-N, e.g. stratified-48")
        selected = stratified_subset(selected, int(m.group(1)))
    if limit is not None:
        selected = selected[:limit]
    return selected


def retrieval_query(item: Mapping[str, Any]) -> str:
    """The query used to score retrieval for a question.

    A follow-up (``那江城区呢？``) names neither the metric nor, often, the report; the last user
    turn of its history does. Without the answerer's own rewrite, the scorer searches with that
    turn followed by the question, so retrieval is judged on the information a user gave.
    """
    question = item["question"]
    history = item.get("history") or []
    last_user = next((t["content"] for t in reversed(history) if t.get("role") == "user"), "")
    return f"{last_user} {question}" if last_user else question


# --------------------------------------------------------------------------------------------
# thresholds
# --------------------------------------------------------------------------------------------


@dataclass
class Bar:
    """One threshold: ``metric`` must be ≥ ``value`` (or ≤ for lower-is-better metrics)."""

    section: str
    metric: str
    value: float
    maximum: bool = False


@dataclass
class ThresholdCheck:
    """Outcome of ``--fail-under``: failures name the metric, its value and the bar."""

    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures


def load_thresholds(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def bars_for(thresholds: Mapping[str, Any], retriever: str, llm: str) -> list[Bar]:
    """Bars that apply to a run: ``[retrieval]`` and ``[retrieval.<mode>]`` always, ``[<llm>]``
    when answers were produced. Keys under a ``max`` sub-table are maxima."""
    sections: list[tuple[str, Mapping[str, Any]]] = []
    retrieval = thresholds.get("retrieval", {})
    sections.append(("retrieval", retrieval))
    if isinstance(retrieval.get(retriever), Mapping):
        sections.append((f"retrieval.{retriever}", retrieval[retriever]))
    if llm != "none" and isinstance(thresholds.get(llm), Mapping):
        sections.append((llm, thresholds[llm]))
    bars: list[Bar] = []
    for name, table in sections:
        for key, value in table.items():
            if key == "max" and isinstance(value, Mapping):
                bars += [Bar(f"{name}.max", k, float(v), True) for k, v in value.items()]
            elif isinstance(value, int | float) and not isinstance(value, bool):
                bars.append(Bar(name, key, float(value), key in LOWER_IS_BETTER))
    return bars


def check_thresholds(metrics: Mapping[str, float | None], bars: Sequence[Bar]) -> ThresholdCheck:
    """Compare flat ``metrics`` with ``bars``; a metric this run did not measure is a failure
    too (a typo in the thresholds file must not pass silently), an undefined one is a note."""
    result = ThresholdCheck()
    for bar in bars:
        if bar.metric not in metrics:
            result.failures.append(
                f"{bar.metric}: not measured by this run (bar {bar.value:g} in [{bar.section}])"
            )
            continue
        value = metrics[bar.metric]
        if value is None:
            result.notes.append(f"{bar.metric}: undefined in this run, bar [{bar.section}] skipped")
            continue
        result.checked += 1
        if bar.maximum and value > bar.value:
            result.failures.append(
                f"{bar.metric} = {value:.3f} is above the maximum {bar.value:g} [{bar.section}]"
            )
        elif not bar.maximum and value < bar.value:
            result.failures.append(
                f"{bar.metric} = {value:.3f} is below the bar {bar.value:g} [{bar.section}]"
            )
    return result


def flat_metrics(result: Mapping[str, Any]) -> dict[str, float | None]:
    """The headline metrics of a result document under the names the thresholds file uses."""
    out: dict[str, float | None] = {}
    retrieval = result.get("retrieval") or {}
    for k, v in (retrieval.get("overall") or {}).items():
        if k != "n":
            out[k] = v
    lat = retrieval.get("latency") or {}
    out["retrieve_p50_ms"], out["retrieve_p95_ms"] = lat.get("p50_ms"), lat.get("p95_ms")
    answers = result.get("answers")
    if answers:
        for k, v in (answers.get("overall") or {}).items():
            if k != "n":
                out[k] = v
        alat = answers.get("latency") or {}
        out["answer_p50_ms"], out["answer_p95_ms"] = alat.get("p50_ms"), alat.get("p95_ms")
    return out


__all__ = [
    "KS",
    "Bar",
    "CitationRef",
    "SpanRef",
    "ThresholdCheck",
    "answer_correct",
    "answer_metrics",
    "answers_summary",
    "bars_for",
    "breakdown",
    "check_thresholds",
    "citation_supports",
    "covers",
    "evidence_spans",
    "first_hit_rank",
    "flat_metrics",
    "group_by",
    "is_hit",
    "latency",
    "load_gold",
    "load_thresholds",
    "percentile",
    "read_source",
    "refusal_metrics",
    "restrict",
    "retrieval_metrics",
    "retrieval_query",
    "retrieval_summary",
    "select_questions",
    "stratified_subset",
]
