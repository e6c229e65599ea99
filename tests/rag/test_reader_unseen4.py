"""Reader rules found on a twelfth batch of documents written apart from the code (a county
发改局 half-year analysis in Markdown, a town summary, a city 教育局 portal page, a district
卫健局 .docx, a county 农业农村局 .pdf, a city 人大常委会 report). Places are placeholders."""

from __future__ import annotations

from tests.rag.fixtures import passage
from tests.rag.fixtures import read_question as _read

SUMMARY = "青山县2024年工作总结"
HALF_YEAR = "青山县2025年上半年经济运行情况分析"


def _summary(text: str):
    return passage(text, year=2024, title=SUMMARY, doc_type="工作总结")


def _half_year(text: str):
    return passage(text, year=2025, title=HALF_YEAR, doc_type="统计公报")


def test_the_value_of_the_year_before_answers_for_that_year():
    text = "全年粮食播种面积5.82万亩，粮食总产量2.91万吨，比上年的2.85万吨增加0.06万吨。"
    before = _read("青山县2023年的粮食总产量是多少？", _summary(text))
    assert "2.85万吨" in before.answer and "2.91" not in before.answer, before.answer
    this = _read("青山县2024年的粮食总产量是多少？", _summary(text))
    assert "2.91万吨" in this.answer, this.answer


def test_a_target_column_does_not_make_a_half_years_row_a_whole_years():
    text = (
        "表1　2025年上半年青山县主要经济指标完成情况\n\n"
        "| 指标 | 绝对值 | 同比增长 | 全年目标 |\n"
        "| 一般公共预算收入（亿元） | 9.64 | 3.2% | 5% |\n"
        "| 其中：税收收入（亿元） | 6.87 | 1.9% | — |\n"
    )
    r = _read("青山县2025年上半年税收收入是多少亿元？", _half_year(text))
    assert "6.87" in r.answer, (r.answer, r.reason)


def test_a_zone_named_after_the_county_is_not_the_county():
    table = (
        "表1　2025年上半年青山县主要经济指标完成情况\n\n"
        "| 指标 | 绝对值 | 同比增长 | 全年目标 |\n"
        "| 其中：税收收入（亿元） | 6.87 | 1.9% | — |\n"
    )
    r = _read("青山经济开发区2025年上半年税收收入有多少？", _half_year(table))
    assert r.refused, r.answer
    text = "上半年，青山经济开发区实现规上工业总产值158.3亿元，增长11.2%。"
    r = _read("青山经济开发区2025年上半年规上工业总产值是多少？", _half_year(text))
    assert "158.3亿元" in r.answer, (r.answer, r.reason)


def test_a_question_asking_how_many_in_all_prefers_the_total_to_the_increase():
    text = "全年规模以上工业增加值增长8.3%，新增规上工业企业27家，全县规上工业企业总数达到318家。"
    r = _read("到2024年底青山县规上工业企业一共有多少家？", _summary(text))
    assert "318家" in r.answer and "27家" not in r.answer, r.answer


def test_a_share_asked_as_the_proportion_is_answered_by_the_rate():
    text = "全年全县环境空气质量优良天数为318天，优良天数比率为86.9%，较上年提高2.8个百分点。"
    r = _read("青山县2024年空气质量优良天数的比例是多少？", _summary(text))
    assert "86.9%" in r.answer, r.answer
