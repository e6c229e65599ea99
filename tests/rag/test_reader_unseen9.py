"""Reader rules found on a batch of documents written apart from the code (a district 政府工作
报告 .docx with a Word table of targets, a county 发改局 half-year summary .txt, a city 生态环境局
汇报 .md with a table of counties, a town summary .html, a development zone's report .pdf, a
province's 审计工作报告). Places are placeholders."""

from __future__ import annotations

from rag.compare import compare_answer
from rag.difference import difference_answer
from rag.question import parse_question, spelled_out
from rag.reader import passages_as_context
from rag.refusal import Evidence, year_absent
from rag.scoring import reading_terms
from tests.rag.fixtures import flat_idf, parser, passage
from tests.rag.fixtures import read_question as _read


def _report(text: str, region: str = "东江市", year: int = 2025, **meta):
    title = meta.pop("title", f"{region}{year}年工作情况")
    return passage(text, region=region, year=year, title=title, doc_type="工作总结", **meta)


def _context(*texts: str):
    return passages_as_context([_report(t, cid=f"c{i}") for i, t in enumerate(texts)])


def test_a_year_compared_against_is_no_year_asked():
    text = "全市实现地区生产总值486.3亿元，同比增长5.8%，总量比上年的459.6亿元增加26.7亿元。"
    question = "东江市2024年GDP总量比2023年多了多少"
    e = Evidence(
        question=question,
        info=parser().parse(question),
        passages=[_report(text, year=2024)],
        idf=flat_idf,
        known_regions={"东江市"},
    )
    assert year_absent(e) == ""
    r = _read(question, _report(text, year=2024))
    assert "26.7亿元" in r.answer, (r.answer, r.reason)


def test_a_shares_change_is_answered_in_points():
    text = (
        "一般公共预算收入完成32.17亿元，增长6.4%，其中税收收入25.08亿元，税收占比达到78.0%，"
        "比上年提高2.1个百分点。"
    )
    r = _read("东江税收占一般公共预算收入的比重比上年提高了多少？", _report(text))
    assert "2.1个百分点" in r.answer, (r.answer, r.reason)


def test_resident_income_written_with_changzhu_is_the_same_metric():
    text = (
        "城镇常住居民人均可支配收入58620元、增长4.9%，农村常住居民人均可支配收入31470元、增长6.6%。"
    )
    r = _read("东江市城镇居民人均可支配收入是多少", _report(text))
    assert "58620元" in r.answer, (r.answer, r.reason)


def test_imports_asked_with_e_are_the_imports():
    text = (
        "全年实现外贸进出口总额318.5亿元，增长5.9%，其中出口207.3亿元、增长9.8%，进口111.2亿元、"
        "下降0.3%。综合保税区全年实现进出口额86.4亿元。"
    )
    r = _read("东江市去年进口额多少？", _report(text))
    assert "111.2亿元" in r.answer, (r.answer, r.reason)


def test_a_share_under_an_item_title_naming_the_part():
    text = (
        "1. 重点项目进展顺利。今年全县共安排重点项目96个，年度计划投资86.5亿元。上半年累计完成"
        "投资48.7亿元，占年度计划的56.3%，实现时间过半、任务过半。"
    )
    r = _read("青山县上半年重点项目完成投资占全年计划的比例", _report(text, region="青山县"))
    assert "56.3%" in r.answer, (r.answer, r.reason)


def test_a_remedy_answers_only_a_question_naming_it():
    text = (
        "省民政厅：养老服务补贴重复发放或向不符合条件人员发放318.7万元，涉及1426人。整改情况："
        "省民政厅已追回重复发放和违规发放的补贴291.4万元，剩余27.3万元正在追缴。"
    )
    asked = _read("省民政厅养老服务补贴重复发放或违规发放了多少钱", _report(text))
    assert "318.7万元" in asked.answer, (asked.answer, asked.reason)
    recovered = _read("省民政厅违规发放的补贴追回了多少", _report(text))
    assert "291.4万元" in recovered.answer, (recovered.answer, recovered.reason)


def test_a_stated_remainder_is_quoted_not_computed():
    text = (
        "省水利厅已收回结余资金9640万元；省民政厅已追回重复发放和违规发放的补贴291.4万元，剩余"
        "27.3万元正在追缴。"
    )
    question = "省民政厅补贴还有多少没追回来"
    spec = parse_question(question, parser().parse(question))
    terms = reading_terms(question, parser().parse(question), flat_idf)
    answer = difference_answer(spec, terms, _context(text))
    assert answer is not None and answer.startswith("剩余27.3万元"), answer


def test_a_whole_and_its_part_are_not_two_departments_figures():
    text = "省水利厅已收回结余资金9640万元；省民政厅已追回重复发放的补贴291.4万元。"
    question = "省民政厅有多少补贴没有追回"
    spec = parse_question(question, parser().parse(question))
    terms = reading_terms(question, parser().parse(question), flat_idf)
    assert difference_answer(spec, terms, _context(text)) is None


def test_yigong_asks_the_total_row():
    text = (
        "全镇7个行政村集体经济收入合计410.4万元，比上年增长16.0%，村均58.6万元，其中石湾村集体"
        "经济收入突破百万元，达到124.6万元。"
    )
    r = _read("各村集体经济收入去年一共多少？", _report(text))
    assert "410.4万元" in r.answer, (r.answer, r.reason)


def test_the_unit_below_a_department_is_named():
    text = (
        "省交通运输厅：所属省公路事业发展中心在2个高速公路改扩建项目中，未按合同约定提前支付"
        "工程款4.87亿元；1个项目未经批准变更设计。"
    )
    r = _read("提前支付工程款4.87亿元的是省交通运输厅下面哪个单位？", _report(text))
    assert "省公路事业发展中心" in r.answer, (r.answer, r.reason)


def test_a_department_named_by_the_title_line_above():
    text = (
        "### （七）省人力资源和社会保障厅\n\n职业技能培训补贴资金被23家培训机构通过虚报培训人数"
        "等方式套取762.3万元；就业补助资金4.12亿元未及时拨付。"
    )
    r = _read("职业技能培训补贴被培训机构套取，是哪个部门的问题？", _report(text))
    assert "省人力资源和社会保障厅" in r.answer, (r.answer, r.reason)


def test_a_part_named_after_its_whole_without_a_comma():
    text = "2024年，省级一般公共预算收入总量4862.37亿元，支出总量4791.05亿元。"
    r = _read("2024年省级一般公共预算收入中税收收入有多少？", _report(text, year=2025))
    assert r.refused, r.answer


def test_how_many_days_is_a_figure_of_the_asked_place():
    question = "青山县2024年重污染天数有几天？"
    spec = parse_question(question, parser().parse(question))
    assert spec.answer_type == "figure"


def test_a_continuing_clause_belongs_to_its_own_subject():
    text = (
        "全年实现地区生产总值412.6亿元，增长7.1%；规模以上工业总产值1026.8亿元，比上年的938.6亿元"
        "增加88.2亿元，增长9.4%。"
    )
    r = _read("东江开发区2023年地区生产总值是多少？", _report(text))
    assert "938.6" not in r.answer, r.answer


def test_shorthand_for_the_three_industries_is_compared():
    question = spelled_out("上半年一二三产哪个增长最快？")
    assert "第二产业" in question
    text = (
        "上半年全县实现地区生产总值127.46亿元，同比增长5.3%。其中，第一产业增加值14.82亿元，"
        "增长3.6%；第二产业增加值49.71亿元，增长6.2%；第三产业增加值62.93亿元，增长4.8%。"
    )
    spec = parse_question(question, parser().parse(question))
    answer = compare_answer(spec, _context(text))
    assert answer is not None and answer.startswith("第二产业"), answer


def test_a_list_of_numbered_lines_after_qizhong_is_read_whole():
    text = (
        "上半年共争取上级各类资金项目34个、资金15.03亿元，同比增长22.4%。其中：\n\n1. 中央预算内"
        "投资项目12个，资金1.86亿元；\n\n2. 超长期特别国债项目7个，资金3.42亿元；\n\n3. 地方政府"
        "专项债券项目15个，额度9.75亿元。\n\n此外，争取以工代赈项目3个。"
    )
    r = _read("青山县上半年争取的上级资金包括哪几类？", _report(text, region="青山县"))
    for item in ("中央预算内投资", "超长期特别国债", "地方政府专项债券"):
        assert item in r.answer, (r.answer, r.reason)
    assert "以工代赈" not in r.answer


def test_a_counted_list_named_by_the_parts_of_the_sentence_before():
    text = (
        "新能源汽车及零部件产业实现产值386.4亿元，增长18.2%；电子信息产业实现产值218.9亿元，增长"
        "7.5%；生物医药产业实现产值142.7亿元，增长11.3%。三大主导产业合计实现产值748.0亿元，占"
        "规上工业总产值的72.8%。"
    )
    r = _read("东江市三大主导产业是什么", _report(text))
    for item in ("新能源汽车及零部件", "电子信息", "生物医药"):
        assert item in r.answer, (r.answer, r.reason)


def test_which_of_two_named_is_high_asked_with_the_bare_word():
    text = (
        "各县（区）情况见表1。\n\n| 县（区） | 优良天数比例（%） | PM2.5浓度（微克/立方米） |\n"
        "|---|---|---|\n| 青山区 | 86.9 | 31.2 |\n| 白河区 | 85.2 | 32.6 |\n"
    )
    for question, first in (
        ("青山区和白河区去年哪个优良天数比例高？", "青山区"),
        ("青山区和白河区2024年哪个PM2.5浓度低？", "青山区"),
    ):
        spec = parse_question(question, parser().parse(question))
        answer = compare_answer(spec, _context(text))
        assert answer is not None and answer.startswith(first), (question, answer)


def test_a_growth_asked_is_no_rates_change_in_points():
    text = (
        "上半年教育经费投入12.6亿元，比上年同期增长6.8%。学生体质健康测试优良率达到56.8%，比上年"
        "同期提高2.4个百分点。"
    )
    r = _read("青山县上半年教育经费投入比上年同期增长了多少？", _report(text, region="青山县"))
    assert "6.8%" in r.answer and "2.4" not in r.answer, (r.answer, r.reason)


def test_a_share_asked_after_its_whole_without_a_comma_is_no_scope():
    text = "全年一般公共预算收入18.74亿元，其中税收收入13.21亿元，占一般公共预算收入的70.5%。"
    question = "青山县税收收入在一般公共预算收入里占多大比重？"
    r = _read(question, _report(text, region="青山县"))
    assert "70.5%" in r.answer, (r.answer, r.reason)


def test_a_clause_opening_a_list_is_no_count_of_the_whole():
    text = (
        "全年实际新建学校14所，改扩建学校23所。全市新建的3所普通高中为：东江市第九中学、白河"
        "区高级中学、南岭中学。"
    )
    r = _read("东江市新建了几所学校？", _report(text))
    assert "14所" in r.answer, (r.answer, r.reason)


def test_what_was_rectified_is_asked_by_zhenggai():
    text = (
        "全年审计查出问题金额2.36亿元，推动建章立制18项。截至2024年10月底，已整改问题金额1.87亿"
        "元，整改率79.2%。"
    )
    r = _read("审计查出的问题，已经整改了多少钱？", _report(text))
    assert "1.87亿元" in r.answer, (r.answer, r.reason)
    found = _read("审计查出问题金额是多少？", _report(text))
    assert "2.36亿元" in found.answer, (found.answer, found.reason)


def test_an_amount_in_another_currency_is_no_amount_in_renminbi():
    text = "全年全市实际使用外资2.37亿美元，比上年下降18.6%。"
    r = _read("东江市去年实际使用外资折合人民币多少亿元？", _report(text))
    assert r.refused, r.answer
    ok = _read("东江市去年实际使用外资多少？", _report(text))
    assert "2.37亿美元" in ok.answer, (ok.answer, ok.reason)


def test_two_named_things_compared_by_their_own_clauses():
    text = (
        "按经营单位所在地分，城镇消费品零售额921.37亿元，增长4.9%；乡村消费品零售额162.27亿元，"
        "增长6.3%。"
    )
    question = "城镇和乡村的消费品零售额，哪个增长快些？"
    spec = parse_question(question, parser().parse(question))
    answer = compare_answer(spec, _context(text))
    assert answer is not None and answer.startswith("乡村（增长6.3%）"), answer
    question = "城镇和乡村的消费品零售额，哪个多？"
    spec = parse_question(question, parser().parse(question))
    answer = compare_answer(spec, _context(text))
    assert answer is not None and answer.startswith("城镇"), answer


def test_the_breakdown_the_question_names_is_the_list_compared():
    text = (
        "在规模以上工业中，分经济类型看，国有控股企业增加值增长4.1%，股份制企业增长7.8%，外商投资"
        "企业增长3.2%。分门类看，采矿业增加值下降2.3%，制造业增长8.1%，电力、热力、燃气及水生产和"
        "供应业增长5.4%。高技术制造业增加值比上年增长14.2%。"
    )
    question = "规上工业分门类看哪个门类是负增长？"
    spec = parse_question(question, parser().parse(question))
    answer = compare_answer(spec, _context(text))
    assert answer is not None and answer.startswith("采矿业"), answer
