"""The onnx query encoder matches torch: same vectors (cosine >= 0.9999) on a fixed set, and a
missing or stale export falls back to torch instead of failing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.onnx_query import MIN_COSINE, PARITY_SENTENCES, onnx_dir, read_marker

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prepared():
    from core.settings import get_settings
    from models.embeddings import embedding_model_path, prepare_query_model
    from models.packages import configure_offline

    configure_offline()
    settings = get_settings()
    folder = prepare_query_model(settings)
    assert folder is not None, "onnx export failed; see the log"
    return settings, Path(embedding_model_path(settings)), folder


def test_export_is_verified_and_current(prepared):
    _, st_dir, folder = prepared
    marker = read_marker(folder, st_dir)
    assert marker is not None and marker.min_cosine >= MIN_COSINE


def test_onnx_matches_torch_on_the_parity_set(prepared):
    from sentence_transformers import SentenceTransformer

    from models.onnx_query import OnnxQueryEncoder, min_parity_cosine

    _, st_dir, folder = prepared
    model = SentenceTransformer(str(st_dir), device="cpu")
    assert min_parity_cosine(OnnxQueryEncoder(folder, threads=1), model) >= MIN_COSINE


def test_embed_query_uses_onnx_and_equals_torch(prepared):
    from models.embeddings import E5Embeddings

    settings, _, _ = prepared
    onnx = E5Embeddings(settings)
    torch = E5Embeddings(settings.model_copy(update={"query_encoder": "torch"}))
    assert onnx.query_runtime == "onnx" and torch.query_runtime == "torch"
    for text in PARITY_SENTENCES[:6]:
        a, b = np.asarray(onnx.embed_query(text)), np.asarray(torch.embed_query(text))
        assert float(a @ b) >= MIN_COSINE, text


def test_stale_or_missing_export_falls_back_to_torch(prepared, tmp_path):
    from models.embeddings import E5Embeddings

    settings, st_dir, folder = prepared
    cache = tmp_path / "cache"
    copy = onnx_dir(cache)
    copy.mkdir(parents=True)
    for name in ("tokenizer.json", "verified.json"):
        (copy / name).write_bytes((folder / name).read_bytes())
    (copy / "query-encoder.onnx").write_bytes(b"not a model")  # size differs from the marker
    assert read_marker(copy, st_dir) is None
    marker = json.loads((copy / "verified.json").read_text())
    marker["model_size"] = len(b"not a model")
    (copy / "verified.json").write_text(json.dumps(marker))
    assert read_marker(copy, st_dir) is not None  # looks current, but cannot load
    emb = E5Embeddings(
        settings.model_copy(update={"cache_dir": cache, "embedding_model": str(st_dir)})
    )
    assert emb.query_runtime == "torch"
    assert len(emb.embed_query("城镇新增就业")) == 384
