"""Questions across reports, answered from the indicator table: a sentence plus cited rows.

"2021年各县（市、区）的GDP增长目标分别是多少？哪个最高？" needs one figure from each of six
reports; the top passages of a retriever name one or two. The table built at ingest
(``index.indicators``) holds every report's figures with exact spans, so such questions are
answered by a query: pick the metric, kind, measure and year from the question, one row per
place (or per year for a trend), each with its citation, and a row that says so when a place
has no such figure instead of a guess. Cue words live in ``table_cues.toml``.

Entry point: :func:`answer_from_table` returns ``None`` for questions that are not about
several reports, so the caller falls back to passage answering.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.lexicon import lexicon
from core.records import Citation, TableAnswer, TableCitation, TableRow
from core.settings import Settings, get_settings
from core.text import normalize_width, short_forms, years_in_order
from index.indicators import IndicatorQuery, IndicatorRecord, IndicatorStore, ReportRow, db_path
from index.store import IndexPaths

CUES_PATH = Path(__file__).with_name("table_cues.toml")
KIND_NAMES = {"target": "目标", "actual": "实际", "plan": "规划"}
MEASURE_NAMES = {"growth": "增长", "amount": "总量", "rate": ""}
MISSING = "未找到该指标"


@dataclass(frozen=True)
class Cues:
    table: tuple[str, ...]
    rank_high: tuple[str, ...]
    rank_low: tuple[str, ...]
    compare: tuple[str, ...]
    trend: tuple[str, ...]
    filters: dict[str, tuple[str, ...]]
    exclude: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]
    kind: dict[str, tuple[str, ...]]
    measure: dict[str, tuple[str, ...]]
    metric_words: dict[str, str]
    position: tuple[str, ...] = ()
    scope_patterns: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def cues() -> Cues:
    d = tomllib.loads(CUES_PATH.read_text(encoding="utf-8"))
    t = {k: tuple(v) for k, v in d.items() if isinstance(v, list)}
    return Cues(
        table=t["table"],
        rank_high=t["rank_high"],
        rank_low=t["rank_low"],
        compare=t["compare"],
        trend=t["trend"],
        filters={k: tuple(v) for k, v in d["filter"].items()},
        exclude=t["exclude"],
        levels={k: tuple(v) for k, v in d["levels"].items()},
        kind={k: tuple(v) for k, v in d["kind"].items()},
        measure={k: tuple(v) for k, v in d["measure"].items()},
        metric_words=d["metric_words"],
        position=t.get("position", ()),
        scope_patterns=t.get("scope_patterns", ()),
    )


@dataclass
class Intent:
    """What a question asks of the table."""

    metric: str
    kind: str
    measure: str
    years: list[int]
    places: list[str]
    excluded: list[str]
    levels: tuple[str, ...]
    operation: str
    descending: bool = True
    threshold: tuple[str, float] | None = None


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


def _metric(q: str, metrics: list[str]) -> str:
    """The store metric a question names, by the longest matching word."""
    alias: dict[str, str] = {m: m for m in metrics}
    for group in lexicon().groups:
        if group[0] in lexicon().generic:
            continue
        target = next((t for t in group if t in metrics), "") or next(
            (m for m in metrics if group[0] in m or m in group[0]), ""
        )
        if target:
            alias.update({t: target for t in group if t not in alias})
    alias.update({w: m for w, m in cues().metric_words.items() if m in metrics})
    found = [a for a in alias if normalize_width(a).lower() in q.lower()]
    return alias[max(found, key=len)] if found else ""


def _places(q: str, reports: list[ReportRow]) -> tuple[list[str], list[str]]:
    """Places named in the question, and those named after an exclusion word."""
    named: list[tuple[int, str]] = []
    excluded: list[str] = []
    for place in sorted({r.place for r in reports if r.place}):
        for form in short_forms(place):
            i = q.find(form)
            if i >= 0:
                named.append((i, place))
                if any(q[max(0, i - len(w)) : i] == w for w in cues().exclude):
                    excluded.append(place)
                break
    named.sort()
    return [p for _, p in named if p not in excluded], excluded


def _threshold(q: str) -> tuple[str, float] | None:
    for op, words in cues().filters.items():
        for w in sorted(words, key=len, reverse=True):
            m = re.search(re.escape(w) + r"\s*(\d+(?:\.\d+)?)", q)
            if m:
                return op, float(m.group(1))
    return None


def parse_question(question: str, store: IndicatorStore) -> Intent | None:
    """The table query a question asks for, or None when it is not a cross-report question."""
    c = cues()
    q = normalize_width(question)
    if _has(q, c.position):
        return None  # "居全国第几": the rank one report states
    for pattern in c.scope_patterns:
        q = re.sub(pattern, " ", q)
    metrics, _, _ = store.facets()
    metric = _metric(q, metrics)
    if not metric:
        return None
    reports = store.reports()
    places, excluded = _places(q, reports)
    threshold = _threshold(q)
    levels = next(
        (v for k, v in sorted(c.levels.items(), key=lambda kv: -len(kv[0])) if k in q), ()
    )
    if threshold:
        operation = "filter"
    elif _has(q, c.trend) and len(places) <= 1:
        operation = "trend"
    elif _has(q, c.rank_high + c.rank_low):
        operation = "rank"
    elif len(places) >= 2:
        operation = "compare"
    elif (_has(q, c.table) and len(places) != 1) or levels:
        operation = "table"  # one place with 分别: several figures of its own report
    else:
        return None
    kind = next((k for k in ("plan", "target", "actual") if _has(q, c.kind[k])), "")
    measure = next((m for m in ("growth", "amount") if _has(q, c.measure[m])), "")
    return Intent(
        metric=metric,
        kind=kind,
        measure=measure,
        years=sorted(set(years_in_order(q))),
        places=places,
        excluded=excluded,
        levels=levels,
        operation=operation,
        descending=not _has(q, c.rank_low),
        threshold=threshold,
    )


def _choose(records: list[IndicatorRecord], intent: Intent) -> tuple[str, str]:
    """Kind and measure to use when the question leaves them open: the most common ones."""
    kinds = [intent.kind] if intent.kind else ["target", "actual", "plan"]
    for kind in kinds:
        pool = [
            r for r in records if r.kind == kind and (not intent.years or r.year in intent.years)
        ]
        if intent.measure:
            pool = [r for r in pool if r.measure in (intent.measure, "rate")]
        if pool:
            measures = [r.measure for r in pool]
            return kind, intent.measure or max(set(measures), key=measures.count)
    return intent.kind or "target", intent.measure or "growth"


def _best(candidates: list[IndicatorRecord], year: int) -> IndicatorRecord | None:
    """One figure per place and year: the annual one first, then the earliest in the report."""
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda r: (r.period != str(year), r.kind != "actual", r.report_year != year, r.start),
    )


def display(r: IndicatorRecord) -> str:
    """How a value is written: "7.5%左右", "6-7%", "1002.18亿元"."""

    def num(v: float) -> str:
        return f"{v:g}"

    value = num(r.value) + (f"-{num(r.value_high)}" if r.value_high is not None else "")
    return value + r.unit + (r.qualifier if r.qualifier not in ("区间",) else "")


def _row(
    place: str, level: str, year: int, intent: Intent, rec: IndicatorRecord | None
) -> TableRow:
    if rec is None:
        return TableRow(place, level, year, intent.metric, intent.kind, intent.measure, None, None,
                        "", "", MISSING, None, note=f"{place}的报告中{MISSING}")  # fmt: skip
    cite = TableCitation(rec.source, rec.start, rec.end, rec.quote, rec.doc_id, rec.title)
    return TableRow(place, level, rec.year, rec.metric, rec.kind, rec.measure, rec.value,
                    rec.value_high, rec.unit, rec.qualifier, display(rec), cite)  # fmt: skip


def _sort_key(row: TableRow) -> float:
    if row.value is None:
        return float("-inf")
    return (row.value + row.value_high) / 2 if row.value_high is not None else row.value


def _passes(row: TableRow, threshold: tuple[str, float]) -> bool:
    if row.value is None:
        return False
    op, bound = threshold
    v = _sort_key(row)
    return {"at_least": v >= bound, "above": v > bound, "at_most": v <= bound, "below": v < bound}[
        op
    ]


def _covers(report: ReportRow, year: int, kind: str) -> bool:
    """Whether a report states ``kind`` figures of ``year``: a government work report of year
    Y sets Y's targets and reviews Y-1; a summary reports on its own year."""
    if kind == "actual" and report.doc_type == "政府工作报告":
        return report.year == year + 1
    return report.year == year


def _place_rows(
    intent: Intent, store: IndicatorStore, records: list[IndicatorRecord]
) -> list[TableRow]:
    """One row per place: the named places, else every place with a report of that year."""
    reports = store.reports()
    year = intent.years[-1] if intent.years else max((r.year for r in records), default=0)
    levels = {r.place: r.level for r in reports}
    if intent.places:
        universe = list(intent.places)
    else:
        universe = sorted({r.place for r in reports if r.place and _covers(r, year, intent.kind)})
        if intent.levels:
            universe = [p for p in universe if levels.get(p) in intent.levels]
    universe = [p for p in universe if p not in intent.excluded]
    rows = []
    for place in universe:
        mine = [r for r in records if r.place == place and r.year == year]
        rows.append(_row(place, levels.get(place, ""), year, intent, _best(mine, year)))
    if intent.threshold:
        rows = [r for r in rows if _passes(r, intent.threshold)]
    if intent.operation in ("rank", "filter", "compare"):
        rows.sort(key=_sort_key, reverse=intent.descending)
        if not intent.descending:  # missing figures stay last
            rows.sort(key=lambda r: r.value is None)
    intent.years = [year]
    return rows


def _trend_rows(
    intent: Intent, store: IndicatorStore, records: list[IndicatorRecord]
) -> list[TableRow]:
    """One row per year of the named place (annual figures only)."""
    place = intent.places[0] if intent.places else ""
    level = next((r.level for r in store.reports() if r.place == place), "")
    mine = [r for r in records if r.place == place and r.year]
    years = sorted({r.year for r in mine} | set(intent.years))
    rows = [
        _row(place, level, y, intent, _best([r for r in mine if r.year == y], y)) for y in years
    ]
    intent.years = years
    return rows


def _sentence(intent: Intent, rows: list[TableRow]) -> str:
    """A short sentence over the rows (the table carries the figures and citations)."""
    kind = f"（{KIND_NAMES[intent.kind]}）" if intent.kind else ""
    what = f"{intent.metric}{MEASURE_NAMES.get(intent.measure, '')}{kind}"
    found = [r for r in rows if r.citation]
    when = "、".join(f"{y}年" for y in intent.years) if intent.operation != "trend" else ""
    if not rows:
        return f"没有找到符合条件的{when}{what}。"
    if intent.operation == "trend":
        series = "，".join(f"{r.year}年{r.display}（{KIND_NAMES[r.kind]}）" for r in found)
        series = series or MISSING
        return f"{rows[0].place}历年{what}：{series}。"
    head = f"{when}{what}：共{len(rows)}个地区，{len(found)}个有出处"
    missing = [r.place for r in rows if not r.citation]
    tail = f"；{'、'.join(missing)}的报告中未找到该指标" if missing else ""
    if intent.operation in ("rank", "compare") and found:
        top = found[0]
        word = "最高" if intent.descending else "最低"
        return f"{head}{tail}。{word}的是{top.place}（{top.display}）。"
    return f"{head}{tail}。"


def answer_from_table(
    question: str, settings: Settings | None = None, store: IndicatorStore | None = None
) -> TableAnswer | None:
    """Answer a comparison, ranking, filter or trend question from the indicator table.

    Returns None when the question is not such a question, or the table has no such metric,
    so the caller answers from passages instead.
    """
    settings = settings or get_settings()
    if store is None:
        if (
            not db_path(settings.index_dir).exists()
            or not IndexPaths(settings.index_dir).manifest.exists()
        ):
            return None
        store = IndicatorStore(settings.index_dir)
    intent = parse_question(question, store)
    if intent is None:
        return None
    records, _ = store.query(IndicatorQuery(metric=intent.metric, limit=100_000))
    trend = intent.operation == "trend"
    mixed = trend and not intent.kind  # a trend joins past results and this year's target
    intent.kind, intent.measure = _choose(records, intent)
    kinds = ("actual", "target") if mixed else (intent.kind,)
    intent.kind = "" if mixed else intent.kind
    records = [r for r in records if r.kind in kinds and r.measure in (intent.measure, "rate")]
    rows = _trend_rows(intent, store, records) if trend else _place_rows(intent, store, records)
    return TableAnswer(
        question=question,
        answer=_sentence(intent, rows),
        metric=intent.metric,
        kind=intent.kind,
        measure=intent.measure,
        years=intent.years,
        operation=intent.operation,
        chart="line" if trend else "bar",
        rows=rows,
    )


def table_citations(table: TableAnswer) -> list[Citation]:
    """One citation per table row that has a figure (``[n]`` is the row number)."""
    out = []
    for n, row in enumerate(table.rows, 1):
        c = row.citation
        if c is None:
            continue
        out.append(
            Citation(
                n=n,
                chunk_id="",
                title=c.title,
                region=row.place,
                year=row.year or None,
                source=c.source,
                heading="",
                quote=c.quote,
                start=c.start,
                end=c.end,
                verified=True,
                doc_id=c.doc_id,
            )
        )
    return out


__all__ = [
    "Intent",
    "TableAnswer",
    "TableCitation",
    "TableRow",
    "answer_from_table",
    "cues",
    "display",
    "parse_question",
    "table_citations",
]
