"""Outline answers: a list question whose topic is a section title gets the section's
sub-headings, each cited (typed fixtures, no model or index)."""

from __future__ import annotations

from core.records import ChunkMeta, Passage
from rag.outline import find_outline, numbered_items, outline_reading
from rag.question import parse_question
from rag.scoring import topic_terms
from tests.rag.fixtures import flat_idf, parser

TITLE = "2025年青山县政府工作报告"
SECTION = "二、2025年重点任务"
CHILDREN = ["（一）扩大有效需求", "（二）壮大实体经济", "（三）推进乡村振兴"]


def _chunk(cid: str, heading: str, text: str, start: int) -> Passage:
    meta = ChunkMeta(
        title=TITLE, region="青山县", year=2025, doc_type="政府工作报告", doc_id="d1",
        heading=heading, start=start, end=start + len(text),
    )  # fmt: skip
    return Passage(cid, text, meta)


CHUNKS = [
    _chunk("c0", "一、2024年工作回顾", "一、2024年工作回顾\n过去一年，全县经济稳中有进。", 0),
    _chunk("c1", SECTION, f"{SECTION}\n今年重点抓好以下工作。\n{CHILDREN[0]}", 30),
    _chunk("c2", f"{SECTION} › {CHILDREN[0]}", "实施消费提振行动，扩大有效投资。", 60),
    _chunk("c3", f"{SECTION} › {CHILDREN[1]}", f"{CHILDREN[1]}\n做强主导产业。", 90),
    _chunk("c4", f"{SECTION} › {CHILDREN[2]}", f"{CHILDREN[2]}\n抓好粮食生产。", 120),
]
BY_ID = {p.id: p for p in CHUNKS}


def _outline(question: str, retrieved: list[Passage]):
    info = parser().parse(question)
    spec = parse_question(question, info)
    topic = topic_terms(question, info, flat_idf)
    return find_outline(spec, topic, retrieved, lambda _: [(p.id, p.meta) for p in CHUNKS])


def _fetch(ids: list[str]) -> list[Passage]:
    return [BY_ID[i] for i in ids if i in BY_ID]


def test_a_list_question_on_a_section_title_gets_its_numbered_items_in_order():
    outline = _outline("青山县2025年重点任务有哪些？", [CHUNKS[3]])
    assert outline is not None and outline.chunk_ids == ["c1", "c2", "c3", "c4"]
    text, context = outline_reading(outline, _fetch)
    assert text.startswith("2025年重点任务：（一）扩大有效需求[1]。")
    assert "（二）壮大实体经济[2]。" in text and "（三）推进乡村振兴[3]。" in text
    # (一)'s heading line sits in the chunk before its first chunk: that one is cited
    assert [c.id for c in context] == ["c1", "c3", "c4"]


def test_an_item_ingest_missed_as_a_heading_is_read_from_the_text():
    merged = [
        CHUNKS[1],
        _chunk("c9", f"{SECTION} › {CHILDREN[0]}", "扩大投资。（二）壮大实体经济。", 60),
    ]
    assert [t for t, _ in numbered_items(merged)] == CHILDREN[:2]
    assert [t for t, _ in numbered_items([CHUNKS[3]])] == []  # numbering must start at 一


def test_no_outline_for_another_year_a_non_list_or_an_unrelated_topic():
    assert _outline("青山县2024年重点任务有哪些？", [CHUNKS[3]]) is None  # the section is 2025
    assert _outline("青山县2025年重点任务是什么？", [CHUNKS[3]]) is None  # not a list question
    assert _outline("青山县2025年招商引资项目有哪些？", [CHUNKS[3]]) is None
