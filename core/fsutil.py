"""The one way ReportQA writes a file that others may read at the same time.

Every artefact (manifest, BM25 ids, prepared models, the converted embedding folder) is written
to a temporary name, fsynced and renamed into place, so a reader or a crash never sees half a
file. Keeping the rule in one place keeps the crash-safety argument in one place too.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and fsync it (no rename: the caller publishes a folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_json_synced(path: Path, obj: Any) -> None:
    """``write_synced`` of pretty, UTF-8 JSON."""
    write_synced(path, (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def fsync_dir(path: Path) -> None:
    """Persist a rename: without it a power cut may forget the directory entry."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write via a temp file + fsync + rename so readers never see a half-written file."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_synced(tmp, payload)
    os.replace(tmp, path)


__all__ = ["atomic_write", "fsync_dir", "write_json_synced", "write_synced"]
