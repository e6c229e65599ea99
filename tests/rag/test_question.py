"""What a question asks about: the asked attribute (data in rag/resources/question.toml)."""

from __future__ import annotations

import pytest

from rag.question import asked_attribute, parse_question
from tests.rag.fixtures import parser


@pytest.mark.parametrize(
    ("question", "answer_type", "want"),
    [
        ("青山县2024年公务员考试报名的截止时间是哪天", "date", "截止"),  # 时间 only says "a date"
        ("2024年谁当选青山县劳动模范", "entity", "当选"),  # 谁 + verb: the verb
        ("谁是青山运动会第一棒火炬手", "entity", "火炬手"),  # 谁是 + noun: its last word
        ("青山县篮球联赛季军是哪支球队", "entity", "季军"),  # 哪支球队: the word before
        ("青山县新体育馆什么时候开馆", "date", "开馆"),
        ("青山集团的第一家旗舰店在哪个城市？", "place", "旗舰店"),  # 在哪个 + noun
        ("青山汽车2024年上半年新能源车销量", "other", "销量"),  # no asking word
    ],
)
def test_the_asked_attribute(question, answer_type, want):
    assert asked_attribute(question, answer_type)[0] == want  # the asked word comes first


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        ("紫金县政府工作报告是谁作的", "entity"),  # a one-character verb: nothing to check
        ("从这份重点项目工作总结看，它是哪个地方的？", "entity"),  # a pronoun before it
        ("XXX区确定的起步区面积有多大？", "other"),  # other type with an asking word
    ],
)
def test_no_attribute_to_check(question, answer_type):
    assert asked_attribute(question, answer_type) == ()


def test_synonyms_of_the_attribute_count():
    assert {"创立", "创办", "成立"} <= set(asked_attribute("青山航天公司是谁创立的？", "entity"))


def test_a_title_is_never_the_attribute():
    assert asked_attribute("《青山新工作》是哪个平台的", "entity") == ()  # not 工作
    assert asked_attribute("《青山之歌》的上映时间？", "date")[0] == "上映"


def test_the_noun_after_na_is_the_answers_kind_not_an_attribute():
    assert asked_attribute("青山县篮球联赛季军是哪支球队", "entity")[0] == "季军"
    assert asked_attribute("是哪个平台出品的", "entity") == ()


def test_a_result_is_asked_by_the_words_of_an_outcome():
    attribute = asked_attribute("青山县第六届村委会选举结果？", "other")
    assert attribute[0] == "结果" and "当选" in attribute


def test_a_metric_split_by_the_asking_word_is_still_named():
    info = parser().parse("青山县2021年计划新增多少城镇就业")
    spec = parse_question("青山县2021年计划新增多少城镇就业", info)
    assert any("城镇新增就业" in g for g in spec.metrics)


def test_a_level_reached_is_no_rate():
    def spec(q):
        return parse_question(q, parser().parse(q))

    assert spec("青山县补助标准提高了多少？").wants_rate
    raised_to = spec("青山县医保人均财政补助标准提高到了多少钱？")
    assert not raised_to.wants_rate and raised_to.wants_amount
    assert not spec("青山县失业率降至多少？").wants_rate


def test_a_verb_asked_for_its_object_is_the_attribute():
    from rag.question import asked_attribute

    assert asked_attribute("专题询问是围绕什么开展的？", "other")[0] == "围绕"
    assert asked_attribute("这次检查主要针对哪些问题？", "list")[0] == "针对"
