"""``GET /api/indicators``: the indicator table over HTTP, and the ``table`` field of answers.

The table (``index.indicators``) holds every figure the reports state, each with its exact
source span; this router pages through it by metric, kind, year and region so other tools can
chart or check figures without asking questions. :func:`table_field` gives ``/api/ask`` and
``/v1/chat/completions`` the cross-report table beside ``citations``.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from core.text import short_forms
from index.indicators import IndicatorQuery, IndicatorRecord, IndicatorStore, db_path
from server.service import ReportQAService

log = logging.getLogger(__name__)


class CitationOut(BaseModel):
    """Where the figure is stated: ``source[start:end] == quote`` in the source file."""

    source: str
    start: int
    end: int
    quote: str
    doc_id: str
    title: str


class IndicatorOut(BaseModel):
    id: str
    place: str
    level: str
    year: int
    period: str
    report_year: int
    metric: str
    measure: Literal["growth", "amount", "rate"]
    kind: Literal["target", "actual", "plan"]
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    citation: CitationOut


class IndicatorsPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[IndicatorOut]
    metrics: list[str]
    years: list[int]


def indicator_out(r: IndicatorRecord) -> IndicatorOut:
    return IndicatorOut(
        id=r.id,
        place=r.place,
        level=r.level,
        year=r.year,
        period=r.period,
        report_year=r.report_year,
        metric=r.metric,
        measure=r.measure,  # type: ignore[arg-type]
        kind=r.kind,  # type: ignore[arg-type]
        value=r.value,
        value_high=r.value_high,
        unit=r.unit,
        qualifier=r.qualifier,
        citation=CitationOut(
            source=r.source, start=r.start, end=r.end, quote=r.quote, doc_id=r.doc_id, title=r.title
        ),
    )


def _places(store: IndicatorStore, region: str) -> list[str]:
    """Stored place names a region filter means ("清河" and "清河县" both mean 清河县)."""
    known = {r.place for r in store.reports() if r.place}
    return sorted(p for p in known if region in short_forms(p)) or [region]


def query_indicators(
    service: ReportQAService,
    metric: str = "",
    kind: str = "",
    year: int | None = None,
    region: str = "",
    measure: str = "",
    limit: int = 50,
    offset: int = 0,
) -> IndicatorsPage:
    """One page of the committed table (also used by the UI's 指标 tab)."""
    root = service.settings.index_dir
    if not db_path(root).exists():
        return IndicatorsPage(total=0, limit=limit, offset=offset, items=[], metrics=[], years=[])
    store = IndicatorStore(root)
    q = IndicatorQuery(
        metric=metric,
        kind=kind,
        measure=measure,
        years=[year] if year else [],
        places=_places(store, region) if region else [],
        limit=limit,
        offset=offset,
    )
    rows, total = store.query(q)
    metrics, _, years = store.facets()
    items = [indicator_out(r) for r in rows]
    return IndicatorsPage(
        total=total, limit=limit, offset=offset, items=items, metrics=metrics, years=years
    )


def table_field(service: ReportQAService, question: str, result: Any = None) -> dict | None:
    """The ``table`` of an answer: the answerer's own when it made one, else the table's.

    Never raises: a question the table cannot answer, or a damaged table, gives ``None`` and
    the passage answer stands alone.
    """
    if result is not None:  # the answer chain decided: its table, or none
        own = getattr(result, "table", None)
        return own.as_dict() if own is not None else None
    try:
        from rag.table_answer import answer_from_table

        answer = answer_from_table(question, service.settings)
    except Exception:  # the table is an addition; the answer must not fail because of it
        log.exception("table answer failed")
        return None
    return answer.as_dict() if answer else None


def indicators_router(service: ReportQAService) -> APIRouter:
    """``GET /api/indicators`` (include with the API's auth dependency)."""
    router = APIRouter(prefix="/api", tags=["reportqa"])

    @router.get("/indicators", response_model=IndicatorsPage)
    def indicators(
        metric: str = Query("", max_length=50, description="e.g. 地区生产总值"),
        kind: Literal["", "target", "actual", "plan"] = "",
        year: int | None = Query(None, ge=1949, le=2100, description="year the figure is for"),
        region: str = Query("", max_length=50, description="place, e.g. 清河县 or 清河"),
        measure: Literal["", "growth", "amount", "rate"] = "",
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0, le=1_000_000_000),
    ) -> IndicatorsPage:
        """Figures the reports state, each with its exact source span, one page at a time."""
        return query_indicators(service, metric, kind, year, region, measure, limit, offset)

    return router


__all__ = [
    "IndicatorOut",
    "IndicatorsPage",
    "indicator_out",
    "indicators_router",
    "query_indicators",
    "table_field",
]
