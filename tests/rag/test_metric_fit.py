"""Which metric a clause states: one fact per answer, the asked measure (no model or index)."""

from __future__ import annotations

from rag.question import parse_question
from rag.reader import candidates, passages_as_context
from rag.scoring import query_terms
from tests.rag.fixtures import RESULTS, TARGETS, flat_idf, parser, passage
from tests.rag.fixtures import read_question as _read


def test_a_pair_of_clauses_stating_two_metrics_is_not_one_answer():
    text = "主要预期目标是：规模以上工业增加值增长6%；固定资产投资增长10%；粮食产量稳定。"
    question = "青山县2021年固定资产投资增长目标是多少"
    r = _read(question, passage(text))
    assert "固定资产投资增长10%" in r.answer and "工业" not in r.answer
    info = parser().parse(question)
    pool = candidates(
        parse_question(question, info),
        info,
        query_terms(question, info, flat_idf),
        passages_as_context([passage(text)]),
    )
    # clauses across a semicolon are never read as one: two subjects' figures
    assert not any(c.text == "规模以上工业增加值增长6%；固定资产投资增长10%" for c in pool)
    # a pair whose second clause continues the first is one fact
    ok = _read("青山县2020年GDP是多少亿元，增长多少", passage(RESULTS))
    assert "120.5亿元" in ok.answer and "3.1%" in ok.answer


def test_a_measure_of_the_metric_must_be_stated():
    r = _read("青山县2021年研发投入强度目标是多少", passage("2021年力争研发投入增长15%以上。"))
    assert r.refused and "another measure of the metric" in r.reason
    ok = _read("青山县2021年研发投入强度目标是多少", passage("2021年力争研发投入强度达到2.5%。"))
    assert "2.5%" in ok.answer
    text = "力争高新技术产业比重达到45%。"
    share = _read("青山县2021年高新技术产业占比目标是多少", passage(text))
    assert "45%" in share.answer  # 比重 states what 占比 asks


def test_the_reader_sees_more_passages_of_a_two_part_report():
    from rag.answer import _two_part_report

    info = parser().parse("青山县2021年GDP目标是多少")
    assert _two_part_report([passage(TARGETS)], info)
    assert not _two_part_report([passage(TARGETS)], parser().parse("青山县GDP是什么意思"))
    news = passage(TARGETS)
    news.meta.doc_type = "新闻"
    assert not _two_part_report([news], info)


def test_a_metric_named_only_as_a_shares_base_has_no_figure_there():
    text = "新产业新业态新模式增加值占国内生产总值的比重达到17%以上。全年国内生产总值增长3%。"
    r = _read("2022年国内生产总值实际增长了多少？", passage(text, year=2023))
    assert not r.refused and "增长3%" in r.answer and "17%" not in r.answer, r.answer
    share = _read("新业态增加值占国内生产总值的比重是多少？", passage(text, year=2023))
    assert "17%" in share.answer  # a share asked is answered by the share


def test_a_share_is_no_growth_rate():
    text = "实际使用外资152.7亿美元，其中制造业外资占比51%。"
    assert _read("青山县2020年实际使用外资增长了多少？", passage(text)).refused
    assert "51%" in _read("青山县2020年制造业外资占比多少？", passage(text)).answer


def test_figures_spread_over_a_compound_answer_each_part():
    text = "城乡居民人均可支配收入分别增长4.3%、6.1%，民生实事圆满完成。"
    r = _read("青山县2020年农村居民人均可支配收入增长多少？", passage(text))
    assert not r.refused and "6.1%" in r.answer, r.reason


def test_a_city_the_question_names_is_not_answered_by_the_province():
    text = "全省地区生产总值增长5.8%，总量达到60013亿元；武汉在副省级城市中增速靠前。"
    meta = {"region": "湖北省", "year": 2025}
    r = _read("湖北省2025年政府工作报告中，武汉市2024年GDP是多少？", passage(text, **meta))
    assert r.refused, r.answer
    r = _read("湖北省2024年GDP是多少？", passage(text, **meta))
    assert "60013亿元" in r.answer


def test_the_same_measure_of_another_subject_does_not_answer():
    text = "“互认”高频检查检验项目覆盖率达90%，异地结算定点医院开通率达100%。"
    assert _read("青山县2020年森林覆盖率是多少？", passage(text)).refused
    forest = "全县森林覆盖率达61.2%，空气质量优良天数比例95%。"
    assert "61.2%" in _read("青山县2020年森林覆盖率是多少？", passage(forest)).answer
    scope = "全县覆盖率达61.2%。"  # a scope word before the measure names no other subject
    scoped = passage("全县森林资源丰富。" + scope)
    assert not _read("青山县2020年森林覆盖率是多少？", scoped).refused


def test_a_parent_city_named_before_the_region_is_no_other_place():
    text = "全区社会消费品零售总额增长10%。"
    meta = {"region": "阳东区", "year": 2021}
    r = _read("阳江市阳东区2021年社会消费品零售总额的预期目标是增长多少？", passage(text, **meta))
    assert not r.refused and "10%" in r.answer, r.reason


def test_a_subject_the_question_names_is_no_other_subject_in_traditional_script():
    text = "過去一年，全鎮新建茶葉加工廠3座，竹筍產量達到1850噸，新增就業崗位420個。"
    r = _read("松山鎮竹筍產量達到多少噸？", passage(text, region="松山鎮", year=2022))
    assert "1850噸" in r.answer, r.answer


SUMMARY = {"year": 2024, "doc_type": "工作总结", "title": "2024年工作总结"}


def test_a_figure_of_something_the_question_does_not_name_does_not_answer():
    text = "全镇全年实现农业总产值6.83亿元，增长4.1%。东湖乡旅游收入1.36亿元。"
    r = _read("东湖乡2024年农业总产值多少亿元？", passage(text, region="青山镇", **SUMMARY))
    assert r.refused, r.answer  # the only 东湖乡 figure is its tourism income
    ok = _read("青山县2024年农业总产值多少亿元？", passage(text, **SUMMARY))
    assert "6.83亿元" in ok.answer, ok.reason
    # a report shortens what is asked: 床位 answers 床位数
    beds = _read("青山县2024年实有床位数是多少张？", passage("全县实有床位2870张。", **SUMMARY))
    assert "2870张" in beds.answer, beds.reason


def test_the_subject_words_of_a_question_leave_out_place_time_and_asking_words():
    from rag.question import subject_words

    assert subject_words("东湖乡2024年农业总产值多少亿元？", ["东湖乡"]) == ("农业", "总产值")
    words = subject_words("按青山县卫健局去年的工作总结，家庭医生签约率到了多少？", ["青山县"])
    assert "家庭医生" in words and not {"工作", "总结", "县卫健局"} & set(words)


def test_the_bare_subject_is_preferred_to_a_qualified_part_of_it():
    text = "全市货物进出口总额638.2亿元。其中，机电产品出口268.9亿元，出口451.7亿元。"
    r = _read("青山县2024年出口总值是多少亿元？", passage(text, **SUMMARY))
    assert "451.7亿元" in r.answer, r.answer
    # a scope word or a verb before the subject is no qualifier
    scoped = _read(
        "青山县2024年出口总值是多少亿元？", passage("全年全县实现出口45亿元。", **SUMMARY)
    )
    assert "45亿元" in scoped.answer, scoped.reason


def test_an_amount_restated_in_yi_counts_no_thing():
    text = "规模以上工业企业总产值达到25679万元(2.56亿)。我镇在库规上工业4间。"
    r = _read("青山县有几家规上工业企业？", passage(text, **SUMMARY))
    assert "4间" in r.answer, r.answer


def test_a_figure_after_a_cause_measures_the_cause():
    text = "契税完成3.91亿元，下降18.6%。契税下降主要是全市新建商品房成交面积同比减少21.4%。"
    r = _read("青山县2024年契税同比增长多少？", passage(text, **SUMMARY))
    assert "18.6%" in r.answer and "21.4%" not in r.answer, r.answer


def test_another_measure_of_the_subject_does_not_answer():
    text = "全年规模以上工业企业实现营业收入612.37亿元，比上年增长6.4%。"
    r = _read("青山县2024年规模以上工业总产值是多少？", passage(text, **SUMMARY))
    assert r.refused, r.answer
    sales = _read("青山县2024年规模以上工业企业营业收入是多少？", passage(text, **SUMMARY))
    assert "612.37" in sales.answer, sales.reason


def test_a_figure_of_a_report_on_part_of_a_year_answers_no_other_period():
    text = "全市规模以上工业总产值2146.3亿元，同比增长8.5%。"
    meta = {**SUMMARY, "title": "青山县2025年上半年工业经济运行分析", "year": 2025}
    assert _read("青山县2025年一季度规模以上工业总产值是多少亿元？", passage(text, **meta)).refused
    half = _read("青山县2025年上半年规模以上工业总产值是多少亿元？", passage(text, **meta))
    assert "2146.3" in half.answer, half.reason


def test_a_budget_named_by_its_fund_is_another_budget():
    # "政府性基金预算支出" is not the 一般公共预算 group's 预算支出, in a question or a clause
    from core.lexicon import lexicon

    assert not lexicon().metrics("2025年政府性基金预算支出安排了多少", asked=True)
    assert lexicon().metrics("2025年一般公共预算支出安排了多少", asked=True)
    text = "全县一般公共预算支出安排455800万元。全县政府性基金预算支出安排102000万元。"
    r = _read("青山县2021年政府性基金预算支出安排了多少", passage(text))
    assert not r.refused and "102000万元" in r.answer and "455800" not in r.answer


def test_another_measure_of_the_budget_does_not_answer():
    # 收入 and 支出 are two measures of one budget
    text = "全县政府性基金预算收入预计105000万元，增长7.7%。"
    r = _read("青山县2021年政府性基金预算支出安排了多少", passage(text))
    assert r.refused


def test_a_measure_named_after_another_crop_does_not_answer():
    text = "全县粮食播种面积62.5万亩，油菜种植面积10.8万亩。茶叶产量6320吨。"
    r = _read("青山县2020年茶叶种植面积有多少万亩", passage(text, year=2020))
    assert r.refused
    ok = _read("青山县2020年油菜种植面积有多少万亩", passage(text, year=2020))
    assert not ok.refused and "10.8万亩" in ok.answer


def test_the_whole_or_another_subjects_count_is_not_the_part_asked():
    text = (
        "全市共有普通高中21所。全市在校生（含在园幼儿）386,420人。"
        "全市现有民办学校47所，在校生3.86万人。"
    )
    r = _read("青山县2020年普通高中在校生有多少人？", passage(text, year=2020))
    assert r.refused, r.answer
    ok = _read("青山县2020年民办学校在校生有多少人？", passage(text, year=2020))
    assert "3.86万人" in ok.answer, ok.answer


def test_a_figure_in_another_kind_of_unit_does_not_answer():
    from rag.clause_fit import other_unit_kind

    def spec(q: str):
        return parse_question(q, parser().parse(q))

    assert other_unit_kind(spec("青山县茶叶种植面积有多少万亩？"), "新建年产500吨的加工线")
    assert other_unit_kind(spec("青山县普通高中在校生有多少人？"), "普通高中21所")
    assert not other_unit_kind(spec("青山县茶园面积多少万亩？"), "茶园28.6万亩")
    # a rate alone counts nothing ("婴儿死亡率2.12‰" for 几个婴儿), a rate beside a count is
    # left to the count, and a question asking the rate is judged elsewhere
    assert other_unit_kind(spec("青山县2024年有几个婴儿死亡？"), "婴儿死亡率，2024年：2.12‰")
    assert not other_unit_kind(spec("青山县常住人口有多少人？"), "常住人口86万人，增长5%")
    assert not other_unit_kind(spec("青山县人口增长了几个点？"), "增长5%")
    # "余" between a figure and its unit
    assert other_unit_kind(spec("青山县茶叶种植面积有多少万亩？"), "年产500吨，带动茶农2,300余户")


def test_a_count_of_firms_is_no_output_value():
    text = "年末全县规模以上工业企业218家。"
    assert _read("青山县2020年规模以上工业总产值是多少？", passage(text, year=2020)).refused
    ok = _read("青山县2020年有多少家规模以上工业企业？", passage(text, year=2020))
    assert "218家" in ok.answer, ok.reason


def test_a_term_behind_another_qualifier_is_another_part():
    from rag.metric_fit import other_qualifier

    question = "白河区检察院起诉毒品犯罪多少人？"
    spec = parse_question(question, parser().parse(question))
    # every 犯罪 of the clause is another kind's; none abbreviates 毒品 (保健品 shares one
    # character only)
    assert other_qualifier(spec, "起诉故意杀人、抢劫等严重暴力犯罪17人")
    assert other_qualifier(spec, "起诉以保健品销售为名实施诈骗的犯罪11人")
    assert not other_qualifier(spec, "起诉毒品犯罪52人")
    # a shortened qualifier is still named ("医保" in 基本医疗保险), and a verb before the
    # asked act is no qualifier of it when the question's own qualifier is named
    spec = parse_question(
        "城乡居民医保参保了多少人？", parser().parse("城乡居民医保参保了多少人？")
    )
    assert not other_qualifier(spec, "城乡居民基本医疗保险参保203.85万人")
    # a 分别 list names its parts
    spec = parse_question(
        "第二产业增加值增速是多少？", parser().parse("第二产业增加值增速是多少？")
    )
    assert not other_qualifier(spec, "第一产业、第二产业、第三产业增加值分别增长3.5%、6.3%和5.2%")


def test_another_rate_of_the_same_subject_is_another_measure():
    from rag.metric_fit import other_suffix_measure

    question = "青山县2024年新生儿死亡率是多少？"
    spec = parse_question(question, parser().parse(question))
    assert other_suffix_measure(spec, "新生儿疾病筛查率98.9%")
    assert not other_suffix_measure(spec, "新生儿死亡率1.2‰")
    assert not other_suffix_measure(spec, "婴儿死亡3例")  # no measure word: other rules judge
    r = _read(question, passage("全年新生儿疾病筛查率98.9%，孕产妇系统管理率95.2%。", year=2024))
    assert r.refused, r.answer
