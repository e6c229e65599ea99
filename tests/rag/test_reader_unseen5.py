"""Reader rules found on two more batches of documents written apart from the code (a street
summary, a provincial 水利厅 .docx, a county 应急局 .pdf, a city 文旅 analysis, a district 医保
portal page, a county 政府工作报告; a city 财政局 budget report, a township summary, a city
科技局 summary, a district 人社 .pdf, a city 商务局 page, a county 住建 summary). Places are
placeholders."""

from __future__ import annotations

from rag.question import parse_question
from tests.rag.fixtures import parser, passage
from tests.rag.fixtures import read_question as _read

SUMMARY = "青山县2024年工作总结"


def _summary(text: str, region: str = "青山县"):
    return passage(text, region=region, year=2024, title=SUMMARY, doc_type="工作总结")


def test_which_building_asks_a_name_and_the_first_is_the_clause_before():
    spec = parse_question("青山县2024年税收最多的商务楼宇是哪栋？", parser().parse("青山县"))
    assert spec.answer_type == "entity"
    text = "全县共发生生产安全事故23起。其中甲镇发生事故5起，为全县最多；乙镇、丙镇各发生3起。"
    r = _read("2024年青山县哪个乡镇发生的生产安全事故最多？", _summary(text))
    assert "甲镇" in r.answer, (r.answer, r.reason)


def test_a_tables_caption_is_never_the_answer():
    text = (
        "表1　2024年青山县生产安全事故分行业领域统计\n\n"
        "| 行业领域 | 事故起数 | 死亡人数 |\n"
        "| 道路运输 | 13 | 8 |\n"
    )
    r = _read("2024年青山县哪个乡镇发生的生产安全事故最多？", _summary(text))
    assert "表1" not in r.answer, r.answer


def test_a_period_in_the_question_is_no_attribute_to_find():
    spec = parse_question(
        "青山县2025年上半年是哪个社区获评省级充分就业社区？", parser().parse("青山县")
    )
    assert not spec.attribute, spec.attribute
    text = "春晖社区获评省级充分就业社区。组织开展招聘活动46场，参会企业1360家次。"
    r = _read(
        "青山县2025年上半年是哪个社区获评省级充分就业社区？",
        passage(text, region="青山县", year=2025, title="青山县2025年上半年工作总结",
                doc_type="工作总结"),
    )  # fmt: skip
    assert "春晖社区" in r.answer, (r.answer, r.reason)


def test_a_share_of_the_budget_reached_is_no_fall():
    text = "全县政府性基金预算收入完成138.45亿元，为调整预算的83.6%，下降12.4%。"
    r = _read("青山县2024年全县政府性基金收入降了几个点？", _summary(text, "青山县"))
    assert "12.4%" in r.answer, (r.answer, r.reason)


def test_the_whole_citys_total_is_not_its_own_levels():
    own = "县本级一般性支出压减8.5%，县本级“三公”经费支出1.06亿元，下降6.7%。"
    r = _read("青山县全县2024年“三公”经费一共花了多少钱？", _summary(own, "青山县"))
    assert r.refused, r.answer
    whole = "全县政府性基金预算支出完成156.92亿元，下降9.8%。"
    r = _read("青山县2024年县本级政府性基金支出是多少？", _summary(whole, "青山县"))
    assert r.refused, r.answer
    r = _read("青山县2024年全县政府性基金支出是多少？", _summary(whole, "青山县"))
    assert "156.92亿元" in r.answer, (r.answer, r.reason)


def test_a_result_set_against_its_target_is_still_a_result():
    text = (
        "全年实现地区生产总值86.4亿元，增长5.6%，低于年初确定的6.5%预期目标；"
        "一般公共预算收入5.12亿元，增长3.8%，其中税收收入3.46亿元。"
    )
    report = passage(text, region="青山县", year=2025, heading="一、2024年工作回顾")
    r = _read("青山县2024年财政收入有多少？", report)
    assert "5.12亿元" in r.answer, (r.answer, r.reason)


def test_points_answer_how_much_a_rate_moved_but_not_its_level_or_an_amounts_growth():
    table = (
        "| 指标 | 2023年 | 2024年 | 增减 |\n"
        "| 职工医保住院政策范围内报销比例（%） | 85.6 | 86.3 | +0.7个百分点 |\n"
    )
    r = _read("青山县2024年职工医保住院报销比例比上年提高了几个点？", _summary(table, "青山县"))
    assert "0.7个百分点" in r.answer, (r.answer, r.reason)
    text = "全县农村居民人均可支配收入2.31万元，同比增长7.3%，增速高于全省平均水平0.6个百分点。"
    r = _read("青山县2024年农村居民人均可支配收入涨了几个点？", _summary(text))
    assert "7.3%" in r.answer and "0.6" not in r.answer, (r.answer, r.reason)


def test_spoken_rise_is_read_as_the_written_one():
    from rag.scoring import reading_terms
    from tests.rag.fixtures import flat_idf

    q = "青山县2024年出口涨了几个点？"
    terms = reading_terms(q, parser().parse(q), flat_idf)
    assert "增长" in terms.own and "涨了" not in terms.own, terms.own
    assert not any("几" in t for t in terms.own), terms.own


PLAN_TABLE = (
    "表1　青山县2024年主要经济指标完成情况\n\n"
    "| 指标名称 | 年度目标 | 完成情况 | 同比增长 |\n"
    "| 一般公共预算收入 | 1.25亿元 | 1.27亿元 | 4.1% |\n"
    "| 固定资产投资增长 | 8% | 4.3% | 未完成 |\n"
)


def test_a_plans_column_answers_only_a_question_about_the_plan():
    r = _read("青山县2024年财政收入大概多少？", _summary(PLAN_TABLE))
    assert "1.27亿元" in r.answer and "1.25" not in r.answer, (r.answer, r.reason)
    r = _read("青山县2024年财政收入的年度目标是多少？", _summary(PLAN_TABLE))
    assert "1.25亿元" in r.answer, (r.answer, r.reason)


def test_a_tables_header_or_row_is_no_reason():
    r = _read("青山县2024年固定资产投资为什么没有完成年初目标？", _summary(PLAN_TABLE))
    assert "|" not in r.answer and "完成情况：" not in r.answer, (r.answer, r.reason)
    text = PLAN_TABLE + "\n固定资产投资未完成年初目标，主要是受房地产开发投资下降12.4%拖累。"
    r = _read("青山县2024年固定资产投资为什么没有完成年初目标？", _summary(text))
    assert "房地产开发投资" in r.answer, (r.answer, r.reason)
