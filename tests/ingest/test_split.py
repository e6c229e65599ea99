"""Chunking rules: headings, sentence ends, numbers kept whole, token caps."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.clean import clean
from ingest.documents import Document, split_documents
from ingest.split import Chunk, heading_level, split_document, units_of
from models.tokens import count_tokens
from tests.examples import examples
from tests.ingest.strategies import Report, reports


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
    # an unnumbered section title alone on its line closes the numbered section before it
    assert heading_level("答记者问") == 1
    assert heading_level("答记者问时表示") is None


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


# -- properties -------------------------------------------------------------------------------


NUMBER = re.compile(r"[0-9０-９][0-9０-９.．%％万亿]*")


def _source_ranges(chunk: Chunk) -> list[tuple[int, int]]:
    """Source ranges holding a chunk's characters: its whole span, or its pieces when cleaning
    removed text inside it (``spans`` are relative to ``chunk.start``)."""
    if not chunk.spans:
        return [(chunk.start, chunk.end)]
    return [(chunk.start + s, chunk.start + s + n) for _, s, n in chunk.spans]


def _chunks_of(source: str, target: int, cap: int) -> tuple[list[Document], list[Chunk]]:
    cleaned, _ = clean(source)
    docs = split_documents(cleaned, "t.txt")
    chunks = [c for d in docs for c in split_document(d, count_tokens, target, cap)]
    return docs, chunks


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports(), st.integers(60, 300), st.integers(30, 150))
def test_property_chunks_map_back_fit_and_lose_nothing(report: Report, target: int, extra: int):
    source, cap = report.source, target + extra
    docs, chunks = _chunks_of(source, target, cap)
    for c in chunks:
        # Offsets: the chunk text is exactly the source at its pieces, in order.
        assert "".join(source[a:b] for a, b in _source_ranges(c)) == c.text
        assert c.spans == [] or c.spans[0][:2] == (0, 0)
        assert source[c.start] == c.text[0] and source[c.end - 1] == c.text[-1]
        # Token caps hold for the text that gets embedded, not just for its sentences.
        assert c.tokens == count_tokens(c.text) <= cap, (c.tokens, cap)
        assert c.text == c.text.strip()
    # Nothing of the body is lost: every kept character lies in some chunk ...
    covered: set[int] = set()
    for c in chunks:
        for a, b in _source_ranges(c):
            covered.update(range(a, b))
    for doc in docs:
        for i, ch in enumerate(doc.text.text):
            if not ch.isspace():
                assert doc.text.src_offset(i) in covered, f"lost {doc.text.text[i - 5 : i + 5]!r}"
    # ... every sentence that fits a chunk is in one whole, and numbers are never cut.
    texts = [c.text for c in chunks]
    for sentence in report.sentences:
        if count_tokens(sentence) <= cap:
            assert any(sentence in t for t in texts), f"sentence split or lost: {sentence!r}"
    for sentence in report.sentences:
        for m in NUMBER.finditer(sentence):
            if count_tokens(m.group()) <= cap // 2:  # longer digit runs are tables, not numbers
                assert any(m.group() in t for t in texts), f"number cut: {m.group()!r}"


def test_markdown_headings_are_headings_without_their_marks():
    from ingest.split import units_of

    text = (
        "# 标题\n\n## 白河市：科技创新作用突出\n\n技术合同成交额612.8亿元。\n\n"
        "## 一、2024年工作\n\n### （一）民生\n\n文字。"
    )
    units = {u.text: u for u in units_of(text, len, 300)}
    assert units["技术合同成交额612.8亿元。"].path == ("白河市：科技创新作用突出",)
    assert units["文字。"].path == ("一、2024年工作", "（一）民生")
    assert "# 标题" in units and units["# 标题"].level is None  # the title is no section


def test_a_table_row_is_one_unit_and_never_cut_between_chunks():
    """A chunk that ended between "| 白河市 | 31.5" and "-8.1% |" left a figure without the rest
    of its row (the reader then had no row label for the cells after the cut)."""
    rows = [f"| 第{i}县 | {30 + i}.5 | -{i}.1% | 8{i}.2% | {i} |" for i in range(40)]
    text = "一、空气质量\n| 县 | PM2.5 | 同比 | 优良率 | 排名 |\n" + "\n".join(rows) + "\n结束。\n"
    units = units_of(text, count_tokens, 400)
    assert [u.text for u in units[1:4]] == [
        "| 县 | PM2.5 | 同比 | 优良率 | 排名 |",
        rows[0],
        rows[1],
    ]
    chunks = split_document(_doc(text), count_tokens, target_tokens=60, max_tokens=90)
    assert len(chunks) > 3
    for chunk in chunks:
        for line in chunk.text.splitlines():
            if line.startswith("|"):
                assert line.endswith("|"), line
    assert all(any(row in c.text for c in chunks) for row in rows)
