"""Reader rules found on a batch of documents written apart from the code (a city 预算执行
报告 .docx with a long Word table, a town 政府工作报告 .txt, a city 生态环境状况公报 .pdf, a
province's 计划执行报告 .html, a county 卫生健康局 summary .md, a development zone's mid-year
汇报 .txt). Places are placeholders."""

from __future__ import annotations

from core.text import short_forms
from rag.clause_fit import other_contrast, other_place
from rag.scoring import topic_terms
from rag.table_rows import table_row
from tests.rag.fixtures import flat_idf, parser, passage
from tests.rag.fixtures import read_question as _read


def _report(text: str, region: str = "东江市", year: int = 2025, **meta):
    title = meta.pop("title", f"{region}{year}年工作情况")
    return passage(text, region=region, year=year, title=title, doc_type="工作总结", **meta)


def test_a_zone_is_named_without_its_economic_qualifier():
    assert "青山开发区" in short_forms("青山经济开发区")
    assert "青山经济开发区" in short_forms("青山开发区")


def test_the_full_years_target_is_not_the_period_of_a_half_years_progress():
    text = "上半年，实际使用外资3260万美元，完成全年目标8000万美元的40.8%，是所有指标中进度最慢的。"
    r = _read(
        "青山经济开发区上半年实际使用外资完成进度多少？",
        _report(text, region="青山经济开发区", heading="一、上半年主要经济指标完成情况"),
    )
    assert "40.8%" in r.answer, (r.answer, r.reason)


def test_a_spoken_rise_and_a_relative_year_are_no_topic_words():
    # the topic a passage must hold: 出口 and 增长, not the spoken 涨了 or the relative 去年
    question = "东江市去年出口涨了多少？"
    terms = topic_terms(question, parser().parse(question), flat_idf).own
    assert "出口" in terms and "增长" in terms
    assert not {"去年", "涨了"} & terms, terms


def test_the_qualifier_shared_by_listed_parts_names_the_asked_measure():
    text = (
        "全县家庭医生签约服务覆盖率为46.2%，其中老年人、高血压和糖尿病患者、孕产妇、"
        "儿童等重点人群签约率为82.7%，比上年提高3.4个百分点。"
    )
    r = _read("青山家庭医生重点人群签约率去年到了多少？", _report(text, region="青山县"))
    assert "82.7%" in r.answer, (r.answer, r.reason)


def test_the_other_side_of_a_contrast_does_not_answer():
    assert other_contrast(
        "城市区域声环境夜间平均等效声级是多少", "区域声环境昼间平均等效声级为53.8分贝"
    )
    assert not other_contrast("全市进出口总额多少", "进出口总额8936.4亿元")
    assert other_contrast("政府性基金预算收入预计多少", "全市社会保险基金收入预期262.10亿元")
    text = "2025年，全市城市区域声环境昼间平均等效声级为53.8分贝，比上年下降0.5分贝。"
    r = _read("东江市去年城市区域声环境夜间平均等效声级是多少分贝？", _report(text))
    assert r.refused, r.answer


def test_the_region_followed_by_a_generic_word_is_the_region():
    question = "东江城市功能区声环境夜间达标率多少"
    assert other_place(question, "东江市", "夜间达标率为86.7%") == ""


def test_the_spread_of_the_parts_is_no_figure_of_the_whole():
    text = (
        "全年全市细颗粒物（PM2.5）年均浓度27.4微克/立方米，下降5.2%。"
        "全市6个县（区）环境空气优良天数比例在84.9%～93.4%之间，PM2.5年均浓度在22.6～31.2微克/立方米之间。"
    )
    r = _read("东江市2025年全市PM2.5年均浓度是多少", _report(text))
    assert "27.4" in r.answer and "31.2" not in r.answer, (r.answer, r.reason)


def test_a_share_clause_of_another_part_does_not_answer_a_parts_share():
    text = (
        "其中，制造业投资增长9.6%，占全部投资的比重为29.4%；"
        "基础设施投资增长4.1%；民间投资下降1.2%。"
    )
    r = _read("东江省2025年民间投资占全部投资的比重是多少？", _report(text, region="东江省"))
    assert "29.4%" not in r.answer, r.answer


def test_a_unit_in_the_row_label_goes_before_a_bounding_word():
    text = (
        "| 指标 | 2025年计划 | 2025年完成 | 2026年预期目标 |\n"
        "| 固定资产投资增长（%） | 5 | 2.8 | 3.5左右 |\n"
    )
    start = text.index("固定资产投资增长")
    row = table_row(text, start, start + 4)
    assert row is not None and row.stated(3) == "2026年预期目标：3.5%左右"


def test_a_long_tables_progress_column_answers_how_far_the_budget_got():
    header = "| 项目 | 2025年预算数 | 2025年执行数 | 完成预算% | 比上年增长% |\n"
    rows = "| 契税 | 15.80 | 14.27 | 90.3 | -9.8 |\n| 房产税 | 9.10 | 9.36 | 102.9 | 4.4 |\n"
    r = _read("东江市2025年契税完成预算的百分之多少", _report(header + rows))
    assert "90.3%" in r.answer and "9.8" not in r.answer, (r.answer, r.reason)


def test_a_stated_bound_gives_way_to_the_exact_figure():
    text = (
        "| 医院 | 病床使用率（%） |\n| 青山县人民医院 | 92.4 |\n| 青山县中医院 | 85.1 |\n\n"
        "从表中看，县人民医院病床使用率超过90%，床位资源较为紧张。"
    )
    r = _read("青山县人民医院去年病床使用率多少？", _report(text, region="青山县"))
    assert "92.4" in r.answer, (r.answer, r.reason)


def test_a_change_in_points_continuing_another_part_is_that_parts():
    text = (
        "全年全市环境空气优良天数比例为88.5%，比上年提高2.3个百分点。"
        "地表水监测断面中，Ⅰ～Ⅲ类水质断面22个，占91.7%，比上年提高4.2个百分点。"
    )
    r = _read("东江市地表水优良断面比例比上年提高了几个百分点？", _report(text))
    assert "4.2" in r.answer and "2.3" not in r.answer, (r.answer, r.reason)


def test_a_parts_share_named_after_a_relative_year_is_found():
    text = (
        "税收收入231.58亿元，增长3.6%，税收收入占一般公共预算收入的比重为72.7%，"
        "比上年下降0.5个百分点。"
    )
    r = _read("东江去年税收收入占一般公共预算收入的比重是多少？", _report(text))
    assert "72.7%" in r.answer, (r.answer, r.reason)


def test_a_stock_does_not_answer_how_many_were_added():
    text = "全区现有高新技术企业286家，52家企业进入申报培育库，全年计划新增40家。"
    r = _read("青山开发区上半年新增了多少家高新技术企业？", _report(text, region="青山开发区"))
    assert "286" not in r.answer, r.answer
