"""Answers beside a Python-busy thread, by GIL switch interval: why the server uses 1 ms.

    python bench/gil_switch.py                # 30 gold questions, 2 rounds per interval
    python bench/gil_switch.py --rounds 3

An upload's ingest runs in a server thread; its cleaning, splitting and tokenising are pure
Python and hold the GIL. One process answers the gold questions (extractive reader, the
index of ``data/`` at ``var/index``; ``python -m eval --no-ingest`` builds it) idle, then
beside a thread that tokenises report text without pause, for each switch interval in turn
(interleaved, so a change in the machine's load hits every interval alike). Results:
``bench/results/gil_switch.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INTERVALS = (0.005, 0.001, 0.0005)  # CPython's default, the server's, a shorter one


def _tokenise_forever(text: str, stop: threading.Event) -> None:
    """The ingest's Python-heavy part: tokenise 300-character pieces until told to stop."""
    from index.terms import get_tokenizer

    tok = get_tokenizer()
    while not stop.is_set():
        for i in range(0, len(text), 300):
            tok.tokens(text[i : i + 300])
            if stop.is_set():
                return


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--questions", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    os.environ.setdefault("REPORTQA_LLM", "extractive")
    from core.settings import get_settings
    from rag.answer import Answerer

    settings = get_settings().model_copy(update={"index_dir": ROOT / "var" / "index"})
    answerer = Answerer(settings)
    answerer.warm_up()
    gold = (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in gold[: args.questions]]
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").glob("*.txt")))

    def median_ms() -> float:
        times = []
        for q in questions:
            start = time.perf_counter()
            answerer.ask(q)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    default = sys.getswitchinterval()
    idle = median_ms()
    busy: dict[float, list[float]] = {iv: [] for iv in INTERVALS}
    stop = threading.Event()
    worker = threading.Thread(target=_tokenise_forever, args=(text, stop), daemon=True)
    worker.start()
    try:
        for _ in range(args.rounds):
            for iv in INTERVALS:
                sys.setswitchinterval(iv)
                busy[iv].append(median_ms())
    finally:
        stop.set()
        sys.setswitchinterval(default)
    rows = [
        {
            "switch_interval_ms": iv * 1000,
            "busy_p50_ms": round(statistics.median(v), 1),
            "ratio_to_idle": round(statistics.median(v) / idle, 2),
        }
        for iv, v in busy.items()
    ]
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    result = {"idle_p50_ms": round(idle, 1), "rows": rows, "questions": len(questions)}
    (out / "gil_switch.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    lines = [
        f"# Answers beside a Python-busy thread ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Command: `python bench/gil_switch.py --rounds {args.rounds}`. Median answer time of "
        f"{len(questions)} gold questions (extractive), idle: {idle:.1f} ms; beside a thread "
        "tokenising report text (an upload's ingest), by GIL switch interval, rounds "
        "interleaved.",
        "",
        "| switch interval (ms) | busy p50 (ms) | ratio to idle |",
        "|---|---|---|",
        *(
            f"| {r['switch_interval_ms']:g} | {r['busy_p50_ms']} | {r['ratio_to_idle']} |"
            for r in rows
        ),
        "",
    ]
    (out / "gil_switch.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
