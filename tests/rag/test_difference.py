"""The gap between two figures of one sentence: "A比B多多少", "还要完成多少", "不是X的有多少"
(typed fixtures, no model or index)."""

from __future__ import annotations

from rag.difference import asked_gap, difference_answer
from rag.question import parse_question
from rag.reader import passages_as_context
from rag.scoring import reading_terms
from tests.rag.fixtures import parser, passage


def _spec(question: str):
    return parse_question(question, parser().parse(question))


def _ask(question: str, *texts: str) -> str | None:
    spec = _spec(question)
    terms = reading_terms(question, parser().parse(question), lambda tokens: {})
    context = passages_as_context([passage(t, cid=f"c{i}") for i, t in enumerate(texts)])
    return difference_answer(spec, terms, context)


def test_one_named_figure_less_another_shows_its_working():
    text = "全市执法检查企业2,934家次，行政处罚立案412起，结案387起，罚款1,386万元。"
    answer = _ask("2024年青山市行政处罚立案数比结案数多出多少起？", text)
    assert answer is not None and answer.startswith("25起"), answer
    assert "412起" in answer and "387起" in answer and answer.endswith("[1]。")


def test_a_gap_of_money_keeps_the_scale_and_the_decimals():
    text = "全市基本医保基金总收入118.6亿元，同比增长5.2%；总支出110.2亿元，同比增长7.9%。"
    answer = _ask("2024年青山市医保基金收入比支出多了多少？", text)
    assert answer is not None and answer.startswith("8.4亿元"), answer


def test_what_is_left_of_a_plan():
    text = "上半年完成食品安全监督抽检2,460批次，完成全年计划4,800批次的51.3%。"
    answer = _ask("按全年食品抽检计划，下半年还要完成多少批次？", text)
    assert answer is not None and answer.startswith("2340批次"), answer


def test_the_whole_less_the_part_a_question_leaves_out():
    text = "全县设立林长1,146名；聘用生态护林员612名，其中脱贫人口438名。"
    answer = _ask("生态护林员里不是脱贫人口的有多少名？", text)
    assert answer is not None and answer.startswith("174名"), answer
    text = "十届三次会议以来，共收到提案486件，经审查立案432件，立案率88.9%。"
    answer = _ask("收到的提案里有多少件没有立案？", text)
    assert answer is not None and answer.startswith("54件"), answer


def test_a_change_since_a_period_is_left_to_the_clause_reader():
    assert asked_gap(_spec("青山县2024年新增就业比上年多多少人？")) is None
    assert asked_gap(_spec("青山县罚没款总额是多少？")) is None  # 没 of 罚没 asks no gap
    assert asked_gap(_spec("为什么有19个服务站没运营？")) is None  # no quantity asked
    assert asked_gap(_spec("非税收入的比重是多少？")) is None


def test_no_answer_without_both_figures_in_one_unit():
    text = "行政处罚立案412起，罚款1,386万元。"
    assert _ask("青山市行政处罚立案数比结案数多出多少起？", text) is None
    text = "共收到提案486件，立案率88.9%。"
    assert _ask("收到的提案里有多少件没有立案？", text) is None
