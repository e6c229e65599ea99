"""Peak RSS of a first ingest at 1x, 3x, 10x the sample: does memory grow with the corpus?

    python bench/ingest_memory.py --scales 1 3 10 --label after

Each scale is a synthetic corpus (``bench/synth.py``: copies of the sample reports, so the 1x
corpus is the first copy of the 10x one) ingested into a fresh index folder under ``--work`` in
its own process (``bench/scale.py``'s ingest child: real encoder, real Chroma), which reports
its peak RSS (``ru_maxrss``). A flat peak from 1x to 10x is the evidence that a 100x first
ingest (1.75 h, too long to repeat for every change) stays under the same figure.
Rows are kept per (label, scale) in ``bench/results/ingest_memory.{json,md}``, so the figures
of an earlier code version (``--label before``, run from its checkout) stay beside new ones.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
COLUMNS = ("label", "corpus", "reports", "chunks", "ingest_s", "peak_rss_mb", "commit")


def ingest_scale(scale: int, work: Path, copies: int) -> dict[str, Any]:
    """Generate the corpus and ingest its first ``scale`` copies into a fresh index."""
    from bench.scale import run_child
    from bench.synth import generate

    corpus = work / "corpus"
    generate(corpus, copies)
    files = sorted(p for p in corpus.iterdir() if int(p.name[1:4]) < scale)
    index = work / f"index-x{scale}"
    shutil.rmtree(index, ignore_errors=True)
    listing = work / f"files-x{scale}.txt"
    listing.write_text("\n".join(str(f) for f in files))
    print(f"[{scale}x] ingesting {len(files)} files into {index} ...", file=sys.stderr)
    out = run_child("ingest", str(listing), str(index), "0")
    shutil.rmtree(index, ignore_errors=True)
    return {
        "corpus": f"{scale}x",
        "scale": scale,
        "reports": len(files),
        "chunks": out["chunks"],
        "ingest_s": out["seconds"],
        "peak_rss_mb": out["peak_rss_mb"],
    }


def render(rows: list[dict[str, Any]], commands: dict[str, str]) -> str:
    from bench.scale import markdown_table

    lines = [
        "# First-ingest peak RSS by corpus size",
        "",
        "Synthetic corpora (`bench/synth.py`), each ingested into a fresh index in its own "
        "process (real encoder, embedded Chroma); `peak_rss_mb` is that process's `ru_maxrss`. "
        "2 cores shared with other work, so `ingest_s` is only indicative.",
        "",
        *markdown_table(COLUMNS, rows),
    ]
    lines += ["", "Commands:", ""]
    lines += [f"- {label}: `{cmd}`" for label, cmd in commands.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--label", default="current", help="which code version is measured")
    parser.add_argument("--commit", default="", help="the measured commit (for the table)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/reportqa-ingest-memory"))
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    args.results.mkdir(parents=True, exist_ok=True)
    out_json = args.results / "ingest_memory.json"
    saved = json.loads(out_json.read_text()) if out_json.exists() else {}
    rows = {(r["label"], r["scale"]): r for r in saved.get("rows", [])}
    commands = saved.get("commands", {})
    commands[args.label] = "python bench/ingest_memory.py " + " ".join(sys.argv[1:])
    for scale in args.scales:
        row = {
            "label": args.label,
            "commit": args.commit,
            **ingest_scale(scale, args.work, max(args.scales)),
        }
        row["measured"] = time.strftime("%Y-%m-%d %H:%M")
        print(json.dumps(row), file=sys.stderr)
        rows[(args.label, scale)] = row
        ordered = sorted(rows.values(), key=lambda r: (r["label"] != "before", r["scale"]))
        out_json.write_text(json.dumps({"commands": commands, "rows": ordered}, indent=1))
        (args.results / "ingest_memory.md").write_text(render(ordered, commands))
    print((args.results / "ingest_memory.md").read_text())


if __name__ == "__main__":
    main()
