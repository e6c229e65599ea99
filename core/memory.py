"""Giving freed heap memory back to the operating system.

glibc keeps what a process frees in its malloc arenas (one per thread that allocated, and the
ingest runs in its own thread beside torch's workers), so after a large structure is dropped
the resident size stays where it was. ``malloc_trim`` hands the free pages back; it is what
lets a step that comes after the encoder (the keyword-index build) run below the encoder's
footprint instead of on top of it.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl): nothing to trim
        return None


def release_free_memory() -> None:
    """Collect garbage and return the free heap pages to the OS (a no-op off glibc)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def trim_heap() -> None:
    """Return free heap pages to the OS without a garbage collection: cheap enough after every
    embedding batch, whose activations torch frees into glibc's arenas (a no-op off glibc)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


__all__ = ["release_free_memory", "trim_heap"]
