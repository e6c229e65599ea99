"""Two ways to encode passages on two cores, alone and beside a busy core.

    python bench/encoder_workers.py idle       # the two ways on an idle machine
    python bench/encoder_workers.py busy 10    # beside a CPU-bound process, ingest niced 10

* **intra**: one thread asks torch for N intra-op threads (what ingest does: 2 alone, 1 while
  answers run);
* **workers**: two Python threads encode separate batches with one torch thread each, pinned
  one per core (``pin``) or left to the scheduler.

The busy mode runs a CPU-bound process at normal priority (standing in for answers asked back
to back) and reports the ingest's passages/s and the process's loop rate against its rate alone:
how much of the answers' core each way takes. Prints one line per run.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.passage_engines import passages  # noqa: E402
from core.settings import get_settings  # noqa: E402

BATCH = 16


def main() -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(
        str(get_settings().cache_dir / "multilingual-e5-small-st"), device="cpu"
    )
    texts = passages(192)
    batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]

    def encode(batch: list[str]) -> None:
        model.encode(batch, batch_size=BATCH, normalize_embeddings=True)

    def intra(threads: int, nice: int) -> float:
        out: list[float] = []

        def run() -> None:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
            torch.set_num_threads(threads)
            t0 = time.perf_counter()
            for b in batches:
                encode(b)
            out.append(len(texts) / (time.perf_counter() - t0))

        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
        return out[0]

    def workers(nice: int, pin: bool) -> float:
        todo = list(batches)
        lock = threading.Lock()

        def run(core: int) -> None:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, nice)
            if pin:
                os.sched_setaffinity(tid, {core})
            torch.set_num_threads(1)
            while True:
                with lock:
                    if not todo:
                        return
                    b = todo.pop()
                encode(b)

        t0 = time.perf_counter()
        pool = [threading.Thread(target=run, args=(c,)) for c in (0, 1)]
        for w in pool:
            w.start()
        for w in pool:
            w.join()
        return len(texts) / (time.perf_counter() - t0)

    intra(2, 0)  # warm-up
    if sys.argv[1:2] != ["busy"]:
        for _ in range(2):
            print(
                f"idle: intra2 {intra(2, 0):.2f}  intra1 {intra(1, 0):.2f}  "
                f"workers-pinned {workers(0, True):.2f}  workers {workers(0, False):.2f} "
                "passages/s",
                flush=True,
            )
        return
    nice = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    ctx = multiprocessing.get_context("fork")
    count = ctx.Value("l", 0, lock=False)
    stop = ctx.Event()
    hog = ctx.Process(target=_hog, args=(stop, count))
    hog.start()
    c0 = count.value
    time.sleep(3)
    alone = (count.value - c0) / 3

    def beside(fn) -> str:  # type: ignore[no-untyped-def]
        c0, t0 = count.value, time.perf_counter()
        rate = fn()
        share = (count.value - c0) / (time.perf_counter() - t0) / alone
        return f"{rate:.2f} passages/s (busy core keeps {share:.2f})"

    for _ in range(2):
        print(
            f"busy, nice {nice}: intra1 {beside(lambda: intra(1, nice))}; "
            f"workers-pinned {beside(lambda: workers(nice, True))}; "
            f"workers {beside(lambda: workers(nice, False))}",
            flush=True,
        )
    stop.set()
    hog.join()


def _hog(stop, count) -> None:  # type: ignore[no-untyped-def]
    x = 0
    while not stop.is_set():
        for i in range(100_000):
            x += i
        count.value += 1


if __name__ == "__main__":
    main()
