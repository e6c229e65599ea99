"""A list answer cut at its chunk's end is completed from the document's next chunk."""

from __future__ import annotations

from rag.continuation import continue_cut_list
from rag.question import parse_question
from rag.reader import passages_as_context, read
from rag.scoring import query_terms
from tests.rag.fixtures import flat_idf, parser, passage

CUT = "主要预期目标是：经济增长6%左右；城镇新增就业70万人以上；居民消费价格涨幅2%左右；"
NEXT = "居民消费价格涨幅2%左右；居民收入增长与经济增长同步；粮食产量保持500亿斤以上。\n下一段。"
QUESTION = "青山县2021年主要预期目标有哪些？"


def _reading(text: str):
    info = parser().parse(QUESTION)
    spec = parse_question(QUESTION, info)
    terms = query_terms(QUESTION, info, flat_idf)
    return spec, read(spec, info, terms, passages_as_context([passage(text)]))


def test_a_cut_list_goes_on_in_the_next_chunk_cited_as_its_own_passage():
    spec, reading = _reading(CUT)
    asked = []

    def next_chunk(meta):
        asked.append(meta.source)
        return passage(NEXT, cid="c2")

    done = continue_cut_list(reading, spec, next_chunk)
    assert asked == ["青山县.txt"]
    assert "涨幅2%左右[1]。" in done.answer  # the overlap is not repeated
    assert done.answer.endswith("粮食产量保持500亿斤以上[2]。")
    assert done.answer.count("涨幅2%左右") == 1
    assert [c.id for c in done.context] == ["c1", "c2"]


def test_a_list_that_ends_its_sentence_is_left_alone():
    spec, reading = _reading(CUT.rstrip("；") + "。")
    done = continue_cut_list(reading, spec, lambda meta: passage(NEXT, cid="c2"))
    assert done is reading


def test_no_next_chunk_or_no_sentence_end_leaves_the_answer():
    spec, reading = _reading(CUT)
    assert continue_cut_list(reading, spec, lambda meta: None) is reading
    endless = passage("居民收入增长与经济增长同步；粮食产量", cid="c2")
    assert continue_cut_list(reading, spec, lambda meta: endless) is reading
