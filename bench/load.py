"""Load benchmark: many concurrent HTTP clients against a ReportQA server on 127.0.0.1.

    python bench/load.py --start                     # start app.py (extractive) on var/index
    python bench/load.py --url http://127.0.0.1:7860 # or drive a server that is already up

Two bounded phases, each stopping itself after ``--duration`` seconds:

* ``/api/search``: ``--search-clients`` (50) clients in closed loops, each sending the gold
  questions round-robin;
* ``/api/ask``: ``--ask-clients`` (8) clients in closed loops (the server's LLM backend;
  ``--start`` uses ``extractive``).

Meanwhile ``/health`` is polled once a second. The report gives throughput, p50/p95/p99, the
error count, and where time goes: the server's own timings (dense encoding, BM25, whole
retrieval; the answer chain) against the latency the client saw, the rest being queueing and
HTTP. Results go to ``bench/results/load.{json,md}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def questions() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "eval" / "gold.jsonl").read_text().splitlines()]
    return [r["question"] for r in rows if r.get("type") != "multi-turn"]


async def phase(
    base: str, path: str, body_key: str, clients: int, duration: float, qs: list[str]
) -> dict[str, Any]:
    """``clients`` closed-loop clients for ``duration`` seconds; latencies and server timings."""
    latencies: list[float] = []
    server: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    health: list[float] = []
    stop = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker(n: int) -> None:
            i = n
            while time.perf_counter() < stop:
                q = qs[i % len(qs)]
                i += clients
                t0 = time.perf_counter()
                try:
                    r = await client.post(path, json={body_key: q})
                    ok = r.status_code == 200
                    if ok:
                        for k, v in (r.json().get("timings") or {}).items():
                            server.setdefault(k, []).append(float(v))
                    else:
                        errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                except httpx.HTTPError as exc:
                    ok = False
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)

        async def poll_health() -> None:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    r = await client.get("/health", timeout=10)
                    if r.status_code == 200:
                        health.append((time.perf_counter() - t0) * 1000)
                except httpx.HTTPError:
                    errors["health"] = errors.get("health", 0) + 1
                await asyncio.sleep(1)

        t_start = time.perf_counter()
        await asyncio.gather(poll_health(), *(worker(n) for n in range(clients)))
        wall = time.perf_counter() - t_start
    return {
        "endpoint": path,
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "throughput_rps": round(len(latencies) / wall, 2),
        "p50_ms": _pct(latencies, 0.50),
        "p95_ms": _pct(latencies, 0.95),
        "p99_ms": _pct(latencies, 0.99),
        "server_median_ms": {k: round(statistics.median(v), 1) for k, v in server.items()},
        "health_p50_ms": _pct(health, 0.50),
        "health_max_ms": round(max(health), 1) if health else None,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``python app.py`` with the extractive backend over ``index``, on a free port."""
    if not (index / "manifest.json").exists():
        raise SystemExit(f"no index in {index}: run `make ingest` (or python -m ingest data/)")
    port = _free_port()
    env = {
        **os.environ,
        "REPORTQA_INDEX_DIR": str(index),
        "REPORTQA_PORT": str(port),
        "REPORTQA_LLM": "extractive",
        "REPORTQA_UPLOAD_DIR": str(ROOT / "var" / "bench" / "uploads"),
    }
    log = open(ROOT / "var" / "bench" / "load-server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited; see var/bench/load-server.log")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start within 180 s")


def encoder_micro(n: int = 100) -> dict[str, Any]:
    """Query encoding alone, onnxruntime vs torch (the fallback), interleaved, in-process."""
    from core.settings import get_settings
    from models.embeddings import E5Embeddings, prepare_query_model

    settings = get_settings()
    prepare_query_model(settings.model_copy(update={"query_encoder": "onnx"}))  # fp32, once
    runtimes = {
        "onnx": E5Embeddings(settings),  # the configured onnx graph (int8 by default)
        "onnx_fp32": E5Embeddings(settings.model_copy(update={"query_encoder": "onnx"})),
        "torch": E5Embeddings(settings.model_copy(update={"query_encoder": "torch"})),
    }
    qs = [settings.query_prefix + q for q in questions()]
    times: dict[str, list[float]] = {name: [] for name in runtimes}
    for i in range(n + 3):
        for name, emb in runtimes.items():
            t = time.perf_counter()
            emb._encode_query_texts([qs[i % len(qs)]])
            if i >= 3:  # warm-up
                times[name].append((time.perf_counter() - t) * 1000)
    out: dict[str, Any] = {f"{k}_p50_ms": _pct(v, 0.5) for k, v in times.items()}
    out["runtime"] = runtimes["onnx"].query_runtime
    out["ratio_p50"] = round(out["onnx_p50_ms"] / out["torch_p50_ms"], 2)
    out["fp32_ratio_p50"] = round(out["onnx_fp32_p50_ms"] / out["torch_p50_ms"], 2)
    return out


def health_micro(index: Path, n: int = 50) -> dict[str, Any]:
    """``/health``'s work on ``index``: the first (full) check, then cached calls."""
    from core.settings import get_settings
    from index.store import IndexPaths, load_manifest
    from server.service import ReportQAService

    service = ReportQAService(get_settings().model_copy(update={"index_dir": index}))

    def once() -> float:
        t = time.perf_counter()
        service.index_problem()
        service.stats()
        return (time.perf_counter() - t) * 1000

    first = once()
    cached = [once() for _ in range(n)]
    t = time.perf_counter()
    chunks = sum(len(e.chunk_ids) for e in load_manifest(IndexPaths(index)).files.values())
    parse_ms = (time.perf_counter() - t) * 1000
    return {
        "index": str(index),
        "chunks": chunks,
        "first_ms": round(first, 1),
        "cached_p50_ms": _pct(cached, 0.5),
        "cached_max_ms": round(max(cached), 1),
        "one_manifest_parse_ms": round(parse_ms, 1),
    }


def render(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    cols = (
        "endpoint",
        "clients",
        "seconds",
        "requests",
        "errors",
        "throughput_rps",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "health_p50_ms",
        "health_max_ms",
    )
    lines = [
        f"# Load benchmark ({meta['cores']} cores, {meta['created']})",
        "",
        f"Command: `{meta['command']}`; server: {meta['server']}; index: {meta['index']}.",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
    ]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    lines += ["", "Where time goes (server-side medians vs. what the client saw):", ""]
    for r in rows:
        parts = ", ".join(f"{k} {v}" for k, v in r["server_median_ms"].items())
        lines.append(f"- `{r['endpoint']}`: client p50 {r['p50_ms']} ms; server {parts}")
    if meta.get("encoder"):
        e = meta["encoder"]
        lines += [
            "",
            f"Query encoding alone (one query, in-process, interleaved): onnxruntime "
            f"({e['runtime']}) p50 {e['onnx_p50_ms']} ms vs torch {e['torch_p50_ms']} ms "
            f"(ratio {e['ratio_p50']}); the fp32 onnx graph {e['onnx_fp32_p50_ms']} ms "
            f"(ratio {e['fp32_ratio_p50']}).",
        ]
    for h in meta.get("health", []):
        lines += [
            "",
            f"`/health` work on {h['index']} ({h['chunks']} chunks): first check "
            f"{h['first_ms']} ms, then cached p50 {h['cached_p50_ms']} ms "
            f"(max {h['cached_max_ms']} ms); one manifest parse takes "
            f"{h['one_manifest_parse_ms']} ms.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--start", action="store_true", help="start app.py (extractive) first")
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--search-clients", type=int, default=50)
    parser.add_argument("--ask-clients", type=int, default=8)
    parser.add_argument(
        "--health-index", type=Path, action="append", default=[], help="time /health's work here"
    )
    args = parser.parse_args()
    encoder = encoder_micro()
    health = [health_micro(p) for p in [args.index, *args.health_index]]
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    proc = None
    base = args.url
    if args.start:
        proc, base = start_server(args.index)
    try:
        info = httpx.get(f"{base}/health", timeout=10).json()
        qs = questions()
        rows = [
            asyncio.run(
                phase(base, "/api/search", "query", args.search_clients, args.duration, qs)
            ),
            asyncio.run(phase(base, "/api/ask", "question", args.ask_clients, args.duration, qs)),
        ]
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    meta = {
        "cores": os.cpu_count(),
        "created": time.strftime("%Y-%m-%d %H:%M"),
        "command": "python bench/load.py " + " ".join(sys.argv[1:]),
        "server": f"llm={info.get('llm')}, {info.get('chunks')} chunks",
        "index": str(args.index) if args.start else base,
        "encoder": encoder,
        "health": health,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    (RESULTS / "load.md").write_text(render(rows, meta))
    print(render(rows, meta))
    if any(r["errors"] for r in rows):
        raise SystemExit("errors under load: see error_kinds in bench/results/load.json")


if __name__ == "__main__":
    main()
