"""Ways an index folder gets damaged in real life (a disk filling up mid-write, a copy cut
short, a crashed sync), applied to a COPY of an index so tests can check the error and the repair.

Kept as plain functions so the store tests and the live-server tests break indexes the same way.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

KINDS = ("manifest", "bm25_rows", "chunk_records", "chroma_sqlite")
REBUILD = "python -m ingest --rebuild"


def _truncate(path: Path, keep: float = 0.5) -> None:
    """Cut a file short in the middle of its content (as a full disk or killed copy does)."""
    data = path.read_bytes()
    cut = max(1, int(len(data) * keep))
    if data[cut - 1 : cut] == b"\n":  # make sure the cut lands mid-line
        cut -= 1
    path.write_bytes(data[:cut])


def corrupt(index: Path, kind: str) -> Path:
    """Damage one file of the index folder ``index`` and return the file damaged."""
    if kind == "manifest":
        target = index / "manifest.json"
        _truncate(target)
    elif kind == "bm25_rows":
        generation = (index / "bm25" / "CURRENT").read_text().strip()
        target = index / "bm25" / generation / "rows.json"
        _truncate(target)
    elif kind == "chunk_records":
        target = max((index / "chunks").glob("*.jsonl"), key=lambda p: p.stat().st_size)
        _truncate(target)
    elif kind == "chroma_sqlite":
        # Garbage over the header and the first pages: "file is not a database".
        target = index / "chroma" / "chroma.sqlite3"
        data = bytearray(target.read_bytes())
        n = min(len(data), 64 * 1024)
        data[:n] = os.urandom(n)
        target.write_bytes(bytes(data))
    else:
        raise ValueError(f"unknown corruption {kind!r}")
    return target


def broken_copy(index: Path, dest: Path, kind: str) -> Path:
    """A copy of ``index`` at ``dest`` with one file damaged; the original is left alone."""
    shutil.copytree(index, dest)
    corrupt(dest, kind)
    return dest
