"""Answers on a busy machine: local-LLM answer latency idle and during an ingest, in one run.

    python bench/busy.py                 # both parts, 10x synthetic corpus for the API ingest
    python bench/busy.py --copies 3      # a shorter API ingest
    python bench/busy.py --parts cli     # only the two-process part

* **api**: a server (``app.py``, ``REPORTQA_LLM=local``) over a copy of the sample index
  answers ``--questions`` gold questions one after another while idle; then a client uploads
  the ``--copies``x synthetic corpus (``bench/synth.py``) file by file through
  ``POST /api/documents``; after ``--window`` seconds of ingest alone the same questions are
  asked again during the ingest, then the ingest runs ``--window`` seconds alone again and is
  waited for until it completes.
* **cli**: ``python -m rag ask`` (one process, the questions in turn) idle, and beside a
  ``python -m ingest data/`` into another index; the same ingest alone gives the idle rate.

Ingest progress is read from the status files every ingest publishes (``core.cpu``), so the
ingest rate is measured inside each window: while answers run vs. alone. Results:
``bench/results/busy.{json,md,png}``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import _free_port  # noqa: E402
from bench.synth import generate  # noqa: E402
from core import cpu  # noqa: E402
from core.settings import get_settings  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def gold_questions(n: int) -> list[str]:
    """``n`` gold questions, the reasoning ones first: their answers are the ones the local
    model writes (figures, names and lists come from the reader), so they are what competes
    with an ingest for the cores."""
    rows = [json.loads(x) for x in (ROOT / "eval" / "gold.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r.get("type") != "multi-turn"]
    rows.sort(key=lambda r: r.get("type") != "reasoning")  # stable: file order otherwise
    return [r["question"] for r in rows][:n]


@dataclass
class Progress:
    """Chunks embedded by the ingests of one index over time (sampled from status files)."""

    index: str
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _last: dict[tuple[int, int, float], int] = field(default_factory=dict)

    def start(self) -> Progress:
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        settings = get_settings()
        while not self._stop.is_set():
            for job in cpu.running_ingests(settings):
                if job.index == self.index:
                    self._last[(job.pid, job.tid, job.started)] = job.embedded
            self.samples.append((time.time(), sum(self._last.values())))
            time.sleep(0.25)

    def at(self, t: float) -> float:
        """Chunks embedded by time ``t`` (linear between samples)."""
        before = [s for s in self.samples if s[0] <= t]
        after = [s for s in self.samples if s[0] >= t]
        if not before:
            return 0.0
        if not after:
            return float(before[-1][1])
        (t0, v0), (t1, v1) = before[-1], after[0]
        return v0 if t1 == t0 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)

    def rate(self, t0: float, t1: float) -> float:
        return round((self.at(t1) - self.at(t0)) / max(1e-6, t1 - t0), 2)

    def when(self, n: float) -> float:
        """When the ``n``-th chunk was embedded (linear between samples; inverse of :meth:`at`)."""
        prev = self.samples[0]
        for t, v in self.samples:
            if v >= n:
                t0, v0 = prev
                return t if v == v0 else t0 + (t - t0) * (n - v0) / (v - v0)
            prev = (t, v)
        return self.samples[-1][0]


# --------------------------------------------------------------------------------------------
# api part
# --------------------------------------------------------------------------------------------


def _env(index: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "REPORTQA_INDEX_DIR": str(index), "REPORTQA_LLM": "local", **extra}


def base_index(work: Path) -> Path:
    """The sample ingested once (reused across runs); copies of it are what runs change."""
    index = work / "base-index"
    if not (index / "manifest.json").exists():
        subprocess.run(
            [sys.executable, "-m", "ingest", "data/", "--quiet"],
            cwd=ROOT,
            env=_env(index),
            check=True,
        )
    return index


def start_server(index: Path, uploads: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = _env(index, REPORTQA_PORT=str(port), REPORTQA_UPLOAD_DIR=str(uploads))
    proc = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited; see {log}")
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(1)
    proc.kill()
    raise SystemExit("server did not start within 300 s")


def ask_all(
    base: str, questions: list[str], think: float = 0.0, at_least: float = 0.0
) -> tuple[list[float], float, float]:
    """Latency (ms) of each question asked in turn, ``think`` seconds apart, the list repeated
    until ``at_least`` seconds have passed; and the window's start and end."""
    out: list[float] = []
    t0 = time.time()
    with httpx.Client(timeout=600) as client:
        while not out or time.time() - t0 < at_least:
            for q in questions:
                t = time.perf_counter()
                r = client.post(f"{base}/api/ask", json={"question": q})
                r.raise_for_status()
                out.append((time.perf_counter() - t) * 1000)
                time.sleep(think)
    return out, t0, time.time()


def upload_all(base: str, files: list[Path], log: dict[str, Any]) -> None:
    started = time.time()
    with httpx.Client(timeout=3600) as client:
        for path in files:
            r = client.post(
                f"{base}/api/documents",
                files={"files": (path.name, path.read_bytes(), "text/plain")},
            )
            r.raise_for_status()
            log["files"] = log.get("files", 0) + 1
            log["chunks"] = log.get("chunks", 0) + sum(
                x.get("chunks", 0) for x in r.json()["results"]
            )
    log["seconds"] = round(time.time() - started, 1)


def api_part(args: argparse.Namespace, questions: list[str]) -> dict[str, Any]:
    work = args.work
    index = work / "api-index"
    shutil.rmtree(index, ignore_errors=True)
    shutil.copytree(base_index(work), index)
    uploads = work / "api-uploads"
    shutil.rmtree(uploads, ignore_errors=True)
    corpus = work / f"synth-{args.copies}x"
    generate(corpus, args.copies)
    files = sorted(corpus.glob("*.txt"))
    proc, base = start_server(index, uploads, work / "busy-server.log")
    try:
        ask_all(base, questions)  # warm-up: model load, caches (the busy window starts warm)
        idle, _, _ = ask_all(base, questions, args.think, args.window)
        progress = Progress(str(index)).start()
        ingest: dict[str, Any] = {}
        uploader = threading.Thread(target=upload_all, args=(base, files, ingest))
        uploader.start()
        while progress.at(time.time()) == 0 and uploader.is_alive():
            time.sleep(0.5)
        alone_from = time.time()
        time.sleep(args.window)
        busy, b0, b1 = ask_all(base, questions, args.think, args.window)
        time.sleep(args.window)
        alone_to = time.time()
        uploader.join()
        progress.stop()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    idle_rate = (progress.rate(alone_from, b0) + progress.rate(b1, alone_to)) / 2
    return {
        "idle_ms": idle,
        "busy_ms": busy,
        "ingest_files": ingest.get("files", 0),
        "ingest_chunks": ingest.get("chunks", 0),
        "ingest_seconds": ingest.get("seconds"),
        "ingest_completed": ingest.get("files", 0) == len(files),
        "ingest_rate_alone": round(idle_rate, 2),
        "ingest_rate_during_answers": progress.rate(b0, b1),
        "answer_window_s": round(b1 - b0, 1),
    }


# --------------------------------------------------------------------------------------------
# cli part
# --------------------------------------------------------------------------------------------


def rag_ask(index: Path, questions: list[str]) -> tuple[list[float], float, float]:
    """``python -m rag ask --json`` over ``questions``: each answer's total_ms and the window
    the answers ran in. The window starts when the answers after the warm-up start, not when
    the process does: importing torch and loading the models is no answering, and on two cores
    it takes an ingest's second core for seconds."""
    out = subprocess.run(  # the first question is a warm-up (model load), dropped below
        [sys.executable, "-m", "rag", "ask", "--json", questions[0], *questions],
        cwd=ROOT,
        env=_env(index),
        capture_output=True,
        text=True,
        check=True,
    )
    t1 = time.time()
    answers = [a["timings"]["total_ms"] for a in json.loads(out.stdout)[1:]]
    return answers, t1 - sum(answers) / 1000, t1


def cli_ingest(index: Path) -> subprocess.Popen[bytes]:
    shutil.rmtree(index, ignore_errors=True)
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "data/", "--quiet"],
        cwd=ROOT,
        env=_env(index),
        stdout=subprocess.DEVNULL,
    )


def wait_embedding(progress: Progress, proc: subprocess.Popen[bytes]) -> None:
    while progress.at(time.time()) == 0 and proc.poll() is None:
        time.sleep(0.25)


def cli_part(args: argparse.Namespace, questions: list[str]) -> dict[str, Any]:
    work = args.work
    index = base_index(work)
    _, i0, i1 = rag_ask(index, questions)
    # repeat the list so the answers cover at least --window seconds of the ingest; the idle
    # run repeats it as often, so both start cold and warm their caches alike
    rounds = max(1, math.ceil(args.window / max(1e-3, i1 - i0)))
    idle, _, _ = rag_ask(index, questions * rounds)
    # the same ingest alone, then beside the answers
    alone_index = work / "cli-alone"
    progress = Progress(str(alone_index)).start()
    proc = cli_ingest(alone_index)
    wait_embedding(progress, proc)
    t0 = time.time()
    proc.wait()
    t1 = min(t for t, v in progress.samples if v == progress.samples[-1][1])
    progress.stop()
    alone_rate = progress.rate(t0, t1)
    alone = progress
    busy_index = work / "cli-busy"
    progress = Progress(str(busy_index)).start()
    proc = cli_ingest(busy_index)
    wait_embedding(progress, proc)
    started = time.time()
    busy, b0, b1 = rag_ask(index, questions * rounds)
    proc.wait()
    finished = time.time()
    progress.stop()
    # the same chunks alone: files differ in chunk length, so a whole-ingest rate against a
    # window's rate compares different work; the ingest's order is fixed, so chunks n0..n1
    # of the busy window are the same texts in the run alone
    n0, n1 = progress.at(max(b0, started)), progress.at(b1)
    same = (n1 - n0) / max(1e-6, alone.when(n1) - alone.when(n0))
    return {
        "idle_ms": idle,
        "busy_ms": busy,
        "ingest_completed": proc.returncode == 0,
        "ingest_rate_alone": alone_rate,
        "ingest_rate_during_answers": progress.rate(max(b0, started), b1),
        "ingest_rate_alone_same_chunks": round(same, 2),
        "ingest_busy_seconds": round(finished - started, 1),
        "answer_window_s": round(b1 - b0, 1),
    }


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------


def summarize(name: str, r: dict[str, Any]) -> dict[str, Any]:
    idle, busy = r["idle_ms"], r["busy_ms"]
    row = {
        "part": name,
        "idle_p50_ms": pct(idle, 0.5),
        "idle_p95_ms": pct(idle, 0.95),
        "busy_p50_ms": pct(busy, 0.5),
        "busy_p95_ms": pct(busy, 0.95),
        "ingest_rate_alone": r["ingest_rate_alone"],
        "ingest_rate_during_answers": r["ingest_rate_during_answers"],
        "ingest_completed": r["ingest_completed"],
    }
    row["p50_ratio"] = round(row["busy_p50_ms"] / row["idle_p50_ms"], 2)
    row["p95_ratio"] = round(row["busy_p95_ms"] / row["idle_p95_ms"], 2)
    alone = r["ingest_rate_alone"] or 1e-9
    row["ingest_ratio"] = round(r["ingest_rate_during_answers"] / alone, 2)
    if "ingest_rate_alone_same_chunks" in r:  # cli: the chunks of the busy window, alone
        same = r["ingest_rate_alone_same_chunks"] or 1e-9
        row["same_chunks_ratio"] = round(r["ingest_rate_during_answers"] / same, 2)
    return row


def render(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    cols = list(dict.fromkeys(c for r in rows for c in r))
    lines = [
        f"# Busy-machine benchmark ({meta['cores']} cores, {meta['when']})",
        "",
        f"Command: `{meta['command']}`. {meta['questions']} gold questions (the reasoning ones, "
        "whose answers the local model writes, first), local LLM, asked in turn "
        f"({meta.get('think', 0)} s between a reply and the next question in the api part; the "
        "list repeated until the window is covered, idle and busy alike): idle, then during an "
        "ingest "
        "(api: the synthetic corpus uploaded file by file "
        "through the API; cli: `python -m ingest data/` into another index beside "
        "`python -m rag ask`). Ratios come from one run. Machine load (1-min average) at the "
        f"start: {meta['load_start']}, at the end: {meta['load_end']}.",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
    ]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]
    lines += [
        "",
        "Bars: busy p50 <= 1.5x idle p50, busy p95 <= 2x idle p95, ingest rate while answers "
        "run >= 0.6x its rate alone (chunks/s, from the ingest's own progress), ingest completes.",
    ]
    return "\n".join(lines) + "\n"


def plot(rows: list[dict[str, Any]], raw: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(rows), figsize=(5 * len(rows), 3.5), squeeze=False)
    for ax, row in zip(axes[0], rows, strict=True):
        r = raw[row["part"]]
        ax.plot(r["idle_ms"], "o-", label="idle")
        ax.plot(r["busy_ms"], "s-", label="during ingest")
        ax.set_title(f"{row['part']}: p50 x{row['p50_ratio']}, p95 x{row['p95_ratio']}")
        ax.set_xlabel("question")
        ax.set_ylabel("answer ms")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", nargs="+", choices=["api", "cli"], default=["api", "cli"])
    ap.add_argument("--copies", type=int, default=10, help="synthetic corpus size for the API")
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument(
        "--window",
        type=float,
        default=45.0,
        help="seconds of ingest alone before and after the answers, and the least seconds the "
        "answers during the ingest cover (the question list is repeated)",
    )
    ap.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="api part: seconds between a reply and the next question (0: back to back)",
    )
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "busy")
    ap.add_argument("--name", default="busy", help="results file name in bench/results")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    questions = gold_questions(args.questions)
    meta = {
        "cores": cpu.cores(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "command": "python bench/busy.py " + " ".join(sys.argv[1:]),
        "questions": len(questions),
        "copies": args.copies,
        "think": args.think,
        "load_start": round(os.getloadavg()[0], 2),
    }
    raw: dict[str, Any] = {}
    for part in args.parts:
        raw[part] = (api_part if part == "api" else cli_part)(args, questions)
        print(part, json.dumps(summarize(part, raw[part])), flush=True)
    meta["load_end"] = round(os.getloadavg()[0], 2)
    rows = [summarize(p, raw[p]) for p in args.parts]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(
        json.dumps({"meta": meta, "rows": rows, "raw": raw}, indent=1, ensure_ascii=False) + "\n"
    )
    (RESULTS / f"{args.name}.md").write_text(render(rows, meta))
    plot(rows, raw, RESULTS / f"{args.name}.png")
    print(render(rows, meta))


if __name__ == "__main__":
    main()
