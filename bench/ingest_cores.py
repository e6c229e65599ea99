"""How much of its two-core rate an ingest keeps on one core: the ceiling of the busy ratio.

    python bench/ingest_cores.py

``bench/busy.py``'s cli part asks for an ingest that keeps 0.6x its idle rate while
``python -m rag ask`` answers back to back beside it. Answers back to back keep one core busy
(llama.cpp on one thread, retrieval and reading in Python between generations), so the
ingest has the other one at most. This measures what one core is worth to the ingest: the
same ``python -m ingest data/`` into a fresh index, first on every core, then pinned to one
(``taskset -c 0``: the encoder then runs on one thread, as ``core.cpu`` gives it beside
answers). Rates are chunks per second of the embedding phase, from the ingest's own status
file (``core.cpu``). Run it on an otherwise idle machine. Results:
``bench/results/ingest_cores.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.busy import Progress, _env  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def ingest_rate(index: Path, prefix: list[str]) -> dict[str, float]:
    """Embedding rate (chunks/s) of ``python -m ingest data/`` run under ``prefix``."""
    shutil.rmtree(index, ignore_errors=True)
    progress = Progress(str(index)).start()
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-m", "ingest", "data/", "--quiet"],
        cwd=ROOT,
        env=_env(index),
        stdout=subprocess.DEVNULL,
    )
    while progress.at(time.time()) == 0 and proc.poll() is None:
        time.sleep(0.25)
    t0 = time.time()
    if proc.wait() != 0:
        raise SystemExit(f"ingest under {prefix or 'no prefix'} failed")
    last = progress.samples[-1][1]
    t1 = min(t for t, v in progress.samples if v == last)
    progress.stop()
    shutil.rmtree(index, ignore_errors=True)
    return {"chunks": last, "embed_s": round(t1 - t0, 1), "rate": progress.rate(t0, t1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/reportqa-ingest-cores"))
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    if shutil.which("taskset") is None:
        raise SystemExit("taskset (util-linux) is needed to pin the ingest to one core")
    every = ingest_rate(args.work / "every", [])
    one = ingest_rate(args.work / "one", ["taskset", "-c", "0"])
    ratio = round(one["rate"] / every["rate"], 3) if every["rate"] else 0.0
    result = {"every_core": every, "one_core": one, "one_core_ratio": ratio}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "ingest_cores.json").write_text(json.dumps(result, indent=2))
    (args.results / "ingest_cores.md").write_text(
        "# An ingest on one core vs. every core\n\n"
        "Command: `python bench/ingest_cores.py` (`python -m ingest data/` into a fresh index, "
        "then the same pinned with `taskset -c 0`; embedding-phase rate from the ingest's "
        "status file).\n\n"
        "| cores | chunks | embedding s | chunks/s |\n|---|---|---|---|\n"
        f"| every | {every['chunks']} | {every['embed_s']} | {every['rate']} |\n"
        f"| one | {one['chunks']} | {one['embed_s']} | {one['rate']} |\n\n"
        f"One core keeps **{ratio}x** of the rate on every core: the most an ingest can keep "
        "while answers back to back hold the other core.\n"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
