"""Query encoder on onnxruntime: the converted e5 model exported once, verified against torch.

A search spends most of its CPU encoding the query. For one short text onnxruntime runs the same
BERT about 2-3x faster than torch (no autograd dispatch, fused attention and layer norms), which
is what lets ``/api/search`` serve twice the clients on two cores. Passages stay on torch, which
is faster for long padded batches, so the vectors in the index are the same either way.

The export happens at model preparation (``python -m models``), never on a query: the model is
traced with mean pooling and normalisation inside the graph, fused with onnxruntime's transformer
optimizer, then checked against sentence-transformers on :data:`PARITY_SENTENCES`; only a model
whose every cosine reaches :data:`MIN_COSINE` gets the marker that makes it usable. Anything that
fails leaves no marker and the caller falls back to torch.

The default query encoder is that graph with its weights quantized to int8 (dynamic, per
channel): one query takes about a third of the fp32 graph's time because on two cores the
encoder is compute-bound. Its vectors are not identical (cosine about 0.997 to torch on the gold
questions), so it has its own floor, :data:`MIN_COSINE_INT8`, and the retrieval figures were
measured again with it (README, "Query encoder"). ``REPORTQA_QUERY_ENCODER=onnx`` keeps the
identical fp32 graph.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

EXPORTER_VERSION = 1
MODEL_FILE = "query-encoder.onnx"
MARKER_FILE = "verified.json"
MIN_COSINE = 0.9999
#: floor of the int8 graph on the parity set. Measured: 0.996-0.997 on every short text and on
#: the gold questions, 0.992 on the 512-token one; the margin allows other CPUs' int8 kernels.
MIN_COSINE_INT8 = 0.985
MAX_TOKENS = 512
# Fixed parity set: short and long, Chinese, English and mixed, digits and punctuation, one at
# the 512-token cap; the e5 query prefix is added as in real use.
PARITY_SENTENCES = (
    "2023年地区生产总值增长目标是多少？",
    "城镇新增就业",
    "一般公共预算收入比上年增长了多少",
    "粮食总产量稳定在多少万吨以上",
    "What was the GDP growth target for 2024?",
    "R&D经费投入强度达到2.5%，高新技术企业超过1000家。",
    "居民人均可支配收入增长6%左右，CPI涨幅3%左右。",
    "今年政府工作的总体要求和主要预期目标" * 3,
    "重点项目开工率",
    "农村 危房 改造",
    "十四五规划纲要提出的主要目标任务有哪些？请结合数据说明。",
    "常住人口城镇化率提高到百分之六十以上" * 40,
)


@dataclass(frozen=True)
class ExportMarker:
    """What a verified export was made from; a different source means export again."""

    exporter_version: int
    source: str
    source_size: int
    source_mtime_ns: int
    fused: bool
    min_cosine: float
    model_size: int
    quantized: bool = False


def onnx_dir(cache_dir: Path, quantized: bool = False) -> Path:
    return cache_dir / ("multilingual-e5-small-onnx" + ("-int8" if quantized else ""))


def min_cosine_for(quantized: bool) -> float:
    return MIN_COSINE_INT8 if quantized else MIN_COSINE


def _source_weights(st_dir: Path) -> Path:
    return st_dir / "model.safetensors"


def read_marker(dest: Path, st_dir: Path, quantized: bool = False) -> ExportMarker | None:
    """The marker of a verified, current export in ``dest`` (None: export again or use torch)."""
    try:
        raw = json.loads((dest / MARKER_FILE).read_text(encoding="utf-8"))
        marker = ExportMarker(**raw)
        weights = _source_weights(st_dir).stat()
        model_size = (dest / MODEL_FILE).stat().st_size
    except (OSError, ValueError, TypeError):
        return None
    current = (
        marker.exporter_version == EXPORTER_VERSION
        and marker.source == str(st_dir.resolve())
        and marker.source_size == weights.st_size
        and marker.source_mtime_ns == weights.st_mtime_ns
        and marker.model_size == model_size
        and marker.quantized == quantized
        and marker.min_cosine >= min_cosine_for(quantized)
        and (dest / "tokenizer.json").is_file()
    )
    return marker if current else None


def _export(model: SentenceTransformer, target: Path) -> None:
    """Trace BERT + mean pooling + L2 normalisation into one graph taking ids and mask."""
    import torch

    bert = model[0].auto_model
    before = bert.config._attn_implementation
    bert.set_attn_implementation("eager")  # the pattern onnxruntime's fusion recognises
    try:

        class Encoder(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, input_ids: Any, attention_mask: Any) -> Any:
                hidden = self.bert(
                    input_ids=input_ids, attention_mask=attention_mask
                ).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(pooled, p=2, dim=1)

        texts = ["query: 示例", "query: 两个句子"]
        sample = model.tokenizer(texts, padding=True, return_tensors="pt")
        axes = {"batch": 0, "tokens": 1}
        with torch.no_grad():
            torch.onnx.export(
                Encoder().eval(),
                (sample["input_ids"], sample["attention_mask"]),
                str(target),
                dynamo=False,
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={
                    "input_ids": {v: k for k, v in axes.items()},
                    "attention_mask": {v: k for k, v in axes.items()},
                    "embedding": {0: "batch"},
                },
                opset_version=17,
            )
    finally:
        bert.set_attn_implementation(before)


def _fuse(source: Path, target: Path, config: Any) -> bool:
    """Fuse attention, GELU and layer norms (onnxruntime's BERT optimizer); False if it cannot."""
    try:
        from onnxruntime.transformers import optimizer

        logging.getLogger("onnxruntime.transformers").setLevel(logging.WARNING)
        fused = optimizer.optimize_model(
            str(source),
            model_type="bert",
            num_heads=int(config.num_attention_heads),
            hidden_size=int(config.hidden_size),
            opt_level=1,
            use_gpu=False,
        )
        fused.save_model_to_file(str(target))
        return True
    except Exception as exc:  # an unfused model is still correct, only slower
        log.warning("onnx fusion failed (%s); keeping the unfused export", exc)
        return False


def min_parity_cosine(encoder: OnnxQueryEncoder, model: SentenceTransformer) -> float:
    """Smallest cosine between onnx and torch embeddings over the fixed parity set."""
    texts = ["query: " + s for s in PARITY_SENTENCES]
    want = model.encode(
        texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    got = encoder.encode(texts)
    return float(np.min(np.sum(want * got, axis=1)))


def _quantize(source: Path, target: Path) -> None:
    """Weights to int8, per output channel (activations are quantized on the fly)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        # the fused graph's contrib ops carry no inferred types; their outputs are float
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def export_query_encoder(st_dir: Path, dest: Path, quantized: bool = False) -> ExportMarker:
    """Export, fuse (and with ``quantized`` quantize) and verify the query encoder of the
    sentence-transformers folder ``st_dir``.

    Raises ``RuntimeError`` when the result does not match torch; nothing usable is left then.
    """
    from sentence_transformers import SentenceTransformer

    st_dir = st_dir.resolve()
    work = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    model = SentenceTransformer(str(st_dir), device="cpu")
    if model.max_seq_length > MAX_TOKENS or len(model) > 3:
        raise RuntimeError(f"{st_dir} is not a BERT mean-pooling model this exporter knows")
    raw = work / "raw.onnx"
    _export(model, raw)
    fp32 = work / ("fp32.onnx" if quantized else MODEL_FILE)
    fused = _fuse(raw, fp32, model[0].auto_model.config)
    if fused:
        raw.unlink()
    else:
        raw.rename(fp32)
    if quantized:
        _quantize(fp32, work / MODEL_FILE)
        fp32.unlink()
    shutil.copyfile(st_dir / "tokenizer.json", work / "tokenizer.json")
    cosine = min_parity_cosine(OnnxQueryEncoder(work, threads=1, one_by_one=quantized), model)
    if cosine < min_cosine_for(quantized):
        shutil.rmtree(work, ignore_errors=True)
        raise RuntimeError(f"onnx query encoder differs from torch (cosine {cosine:.6f})")
    weights = _source_weights(st_dir).stat()
    marker = ExportMarker(
        exporter_version=EXPORTER_VERSION,
        source=str(st_dir),
        source_size=weights.st_size,
        source_mtime_ns=weights.st_mtime_ns,
        fused=fused,
        min_cosine=round(cosine, 6),
        model_size=(work / MODEL_FILE).stat().st_size,
        quantized=quantized,
    )
    (work / MARKER_FILE).write_text(json.dumps(asdict(marker), indent=1) + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(work, dest)
    return marker


def prepare_query_encoder(st_dir: Path, cache_dir: Path, quantized: bool = False) -> Path | None:
    """The verified onnx folder for ``st_dir``, exporting it on first use; None = use torch."""
    dest = onnx_dir(cache_dir, quantized)
    if read_marker(dest, st_dir, quantized):
        return dest
    if not _source_weights(st_dir).is_file():
        log.info("query encoder: %s is not a local safetensors model; using torch", st_dir)
        return None
    try:
        marker = export_query_encoder(st_dir, dest, quantized)
    except Exception as exc:  # torch stays the query encoder; say why once
        log.warning("query encoder: onnx export failed (%s); using torch", exc)
        return None
    log.info("query encoder: onnx in %s (min cosine vs torch %.6f)", dest, marker.min_cosine)
    return dest


class OnnxQueryEncoder:
    """Encodes short texts with the exported graph; output rows are unit vectors."""

    def __init__(self, folder: Path, threads: int = 1, one_by_one: bool = False) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        pad = self.tokenizer.token_to_id("<pad>")
        self.pad_id = 1 if pad is None else pad
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        # Spinning threads burn the core another process (llama.cpp, an ingest) needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()
        # An int8 graph quantizes activations with one scale per run, so a query's vector
        # would depend on the queries batched with it; one run per text keeps it its own.
        self.one_by_one = one_by_one

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self.one_by_one and len(texts) > 1:
            return np.concatenate([self._run([t]) for t in texts])
        return self._run(texts)

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encoded)
        ids = np.full((len(encoded), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        for row, e in enumerate(encoded):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        with self._lock:  # one run at a time: the session's threads are the budget
            (vectors,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)


__all__ = [
    "MIN_COSINE",
    "MIN_COSINE_INT8",
    "PARITY_SENTENCES",
    "ExportMarker",
    "OnnxQueryEncoder",
    "export_query_encoder",
    "min_cosine_for",
    "min_parity_cosine",
    "onnx_dir",
    "prepare_query_encoder",
    "read_marker",
]
