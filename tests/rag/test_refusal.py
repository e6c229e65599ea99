"""Every refusal rule, with a case it refuses and a case it lets through (no model loaded)."""

from __future__ import annotations

from core.records import Filters
from rag.refusal import (
    Evidence,
    low_coverage,
    missing_metric,
    model_refused,
    no_passages,
    refusal_reason,
    report_absent,
    unknown_place,
    year_absent,
)
from rag.scoring import topic_terms
from tests.rag.fixtures import RESULTS, TARGETS, flat_idf, parser, passage


def _evidence(question: str, passages, **kw) -> Evidence:
    return Evidence(
        question=question,
        info=parser().parse(question),
        passages=passages,
        idf=flat_idf,
        known_regions={"青山县", "白河区", "东江市"},
        parent_regions={"远山市"},
        **kw,
    )


def test_no_passages():
    assert no_passages(_evidence("青山县GDP目标", [])) == "no passages"
    assert no_passages(_evidence("青山县GDP目标", [passage(TARGETS)])) == ""


def test_unknown_place_refuses_a_place_no_report_is_about():
    e = _evidence("红岭县2021年GDP目标是多少", [passage(TARGETS)])
    assert unknown_place(e) == "no report about 红岭县"


def test_unknown_place_refuses_a_parent_city_we_only_hold_districts_of():
    e = _evidence("远山市2021年GDP目标是多少", [passage(TARGETS + "远山市")])
    assert unknown_place(e) == "no report about 远山市"


def test_a_place_named_in_a_passages_title_is_known():
    titled = passage("重点项目完成投资40亿元。", title="XX市某区工作情况汇报")
    assert unknown_place(_evidence("XX市某区2023年重点项目完成投资多少", [titled])) == ""
    untitled = passage("重点项目完成投资40亿元。", title="工作情况汇报")
    assert unknown_place(_evidence("XX市某区2023年重点项目完成投资多少", [untitled])) != ""


def test_unknown_place_lets_known_and_mentioned_places_through():
    assert unknown_place(_evidence("青山县2021年GDP目标是多少", [passage(TARGETS)])) == ""
    mentioned = passage("与红岭县开展合作，共建产业园。")
    assert unknown_place(_evidence("与红岭县合作建了什么", [mentioned])) == ""
    filtered = _evidence("红岭县GDP", [passage(TARGETS)], filters=Filters(regions=["青山县"]))
    assert unknown_place(filtered) == ""


def test_year_absent():
    e = _evidence("青山县2015年GDP目标是多少", [passage(TARGETS)])
    assert year_absent(e) == "year 2015 not in passages"
    # a 2021 report reviews 2020 without always naming it
    assert year_absent(_evidence("青山县2020年GDP是多少", [passage(RESULTS)])) == ""


def test_report_absent_needs_the_named_reports_year():
    # the 2021 report reviews 2020, but the 2020 report's targets are not in it
    e = _evidence("青山县2020年政府工作报告设定的GDP目标是多少", [passage(TARGETS)])
    assert report_absent(e) == "no 2020 report in passages"
    assert report_absent(_evidence("青山县2021年政府工作报告的GDP目标", [passage(TARGETS)])) == ""
    past = _evidence("据2021年政府工作报告，2020年GDP是多少", [passage(RESULTS)])
    assert report_absent(past) == ""


def test_low_coverage():
    off_topic = passage("加强生态环境保护，推进河长制。")
    assert low_coverage(_evidence("青山县2021年商品房销售面积是多少", [off_topic])).startswith(
        "terms not covered"
    )
    assert low_coverage(_evidence("青山县2021年固定资产投资目标", [passage(TARGETS)])) == ""


def test_missing_metric_needs_the_figure_of_the_right_kind():
    # the results passage states GDP, but not as a target
    e = _evidence("青山县2021年GDP目标是多少", [passage(RESULTS)])
    assert missing_metric(e).startswith("no figure for")
    assert missing_metric(_evidence("青山县2021年GDP目标是多少", [passage(TARGETS)])) == ""


def test_first_objection_wins():
    e = _evidence("红岭县2015年GDP目标是多少", [passage(TARGETS)])
    assert refusal_reason(e) == "no report about 红岭县"
    assert refusal_reason(_evidence("青山县2021年GDP目标是多少", [passage(TARGETS)])) == ""


def test_model_refusal_phrases():
    assert model_refused("资料中未找到相关信息。")
    assert model_refused("   ")
    assert not model_refused("地区生产总值增长7.5%左右[1]。")


def test_question_words_are_no_topic():
    """ "报告是谁作的": no topic token spans 是谁 ("告是", "谁作"), so a byline passage whose
    title names the report covers the question."""
    byline = passage(
        "2021年1月10日在青山县人民代表大会上 青山县县长 李平 作政府工作报告",
        title="2021年青山县政府工作报告",
    )
    assert low_coverage(_evidence("2021年青山县政府工作报告是谁作的？", [byline])) == ""
    off = passage("全县粮食播种面积稳定。", title="青山县农业情况")
    assert low_coverage(_evidence("2021年青山县政府工作报告是谁作的？", [off])) != ""
    q = "2021年青山县政府工作报告是谁作的？"
    own = topic_terms(q, parser().parse(q), flat_idf).own
    assert own and not own & {"告是", "是谁", "谁作", "作"}


def test_a_province_without_its_suffix_that_no_report_covers_is_refused():
    e = _evidence("广东2021年GDP目标是多少", [passage(TARGETS)])
    assert unknown_place(e) == "no report about 广东"


def test_a_target_under_a_plan_heading_counts_without_a_plan_word():
    heading = "二、2021年工作安排 › （三）扩大开放"
    text = "加强海外仓布局，大力发展服务贸易，进出口总额增长7%以上。"
    e = _evidence("青山县2021年进出口总额增长目标是多少", [passage(text, heading=heading)])
    assert missing_metric(e) == ""
    review = "一、2020年工作回顾 › （三）扩大开放"
    e = _evidence("青山县2021年进出口总额增长目标是多少", [passage(text, heading=review)])
    assert missing_metric(e) == "no figure for 进出口总额"


def test_measure_word_question_forms_make_no_topic_words():
    question = "青山县2025年计划新开工哪几条高铁？"
    terms = topic_terms(question, parser().parse(question), flat_idf)
    assert "高铁" in terms.own and not {"条高", "工哪", "哪几", "几条"} & terms.own


def test_how_a_question_cites_its_source_is_no_topic():
    from rag.scoring import reading_terms

    q = "据2021年青山县政府工作报告提到，全县组建了哪个机构？"
    own = topic_terms(q, parser().parse(q), flat_idf).own
    assert "组建" in own and not own & {"告提", "府工", "作报", "政府"}
    assert not reading_terms(q, parser().parse(q), flat_idf).own & {"告提", "府工"}
    wordy = "青山县今年要承接建设哪个有关的合作平台？"
    assert not reading_terms(wordy, parser().parse(wordy), flat_idf).own & {"今年", "有关"}
