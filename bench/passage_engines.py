"""Passage encoding on one and two threads: torch (what ingest uses) against the verified fp32
onnxruntime graph of the query encoder, on 96 passages of the sample.

    python bench/passage_engines.py 1     # one thread
    python bench/passage_engines.py 2     # two threads

The busy benchmark's cli bar (an ingest keeps 0.6 of its idle rate while answers run back to
back) depends on how much of its two-thread rate an ingest keeps on one thread; an engine that
is faster on one thread only would raise that share. Prints passages/s per engine (two runs
each, after a warm-up) and the lowest cosine between the engines' vectors; ``bf16`` is torch
under bfloat16 autocast, what ingest uses on CPUs with AMX.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.settings import get_settings  # noqa: E402
from models.onnx_query import OnnxQueryEncoder, onnx_dir  # noqa: E402

BATCH = 16


def passages(n: int = 96, width: int = 300) -> list[str]:
    texts: list[str] = []
    for path in sorted((ROOT / "data").glob("*.txt")):
        body = path.read_text(encoding="utf-8")
        texts += ["passage: " + body[i : i + width] for i in range(0, len(body) - width, width)]
    return texts[:n]


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    cache = get_settings().cache_dir
    st = SentenceTransformer(str(cache / "multilingual-e5-small-st"), device="cpu")
    ort = OnnxQueryEncoder(onnx_dir(cache), threads=threads)
    texts = passages()

    def run_torch() -> np.ndarray:
        return st.encode(texts, batch_size=BATCH, normalize_embeddings=True)

    def run_ort() -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # as torch batches
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i in range(0, len(order), BATCH):
            idx = order[i : i + BATCH]
            out[idx] = ort.encode([texts[j] for j in idx])
        return out

    def run_bf16() -> np.ndarray:  # what ingest runs where the CPU has AMX (models.embeddings)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return run_torch()

    ref = run_torch()
    for name, fn in (("onnx", run_ort), ("bf16", run_bf16)):
        cosine = float((ref * fn()).sum(1).min())
        print(f"threads {threads}, {len(texts)} passages, lowest cosine torch/{name} {cosine:.5f}")
    engines = (("torch", run_torch), ("onnx", run_ort), ("bf16", run_bf16))
    for name, fn in engines * 2:
        t0 = time.perf_counter()
        fn()
        print(f"{name:5s} {len(texts) / (time.perf_counter() - t0):6.2f} passages/s")


if __name__ == "__main__":
    main()
