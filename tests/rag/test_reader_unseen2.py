"""Reader rules found on a tenth batch of documents written apart from the code (an 应急管理局
summary, a 市场监管局 half-year report, a court's work report, a 医保局 news page, a 林业局
summary, a 政协 report). Places are placeholders."""

from __future__ import annotations

from tests.rag.fixtures import passage
from tests.rag.fixtures import read_question as _read

SUMMARY = "青山县林业局2024年工作总结"


def _summary(text: str, cid: str = "c1", title: str = SUMMARY, **meta):
    return passage(text, year=2024, title=title, doc_type="工作总结", cid=cid, **meta)


def test_a_count_of_visitors_and_its_growth_is_no_income():
    text = "全年接待森林康养和生态旅游游客86.4万人次，同比增长14.6%。"
    r = _read("青山县2024年森林康养旅游收入有多少？", _summary(text))
    assert r.refused, r.answer


def test_a_result_is_not_read_from_the_plan_of_next_year():
    plan = _summary(
        "（一）主要目标。完成营造林三万亩，森林覆盖率稳定在68.4%以上。",
        heading="三、2025年工作思路 › （一）主要目标",
    )
    review = _summary(
        "全县森林覆盖率达到68.42%，比上年提高0.31个百分点；林业总产值46.8亿元。", cid="c2"
    )
    r = _read("青山县森林覆盖率现在是多少？", plan, review)
    assert "68.42%" in r.answer, r.answer


def test_a_part_listed_after_its_whole_answers_a_question_on_the_part():
    text = (
        "消费维权方面，12315平台共受理投诉举报3,208件，其中投诉2,741件、举报467件，"
        "按时办结率99.1%。"
    )
    r = _read("12315平台上半年受理的举报有多少件？", _summary(text))
    assert "467件" in r.answer and "3,208" not in r.answer, r.answer


def test_a_figure_continuing_another_county_s_clause_is_that_county_s():
    text = (
        "据统计，白河县全年发生森林火灾3起，过火面积56亩；白河县森林覆盖率为71.05%，"
        "松材线虫病发生面积0.94万亩。全县松材线虫病发生面积由2023年的1.86万亩下降到1.27万亩。"
    )
    r = _read("青山县松材线虫病发生面积降到了多少？", _summary(text))
    assert "1.27万亩" in r.answer and "0.94" not in r.answer, r.answer


def test_an_exercise_organised_somewhere_was_held_there():
    text = "2024年5月11日在青山临港化工园区组织开展“青安-2024”危险化学品事故综合应急演练。"
    r = _read("“青安-2024”综合应急演练是在哪里举行的？", _summary(text))
    assert "青山临港化工园区" in r.answer, r.answer


def test_a_count_of_accidents_is_not_read_from_a_count_of_firms():
    text = "危险化学品领域，全市共有危险化学品企业214家，其中生产企业37家、经营企业162家。"
    r = _read("青山县2024年危险化学品领域发生了几起生产安全事故？", _summary(text))
    assert r.refused, r.answer


def test_a_count_right_after_the_asked_act_answers():
    text = (
        "十届三次会议以来，共收到提案486件，经审查立案432件，立案率88.9%，"
        "其中委员个人提案371件、集体提案61件。"
    )
    r = _read("政协提案立案了多少件？", _summary(text))
    assert "432件" in r.answer, r.answer


def test_a_planned_rate_is_no_result_of_a_half_year_report():
    report = "青山县市场监督管理局2025年上半年工作汇报"
    plan = passage(
        "力争全年抽检量达到每千人4.5批次，食用农产品抽检合格率稳定在97%以上。",
        year=2025, title=report, doc_type="汇报", heading="二、下半年工作打算",
    )  # fmt: skip
    table = passage(
        "| 食品类别 | 抽检批次 | 合格率 |\n| 粮食加工品 | 310 | 99.35% |\n"
        "| 食用农产品 | 980 | 96.84% |",
        year=2025, title=report, doc_type="汇报", cid="c2",
    )  # fmt: skip
    r = _read("食用农产品抽检合格率多少？", plan, table)
    assert "96.84%" in r.answer, r.answer
    done = passage(
        "上半年完成抽检2,460批次，完成全年计划4,800批次的51.3%，总体合格率97.85%。",
        year=2025, title=report, doc_type="汇报",
    )  # fmt: skip
    assert "97.85%" in _read("青山县上半年食品抽检的总体合格率是多少？", done).answer


def test_a_change_in_points_is_not_answered_by_a_level():
    text = "白河县森林覆盖率为71.05%，松材线虫病发生面积0.94万亩。"
    r = _read("白河县2024年森林覆盖率比上年提高了多少个百分点？", _summary(text, region="白河县"))
    assert r.refused, r.answer
    both = "全县森林覆盖率达到68.42%，比上年提高0.31个百分点。"
    r = _read("青山县森林覆盖率比上年提高了多少个百分点？", _summary(both))
    assert "0.31个百分点" in r.answer


def test_a_measure_a_report_always_names_is_not_read_from_another_clause():
    text = "农民工实名制管理覆盖率百分之百，全年为2,174名农民工追回欠薪2,863万元。"
    item = _summary(text, heading="一、主要工作成效 › （四）建筑业转型升级步伐加快")
    r = _read("青山县2024年建筑业增加值是多少亿元？", item)
    assert r.refused, r.answer


def test_a_count_of_the_act_negated_is_not_the_act_s():
    text = "对涉罪未成年人依法不批准逮捕19人，作出附条件不起诉决定27人。"
    report = _summary(text, title="青山县人民检察院2024年工作总结")
    r = _read("青山县检察院2024年批准逮捕了多少人？", report)
    assert "19人" not in r.answer, r.answer
    both = "全年共受理审查逮捕案件612件826人，批准逮捕403件521人，不批准逮捕209件305人。"
    report = _summary(both, title="青山县人民检察院2024年工作总结")
    assert "521人" in _read("青山县检察院2024年批准逮捕了多少人？", report).answer


def test_how_many_of_a_thing_counted_in_bu_is_a_figure_question():
    text = "全年新开工改造老旧小区63个、惠及居民1.28万户。其中，加装电梯142部，新增停车位2,350个。"
    r = _read("老旧小区改造里加装了几部电梯？", _summary(text))
    assert r.answer.startswith("加装电梯142部"), r.answer


def test_a_figure_of_one_way_of_doing_it_is_a_part_of_the_whole():
    text = (
        "推行弹性年期出让等供应方式，全年以弹性年期方式供应工业用地7宗186亩。"
        "全年供应国有建设用地3,120亩，按用途分，工业用地1,934亩，住宅用地618亩。"
    )
    r = _read("青山县工业用地供应了多少亩？", _summary(text))
    assert "1,934亩" in r.answer, r.answer
    # the part alone still answers
    r = _read("青山县工业用地供应了多少亩？", _summary(text.split("。")[0] + "。"))
    assert "186亩" in r.answer, r.answer
    # and a question naming the way asks the part
    r = _read("青山县以弹性年期方式供应了多少亩工业用地？", _summary(text))
    assert "186亩" in r.answer, r.answer
