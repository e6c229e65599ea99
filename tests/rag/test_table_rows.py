"""Figures in table rows: the header and unit of each cell, the asked column (typed fixtures,
no model or index)."""

from __future__ import annotations

from rag.citations import verify
from rag.context import ContextItem
from rag.table_rows import row_cells, table_row
from tests.rag.fixtures import passage
from tests.rag.fixtures import read_question as _read

BULLETIN = (
    "全年主要农产品产量及其增长速度见下表。\n"
    "| 产品名称 | 单位 | 产量 | 比上年增长（%） |\n"
    "| 粮食 | 万吨 | 178.3 | 1.2 |\n"
    "| 茶叶 | 万吨 | 2.13 | 7.2 |\n"
    "| 猪牛羊禽肉 | 万吨 | 41.8 | -2.3 |\n"
)
TARGETS = (
    "指标名称｜2023年｜2024年实际｜2025年目标\n"
    "空气质量优良天数比例（%）｜87.1｜88.5｜90\n"
    "森林覆盖率（%）｜43.08｜43.26｜43.5\n"
)


def test_a_row_is_read_with_its_header_and_unit():
    at = BULLETIN.index("| 茶叶")
    row = table_row(BULLETIN, at, at + 5)
    assert row is not None and row.header[2] == "产量"
    assert row.reading() == "茶叶，产量：2.13万吨，比上年增长：7.2%"
    assert row_cells("全县生产总值增长5%，居全市第2位。") is None


def test_the_asked_column_answers():
    bulletin = passage(BULLETIN, year=2020, doc_type="统计公报", title="青山县2020年统计公报")
    r = _read("青山县2020年茶叶产量有多少万吨？", bulletin)
    assert r.answer.startswith("茶叶，产量：2.13万吨"), r.answer
    r = _read("青山县2020年猪牛羊禽肉产量比上年增长多少？", bulletin)
    assert "-2.3%" in r.answer and "41.8" not in r.answer, r.answer
    r = _read("青山县2025年空气质量优良天数比例要达到多少？", passage(TARGETS, year=2024))
    assert "2025年目标：90%" in r.answer and "88.5" not in r.answer, r.answer


def test_a_cell_stated_with_its_unit_is_verified_against_the_row():
    p = passage(BULLETIN, year=2020)
    item = ContextItem(p.id, p.text, p.text, p.meta)
    assert verify("茶叶，产量：2.13万吨[1]。", [item]).all_verified
    assert not verify("茶叶，产量：3.13万吨[1]。", [item]).all_verified


def test_a_target_column_of_a_summary_answers_a_later_year():
    summary = passage(TARGETS, year=2024, doc_type="工作总结", title="青山县2024年工作总结")
    r = _read("青山县2025年森林覆盖率目标是多少？", summary)
    assert "43.5%" in r.answer and "43.26" not in r.answer, r.answer


def test_a_chunk_starting_inside_a_table_reads_the_header_from_the_chunk_before():
    head, rows = BULLETIN.split("| 粮食")
    chunk = "| 粮食" + rows
    at = chunk.index("| 茶叶")
    assert table_row(chunk, at, at + 5).header == ()
    row = table_row(chunk, at, at + 5, above=head)
    assert row is not None and row.reading() == "茶叶，产量：2.13万吨，比上年增长：7.2%"


def test_a_header_is_found_above_when_the_chunk_before_ends_inside_a_row():
    from rag.table_rows import table_row

    above = (
        "附表：主要指标\n| 指标 | 单位 | 完成值 | 增长（%） |\n"
        "| 地区生产总值 | 亿元 | 312.6 | 6.1 |\n|"
    )
    text = "| 规模以上工业增加值 | — | — | 9.2 |\n"
    row = table_row(text, 2, 10, above)
    assert row is not None and row.header[3] == "增长（%）"


def test_a_serial_number_column_is_no_row_name_and_a_cell_of_words_names_its_figure():
    from rag.question import parse_question
    from rag.table_rows import row_answer, table_row
    from tests.rag.fixtures import parser

    text = (
        "| 序号 | 项目名称 | 总投资（亿元） | 2024年完成投资（亿元） | 建设进度 |\n"
        "| 1 | 璟岑高速公路 | 96.5 | 21.3 | 累计完成投资62.7亿元，路基工程基本完成 |\n"
    )
    at = text.index("| 1 |")
    row = table_row(text, at + 2, at + 10)
    assert row is not None and row.label() == "璟岑高速公路"
    question = "璟岑高速公路到2024年底累计完成投资多少？"
    answer = row_answer(row, parse_question(question, parser().parse(question)))
    assert "62.7亿元" in answer and "21.3" not in answer, answer


def test_a_table_rows_name_is_where_its_place_is_named():
    from tests.rag.fixtures import passage
    from tests.rag.fixtures import read_question as _read

    text = (
        "| 设区市 | 自来水普及率（%） | 水质达标率（%） |\n| --- | --- | --- |\n"
        "| 苍埠市 | 86.7 | 88.2 |\n| 曲岚市 | 89.5 | 85.1 |\n"
    )
    meta = {"region": "澜江省", "year": 2024, "doc_type": "报告", "title": "澜江省调研报告"}
    r = _read("澜江省曲岚市的农村供水水质达标率是多少？", passage(text, **meta))
    assert "85.1%" in r.answer and "曲岚市" in r.answer, r.reason
    money = _read(
        "澜江省苍埠市2024年农村供水工程完成投资多少亿元？",
        passage("| 设区市 | 集中供水工程（处） |\n| 苍埠市 | 4317 |\n", **meta),
    )
    assert money.refused, money.answer  # 4317处 counts works, it is no sum of money


def test_a_table_caption_dates_its_rows():
    table = (
        "表1　2024年全县主要经济指标\n"
        "| 序号 | 指标 | 单位 | 绝对数 | 比上年增长(%) |\n"
        "| 1 | 地区生产总值 | 亿元 | 386.42 | 6.1 |\n"
        "| 2 | 一般公共预算收入 | 亿元 | 21.57 | 3.8 |\n"
    )
    p = passage(table, year=2025, doc_type="统计公报", title="青山县2024年统计公报")
    assert "386.42" in _read("青山县2024年地区生产总值是多少亿元？", p).answer
    assert _read("青山县2023年地区生产总值是多少亿元？", p).refused


def test_a_column_named_with_a_number_is_still_a_header():
    # "12345工单办结（件）" names a hotline; a row name's column answers from it
    text = (
        "| 社区名称 | 常住人口（人） | 新增就业（人） | 12345工单办结（件） |\n"
        "| 东湖社区 | 14,260 | 312 | 602 |\n"
        "| 西岸社区 | 12,940 | 254 | 548 |\n"
    )
    at = text.index("| 西岸")
    row = table_row(text, at, at + 5)
    assert row is not None and row.header[3] == "12345工单办结（件）"
    street = passage(text, region="青山县", year=2025)
    assert "常住人口：12,940人" in _read("西岸社区常住人口有多少？", street).answer
    r = _read("青山县西岸社区上半年新增就业多少人？", street)
    assert "254人" in r.answer and "12,940" not in r.answer, r.answer


def test_another_rows_figure_does_not_answer_for_a_product_the_table_lacks():
    without_tea = BULLETIN.replace("| 茶叶 | 万吨 | 2.13 | 7.2 |\n", "")
    bulletin = passage(without_tea, year=2020, doc_type="统计公报", title="青山县2020年统计公报")
    r = _read("青山县2020年茶叶总产量有多少万吨？", bulletin)
    assert r.refused, r.answer


def test_a_chunk_opening_with_a_rows_last_cell_reads_the_header_from_the_chunk_before():
    above = (
        "表1　主要农产品\n| 品种 | 面积（万亩） | 产量（万吨） | 同比增长 |\n"
        "| 油菜籽 | 18.20 | 2.64 |"
    )
    chunk = "| 4.8% |\n| 蔬菜 | 15.36 | 41.82 | 5.3% |\n| 茶叶 | 9.85 | 0.93 | 7.4% |\n"
    at = chunk.index("| 茶叶")
    row = table_row(chunk, at, at + 5, above)
    assert row is not None and row.header[2] == "产量（万吨）"
