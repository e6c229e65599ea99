"""Reader rules found on a batch of documents written apart from the code (a county 统计公报
.pdf, a city 生态环境局 mid-year .docx, a township summary .txt, a provincial 农业农村厅 press
conference .html, a district 市场监管 summary .md, a city 政府工作报告 .txt). Places are
placeholders."""

from __future__ import annotations

from rag.clause_fit import cause_fit
from rag.compare import compare_answer
from rag.question import parse_question
from rag.reader import passages_as_context
from tests.rag.fixtures import parser, passage
from tests.rag.fixtures import read_question as _read


def _summary(text: str, region: str = "甲镇", **meta):
    title = meta.pop("title", f"{region}2024年工作总结")
    return passage(text, region=region, year=2024, title=title, doc_type="工作总结", **meta)


TABLE = (
    "| 指标 | 2024年目标 | 2024年完成 | 完成率 | 2025年目标 |\n"
    "| 地区生产总值（亿元） | 36.50 | 36.82 | 100.9% | 39.20 |\n"
    "| 农村居民人均可支配收入（元） | 38800 | 38960 | 100.4% | 41500 |\n"
)


def test_a_count_of_places_is_no_figure_of_the_metric():
    text = (
        "分县（市、区）看，5个县（市、区）地区生产总值均实现正增长，其中丙溪县增长7.8%。"
        "初步核算，全市地区生产总值达到1,234.5亿元，增长5.6%。"
    )
    r = _read("东江市2024年GDP是多少？", passage(text, region="东江市", year=2025))
    assert "1,234.5亿元" in r.answer, (r.answer, r.reason)


def test_the_part_a_question_names_after_qizhong_is_its_figure():
    text = "固定资产投资增长4.1%，其中工业投资增长12.6%；社会消费品零售总额增长4.2%。"
    r = _read("东江市2024年工业投资涨了多少？", passage(text, region="东江市", year=2025))
    assert "12.6%" in r.answer, (r.answer, r.reason)


def test_what_was_actually_spent_after_the_plan_is_a_result():
    text = "其中，镇区污水管网改造工程计划投资2100万元，实际完成投资1860万元，新建管网12.6公里。"
    r = _read("甲镇镇区污水管网改造工程2024年实际花了多少钱？", _summary(text))
    assert "1860万元" in r.answer and "2100" not in r.answer, (r.answer, r.reason)


def test_a_tables_target_column_answers_a_target_in_a_review_section():
    r = _read(
        "甲镇2025年农民人均可支配收入目标定了多少？",
        _summary(TABLE, heading="一、2024年工作总结 › （一）经济运行稳中向好"),
    )
    assert "41500" in r.answer, (r.answer, r.reason)


def test_a_completion_rate_column_is_no_growth():
    r = _read("甲镇农民收入2024年涨了几个点？", _summary(TABLE))
    assert "100.4%" not in r.answer, r.answer


def test_a_header_naming_pm25_is_a_header_and_the_parent_may_lose_its_suffix():
    text = (
        "| 县（市、区） | PM2.5浓度（微克/立方米） | 优良天数比例 |\n"
        "| 丙溪县 | 31.9 | 87.3% |\n"
        "| 丁山区 | 38.4 | 80.1% |\n"
    )
    mid_year = passage(
        text, region="东江市", year=2025, title="东江市生态环境局2025年上半年工作汇报",
        doc_type="工作汇报",
    )  # fmt: skip
    r = _read("东江丙溪县2025年上半年优良天数比例是多少？", mid_year)
    assert "87.3%" in r.answer, (r.answer, r.reason)


def test_an_amount_question_without_a_year_takes_the_amount_column():
    text = "| 指标 | 2024年产量 | 比上年增长 |\n| 生猪出栏（万头） | 3,286.5 | -2.1% |\n"
    r = _read("东江市去年生猪出栏了多少万头？", passage(text, region="东江市", year=2024))
    assert "3,286.5" in r.answer, (r.answer, r.reason)


def test_months_inside_the_asked_half_year_are_part_of_a_cause():
    text = (
        "上半年全市臭氧浓度为158微克/立方米，同比上升6.8%。"
        "臭氧浓度上升主要是5、6月份高温少雨天数偏多，加之周边区域污染传输影响。"
    )
    mid_year = passage(
        text, region="东江市", year=2025, title="东江市生态环境局2025年上半年工作汇报",
        doc_type="工作汇报",
    )  # fmt: skip
    r = _read("东江市今年上半年臭氧浓度为什么不降反升？", mid_year)
    assert "高温少雨" in r.answer, (r.answer, r.reason)


def test_where_figures_come_from_is_no_cause():
    spec = parse_question("青山省2024年农产品出口为什么下降？", parser().parse("青山省"))
    assert cause_fit(spec, "注：数据来源于国家统计局青山调查总队") == 0.0
    assert cause_fit(spec, "农产品出口下降，主要是受贸易限制措施增多影响") > 0.0


def test_a_rank_of_growth_does_not_answer_which_is_largest():
    text = (
        "电子元器件产业产值44.61亿元，增长23.7%，增速居四大主导产业首位。"
        "纺织服装产业产值128.6亿元，增长6.2%，产值规模居四大主导产业之首。"
    )
    question = "青山县四大主导产业里哪个产业产值最高？"
    spec = parse_question(question, parser().parse(question))
    answer = compare_answer(spec, passages_as_context([passage(text, year=2024)]))
    assert answer and "纺织服装" in answer and "电子元器件" not in answer, answer


# the second batch: a city 统计局 quarterly .docx, a county 政府工作报告, a district 教育局
# .pdf, a provincial 交通运输厅 press conference, a street summary .md, a city 医保局 report


def test_a_work_plan_section_holds_no_result_of_last_year():
    done = _summary("全年新建学校9所，新增公办学位5460个。", heading="二、主要工作成效", cid="c1")
    plan = _summary(
        "加快第二中学东校区建设，全年新增公办学位4000个以上。",
        heading="四、2025年工作打算 › （一）持续扩大优质学位供给",
        cid="c2",
    )
    r = _read("甲镇去年新增了多少个公办学位？", plan, done)
    assert "5460" in r.answer, (r.answer, r.reason)


def test_now_asks_the_latest_result_not_the_years_goal():
    text = (
        "全省高速公路通车里程达到7842公里。我们计划全年新开工高速公路项目6个，"
        "确保年底全省高速公路通车里程突破8000公里。"
    )
    r = _read("东江市现在高速公路通车总里程是多少公里？", passage(text, region="东江市", year=2024))
    assert "7842" in r.answer, (r.answer, r.reason)


def test_a_measure_opening_its_clause_after_a_growth_is_the_sentences_subjects():
    text = (
        "上半年，全市基本医疗保险基金总收入68.42亿元，同比增长4.6%；"
        "总支出61.38亿元，同比增长7.9%；当期结余7.04亿元。"
    )
    r = _read("东江市上半年医保基金总支出多少？", passage(text, region="东江市", year=2025))
    assert "61.38亿元" in r.answer, (r.answer, r.reason)


def test_how_much_more_than_the_year_before_is_the_increase():
    text = "一般公共预算收入18.62亿元，增长4.8%，比上年增加0.85亿元，其中税收收入13.28亿元。"
    r = _read("青山县去年一般公共预算收入比前年多了多少？", passage(text, year=2025))
    assert "0.85亿元" in r.answer, (r.answer, r.reason)


def test_a_part_of_a_breakdown_is_no_answer_for_the_whole():
    text = (
        "全省港口完成货物吞吐量8.62亿吨，增长4.1%；完成集装箱吞吐量1486万标箱，增长9.7%。"
        "分港口看，甲港集装箱吞吐量增长15.2%，增速居全省沿海港口首位。"
    )
    r = _read("东江市去年全省港口集装箱吞吐量涨了多少？", passage(text, region="东江市", year=2024))
    assert "9.7%" in r.answer and "15.2%" not in r.answer, (r.answer, r.reason)


def test_a_coded_name_asked_must_be_named():
    text = "1—6月，全市PM2.5平均浓度为34.2微克/立方米，同比下降5.5%；臭氧浓度为158微克/立方米。"
    mid_year = passage(
        text, region="东江市", year=2025, title="东江市生态环境局2025年上半年工作汇报",
        doc_type="工作汇报",
    )  # fmt: skip
    assert _read("东江市上半年PM10平均浓度是多少？", mid_year).refused
    assert "34.2" in _read("东江市上半年PM2.5平均浓度是多少？", mid_year).answer
