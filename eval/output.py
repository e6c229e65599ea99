"""What a run leaves behind: the terminal summary, the result JSON and the Markdown report."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent
RESULTS_DIR = EVAL_DIR / "results"
REFERENCE = RESULTS_DIR / "baseline.json"


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


def display_path(path: Path) -> str:
    """Paths inside the project are shown relative to it, so committed results are portable."""
    try:
        return str(Path(path).resolve().relative_to(EVAL_DIR.parent))
    except ValueError:
        return str(path)


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
    if result.get("reader"):
        from eval.reader_metrics import reader_table

        lines += reader_table(result["reader"])
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


__all__ = [
    "REFERENCE",
    "RESULTS_DIR",
    "display_path",
    "dump_result",
    "machine_info",
    "summary_text",
    "write_outputs",
]
