"""The onnx query encoders match torch: the fp32 graph gives the same vectors (cosine >= 0.9999)
on a fixed set, the int8 graph (the default) stays within its floor, and a missing or stale
export falls back to torch instead of failing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.onnx_query import (
    MIN_COSINE,
    MIN_COSINE_INT8,
    PARITY_SENTENCES,
    min_cosine_for,
    onnx_dir,
    read_marker,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prepared():
    from core.settings import get_settings
    from models.embeddings import embedding_model_path, prepare_query_model
    from models.packages import configure_offline

    configure_offline()
    settings = get_settings()
    folders = {}
    for encoder in ("onnx-int8", "onnx"):
        folder = prepare_query_model(settings.model_copy(update={"query_encoder": encoder}))
        assert folder is not None, f"{encoder} export failed; see the log"
        folders[encoder == "onnx-int8"] = folder
    return settings, Path(embedding_model_path(settings)), folders


@pytest.mark.parametrize("quantized", [True, False])
def test_export_is_verified_and_current(prepared, quantized):
    _, st_dir, folders = prepared
    marker = read_marker(folders[quantized], st_dir, quantized)
    assert marker is not None and marker.min_cosine >= min_cosine_for(quantized)
    assert marker.quantized is quantized
    # an int8 folder is never taken for the fp32 one, nor the reverse
    assert read_marker(folders[quantized], st_dir, not quantized) is None


def test_int8_graph_is_smaller_than_fp32(prepared):
    _, _, folders = prepared
    int8 = (folders[True] / "query-encoder.onnx").stat().st_size
    fp32 = (folders[False] / "query-encoder.onnx").stat().st_size
    assert int8 < fp32 / 3


@pytest.mark.parametrize("quantized", [True, False])
def test_onnx_matches_torch_on_the_parity_set(prepared, quantized):
    from sentence_transformers import SentenceTransformer

    from models.onnx_query import OnnxQueryEncoder, min_parity_cosine

    _, st_dir, folders = prepared
    model = SentenceTransformer(str(st_dir), device="cpu")
    encoder = OnnxQueryEncoder(folders[quantized], threads=1, one_by_one=quantized)
    cosine = min_parity_cosine(encoder, model)
    assert cosine >= min_cosine_for(quantized)


def test_an_int8_query_vector_does_not_depend_on_its_batch(prepared):
    from models.onnx_query import OnnxQueryEncoder

    _, _, folders = prepared
    encoder = OnnxQueryEncoder(folders[True], threads=1, one_by_one=True)
    texts = ["query: " + s for s in PARITY_SENTENCES]
    together = encoder.encode(texts)
    for text, row in zip(texts, together, strict=True):
        assert np.array_equal(encoder.encode([text])[0], row), text


def test_embed_query_uses_onnx_and_stays_close_to_torch(prepared):
    from models.embeddings import E5Embeddings

    settings, _, _ = prepared
    int8 = E5Embeddings(settings.model_copy(update={"query_encoder": "onnx-int8"}))
    fp32 = E5Embeddings(settings.model_copy(update={"query_encoder": "onnx"}))
    torch = E5Embeddings(settings.model_copy(update={"query_encoder": "torch"}))
    assert (int8.query_runtime, fp32.query_runtime, torch.query_runtime) == (
        "onnx-int8",
        "onnx",
        "torch",
    )
    for text in PARITY_SENTENCES[:6]:
        want = np.asarray(torch.embed_query(text))
        assert float(np.asarray(fp32.embed_query(text)) @ want) >= MIN_COSINE, text
        assert float(np.asarray(int8.embed_query(text)) @ want) >= MIN_COSINE_INT8, text


def test_stale_or_missing_export_falls_back_to_torch(prepared, tmp_path):
    from models.embeddings import E5Embeddings

    settings, st_dir, folders = prepared
    cache = tmp_path / "cache"
    copy = onnx_dir(cache, quantized=True)
    copy.mkdir(parents=True)
    for name in ("tokenizer.json", "verified.json"):
        (copy / name).write_bytes((folders[True] / name).read_bytes())
    (copy / "query-encoder.onnx").write_bytes(b"not a model")  # size differs from the marker
    assert read_marker(copy, st_dir, quantized=True) is None
    marker = json.loads((copy / "verified.json").read_text())
    marker["model_size"] = len(b"not a model")
    (copy / "verified.json").write_text(json.dumps(marker))
    assert read_marker(copy, st_dir, quantized=True) is not None  # looks current, cannot load
    emb = E5Embeddings(
        settings.model_copy(update={"cache_dir": cache, "embedding_model": str(st_dir)})
    )
    assert emb.query_runtime == "torch"
    assert len(emb.embed_query("城镇新增就业")) == 384
