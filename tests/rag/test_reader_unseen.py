"""Reader rules found on documents written apart from the code (a 生态环境局 summary, a 卫健局
half-year report, a 商务厅 press conference, a 开发区 summary, a town's work report).

Each test is the smallest passage that shows one rule; places are placeholders."""

from __future__ import annotations

from tests.rag.fixtures import passage
from tests.rag.fixtures import read_question as _read

HALF_YEAR = "青山县卫生健康局2025年上半年工作汇报"


def _report(text: str, title: str = HALF_YEAR, year: int = 2025, **meta):
    return passage(text, year=year, title=title, doc_type="汇报", **meta)


def test_a_numbered_item_title_names_the_subject_of_its_sentences():
    text = (
        "（一）重点项目建设\n1. 县人民医院新院区建设项目。项目总投资4.86亿元，规划床位800张，"
        "于2023年9月26日开工建设。\n2. 县中医院康复大楼项目。项目总投资1.32亿元，"
        "于2025年3月18日开工建设。"
    )
    r = _read("青山县人民医院新院区建设项目是什么时候开工的？", _report(text))
    assert "2023年9月26日" in r.answer and "2025年3月18日" not in r.answer


def test_a_county_leader_is_named_by_an_official_title():
    text = "6月17日，副县长李文带队到项目现场督查调度，要求院长王川牵头压实工期节点。"
    r = _read("6月17日到项目现场督查调度的县领导是谁？", _report(text))
    assert "李文" in r.answer


def test_a_change_against_another_base_does_not_answer():
    text = "12月份全县社会消费品零售总额21.8亿元，同比增长6.2%。全年社会消费品零售总额增长5.1%。"
    r = _read("青山县2024年12月份社会消费品零售总额环比增长多少？", _report(text, year=2024))
    assert r.refused, r.answer
    both = "12月份全县社会消费品零售总额21.8亿元，同比增长6.2%，环比增长0.8%。"
    ok = _read("青山县2024年12月份社会消费品零售总额环比增长多少？", _report(both, year=2024))
    assert "0.8%" in ok.answer


def test_a_figure_in_people_is_no_amount_of_money():
    text = "上半年完成适龄妇女“两癌”免费筛查1.26万人。"
    r = _read("青山县今年上半年“两癌”免费筛查投入了多少资金？", _report(text))
    assert r.refused, r.answer
    count = "全县已建成跨境电商产业园14个、公共海外仓52个。"
    r = _read("2024年青山县跨境电商出口额是多少？", _report(count, year=2024))
    assert r.refused, r.answer


def test_exports_are_not_read_inside_imports_and_exports():
    text = (
        "2024年全县货物贸易进出口总额684.2亿元，同比增长7.3%。其中，出口452.6亿元，增长9.8%；"
        "进口231.6亿元，增长2.7%。机电产品出口287.3亿元，增长12.1%，占全县出口总额的63.5%。"
    )
    r = _read("2024年青山县出口增长了多少？", _report(text, year=2024))
    assert "9.8%" in r.answer and "7.3%" not in r.answer and "12.1%" not in r.answer


def test_a_part_named_after_imports_and_exports_is_still_a_part():
    text = (
        "全县跨境电商进出口61.2亿元，增长28.5%；市场采购贸易方式出口22.8亿元。"
        "全年外贸进出口638.2亿元。其中，出口451.7亿元，增长12.1%。"
    )
    r = _read("青山县2024年出口总值是多少亿元？", _report(text, year=2024))
    assert "451.7" in r.answer, r.answer


def test_another_part_of_a_measure_does_not_answer():
    text = "全县跨境电商进出口61.2亿元，增长28.4%；市场采购贸易方式出口21.5亿元，增长19.2%。"
    r = _read("2024年青山县跨境电商出口额是多少？", _report(text, year=2024))
    assert r.refused, r.answer


def test_another_subjects_concentration_does_not_answer():
    text = (
        "2024年，全县细颗粒物（PM2.5）年均浓度为31.6微克/立方米，同比下降5.4%，"
        "超额完成省下达的33微克/立方米年度考核目标。"
    )
    meta = {"title": "青山县生态环境局2024年工作总结", "doc_type": "工作总结"}
    r = _read("青山县2024年臭氧年均浓度是多少？", passage(text, year=2024, **meta))
    assert r.refused, r.answer
    ok = _read("青山县2024年PM2.5年均浓度是多少？", passage(text, year=2024, **meta))
    assert "31.6" in ok.answer


def test_a_list_asked_by_its_count_is_answered_with_its_items():
    text = (
        "2024年，全区聚焦集成电路、新能源、新材料、高端装备四大主导产业，全力拼经济。"
        "一是全力以赴抓招商，聚焦四大主导产业开展产业链招商。"
    )
    meta = {"title": "白河区2024年工作总结", "doc_type": "工作总结"}
    r = _read("白河区聚焦发展的四大主导产业是什么？", passage(text, "白河区", 2024, **meta))
    assert all(w in r.answer for w in ("集成电路", "新能源", "新材料", "高端装备")), r.answer
    # the items after the count; another count of the same noun is another list
    after = (
        "重点发展装备制造、五金刀剪、高分子材料、食品加工四大战略性支柱产业。"
        "明确了发展思路：发展四大产业：航空物流、高端制造、航空服务、数字经济。"
    )
    r = _read("白河区要发展的四大产业是哪些？", passage(after, "白河区", 2024, **meta))
    assert "航空物流" in r.answer and "五金刀剪" not in r.answer, r.answer


def test_a_name_asked_by_its_kind_before_the_asking_word():
    text = (
        "全县国考断面共6个。其中，东湖入江口断面受上游来水影响，年均水质为Ⅳ类，"
        "是全县唯一未达到水质目标的国考断面。"
    )
    meta = {"title": "青山县生态环境局2024年工作总结", "doc_type": "工作总结"}
    r = _read("2024年青山县唯一未达到水质目标的国考断面是哪个？", passage(text, year=2024, **meta))
    assert "东湖入江口断面" in r.answer


def test_a_table_row_described_by_a_cell_is_named():
    text = (
        "全区纳入市级调度的重大项目3个，计划总投资98.2亿元。具体情况如下表：\n"
        "| 项目名称 | 总投资（亿元） | 完成投资（亿元） | 进度 |\n"
        "| 甲半导体封装基地 | 45.0 | 13.6 | 一期厂房封顶 |\n"
        "| 乙智能装备产业园 | 18.6 | 7.1 | 已竣工验收 |\n"
        "| 丙人才公寓 | 6.2 | 2.6 | 主体施工 |\n"
    )
    meta = {"title": "白河区2024年工作总结", "doc_type": "工作总结"}
    question = "白河区纳入市级调度的重大项目中，哪个项目在2024年已竣工验收？"
    r = _read(question, passage(text, "白河区", 2024, **meta))
    assert "乙智能装备产业园" in r.answer, r.answer


def test_the_measure_asked_is_the_one_named_last():
    text = "全区高新技术企业达到246家，比上年净增38家。"
    meta = {"title": "白河区2024年工作总结", "doc_type": "工作总结"}
    question = "2024年白河区高新技术企业实现营业收入多少？"
    assert _read(question, passage(text, "白河区", 2024, **meta)).refused


def test_a_growth_of_the_whole_is_not_the_growth_of_the_part_asked():
    text = "全口径税收收入56.8亿元，同比增长6.1%，其中地方级税收收入21.3亿元。"
    meta = {"title": "白河区2024年工作总结", "doc_type": "工作总结"}
    r = _read("白河区2024年地方级税收收入同比增长多少？", passage(text, "白河区", 2024, **meta))
    assert r.refused, r.answer
    ok = _read("白河区2024年地方级税收收入是多少？", passage(text, "白河区", 2024, **meta))
    assert "21.3亿元" in ok.answer
