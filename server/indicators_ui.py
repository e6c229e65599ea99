"""The UI side of the indicator table: charts under cross-report answers, and the 指标 tab.

A comparison answer is a table; people read a chart of it faster, and check a cell by opening
its source span. Chat answers built from the table get the Markdown table appended and a bar
chart (places) or line chart (years) as a second message. The 指标 tab picks metric, kind and
year and shows the table (each value opens its source span, highlighted in its context) and a
chart. Only :mod:`server.ui` imports this module (two hook lines).
"""

from __future__ import annotations

import html
import logging
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

import gradio as gr

from index.store import IndexUnavailable
from server.indicators_api import IndicatorOut, IndicatorsPage, query_indicators, table_field
from server.service import ReportQAService

log = logging.getLogger(__name__)

KINDS = {"目标": "target", "实际": "actual", "规划": "plan"}
MEASURES = {"增长率": "growth", "总量": "amount", "比率": "rate"}
ALL = "全部"
CONTEXT_CHARS = 80


@lru_cache(maxsize=1)
def _font() -> str | None:
    """A CJK font for matplotlib, if the system has one (place names are Chinese)."""
    from matplotlib import font_manager

    found = [
        p
        for pattern in ("*SansCJK*", "*CJK*", "*WenQuanYi*", "*Droid*Fallback*")
        for p in sorted(Path("/usr/share/fonts").rglob(pattern))
        if p.suffix.lower() in (".ttc", ".otf", ".ttf")
    ]
    if not found:
        return None
    path = min(found, key=lambda p: ("Regular" not in p.name, "Sans" not in p.name))
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def chart_figure(table: dict[str, Any]) -> Any:
    """A bar chart by place, or a line chart by year, of a table answer's cited rows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _font()
    if font:
        plt.rcParams["font.family"] = [font, "sans-serif"]
    rows = [r for r in table["rows"] if r["value"] is not None]
    fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=100)
    values = [
        (r["value"] + r["value_high"]) / 2 if r["value_high"] is not None else r["value"]
        for r in rows
    ]
    if table["chart"] == "line":
        ax.plot([str(r["year"]) for r in rows], values, marker="o")
    else:
        ax.bar([r["place"] for r in rows], values, color="#4e79a7")
    for i, (r, v) in enumerate(zip(rows, values, strict=True)):
        ax.annotate(r["display"], (i, v), ha="center", va="bottom", fontsize=8)
    unit = rows[0]["unit"] if rows else ""
    ax.set_ylabel(f"{table['metric']}（{unit}）" if unit else table["metric"])
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def chat_reply(text: str, question: str, service: ReportQAService, result: Any = None) -> Any:
    """The chat message for an answer: with a table answer, the table and a chart follow."""
    table = table_field(service, question, result)
    if not table or not table["rows"]:
        return text
    from core.records import TableAnswer, TableCitation, TableRow

    rows = [
        TableRow(**{**r, "citation": TableCitation(**r["citation"]) if r["citation"] else None})
        for r in table["rows"]
    ]
    markdown = TableAnswer(**{**table, "rows": rows}).markdown()
    return [f"{text}\n\n{markdown}", gr.Plot(chart_figure(table), label="图表")]


def _source_text(service: ReportQAService, source: str) -> str:
    """The loaded text of a committed source file (offsets index this text)."""
    from index.store import IndexPaths, load_manifest
    from ingest.load import load_file

    manifest = load_manifest(IndexPaths(service.settings.index_dir))
    entry = next((e for e in manifest.files.values() if e.source == source), None)
    return load_file(Path(entry.path)).text if entry else ""


def _table_html(items: list[IndicatorOut], service: ReportQAService) -> str:
    """Rows with their figures; each value opens its source span, highlighted in context."""
    if not items:
        return "<p class='rq-badge'>没有符合条件的指标。</p>"
    texts: dict[str, str] = {}
    out = [
        "<table class='rq-ind'><tr><th>地区</th><th>层级</th><th>年份</th><th>指标</th>"
        "<th>类型</th><th>数值（点击查看出处）</th></tr>"
    ]
    kinds = {v: k for k, v in KINDS.items()}
    for i, it in enumerate(items):
        c = it.citation
        if c.source not in texts:
            texts[c.source] = _source_text(service, c.source)
        text = texts[c.source]
        a, b = max(0, c.start - CONTEXT_CHARS), min(len(text), c.end + CONTEXT_CHARS)
        context = (
            html.escape(text[a : c.start])
            + f"<mark>{html.escape(text[c.start : c.end])}</mark>"
            + html.escape(text[c.end : b])
        )
        high = f"-{it.value_high:g}" if it.value_high is not None else ""
        qual = it.qualifier if it.qualifier != "区间" else ""
        value = f"{it.value:g}{high}{it.unit}{qual}"
        out.append(
            f"<tr><td>{html.escape(it.place)}</td><td>{it.level}</td><td>{it.year or it.period}"
            f"</td><td>{html.escape(it.metric)}</td><td>{kinds.get(it.kind, it.kind)}</td><td>"
            f"<details data-testid='ind-cell-{i}'><summary>{html.escape(value)}</summary>"
            f"<div class='rq-badge'>{html.escape(c.title)} · {html.escape(c.source)} 字符 "
            f"{c.start}–{c.end}</div><div>{context}</div></details></td></tr>"
        )
    return "".join(out) + "</table>"


def _plot_frame(items: list[IndicatorOut]) -> Any:
    """One value per place (the first stated) for the bar chart."""
    import pandas as pd

    seen: dict[str, float] = {}
    for it in items:
        v = (it.value + it.value_high) / 2 if it.value_high is not None else it.value
        seen.setdefault(it.place or it.citation.title, v)
    return pd.DataFrame({"地区": list(seen), "数值": list(seen.values())})


def indicators_tab(service: ReportQAService) -> None:
    """Contents of the 指标 tab (call inside ``with gr.Tab("指标"):``)."""
    try:
        targets = query_indicators(service, kind="target", measure="growth", limit=500)
    except (IndexUnavailable, sqlite3.Error) as exc:  # the app must start over a damaged index
        log.warning("indicator table unavailable: %s", exc)
        targets = IndicatorsPage(total=0, limit=500, offset=0, items=[], metrics=[], years=[])
    metrics = targets.metrics or [""]
    years = [ALL, *(str(y) for y in targets.years)]
    # open on the most reported metric and year of targets (GDP growth in most corpora)
    counts: dict[tuple[str, int], int] = {}
    for it in targets.items:
        counts[(it.metric, it.year)] = counts.get((it.metric, it.year), 0) + 1
    top_metric, top_year = max(counts, key=lambda k: counts[k]) if counts else (metrics[0], 0)
    with gr.Row():
        metric = gr.Dropdown(metrics, value=top_metric, label="指标", scale=2)
        kind = gr.Dropdown(list(KINDS), value="目标", label="类型", scale=1)
        measure = gr.Dropdown(list(MEASURES), value="增长率", label="口径", scale=1)
        year = gr.Dropdown(years, value=str(top_year) if top_year else ALL, label="年份", scale=1)
        go = gr.Button("查询", variant="primary", scale=1)
    chart = gr.BarPlot(x="地区", y="数值", label="图表", height=280, y_lim=[0, None], sort="-y")
    table = gr.HTML()

    def show(metric_v: str, kind_v: str, measure_v: str, year_v: str) -> tuple[Any, str]:
        try:
            page = query_indicators(
                service,
                metric=metric_v or "",
                kind=KINDS.get(kind_v, ""),
                measure=MEASURES.get(measure_v, ""),
                year=int(year_v) if year_v and year_v != ALL else None,
                limit=500,
            )
        except (IndexUnavailable, sqlite3.Error) as exc:
            raise gr.Error(f"指标表不可用：{exc}") from exc
        return _plot_frame(page.items), _table_html(page.items, service)

    inputs = [metric, kind, measure, year]
    go.click(show, inputs, [chart, table], api_name="indicators")
    for box in inputs:
        box.change(show, inputs, [chart, table], api_name=False)


CSS = """
.rq-ind {border-collapse:collapse; width:100%;}
.rq-ind td, .rq-ind th {border:1px solid #ddd; padding:4px 8px; text-align:left;}
.rq-ind mark {background:#ffe58a;}
"""

__all__ = ["CSS", "chart_figure", "chat_reply", "indicators_tab"]
