"""Departments a question names: found in the question, matched by their abbreviations, and
a refusal when the passages name other departments but never the asked one."""

from __future__ import annotations

import pytest

from rag.organ_fit import names_organ, names_other_organ
from rag.question import asked_organs
from rag.refusal import Evidence, unknown_organ
from tests.rag.fixtures import flat_idf, parser, passage


@pytest.mark.parametrize(
    ("question", "regions", "want"),
    [
        ("东江市公安局2025年承办了多少件人大代表建议？", ["东江市"], ("公安局",)),
        ("青山县住建局审计查出问题的整改率是多少？", ["青山县"], ("住建局",)),
        ("市住建局和市自然资源和规划局，哪个办结率更高？", [], ("住建局", "自然资源和规划局")),
        ("青山县财政局和县卫健局，哪个整改率更高？", ["青山县"], ("财政局", "卫健局")),
        ("青山审计局一共审减了多少钱？", ["青山县"], ("审计局",)),
        ("东江省交通运输厅上半年完成投资多少", ["东江省"], ("交通运输厅",)),
        ("哪个局的满意率最高", [], ()),
        ("东江市哪个承办单位的满意率达到了100%？", ["东江市"], ()),
    ],
)
def test_the_departments_a_question_names(question, regions, want):
    assert asked_organs(question, regions) == want


@pytest.mark.parametrize(
    ("organ", "text"),
    [
        ("住建局", "县住房和城乡建设局，整改率：69.6%"),
        ("卫健局", "县卫生健康局已全部整改"),
        ("文旅局", "市文化广电和旅游局承办12件"),
        ("人社局", "市人力资源和社会保障局"),
        ("审计局", "县审计局对9个项目开展审计"),
    ],
)
def test_an_abbreviation_names_the_department_written_in_full(organ, text):
    assert names_organ(organ, text)
    assert not names_other_organ(organ, text)


def test_another_department_is_told_apart():
    assert not names_organ("公安局", "其中市交通运输局承办58件")
    assert names_other_organ("公安局", "其中市交通运输局承办58件")
    assert not names_other_organ("公安局", "代表建议386件已全部办结")  # names none


def _evidence(question: str, *texts: str) -> Evidence:
    return Evidence(
        question=question,
        info=parser().parse(question),
        passages=[passage(t) for t in texts],
        idf=flat_idf,
    )


def test_a_department_the_passages_never_name_is_refused():
    table = "市交通运输局承办58件，办结率96.6%；市农业农村局承办36件，办结率100%。"
    e = _evidence("东江市公安局2025年承办了多少件人大代表建议？", table)
    assert unknown_organ(e) == "no passage about 公安局"
    e = _evidence("东江市交通局2025年承办了多少件人大代表建议？", table)
    assert unknown_organ(e) == ""  # 交通局 = 交通运输局


def test_passages_naming_no_department_do_not_decide():
    e = _evidence("据东江市统计局，全市GDP增长多少？", "全年地区生产总值增长5.2%。")
    assert unknown_organ(e) == ""


def test_naming_the_department_picks_its_row_only_among_others():
    from rag.organ_fit import ORGAN_BONUS, organ_bonus
    from rag.question import QuestionSpec

    spec = QuestionSpec(text="青山县住建局整改率是多少", organs=("住建局",))
    row = "县住房和城乡建设局整改率69.6%"
    table = "县财政局整改率83.1%，" + row
    assert organ_bonus(spec, row, table) == ORGAN_BONUS
    own_report = "县住房和城乡建设局对9个项目开展检查，整改率69.6%"
    assert organ_bonus(spec, own_report, own_report) == 0.0  # the only department named
