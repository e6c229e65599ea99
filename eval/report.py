"""Markdown report, charts and reference comparison for an evaluation result document.

Everything here reads the JSON-shaped result dict that ``python -m eval`` writes, so a report
can be regenerated from a saved ``.json`` and the charts never need the models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.score import KS, flat_metrics, restrict

RETRIEVAL_METRICS = (*(f"hit@{k}" for k in KS), "mrr@10")
ANSWER_METRICS = (
    "accuracy",
    "citation_precision",
    "refusal_precision",
    "refusal_recall",
    "false_refusal_rate",
)


def fmt(value: Any, digits: int = 3) -> str:
    """A metric for a table: fixed decimals, ``–`` when undefined."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_delta(value: float | None, ref: float | None) -> str:
    if value is None or ref is None:
        return "–"
    return f"{value - ref:+.3f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _one_line(text: str, n: int) -> str:
    text = " ".join((text or "").split()).replace("|", "｜")
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------------------------
# charts
# --------------------------------------------------------------------------------------------


def _peer_curve(
    result: Mapping[str, Any], reference: Mapping[str, Any] | None
) -> tuple[str, Mapping[str, Any] | None]:
    """The baseline's retrieval to plot: this run's, else the reference run's (labelled so)."""
    peer = (result.get("peer_baseline") or {}).get("retrieval")
    if peer:
        return "baseline (LangChain tutorial)", peer
    ref_peer = ((reference or {}).get("peer_baseline") or {}).get("retrieval")
    if ref_peer:
        return "baseline (reference run)", ref_peer
    return "", None


def make_charts(
    result: Mapping[str, Any], out_dir: Path, name: str, reference: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Write the hit@k curve and the by-type chart as PNGs; returns {chart: file name}."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts: dict[str, str] = {}
    retrieval = result.get("retrieval") or {}
    overall = retrieval.get("overall") or {}
    if overall.get("n"):
        fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
        ys = [overall.get(f"hit@{k}") or 0.0 for k in KS]
        ax.plot(KS, ys, marker="o", label=f"ReportQA ({result['options']['retriever']})")
        label, peer = _peer_curve(result, reference)
        if peer:
            pys = [(peer.get("overall") or {}).get(f"hit@{k}") or 0.0 for k in KS]
            ax.plot(KS, pys, marker="s", linestyle="--", label=label)
        ax.set_xticks(KS)
        ax.set_xlabel("k (passages retrieved)")
        ax.set_ylabel("hit@k (evidence span covered)")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
        ax.set_title(f"Retrieval hit@k, {overall['n']} answerable questions")
        fig.tight_layout()
        file = f"{name}-hitk.png"
        fig.savefig(out_dir / file)
        plt.close(fig)
        charts["hitk"] = file

    answers = result.get("answers")
    series: list[tuple[str, dict[str, float]]] = []
    if answers:
        ylabel = "answer accuracy"
        series.append(
            (
                "ReportQA",
                {t: m.get("accuracy") or 0.0 for t, m in (answers.get("by_type") or {}).items()},
            )
        )
    else:
        ylabel = "hit@5"
        series.append(
            (
                "ReportQA",
                {t: m.get("hit@5") or 0.0 for t, m in (retrieval.get("by_type") or {}).items()},
            )
        )
        label, peer = _peer_curve(result, reference)
        if peer:
            series.append(
                (label, {t: m.get("hit@5") or 0.0 for t, m in (peer.get("by_type") or {}).items()})
            )
    types = list(series[0][1])
    if types:
        fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
        width = 0.8 / len(series)
        for i, (label, values) in enumerate(series):
            xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(types))]
            ax.bar(xs, [values.get(t, 0.0) for t in types], width=width, label=label)
        ax.set_xticks(range(len(types)))
        ax.set_xticklabels(types, rotation=15)
        ax.set_ylim(0, 1.18)  # headroom so the legend never covers a bar
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper center", ncol=len(series), fontsize=8)
        ax.set_title(f"{ylabel} by question type")
        fig.tight_layout()
        file = f"{name}-by-type.png"
        fig.savefig(out_dir / file)
        plt.close(fig)
        charts["by_type"] = file
    return charts


# --------------------------------------------------------------------------------------------
# comparison with the reference run
# --------------------------------------------------------------------------------------------


def compare_rows(
    result: Mapping[str, Any], reference: Mapping[str, Any]
) -> list[tuple[str, float | None, float | None]]:
    """(metric, current, reference) for every headline metric either run has, plus the
    per-type hit@5/accuracy and the peer baseline's retrieval."""
    cur, ref = flat_metrics(result), flat_metrics(reference)
    names = [n for n in cur if n in ref or cur[n] is not None]
    names += [n for n in ref if n not in names]
    rows = [(n, cur.get(n), ref.get(n)) for n in names]
    for section, metric in (("retrieval", "hit@5"), ("answers", "accuracy")):
        cur_t = (result.get(section) or {}).get("by_type") or {}
        ref_t = (reference.get(section) or {}).get("by_type") or {}
        for t in list(cur_t) + [t for t in ref_t if t not in cur_t]:
            rows.append(
                (
                    f"{metric} [{t}]",
                    (cur_t.get(t) or {}).get(metric),
                    (ref_t.get(t) or {}).get(metric),
                )
            )
    cur_p = ((result.get("peer_baseline") or {}).get("retrieval") or {}).get("overall") or {}
    ref_p = ((reference.get("peer_baseline") or {}).get("retrieval") or {}).get("overall") or {}
    if cur_p or ref_p:
        rows += [(f"baseline {m}", cur_p.get(m), ref_p.get(m)) for m in RETRIEVAL_METRICS]
    return rows


def format_compare(result: Mapping[str, Any], reference: Mapping[str, Any], ref_path: str) -> str:
    """Plain-text delta table against the reference result (printed by ``--compare``)."""
    ref_run = reference.get("run", "?")
    lines = [
        f"compared with {ref_path} (run {ref_run}, {reference.get('n_questions', '?')} "
        f"questions; this run {result.get('run')}, {result.get('n_questions')} questions)"
    ]
    if reference.get("question_ids") != result.get("question_ids"):
        restricted = restrict(reference, result.get("question_ids") or [])
        if restricted is not None:
            reference = restricted
            lines.append(
                f"reference re-scored on this run's {len(restricted['question_ids'])} questions "
                "from its per-question records"
            )
        else:
            lines.append("note: the two runs scored different question sets")
    lines.append(f"{'metric':<28}{'this run':>10}{'reference':>11}{'delta':>9}")
    for name, cur, ref in compare_rows(result, reference):
        lines.append(f"{name:<28}{fmt(cur):>10}{fmt(ref):>11}{fmt_delta(cur, ref):>9}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# markdown
# --------------------------------------------------------------------------------------------


def _retrieval_section(result: Mapping[str, Any], charts: Mapping[str, str]) -> list[str]:
    retrieval = result.get("retrieval") or {}
    overall = retrieval.get("overall") or {}
    peer = (result.get("peer_baseline") or {}).get("retrieval")
    mode = result["options"]["retriever"]
    lines = [f"## Retrieval ({mode}, {overall.get('n', 0)} answerable questions)", ""]
    if peer:
        p_overall = peer.get("overall") or {}
        rows = [
            [
                m,
                fmt(overall.get(m)),
                fmt(p_overall.get(m)),
                fmt_delta(overall.get(m), p_overall.get(m)),
            ]
            for m in RETRIEVAL_METRICS
        ]
        lines += _table(["metric", "ReportQA", "baseline", "Δ"], rows)
    else:
        lines += _table(
            ["metric", "ReportQA"], [[m, fmt(overall.get(m))] for m in RETRIEVAL_METRICS]
        )
    lat = retrieval.get("latency") or {}
    lines += [
        "",
        f"Retrieval latency: p50 {fmt(lat.get('p50_ms'), 1)} ms, "
        f"p95 {fmt(lat.get('p95_ms'), 1)} ms over {lat.get('n', 0)} queries.",
    ]
    if peer:
        pl = peer.get("latency") or {}
        pb = result["peer_baseline"]
        lines.append(
            f"Baseline: {pb.get('chunks')} chunks of ≤{pb.get('chunk_size')} characters built in "
            f"{fmt(pb.get('build_seconds'), 1)} s; search p50 {fmt(pl.get('p50_ms'), 1)} ms, "
            f"p95 {fmt(pl.get('p95_ms'), 1)} ms."
        )
    if "hitk" in charts:
        lines += ["", f"![hit@k]({charts['hitk']})"]
    for key, label in (("by_type", "type"), ("by_difficulty", "difficulty")):
        groups = retrieval.get(key) or {}
        if not groups:
            continue
        p_groups = (peer or {}).get(key) or {}
        lines += ["", f"### Retrieval by {label}" + (" (ReportQA / baseline)" if peer else ""), ""]
        rows = []
        for g, m in groups.items():
            pm = p_groups.get(g) or {}
            cells = [g, str(m.get("n", 0))]
            for metric in RETRIEVAL_METRICS:
                cell = fmt(m.get(metric))
                if peer:
                    cell += f" / {fmt(pm.get(metric))}"
                cells.append(cell)
            rows.append(cells)
        lines += _table([label, "n", *RETRIEVAL_METRICS], rows)
    return lines


def _answer_section(result: Mapping[str, Any], charts: Mapping[str, str]) -> list[str]:
    answers = result.get("answers")
    if not answers:
        return ["## Answers", "", "Not run (`--llm none`: retrieval only)."]
    overall = answers.get("overall") or {}
    lines = [f"## Answers ({result['options']['llm']}, {overall.get('n', 0)} questions)", ""]
    lines += _table(["metric", "value"], [[m, fmt(overall.get(m))] for m in ANSWER_METRICS])
    lat = answers.get("latency") or {}
    lines += [
        "",
        f"Answer latency (retrieval + generation): p50 {fmt(lat.get('p50_ms'), 1)} ms, "
        f"p95 {fmt(lat.get('p95_ms'), 1)} ms.",
    ]
    if answers.get("errors"):
        lines.append(f"Errors while answering: {answers['errors']} (scored as wrong).")
    if "by_type" in charts:
        lines += ["", f"![accuracy by type]({charts['by_type']})"]
    for key, label in (("by_type", "type"), ("by_difficulty", "difficulty")):
        groups = answers.get(key) or {}
        lines += ["", f"### Answers by {label}", ""]
        rows = [
            [g, str(m.get("n", 0))] + [fmt(m.get(x)) for x in ANSWER_METRICS]
            for g, m in groups.items()
        ]
        lines += _table([label, "n", *ANSWER_METRICS], rows)
    return lines


def _reader_section(result: Mapping[str, Any]) -> list[str]:
    """Reading metrics: answerability decision, list item recall, answer length, traps and,
    when the answerer reports an answerability score, its precision/recall curve."""
    reader = result.get("reader")
    if not reader:
        return []
    from eval.reader_metrics import reader_table

    lines = ["## Reading", "", "```", *reader_table(reader), "```"]
    traps = reader.get("by_trap") or {}
    if traps:
        lines += ["", "### Accuracy on scope traps", ""]
        rows = [[t, str(m.get("n", 0)), fmt(m.get("accuracy"))] for t, m in traps.items()]
        lines += _table(["trap", "n", "accuracy"], rows)
    if not reader.get("answerability_curve"):
        lines += ["", "No answerability score in the results (the answerer reports none)."]
    return lines


def _rank_text(rank: int | None) -> str:
    return "not in top 10" if rank is None else f"first hit at rank {rank}"


def _misses_section(result: Mapping[str, Any]) -> list[str]:
    misses = result.get("worst_misses") or []
    lines = ["## Worst misses", ""]
    if not misses:
        return [*lines, "None."]
    for m in misses:
        where = _rank_text(m.get("rank"))
        if m.get("unanswerable"):
            where = "unanswerable"
        head = f"**{m['id']}** ({m['type']}, {m['difficulty']}) {m['question']}"
        lines += [
            f"- {head}",
            f"  - gold: {' / '.join(m.get('answers') or ['(refuse)'])}"
            f" — {m.get('title') or ''}; retrieval: {where}"
            + (f"; baseline: {_rank_text(m['baseline_rank'])}" if "baseline_rank" in m else ""),
        ]
        if m.get("query") and m["query"] != m["question"]:
            lines.append(f"  - query: {m['query']}")
        if "answer" in m:
            verdict = "correct" if m.get("correct") else "wrong"
            verdict = "refused" if m.get("refused") else verdict
            lines.append(f"  - answer ({verdict}): {_one_line(m.get('answer') or '', 160)}")
        for i, p in enumerate(m.get("retrieved") or [], 1):
            mark = " ✓" if p.get("hit") else ""
            lines.append(
                f"  - [{i}]{mark} {_one_line(p.get('title') or p.get('source') or '', 30)} › "
                f"{_one_line(p.get('heading') or '', 30)}: {_one_line(p.get('text') or '', 60)}"
            )
    return lines


def render_markdown(
    result: Mapping[str, Any], charts: Mapping[str, str], compare_text: str | None = None
) -> str:
    """The whole report as Markdown (charts referenced by relative file name)."""
    opts = result["options"]
    lines = [
        f"# ReportQA evaluation: {result['run']}",
        "",
        f"- questions: {result['n_questions']} ({result.get('selection') or 'all'}) from "
        f"`{opts.get('gold')}` (corpus {result.get('corpus', 'own')})",
        f"- retriever: {opts['retriever']}; llm: {opts['llm']}; index: `{opts.get('index_dir')}`",
        f"- created: {result.get('created')}; wall time {fmt(result.get('seconds'), 1)} s",
        "- machine: "
        + ", ".join(f"{k} {v}" for k, v in (result.get("machine") or {}).items())
        + " (latencies depend on these)",
        "",
    ]
    lines += _retrieval_section(result, charts)
    lines += ["", *_answer_section(result, charts)]
    reading = _reader_section(result)
    if reading:
        lines += ["", *reading]
    if compare_text:
        lines += ["", "## Compared with the reference run", "", "```", compare_text, "```"]
    lines += ["", *_misses_section(result)]
    lines += [
        "",
        "## How this is scored",
        "",
        "- Retrieval: a passage is a hit when it comes from the gold source file and its "
        "character span covers at least half of the gold evidence span (chunk ids are never "
        "compared). hit@k = first hit within the top k; MRR@10 = mean of 1/rank.",
        "- Multi-turn questions are searched with the answer chain's standalone rewrite of the "
        "follow-up (the query the app itself searches with); if that is unavailable, with the "
        "last user turn of the history followed by the question.",
        "- Answers: gold answers must be contained in the answer after normalisation (width, "
        "whitespace, thousands separators, Chinese numerals, 万/亿 amounts), one of them for "
        "`match: any`, all for `match: all`; an unanswerable question is correct iff refused.",
        "- Citation precision: share of answered answerable questions with at least one "
        "citation whose source span covers the evidence or whose quote contains the evidence "
        "or a gold answer.",
        "- Reading: answerability precision/recall treat *answered* (not refused) as the "
        "prediction that a question is answerable; list item recall is the share of a list "
        "question's items in the answer; answer length is the median in characters over "
        "answered questions, citation markers excluded.",
        "",
    ]
    return "\n".join(lines)


__all__ = ["compare_rows", "fmt", "format_compare", "make_charts", "render_markdown"]
