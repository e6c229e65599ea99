"""Scale benchmark: ingest and hybrid search on synthetic corpora 1x, 10x, 100x the sample.

    python bench/scale.py                         # 1x, 10x, 100x (100x embeds ~60k chunks)
    python bench/scale.py --scales 1 10           # smaller
    python bench/scale.py --chroma-server 1       # also: the 1x run against a `chroma run` server

For each scale it generates the corpus (``bench/synth.py``), ingests it in a child process
(wall time, chunks/s, peak RSS), measures the index size on disk, then searches in another child
process: hit@5 / MRR on generated questions with known evidence, latency p50/p95/p99 with the
median split into dense / BM25 / fusion, and peak RSS while searching.

Two question sets: *copy-0* questions (the same ~90 questions at every scale, so the drop in
hit@5 is purely the effect of more distracting reports) and a seeded *sample* over all copies.
Work files live in ``--work`` (default ``var/bench``) and a finished ingest is reused, so an
interrupted run resumes. Results go to ``bench/results/scale.{json,md,png}``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


# -- child processes (one job each, so peak RSS is that job's alone) ----------------------------


def _settings(index: str, chroma_port: int) -> Any:
    from core.settings import Settings

    extra: dict[str, Any] = {}
    if chroma_port:
        extra = {"chroma_host": "127.0.0.1", "chroma_port": chroma_port}
    return Settings(index_dir=Path(index), **extra)


def _child_ingest(corpus: str, index: str, chroma_port: int) -> dict[str, Any]:
    from ingest.index import Ingestor

    t0 = time.perf_counter()
    files = [Path(line) for line in Path(corpus).read_text().splitlines() if line]
    s = Ingestor(_settings(index, chroma_port), progress=False).run(files)
    return {
        "seconds": round(time.perf_counter() - t0, 1),
        "chunks": s.total_chunks,
        "embedded": s.embedded,
        "documents": s.documents,
        "duplicates_dropped": s.duplicates_dropped,
        "skipped": len(s.skipped),
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _child_search(corpus: str, index: str, chroma_port: int, questions: str) -> dict[str, Any]:
    from eval.score import SpanRef, evidence_spans, first_hit_rank
    from rag.retrieve import Searcher

    t_load = time.perf_counter()
    searcher = Searcher(_settings(index, chroma_port))
    items = json.loads(Path(questions).read_text(encoding="utf-8"))
    texts = {
        s: (Path(corpus) / s).read_text(encoding="utf-8")
        for s in {i["source"] for q in items.values() for i in q}
    }
    for warm in ("2021年GDP目标", "森林覆盖率", "重点项目投资"):
        searcher.search(warm, k=10)
    load_s = time.perf_counter() - t_load
    out: dict[str, Any] = {"load_s": round(load_s, 1)}
    latencies: list[float] = []
    parts: dict[str, list[float]] = {}
    for name, qs in items.items():
        ranks: list[int | None] = []
        for item in qs:
            timings: dict[str, float] = {}
            t0 = time.perf_counter()
            hits = searcher.search(item["question"], k=10, timings=timings)
            latencies.append((time.perf_counter() - t0) * 1000)
            for key, value in timings.items():
                parts.setdefault(key, []).append(value)
            refs = [
                SpanRef(
                    p.metadata.get("source", ""), p.metadata.get("start"), p.metadata.get("end")
                )
                for p in hits
            ]
            ranks.append(first_hit_rank(refs, item["source"], evidence_spans(item, texts)))
        n = max(1, len(ranks))
        out[name] = {
            "questions": len(ranks),
            "hit@1": round(sum(1 for r in ranks if r == 1) / n, 3),
            "hit@5": round(sum(1 for r in ranks if r and r <= 5) / n, 3),
            "mrr@10": round(sum(1 / r for r in ranks if r) / n, 3),
        }
    out["search_p50_ms"] = round(_percentile(latencies, 0.50), 1)
    out["search_p95_ms"] = round(_percentile(latencies, 0.95), 1)
    out["search_p99_ms"] = round(_percentile(latencies, 0.99), 1)
    out["median_parts_ms"] = {k: round(statistics.median(v), 1) for k, v in parts.items()}
    return out


def _child(args: list[str]) -> None:
    from models.packages import configure_offline

    configure_offline()
    job, corpus, index, port = args[:4]
    if job == "ingest":
        out = _child_ingest(corpus, index, int(port))
    else:
        out = _child_search(corpus, index, int(port), args[4])
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


def run_child(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if proc.returncode:
        raise SystemExit(f"bench child {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- orchestration --------------------------------------------------------------------------


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """``chroma run`` on 127.0.0.1 for the client/server comparison."""

    def __init__(self, data: Path) -> None:
        self.data, self.port, self.proc = data, _free_port(), None

    def __enter__(self) -> ChromaServer:
        import httpx

        chroma = Path(sys.executable).with_name("chroma")
        self.proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(self.data), "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(
                    f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1
                ).is_success:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        raise SystemExit("chroma server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def _ingest_into(
    files: list[Path], index: Path, port: int, label: str, base: Path | None
) -> dict[str, Any]:
    """Ingest ``files`` into ``index``; start from a copy of ``base`` (a finished smaller scale
    over the same files' prefix) when given.

    Copies are generated and ingested in file order, so a fresh ingest of the larger corpus does
    exactly the smaller one's work first: its time is the smaller scale's plus the increment.
    """
    from core.settings import Settings
    from ingest.index import pipeline_fingerprint

    pipeline = pipeline_fingerprint(Settings())
    done = index / "bench-ingest.json"
    if done.exists():
        out = json.loads(done.read_text())
        if out.get("pipeline") == pipeline:
            print(f"[{label}] reusing the finished ingest in {index}", file=sys.stderr)
            return out
        # The chunker changed since: upgrade in place, as a user's index is upgraded (every file
        # re-chunked, only chunks not already stored embedded); the time adds to the first one.
        print(f"[{label}] upgrading {index} to pipeline {pipeline} ...", file=sys.stderr)
        listing = index.parent / f"{index.name}.files"
        listing.write_text("\n".join(str(f) for f in files))
        step = run_child("ingest", str(listing), str(index), str(port))
        out = {
            **out,
            "chunks": step["chunks"],
            "documents": step["documents"],
            "seconds": round(out["seconds"] + step["seconds"], 1),
            "upgrade_seconds": step["seconds"],
            "upgrade_embedded": step["embedded"],
            "embedded": out["embedded"] + step["embedded"],
            "duplicates_dropped": step["duplicates_dropped"],
            "peak_rss_mb": max(out["peak_rss_mb"], step["peak_rss_mb"]),
            "pipeline": pipeline,
        }
        done.write_text(json.dumps(out))
        return out
    shutil.rmtree(index, ignore_errors=True)
    before = {"seconds": 0.0, "peak_rss_mb": 0, "embedded": 0, "duplicates_dropped": 0}
    if base is not None:
        shutil.copytree(base, index)
        before = json.loads((base / "bench-ingest.json").read_text())
        (index / "bench-ingest.json").unlink()
    listing = index.parent / f"{index.name}.files"
    listing.write_text("\n".join(str(f) for f in files))
    print(f"[{label}] ingesting {len(files)} files into {index} ...", file=sys.stderr)
    step = run_child("ingest", str(listing), str(index), str(port))
    out = {
        **step,
        "seconds": round(before["seconds"] + step["seconds"], 1),
        "increment_seconds": step["seconds"],
        "embedded": before["embedded"] + step["embedded"],
        "duplicates_dropped": before["duplicates_dropped"] + step["duplicates_dropped"],
        "peak_rss_mb": max(before["peak_rss_mb"], step["peak_rss_mb"]),
        "resumed_from": str(base) if base else None,
        "pipeline": pipeline,
    }
    index.mkdir(parents=True, exist_ok=True)
    done.write_text(json.dumps(out))
    return out


def bench_scale(
    scale: int, work: Path, sample: int, max_scale: int, server: bool = False
) -> dict[str, Any]:
    from bench.synth import generate

    label = f"{scale}x" + (" (chroma server)" if server else "")
    corpus = work / "corpus"
    t0 = time.perf_counter()
    questions = [q for q in generate(corpus, max_scale) if q["copy"] < scale]
    gen_s = time.perf_counter() - t0
    files = sorted(p for p in corpus.iterdir() if int(p.name[1:4]) < scale)
    copy0 = [q for q in questions if q["copy"] == 0]
    rng = random.Random(scale)
    picked = rng.sample(questions, min(sample, len(questions)))
    qfile = work / f"questions-x{scale}.json"
    qfile.write_text(json.dumps({"copy0": copy0, "sample": picked}, ensure_ascii=False))
    text_mb = sum(f.stat().st_size for f in files) / 2**20
    if server:
        index = work / f"index-x{scale}-server"
        shutil.rmtree(index, ignore_errors=True)
        with ChromaServer(work / f"chroma-server-x{scale}") as srv:
            ing = _ingest_into(files, index, srv.port, label, None)
            print(f"[{label}] searching ...", file=sys.stderr)
            srch = run_child("search", str(corpus), str(index), str(srv.port), str(qfile))
            disk = _du(index) + _du(srv.data)
        shutil.rmtree(srv.data, ignore_errors=True)
    else:
        smaller = sorted(
            (int(p.name.removeprefix("index-x")), p)
            for p in work.glob("index-x*")
            if p.name.removeprefix("index-x").isdigit()
            and int(p.name.removeprefix("index-x")) < scale
            and (p / "bench-ingest.json").exists()
        )
        base = smaller[-1][1] if smaller else None
        index = work / f"index-x{scale}"
        ing = _ingest_into(files, index, 0, label, base)
        print(f"[{label}] searching ...", file=sys.stderr)
        srch = run_child("search", str(corpus), str(index), "0", str(qfile))
        disk = _du(index)
    row = {
        "corpus": label,
        "scale": scale,
        "reports": len(files),
        "text_mb": round(text_mb, 1),
        "generate_s": round(gen_s, 1),
        "chunks": ing["chunks"],
        "ingest_s": ing["seconds"],
        "chunks_per_s": round(ing["chunks"] / max(ing["seconds"], 1e-9), 1),
        "ingest_peak_rss_mb": ing["peak_rss_mb"],
        "duplicates_dropped": ing["duplicates_dropped"],
        "upgrade_s": ing.get("upgrade_seconds"),
        "upgrade_embedded": ing.get("upgrade_embedded"),
        "index_mb": round(disk / 2**20, 1),
        "search_load_s": srch["load_s"],
        "search_p50_ms": srch["search_p50_ms"],
        "search_p95_ms": srch["search_p95_ms"],
        "search_p99_ms": srch["search_p99_ms"],
        "search_parts_ms": srch["median_parts_ms"],
        "search_peak_rss_mb": srch["peak_rss_mb"],
        "copy0_questions": srch["copy0"]["questions"],
        "copy0_hit@5": srch["copy0"]["hit@5"],
        "copy0_mrr@10": srch["copy0"]["mrr@10"],
        "sample_questions": srch["sample"]["questions"],
        "sample_hit@5": srch["sample"]["hit@5"],
        "sample_mrr@10": srch["sample"]["mrr@10"],
    }
    print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    return row


COLUMNS = (
    "corpus",
    "reports",
    "text_mb",
    "chunks",
    "ingest_s",
    "chunks_per_s",
    "ingest_peak_rss_mb",
    "index_mb",
    "search_p50_ms",
    "search_p95_ms",
    "search_p99_ms",
    "search_peak_rss_mb",
    "copy0_hit@5",
    "copy0_mrr@10",
    "sample_hit@5",
    "sample_mrr@10",
)


def markdown_table(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> list[str]:
    """A markdown table of ``rows`` (dicts) under ``columns``; a missing value is empty."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return lines + ["| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in rows]


def render(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"# Scale benchmark ({meta['cores']} cores, {meta['created']})",
        "",
        f"Command: `{meta['command']}`. Corpus: synthetic copies of the sample reports "
        "(`bench/synth.py`); questions: gold questions rewritten for each copy.",
        "",
        *markdown_table(COLUMNS, rows),
    ]
    lines += ["", "Median time per search step (ms):", ""]
    lines += [f"- {r['corpus']}: {r['search_parts_ms']}" for r in rows]
    plain = [r for r in rows if "server" not in r["corpus"]]
    if len(plain) > 1:
        first, last = plain[0], plain[-1]
        lines += [
            "",
            f"Bars at {last['corpus']}: search p95 {last['search_p95_ms']} ms (≤ 300); "
            f"copy-0 hit@5 {last['copy0_hit@5']} vs {first['copy0_hit@5']} at "
            f"{first['corpus']} (drop ≤ 0.03: "
            f"{round(first['copy0_hit@5'] - last['copy0_hit@5'], 3)}); "
            f"sample hit@5 {last['sample_hit@5']} vs {first['sample_hit@5']} (drop ≤ 0.03: "
            f"{round(first['sample_hit@5'] - last['sample_hit@5'], 3)}); "
            f"peak RSS while searching {last['search_peak_rss_mb']} MB (< 4096).",
        ]
    upgraded = [r for r in rows if r.get("upgrade_s") is not None]
    if upgraded:
        lines += [
            "",
            "`ingest_s` of an index built by an earlier chunker = its first ingest + the in-place "
            "upgrade (every file re-chunked, stored vectors reused): "
            + "; ".join(
                f"{r['corpus']}: upgrade {r['upgrade_s']} s, {r['upgrade_embedded']} embedded"
                for r in upgraded
            ),
        ]
    return "\n".join(lines) + "\n"


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted((r for r in rows if "server" not in r["corpus"]), key=lambda r: r["scale"])
    x = [r["chunks"] for r in rows]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    panels = [
        ("search latency (ms)", ["search_p50_ms", "search_p95_ms", "search_p99_ms"], "p95", 300),
        ("retrieval quality", ["copy0_hit@5", "sample_hit@5", "copy0_mrr@10"], "", None),
        ("ingest throughput (chunks/s)", ["chunks_per_s"], "", None),
        ("peak RSS (MB)", ["ingest_peak_rss_mb", "search_peak_rss_mb"], "search", 4096),
    ]
    for ax, (title, keys, what, bar) in zip(axes.flat, panels, strict=True):
        for key in keys:
            ax.plot(x, [r[key] for r in rows], marker="o", label=key)
        if bar:
            ax.axhline(bar, color="red", linestyle="--", linewidth=1, label=f"{what} bar {bar}")
        ax.set_xscale("log")
        ax.set_xlabel("chunks in the index")
        ax.set_title(title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--sample", type=int, default=300, help="sampled questions per scale")
    parser.add_argument("--chroma-server", type=int, nargs="*", default=[], metavar="SCALE")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out_json = RESULTS / "scale.json"
    previous = json.loads(out_json.read_text()).get("rows", []) if out_json.exists() else []
    rows = {r["corpus"]: r for r in previous}
    jobs = [(s, False) for s in args.scales] + [(s, True) for s in args.chroma_server]
    meta = {
        "cores": os.cpu_count(),
        "created": time.strftime("%Y-%m-%d %H:%M"),
        "command": "python bench/scale.py " + " ".join(sys.argv[1:]),
    }
    for scale, server in jobs:
        row = bench_scale(
            scale, args.work, args.sample, max(args.scales + args.chroma_server), server
        )
        rows[row["corpus"]] = row
        ordered = sorted(rows.values(), key=lambda r: (r["scale"], "server" in r["corpus"]))
        out_json.write_text(
            json.dumps({"meta": meta, "rows": ordered}, indent=1, ensure_ascii=False)
        )
        (RESULTS / "scale.md").write_text(render(ordered, meta))
        plot(ordered, RESULTS / "scale.png")
    print((RESULTS / "scale.md").read_text())


if __name__ == "__main__":
    main()
