"""A clause about another administrative level of the asked thing (省考 for 国考). Places are
placeholders."""

from __future__ import annotations

from rag.level_fit import levels, other_level
from tests.rag.fixtures import passage
from tests.rag.fixtures import read_question as _read


def test_levels_of_a_run_and_words_that_are_no_level():
    assert levels("国家级和省、市级开发区") == {("国", "级"), ("省", "级"), ("市", "级")}
    assert levels("地表水断面（省考断面）") == {("省", "考")}
    assert levels("城市级别、社区级服务") == set()
    # a place's 市 before a level is no level of its own
    assert levels("青山市国考断面") == {("国", "考")}


def test_other_level():
    question = "青山县国考断面水质优良比例是多少？"
    assert other_level(question, "省考断面水质优良比例为87.0%")
    assert not other_level(question, "国考断面水质优良比例为92.9%")
    assert not other_level(question, "水质优良比例为92.9%")  # no level named: other rules judge
    assert not other_level(question, "国考、省考断面均已消除劣Ⅴ类水体")


def test_the_reader_answers_with_the_asked_level():
    text = (
        "全县纳入国家考核的地表水断面（国考断面）共14个，2024年水质优良比例为92.9%；"
        "纳入省级考核的23个地表水断面（省考断面）水质优良比例为87.0%。"
    )
    doc = passage(text, year=2024, title="青山县生态环境局2024年工作总结", doc_type="工作总结")
    r = _read("青山县2024年国考断面水质优良比例是多少？", doc)
    assert "92.9%" in r.answer and "87.0%" not in r.answer, r.answer
    r = _read("青山县2024年省考断面水质优良比例是多少？", doc)
    assert "87.0%" in r.answer, r.answer


def test_controlled_and_assessed_sections_of_one_level_are_one_kind():
    assert other_level("国控断面水质优良比例是多少", "省考断面水质优良比例为87.0%")
    assert not other_level("国控断面水质优良比例是多少", "国考断面水质优良比例为90.9%")
