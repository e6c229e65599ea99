"""Reader rules found on a twelfth batch of documents written apart from the code (a county
发改局 half-year analysis in Markdown, a town summary, a city 教育局 portal page, a district
卫健局 .docx, a county 农业农村局 .pdf, a city 人大常委会 report). Places are placeholders."""

from __future__ import annotations

from core.text import normalize_for_search
from rag.figure_fit import multi_year
from rag.metric_fit import other_measure
from rag.question import parse_question
from tests.rag.fixtures import parser, passage
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


def test_a_share_asked_by_how_large_a_part_is_no_growth_rate():
    question = "青山县2025年前三季度工单里物业管理类占了多大比例？"
    spec = parse_question(question, parser().parse(question))
    assert spec.answer_type == "figure"  # 多大比例 asks a figure
    assert other_measure(spec, normalize_for_search("物业管理类工单同比下降15.3%"))
    assert not other_measure(spec, normalize_for_search("物业管理类，占比：26.0%"))
    text = (
        "针对物业管理类高频诉求，街道建立红黑榜，物业管理类工单同比下降15.3%。\n"
        "| 诉求类别 | 工单数量（件） | 占比 | 同比变化 |\n| 物业管理类 | 1,524 | 26.0% | -15.3% |\n"
    )
    report = passage(text, year=2025, title="青山县2025年前三季度工作汇报", doc_type="工作总结")
    r = _read(question, report)
    assert "26.0%" in r.answer and not r.answer.startswith("针对"), r.answer


def test_a_cumulative_figure_asked_is_no_other_period():
    lead = normalize_for_search("2024年，全县累计建成高标准农田58.6万亩")
    asked = "截至2024年底，青山县高标准农田累计建成面积占耕地多大比例？"
    assert multi_year("此前累计建成高标准农田58.6万亩")  # another period, for a one-year question
    assert not multi_year(lead, asked) and not multi_year("此前累计建成58.6万亩", asked)
    text = "全年新建高标准农田5.2万亩；全县累计建成高标准农田58.6万亩，占全县耕地面积的64.3%。"
    r = _read(asked, _summary(text))
    assert "64.3%" in r.answer, (r.answer, r.reason)
    one_year = _read("青山县2024年新建了多少高标准农田？", _summary(text))
    assert "5.2万亩" in one_year.answer and "58.6" not in one_year.answer, one_year.answer
