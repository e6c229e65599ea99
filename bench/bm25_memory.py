"""Peak memory of the keyword-index build at 1x/10x/100x, streamed vs. all records in memory.

    python bench/bm25_memory.py --index var/index --scales 1 10 100

The committed chunk records of ``--index`` (the sample) are copied ``scale`` times under new
ids into a scratch index, as the synthetic corpora of ``bench/scale.py`` would be, without
embedding anything. Each build then runs in a fresh process that reports its peak RSS above
what it held before the build: the former build (every record loaded, bm25s indexing token
strings) against the streamed one ingest now uses. Results: ``bench/results/bm25_memory.*``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.store import (  # noqa: E402
    FileEntry,
    IndexPaths,
    Manifest,
    iter_committed_records,
    load_manifest,
    read_chunk_records,
    save_manifest,
    write_chunk_records,
)

RESULTS = ROOT / "bench" / "results"


def replicate(source: Path, dest: Path, scale: int) -> int:
    """Write ``scale`` copies of the committed records of ``source`` into index ``dest``."""
    src, out = IndexPaths(source), IndexPaths(dest)
    manifest = load_manifest(src)
    if (dest / "manifest.json").exists():
        return sum(len(e.chunk_ids) for e in load_manifest(out).files.values())
    shutil.rmtree(dest, ignore_errors=True)
    copy = Manifest(embedding_model=manifest.embedding_model)
    for c in range(scale):
        for key, entry in manifest.files.items():
            records = []
            for r in read_chunk_records(src, key):
                if r["id"] in set(entry.chunk_ids):
                    region = f"{r['metadata'].get('region', '')}{c}"
                    meta = {**r["metadata"], "region": region}
                    tokens = [
                        f"{t}{c}" if t == r["metadata"].get("region") else t for t in r["tokens"]
                    ]
                    records.append(
                        {**r, "id": f"{r['id']}-{c}", "metadata": meta, "tokens": tokens}
                    )
            new_key = f"{key}-{c}"
            write_chunk_records(out, new_key, records)
            copy.files[new_key] = FileEntry(
                **{**entry.__dict__, "chunk_ids": [r["id"] for r in records]}
            )
    save_manifest(out, copy)
    return sum(len(e.chunk_ids) for e in copy.files.values())


def measure(index: Path, how: str) -> dict[str, float]:
    """Run in a child: build the keyword index of ``index`` the ``how`` way; RSS and time."""
    from index.bm25 import Bm25Index

    paths = IndexPaths(index)
    manifest = load_manifest(paths)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    if how == "streamed":
        built = Bm25Index.build(iter_committed_records(paths, manifest), "g")
    else:
        built = Bm25Index.build(list(iter_committed_records(paths, manifest)), "g")
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "chunks": len(built),
        "seconds": round(seconds, 1),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak),
        "build_mb": round(peak - before),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", type=Path, default=ROOT / "var" / "index")
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "bm25-memory")
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child[0]), args.child[1])))
        return
    rows = []
    for scale in args.scales:
        dest = args.work / f"{scale}x"
        chunks = replicate(args.index, dest, scale)
        for how in ("all-records", "streamed"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(dest), how],
                capture_output=True,
                text=True,
                check=True,
            )
            row = {"scale": f"{scale}x", "build": how, **json.loads(out.stdout.splitlines()[-1])}
            assert row["chunks"] == chunks
            rows.append(row)
            print(row, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bm25_memory.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = [
        "# Keyword-index build memory",
        "",
        f"Command: `python bench/bm25_memory.py --scales {' '.join(map(str, args.scales))}` "
        f"({time.strftime('%Y-%m-%d %H:%M')}). Records: the sample's committed chunk records "
        "copied N times (regions renamed per copy), nothing embedded. `build_mb` = peak RSS "
        "during the build minus RSS before it, in a fresh process.",
        "",
        "| corpus | build | chunks | seconds | build_mb |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['scale']} | {r['build']} | {r['chunks']} | {r['seconds']} | {r['build_mb']} |"
        for r in rows
    ]
    (RESULTS / "bm25_memory.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
