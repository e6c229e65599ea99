"""Chunking rules: headings, sentence ends, numbers kept whole, token caps."""

from __future__ import annotations

from ingest.clean import clean
from ingest.documents import split_documents
from ingest.split import heading_level, split_document, units_of
from rag.models import count_tokens


def _doc(text: str):
    cleaned, _ = clean(text)
    docs = split_documents(cleaned, "t.txt")
    assert docs
    return docs[0]


def test_heading_levels():
    assert heading_level("一、2020年工作回顾") == 1
    assert heading_level("（一）突出“优”字，项目招引持续升温。") == 2
    assert heading_level("1.统筹制定全年任务") == 3
    assert heading_level("（2）加快项目建设") == 4
    assert heading_level("第三章 保障措施") == 0
    assert heading_level("7.5%左右的增长目标已经实现，这是一个很长的句子。") is None


def test_units_never_split_numbers():
    text = "地区生产总值增长7.5%左右。推进工业4.0建设；收入1.2万元！"
    units = units_of(text, count_tokens, 400)
    joined = [u.text for u in units]
    assert joined == ["地区生产总值增长7.5%左右。", "推进工业4.0建设；", "收入1.2万元！"]


def test_chunks_respect_caps_and_keep_heading_path():
    body = "".join(f"全县推进第{i}项重点工作，完成投资{i}.5亿元，增长{i}.2%。" for i in range(80))
    text = (
        "2021年紫金县政府工作报告\n一、2020年工作回顾\n（一）经济运行\n"
        + body
        + "\n二、2021年主要工作安排\n（一）主要目标\n地区生产总值增长7.5%左右。\n"
    )
    doc = _doc(text)
    chunks = split_document(doc, count_tokens, target_tokens=120, max_tokens=160)
    assert len(chunks) > 3
    assert all(c.tokens <= 160 for c in chunks)
    last = chunks[-1]
    assert "7.5%左右" in last.text
    assert last.heading.startswith("二、2021年主要工作安排")
    assert "（一）主要目标" in last.heading
    assert any(c.heading.startswith("一、2020年工作回顾") for c in chunks)
    for c in chunks:  # offsets map back to the source text
        assert text[c.start : c.end].replace("\n", "").startswith(c.text.replace("\n", "")[:5])
