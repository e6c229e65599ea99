"""Checking a backend's answer: verified text stands, anything else falls back to the reader."""

from __future__ import annotations

from rag.backends.base import GenerationRequest
from rag.question import parse_question
from rag.reader import passages_as_context, read
from rag.repair import check_answer
from rag.scoring import query_terms
from tests.rag.fixtures import TARGETS, flat_idf, parser, passage

QUESTION = "青山县2021年固定资产投资增长目标是多少"


def _request() -> GenerationRequest:
    info = parser().parse(QUESTION)
    spec = parse_question(QUESTION, info)
    terms = query_terms(QUESTION, info, flat_idf)
    context = passages_as_context([passage(TARGETS)])
    reading = read(spec, info, terms, context)
    return GenerationRequest(QUESTION, info, context, terms, reading, spec.answer_type)


def test_a_verified_generated_answer_stands():
    out = check_answer("固定资产投资增长15%[1]。", _request(), generative=True)
    assert out.verified and out.answer == "固定资产投资增长15%[1]。"
    assert out.citations[0].quote.startswith("固定资产投资增长15%")


def test_an_invented_number_falls_back_to_the_reader():
    out = check_answer("固定资产投资增长20%[1]。", _request(), generative=True)
    assert "15%" in out.answer and "20%" not in out.answer and out.answer.startswith("（")


def test_a_figure_of_another_metric_falls_back():
    out = check_answer("增长7.5%左右[1]。", _request(), generative=True)
    assert "固定资产投资增长15%" in out.answer


def test_echoed_prompt_scaffolding_never_reaches_the_user():
    out = check_answer("【问题】固定资产投资增长15%[1]", _request(), generative=True)
    assert "【" not in out.answer and "15%" in out.answer


def test_a_model_refusal_is_a_refusal():
    out = check_answer("资料中未找到相关信息。", _request(), generative=True)
    assert out.refused and out.reason == "model refused"


def test_an_answer_that_repeats_the_question_falls_back():
    out = check_answer("青山县2021年固定资产投资增长目标是多少[1]？", _request(), generative=True)
    assert "15%" in out.answer


def test_a_percentage_question_answered_without_one():
    from rag.repair import percent_missing

    q = "青山县2020年一般预算收入完成了百分之多少？"
    assert percent_missing("完成了百分之4.79亿元[1]。", q)
    assert not percent_missing("完成年度预算111.32%[1]。", q)
    assert not percent_missing("一般预算收入4.79亿元[1]。", "青山县2020年一般预算收入是多少？")
