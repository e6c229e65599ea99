"""The bookkeeping of an ingest run: which files, what happened, and one writer per index."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.store import IndexPaths
from ingest.load import SUPPORTED_SUFFIXES


class IngestBusy(RuntimeError):
    """Another ingest holds the index lock."""


@dataclass
class IngestSummary:
    """What one ingest run did; printed at the end and returned as JSON with ``--json``."""

    files_seen: int = 0
    files_indexed: int = 0
    files_unchanged: int = 0
    files_rechunked: int = 0
    files_removed: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    documents: int = 0
    chunks_added: int = 0
    chunks_unchanged: int = 0
    chunks_removed: int = 0
    duplicates_dropped: int = 0
    embedded: int = 0
    seconds: float = 0.0
    total_chunks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        lines = [
            f"files: {self.files_seen} seen, {self.files_indexed} indexed, "
            f"{self.files_unchanged} unchanged, {self.files_rechunked} re-chunked, "
            f"{self.files_removed} removed, "
            f"{len(self.skipped)} skipped",
            f"documents: {self.documents}; chunks: {self.chunks_added} added, "
            f"{self.chunks_unchanged} unchanged, {self.chunks_removed} removed, "
            f"{self.duplicates_dropped} duplicates dropped; {self.total_chunks} in index",
            f"embedded {self.embedded} chunks in {self.seconds:.1f} s",
        ]
        lines += [f"skipped {s['path']}: {s['reason']}" for s in self.skipped]
        return "\n".join(lines)


def discover(paths: list[Path]) -> tuple[list[Path], list[dict[str, str]]]:
    """Files to ingest under ``paths`` (sorted), and the ones skipped for their type."""
    files: list[Path] = []
    skipped: list[dict[str, str]] = []
    for root in paths:
        if not root.exists():
            skipped.append({"path": str(root), "reason": "does not exist"})
            continue
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in candidates:
            if any(part.startswith(".") for part in p.relative_to(root).parts if root.is_dir()):
                continue
            if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
                skipped.append(
                    {
                        "path": str(p),
                        "reason": f"unsupported type; convert it to one of {supported}",
                    }
                )
                continue
            files.append(p)
    return files, skipped


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def index_lock(paths: IndexPaths, wait: bool = True) -> Iterator[None]:
    """One ingest at a time per index: a second one waits (or fails fast with ``wait=False``)."""
    paths.root.mkdir(parents=True, exist_ok=True)
    with open(paths.lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IngestBusy(
                    f"another ingest is writing {paths.root}; wait for it to finish or "
                    "re-run without --no-wait"
                ) from None
            print(f"another ingest is writing {paths.root}; waiting for it…", file=sys.stderr)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


__all__ = ["IngestBusy", "IngestSummary", "discover", "index_lock", "sha256_bytes"]
