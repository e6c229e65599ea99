"""The passage encoder's precision: bf16 passages keep the fp32 vectors (cosine >= 0.9999 on the
parity set) and rank the same passages first; ``auto`` follows the CPU, an explicit choice wins."""

from __future__ import annotations

import numpy as np
import pytest

from core.settings import get_settings
from models.embeddings import E5Embeddings, cpu_has_bf16_matmul
from models.onnx_query import PARITY_SENTENCES


def _embeddings(precision: str) -> E5Embeddings:
    return E5Embeddings(get_settings().model_copy(update={"embedding_precision": precision}))


def test_auto_follows_the_cpu():
    assert _embeddings("auto").passage_precision == ("bf16" if cpu_has_bf16_matmul() else "fp32")


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_explicit_precision_wins(precision):
    assert _embeddings(precision).passage_precision == precision


@pytest.mark.slow
def test_bf16_passages_keep_the_fp32_vectors():
    fp32, bf16 = _embeddings("fp32"), _embeddings("bf16")
    bf16._model = fp32.model  # one model, two arithmetics
    a = np.array(fp32.embed_documents(PARITY_SENTENCES))
    b = np.array(bf16.embed_documents(PARITY_SENTENCES))
    assert float((a * b).sum(1).min()) >= 0.9999
    assert not np.array_equal(a, b)  # the autocast did run in bf16
    query = np.array(fp32.embed_query(PARITY_SENTENCES[0]))
    assert int(np.argmax(a @ query)) == int(np.argmax(b @ query)) == 0
