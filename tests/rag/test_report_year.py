"""Rules that follow from how a 政府工作报告 is built: last year's results, then this year's
plan. Each has a case it answers and a case it refuses or keeps apart."""

from __future__ import annotations

from rag.scoring import wanted_kind
from tests.rag.fixtures import parser, passage
from tests.rag.fixtures import read_question as _read

PLAN = (
    "三、2025年重点工作\n围绕今年发展目标，重点抓好以下工作：\n（一）扩大内需\n"
    "扩围实施以旧换新政策，更新汽车50万辆、家电800万台。深入推进重点项目建设，"
    "实施省重点项目1000个，完成投资1万亿元。"
)
REVIEW = "一、2024年工作回顾\n过去一年，全省更新汽车30万辆，完成投资8000亿元。"


def test_a_plan_word_of_the_question_asks_the_plan_of_the_reports_year():
    meta = passage("", region="青山县", year=2025).meta
    info = parser().parse("青山县2025年完成多少投资？")
    assert wanted_kind(info, meta) == "target"  # 完成 is a plan's wording for its own year
    strong = parser().parse("青山县2025年实际完成多少投资？")
    assert wanted_kind(strong, meta) == "actual"
    past = parser().parse("青山县2024年完成多少投资？")
    assert wanted_kind(past, meta) == "actual"


def test_a_figure_under_a_plan_heading_is_a_target():
    r = _read("青山县2025年计划更新汽车多少辆？", passage(PLAN, year=2025))
    assert not r.refused and "50万辆" in r.answer
    both = _read("青山县2025年实施多少个省重点项目、完成多少投资？", passage(PLAN, year=2025))
    assert "1000个" in both.answer and "1万亿元" in both.answer


def test_a_review_is_no_plan():
    r = _read("青山县2025年计划更新汽车多少辆？", passage(REVIEW, year=2025))
    assert r.refused


def test_an_estimated_result_answers_last_year():
    text = "过去一年，全社会研发投入强度预计达3.2%，区域创新能力继续保持全国第4位。"
    r = _read("青山县2024年全社会研发投入强度是多少？", passage(text, year=2025))
    assert not r.refused and "3.2%" in r.answer
    plan = "今年主要预期目标是：全社会研发投入强度力争达到3.3%。"
    assert _read("青山县2024年全社会研发投入强度是多少？", passage(plan, year=2025)).refused


def test_a_quoted_name_answers_where():
    text = "文旅市场持续火热，“青山里”频频出圈，被网友称为“没有淡季的景区”。"
    r = _read("青山县被网友称为“没有淡季的景区”的是哪里？", passage(text))
    assert not r.refused and "青山里" in r.answer
    bare = "文旅市场持续火热，接待游客突破1亿人次。"
    assert _read("青山县被网友称为“没有淡季的景区”的是哪里？", passage(bare)).refused


def test_a_clause_that_only_repeats_the_question_names_nothing():
    text = "全年基础设施、制造业投资分别增长9.4%、9.1%，带动固定资产投资增长5.1%。"
    r = _read("青山县2020年是什么带动固定资产投资增长5.1%的？", passage(text))
    assert not r.refused and "基础设施" in r.answer
    echo = "这带动固定资产投资增长5.1%。"
    r = _read("青山县2020年是什么带动固定资产投资增长5.1%的？", passage(echo))
    assert r.refused and "repeats the question" in r.reason


def test_another_period_of_the_year_does_not_answer():
    from rag.clause_fit import periods

    assert periods("1－6月全区固投") == periods("上半年") == {(1, 6)}
    assert periods("一季度增速是多少？全年呢？") == {(1, 3), (1, 12)}
    assert periods("截止5月底，开工率86%") == {(1, 5)}  # counted from January
    text = "全年销量创近年新低，其中12月销量5.4万辆。"
    r = _read("青山县2020年上半年汽车销量是多少？", passage(text))
    assert r.refused and "another period" in r.reason
    ok = _read("青山县2020年上半年汽车销量是多少？", passage("1-6月汽车销量8.5万辆。"))
    assert not ok.refused and "8.5万辆" in ok.answer
    latest = _read("青山县2020年上半年重点项目开工率是多少", passage("截止5月底，开工率86.24%。"))
    assert not latest.refused and "86.24%" in latest.answer  # the half's latest figure
    q2 = _read("青山县2020年上半年汽车销量是多少？", passage("二季度汽车销量4.1万辆。"))
    assert q2.refused  # a quarter inside the half is not the half


def test_the_plan_part_of_a_report_holds_no_results():
    plan = passage(
        "推动外贸稳规模，进出口总额增长7%以上。", year=2025, heading="二、2025年重点任务"
    )
    r = _read("青山县2024年进出口总额增长多少？", plan)
    assert r.refused and "a target, not a result" in r.reason
    review = passage("全县进出口总额增长8.6%。", year=2025, heading="一、2024年工作回顾")
    ok = _read("青山县2024年进出口总额增长多少？", review)
    assert not ok.refused and "8.6%" in ok.answer
    # a mid-year 汇报's 工作思路 may report what is done: only a 政府工作报告 is read this way
    done = passage(
        "完成14个部门集中进驻。", year=2025, heading="三、下半年工作思路", title="青山县工作汇报"
    )
    done.meta.doc_type = "汇报"
    assert not _read("青山县完成了多少个部门集中进驻？", done).refused


def test_this_year_without_its_number_is_the_reports_own_year():
    meta = passage("", region="青山县", year=2021).meta
    assert wanted_kind(parser().parse("青山县今年外贸进出口要增长多少？"), meta) == "target"
    assert wanted_kind(parser().parse("青山县外贸进出口增长多少？"), meta) == ""
    both = passage(
        "过去一年，进出口总额增长6.6%。今年主要预期目标是：外贸进出口增长3%。", year=2021
    )
    r = _read("青山县今年外贸进出口要增长多少？", both)
    assert not r.refused and "3%" in r.answer and "6.6%" not in r.answer


def test_questions_naming_the_state_council_ask_the_national_report():
    from rag.query import QueryParser

    p = QueryParser(["全国", "青山县"])
    assert p.parse("国务院报告提出粮食产量要保持在多少以上？").regions == ["全国"]
    assert p.parse("我国粮食产量是多少？").regions == ["全国"]
    assert p.parse("国家级开发区有几个？").regions == []  # 国家 qualifies, it is no scope
    assert QueryParser(["青山县"]).parse("我国粮食产量是多少？").regions == []  # no such report


def test_a_hedged_figure_of_the_review_is_not_the_target():
    review = "一、2024年工作回顾 › （七）缩小差距"
    hedged = passage("实施倍增行动，全省海洋生产总值增长6.5%左右。", year=2025, heading=review)
    plan = passage(
        "培育海洋产业，力争海洋生产总值增长6%以上。", year=2025, heading="二、2025年重点工作"
    )
    r = _read("青山县2025年海洋生产总值增长目标是多少？", hedged, plan)
    assert "6%以上" in r.answer and "6.5%" not in r.answer
    alone = _read("青山县2025年海洋生产总值增长目标是多少？", hedged)
    assert alone.refused and "a result, not a target" in alone.reason
    # a target word other than 左右/预计 still states a target there ("目标任务数为3.3亿元")
    stated = passage(
        "完成投资2.9亿元，目标任务数为3.3亿元，完成率87.88%。", year=2025, heading=review
    )
    assert "3.3亿元" in _read("青山县2025年投资目标任务数是多少？", stated).answer


def test_the_year_of_a_named_report_is_not_the_year_asked():
    meta = passage("", region="青山县", year=2025).meta
    info = parser().parse("据青山县2025年政府工作报告，2024年完成多少投资？")
    assert info.report_years == [2025] and wanted_kind(info, meta) == "actual"
    r = _read("据青山县2025年政府工作报告，2024年完成多少投资？", passage(REVIEW, year=2025))
    assert not r.refused and "8000亿元" in r.answer
    # the report's year alone still means its plan, unless the question looks back
    assert wanted_kind(parser().parse("青山县2025年政府工作报告完成多少投资？"), meta) == "target"
    looking_back = parser().parse("青山县2025年政府工作报告回顾过去一年时说完成了多少投资？")
    assert wanted_kind(looking_back, meta) == "actual"
    r = _read("青山县2025年政府工作报告说完成了多少投资？", passage(REVIEW, year=2025))
    assert not r.refused and "8000亿元" in r.answer
