"""Reader rules about whose figure and which kind of thing answers: 分别 lists, pairs of
clauses, periods, units, kinds of names (typed fixtures, no model or index)."""

from __future__ import annotations

from tests.rag.fixtures import passage
from tests.rag.fixtures import read_question as _read

INDUSTRY = "2021年全县第一产业、第二产业、第三产业增加值分别增长3.1%、5.2%、6.0%。"
INCOME = "城镇居民人均可支配收入47865元，增长4.5%；农村居民人均可支配收入22136元，增长6.6%。"


def test_the_asked_name_of_a_spread_list_gets_its_own_figure():
    r = _read("青山县2021年第二产业增加值增长多少？", passage(INDUSTRY))
    assert r.answer.startswith("第二产业增加值增长5.2%"), r.answer
    assert "3.1%" not in r.answer
    every = _read("青山县2021年三次产业增加值分别增长多少？", passage(INDUSTRY))
    assert "3.1%" in every.answer and "6.0%" in every.answer  # asked for all: all of them


def test_a_listed_name_is_no_other_metric_for_the_next_name():
    text = "一般公共预算收入和税收收入分别完成18.6亿元、12.3亿元，分别增长5.1%、7.4%。"
    r = _read("青山县税收收入完成多少？", passage(text))
    assert "12.3亿元" in r.answer and "18.6" not in r.answer, r.reason
    grain = _read(
        "青山县粮食总产量是多少？", passage("粮食播种面积和总产量分别达到56.2万亩、23.1万吨。")
    )
    assert "23.1万吨" in grain.answer and "56.2" not in grain.answer, grain.reason


def test_a_rate_before_the_metric_is_named_belongs_to_the_subject_before():
    r = _read("青山县农村居民人均可支配收入比上年增长了多少？", passage(INCOME))
    assert "6.6%" in r.answer and "4.5%" not in r.answer, r.answer


def test_an_annual_average_is_not_answered_by_one_year():
    text = "全县地区生产总值386亿元，增长6.2%。五年来，地区生产总值年均增长6.0%。"
    r = _read("过去五年青山县地区生产总值年均增长多少？", passage(text))
    assert "6.0%" in r.answer and "6.2%" not in r.answer, r.answer


def test_half_a_year_does_not_answer_the_whole_year():
    text = "1—6月全县实现地区生产总值142.36亿元，同比增长5.8%。"
    report = passage(text, year=2023, doc_type="汇报", title="青山县2023年上半年经济运行情况汇报")
    assert _read("青山县2023年全年地区生产总值是多少？", report).refused
    half = _read("青山县2023年上半年地区生产总值是多少？", report)
    assert "142.36亿元" in half.answer


def test_money_and_person_times_are_units_a_count_does_not_answer():
    text = "全年立案查处环境违法案件57件，罚款486.3万元，移送公安机关案件4件。"
    fined = _read("青山县2021年环境违法案件一共罚了多少钱？", passage(text, year=2022))
    assert "486.3万元" in fined.answer, fined.reason
    text = "全县河湖长326名，其中村级河湖长257名。全年各级河湖长累计巡河2.18万人次。"
    patrols = _read("青山县2021年各级河湖长一共巡河多少人次？", passage(text, year=2022))
    assert "2.18万人次" in patrols.answer, patrols.reason


def test_an_area_inside_a_place_is_no_other_place():
    text = "岑江大桥建成通车，结束了城南片区群众绕行12公里过江的历史。"
    r = _read("青山县建成通车、让城南片区群众不用再绕行过江的是哪座桥？", passage(text))
    assert not r.refused and "岑江大桥" in r.answer, r.reason


def test_a_kind_asked_is_named_from_the_title_of_the_item():
    text = "2. 城关第二幼儿园建设项目。项目总投资3860万元，设置12个班，已于2021年5月竣工验收。"
    r = _read("青山县2021年5月竣工验收的是哪所幼儿园？", passage(text))
    assert r.answer.startswith("城关第二幼儿园"), r.answer
    brand = "“槐溪云雾”茶在今年省名优茶评比中拿了金奖，全镇茶叶综合产值3.9亿元。"
    r = _read("青山县获得省名优茶金奖的茶叶品牌叫什么？", passage(brand))
    assert "槐溪云雾" in r.answer, r.reason


def test_a_running_total_within_a_year_is_that_years_figure():
    text = "2021年全县累计巡河2.18万人次。2018年以来累计巡河8.6万人次。"
    r = _read("青山县2021年一共巡河多少人次？", passage(text, year=2022))
    assert "2.18万人次" in r.answer and "8.6" not in r.answer, r.answer


def test_a_why_question_is_answered_by_the_cause():
    text = (
        "1—6月，全县外贸进出口总额9.37亿元，同比下降6.8%。"
        "外贸下降主要受欧美市场需求收缩、部分出口企业订单减少影响。"
    )
    r = _read("青山县上半年外贸进出口为什么下降？", passage(text))
    assert "需求收缩" in r.answer, r.answer
    text = "镇级一般公共预算收入3860万元，下降5.2%。下降的主要原因是去年有一笔一次性税收。"
    r = _read("青山县镇级一般公共预算收入为啥下降了？", passage(text))
    assert "一次性税收" in r.answer, r.answer


def test_a_later_year_in_a_work_summary_is_its_plan():
    text = "2024年全区空气质量优良天数比例为88.5%。2025年主要目标：空气质量优良天数比例达到90%。"
    summary = passage(text, year=2024, doc_type="工作总结", title="青山县2024年工作总结")
    r = _read("青山县2025年优良天数比例要达到多少？", summary)
    assert "90%" in r.answer and "88.5" not in r.answer, r.answer


def test_a_township_the_question_names_must_be_named_by_the_figure():
    text = "石桥镇全年清淤3.2万立方米。完成柳塘河等河道清淤疏浚7.5公里，清淤2.1万立方米。"
    r = _read("石桥镇2021年河道清淤量是多少立方米？", passage(text, year=2022))
    assert "3.2万立方米" in r.answer and "2.1万" not in r.answer, r.answer
    assert _read("东湖乡2021年农业总产值多少亿元？", passage("全镇农业总产值6.83亿元。")).refused


def test_the_parent_place_is_not_answered_by_the_childs_figure():
    town = passage(
        "全年完成一般公共预算收入3.86亿元，增长4.1%。",
        region="青山县",
        parent_region="东江市",
        doc_type="工作总结",
        title="东江市青山县2021年工作总结",
        year=2021,
    )
    assert _read("东江市2021年一般公共预算收入是多少？", town).refused
    assert "3.86亿元" in _read("青山县2021年一般公共预算收入是多少？", town).answer
    assert "3.86亿元" in _read("东江市青山县2021年一般公共预算收入是多少？", town).answer


def test_the_plan_part_of_a_years_summary_holds_no_result():
    text = "三、2025年工作计划\n全区农村生活污水治理率达到80%以上，其中柳塘镇达到78%以上。"
    summary = passage(text, year=2024, doc_type="工作总结", title="青山县2024年工作总结")
    assert _read("青山县2023年农村生活污水治理率是多少？", summary).refused


def test_which_of_a_spread_list_is_highest_compares_its_figures():
    text = (
        "分县区看，沅北区、城东区、鹤浦县分别实现社会消费品零售总额421.3亿元、368.7亿元、"
        "287.5亿元，分别增长5.2%、6.1%、6.4%。"
    )
    r = _read("青山县各县区中，2021年社会消费品零售总额排第一的是哪个？", passage(text, year=2022))
    assert r.answer.startswith("沅北区"), r.answer
    r = _read(
        "青山县各县区中，2021年社会消费品零售总额增长最快的是哪个？", passage(text, year=2022)
    )
    assert r.answer.startswith("鹤浦县"), r.answer
    r = _read("青山县各县区中，2021年社会消费品零售总额最低的是哪个？", passage(text, year=2022))
    assert r.answer.startswith("鹤浦县") and "287.5" in r.answer, r.answer


def test_an_undated_figure_of_a_summary_is_its_own_years():
    text = "全年实现孕产妇零死亡，婴儿死亡率3.14‰，低于全省平均水平。"
    summary = passage(text, year=2024, doc_type="工作总结", title="青山县卫生健康局2024年工作总结")
    assert "3.14‰" in _read("青山县2024年婴儿死亡率控制在什么水平？", summary).answer
    assert _read("青山县2023年的婴儿死亡率是多少？", summary).refused


def test_a_quoted_name_asked_about_is_answered_by_its_items():
    text = (
        "全年外贸进出口总额638.2亿元，同比增长9.4%。"
        "电动汽车、锂电池、光伏产品“新三样”出口84.6亿元，增长46.2%。"
        "下一步，支持“新三样”企业拓展海外市场。"
    )
    r = _read("青山县外贸“新三样”是哪三样产品？", passage(text, year=2022))
    assert "锂电池" in r.answer and "光伏" in r.answer, r.answer


def test_a_later_item_of_the_passage_overrides_the_chunks_heading():
    text = "1.石桥镇。清淤3.2万立方米。\n2.柳塘镇。完成柳塘河清淤疏浚7.5公里，清淤2.1万立方米。"
    chunk = passage(text, year=2022, heading="（四）镇级河湖治理亮点 › 1.石桥镇")
    r = _read("石桥镇2021年河道清淤量是多少立方米？", chunk)
    assert "3.2万立方米" in r.answer and "2.1万" not in r.answer, r.answer


def test_a_village_the_question_names_is_not_answered_by_another_village():
    text = "全镇村集体经济收入合计416.5万元，其中上岭村集体经济收入28.9万元、青岭村124.6万元。"
    assert _read("青山县东岭村去年村集体经济收入是多少？", passage(text)).refused
    assert "124.6" in _read("青山县青岭村去年村集体经济收入是多少？", passage(text)).answer


def test_a_countys_figure_does_not_answer_for_its_city():
    text = (
        "上半年，全市规模以上工业增加值同比增长7.8%。"
        "从增速看，沙河县规上工业增加值增长11.5%，增速居全市第一。"
    )
    city = passage(text, region="东江市", year=2025)
    answer = _read("东江市上半年规上工业增加值增速是多少？", city).answer
    assert "7.8%" in answer and "11.5%" not in answer, answer
    county = _read("东江市沙河县上半年规上工业增加值增速是多少？", city).answer
    assert "11.5%" in county, county


def test_a_community_the_question_names_must_be_the_answers():
    text = (
        "就业创业方面，上半年街道新增就业1,842人。"
        "东湖、西岸、南山社区新增就业人数位居前三，分别为312人、287人、254人。"
    )
    street = passage(text, region="青山县", year=2025)
    assert _read("青山县北苑社区上半年新增就业多少人？", street).refused
    # the names of a list share its last name's 社区
    assert "287人" in _read("西岸社区上半年新增就业多少人？", street).answer


def test_a_plan_sections_figure_is_of_the_sections_period():
    report = passage(
        "四、基层治理\n上半年受理热线工单4,326件，办结4,219件，办结率97.5%。\n"
        "七、下半年工作安排\n推进网格化管理，力争工单办结率稳定在98%以上。",
        region="青山县",
        year=2025,
        title="青山县2025年上半年工作汇报",
        doc_type="工作汇报",
    )
    r = _read("青山县上半年热线工单办结率是多少？", report)
    assert "97.5%" in r.answer and "98%" not in r.answer, r.answer
