"""A figure of a group closed by 等 is not a figure of one of its members. Places are
placeholders."""

from __future__ import annotations

import pytest

from rag.member_fit import group_figure
from rag.question import QuestionSpec, parse_question
from tests.rag.fixtures import parser, passage
from tests.rag.fixtures import read_question as _read


def _spec(question: str) -> QuestionSpec:
    return parse_question(question, parser().parse(question))


@pytest.mark.parametrize(
    ("question", "clause", "expected"),
    [
        # one member asked: the group's count is not its count
        ("白河区检察院起诉毒品犯罪多少人？", "起诉盗窃、诈骗、毒品犯罪等多发性犯罪412人", True),
        (
            "白河县有烈士遗属多少人？",
            "烈士遗属、因公牺牲军人遗属和现役军人家属等其他优抚对象3,200人",
            True,
        ),
        # the group itself, or the whole list, is asked
        ("白河区检察院起诉多发性犯罪多少人？", "起诉盗窃、诈骗、毒品犯罪等多发性犯罪412人", False),
        ("起诉盗窃、诈骗等犯罪多少人？", "起诉盗窃、诈骗、毒品犯罪等多发性犯罪412人", False),
        # a figure said to hold for each member
        ("游客人数增长了多少？", "游客人数、旅游收入等指标均增长10%以上", False),
        # no member named
        ("白河区检察院起诉了多少人？", "起诉盗窃、诈骗、毒品犯罪等多发性犯罪412人", False),
        # 等 inside a word ends no list
        ("高等教育毛入学率是多少？", "学前教育、高等教育毛入学率达到61%", False),
    ],
)
def test_group_figure(question: str, clause: str, expected: bool) -> None:
    assert group_figure(_spec(question), clause) is expected


def test_the_reader_refuses_a_members_count_given_only_for_its_group():
    text = "起诉盗窃、诈骗、毒品犯罪等多发性犯罪412人，起诉故意杀人、抢劫等严重暴力犯罪17人。"
    doc = passage(
        text, region="白河区", year=2024, title="白河区人民检察院工作报告", doc_type="工作报告"
    )
    r = _read("白河区检察院2024年起诉毒品犯罪多少人？", doc)
    assert r.refused, r.answer
    r = _read("白河区检察院2024年起诉多发性犯罪多少人？", doc)
    assert "412" in r.answer, r.answer
