"""Ingest benchmark: throughput, peak RSS, overhead over bare ``model.encode``, no-change
re-ingest time, and the plain LangChain pipeline as a ratio.

    python bench/ingest.py                 # the sample corpus

Larger, synthetic corpora are measured by ``bench/scale.py``.

Each measurement runs in its own process so peak RSS is that step's alone. Results are written
to ``bench/results/ingest.json`` and ``bench/results/ingest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


def _child(step: str, corpus: str, index: str) -> None:
    """Run one step and print a JSON line with its figures (peak RSS of this process)."""
    from models.packages import configure_offline

    configure_offline()
    from core.settings import Settings

    settings = Settings(index_dir=Path(index))
    out: dict[str, float | int | str] = {"step": step}
    t0 = time.perf_counter()
    if step == "ingest":
        from ingest.index import Ingestor

        s = Ingestor(settings, progress=False).run([Path(corpus)])
        out.update(chunks=s.total_chunks, embedded=s.embedded, documents=s.documents)
        out["chars"] = sum(p.stat().st_size for p in Path(corpus).iterdir()) // 3
    elif step == "encode":
        from index.store import IndexPaths, iter_committed_records, load_manifest
        from ingest.index import embed_text
        from models.embeddings import E5Embeddings

        paths = IndexPaths(Path(index))
        texts = [
            embed_text(r["metadata"], r["text"])
            for r in iter_committed_records(paths, load_manifest(paths))
        ]
        emb = E5Embeddings(settings)
        _ = emb.model
        t0 = time.perf_counter()
        emb.embed_documents(texts)
        out["chunks"] = len(texts)
    elif step == "baseline":
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from models.embeddings import E5Embeddings

        docs = [
            Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": p.name})
            for p in sorted(Path(corpus).iterdir())
        ]
        chunks = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50).split_documents(
            docs
        )
        Chroma.from_documents(
            chunks, E5Embeddings(settings), persist_directory=index, collection_name="baseline"
        )
        out["chunks"] = len(chunks)
    out["seconds"] = round(time.perf_counter() - t0, 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


def run(step: str, corpus: Path, index: Path) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", step, str(corpus), str(index)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["wall_seconds"] = round(time.perf_counter() - t0, 2)
    return data


def bench(corpus: Path, name: str, tmp: Path) -> dict:
    index = tmp / f"index-{name}"
    first = run("ingest", corpus, index)
    again = run("ingest", corpus, index)
    encode = run("encode", corpus, index)
    base = run("baseline", corpus, tmp / f"baseline-{name}")
    return {
        "corpus": name,
        "documents": first["documents"],
        "chunks": first["chunks"],
        "ingest_s": first["seconds"],
        "chunks_per_s": round(first["chunks"] / first["seconds"], 1),
        "chars_per_s": round(first["chars"] / first["seconds"]),
        "peak_rss_mb": first["peak_rss_mb"],
        "bare_encode_s": encode["seconds"],
        "ingest_over_encode": round(first["seconds"] / encode["seconds"], 2),
        "reingest_wall_s": again["wall_seconds"],
        "reingest_embedded": again["embedded"],
        "baseline_s": base["seconds"],
        "baseline_chunks": base["chunks"],
        "baseline_peak_rss_mb": base["peak_rss_mb"],
        "ours_over_baseline_time": round(first["seconds"] / base["seconds"], 2),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:5])
        return
    argparse.ArgumentParser(description=__doc__).parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        rows.append(bench(ROOT / "data", "sample (1x)", Path(tmp_name)))
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"cores": os.cpu_count(), "created": time.strftime("%Y-%m-%d %H:%M")}
    (RESULTS / "ingest.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=1, ensure_ascii=False)
    )
    keys = list(rows[0])
    md = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    md += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    text = f"# Ingest benchmark ({meta['cores']} cores, {meta['created']})\n\n" + "\n".join(md)
    (RESULTS / "ingest.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
