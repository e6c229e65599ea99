"""A PDF's tables come out of its text layer as rows of cells separated by spaces; they are
written as Markdown rows so the reader finds each figure's row and column."""

from __future__ import annotations

from ingest.table_text import spaced_tables, stacked_tables

PDF_TABLE = (
    "表1　2024年全县主要经济指标\n"
    "序号 指标 单位 绝对数 比上年增长(%)\n"
    "1 地区生产总值 亿元 386.42 6.1\n"
    "2 其中：工业增加值 亿元 131.26 8.2\n"
    "3 规模以上工业增加值 亿元 — 9.3\n"
    "全年农林牧渔业总产值89.74亿元，比上年增长3.9%。\n"
)


def test_space_separated_rows_under_a_header_become_markdown_rows():
    lines = spaced_tables(PDF_TABLE).split("\n")
    assert lines[0] == "表1　2024年全县主要经济指标"
    assert lines[1] == "| 序号 | 指标 | 单位 | 绝对数 | 比上年增长(%) |"
    assert lines[3] == "| 2 | 其中：工业增加值 | 亿元 | 131.26 | 8.2 |"
    assert lines[4] == "| 3 | 规模以上工业增加值 | 亿元 | — | 9.3 |"
    assert lines[5] == "全年农林牧渔业总产值89.74亿元，比上年增长3.9%。"


def test_prose_and_a_lone_row_are_left_as_they_are():
    prose = "全年 新增 就业 6385人，完成 目标 116.1%。\n1 地区生产总值 亿元 386.42 6.1\n"
    assert spaced_tables(prose) == prose


def test_a_header_wrapped_cell_by_cell_becomes_one_row():
    # column names wrapped onto lines of their own, units split off at the bracket
    text = (
        "各乡镇主要农产品生产情况见下表。\n表1 2024年分乡镇主要农产品生产情况\n乡镇\n"
        "粮食播种面积（万\n亩）\n茶叶产量\n（吨）\n生猪出栏（万\n头）\n"
        "甲镇 11.2 380 6.8\n乙镇 9.8 1,260 5.4\n高标准农田建设成效明显。"
    )
    lines = spaced_tables(text).split("\n")
    assert lines[2] == "| 乡镇 | 粮食播种面积（万亩） | 茶叶产量（吨） | 生猪出栏（万头） |"
    assert lines[3] == "| 甲镇 | 11.2 | 380 | 6.8 |"
    assert lines[4] == "| 乙镇 | 9.8 | 1,260 | 5.4 |"  # a thousands comma is no clause mark
    assert lines[1] == "表1 2024年分乡镇主要农产品生产情况"
    assert lines[5] == "高标准农田建设成效明显。"
    # names that do not make the row's width are left alone
    short = text.replace("生猪出栏（万\n头）\n", "")
    assert "乡镇\n粮食播种面积（万\n亩）" in spaced_tables(short)


def test_a_row_with_a_remark_cell_joins_the_rows_beside_it():
    # the first row's progress cell holds a comma; beside rows of its width it is a row
    text = (
        "具体情况如下表：\n项目名称\n总投资（亿\n元）\n完成投资\n（亿元）\n进度\n"
        "甲项目 45.0 13.6 一期厂房封顶，设备进场\n乙项目 52.0 6.4 完成桩基施工\n"
        "丙项目 35.0 10.8 一期建成投产\n"
    )
    lines = spaced_tables(text).split("\n")
    assert lines[1] == "| 项目名称 | 总投资（亿元） | 完成投资（亿元） | 进度 |"
    assert lines[2] == "| 甲项目 | 45.0 | 13.6 | 一期厂房封顶，设备进场 |"
    assert lines[4] == "| 丙项目 | 35.0 | 10.8 | 一期建成投产 |"
    # a clause mark next to a figure is a sentence, even beside table rows
    spaced = "增长 5.2%，高于全省 0.3 个百分点\n" + text.split("\n", 7)[7]
    assert spaced_tables(spaced).startswith("增长 5.2%，高于全省 0.3 个百分点\n")


def test_a_table_with_one_cell_a_line_becomes_markdown_rows_across_a_page_break():
    cells = ["类别", "抽检批次", "不合格批次", "合格率", "粮食加工品", "310", "2", "99.35%"]
    cells += ["— 2 —", "类别", "抽检批次", "不合格批次", "合格率"]  # the next page repeats it
    cells += ["食用农产品", "980", "31", "96.84%", "合计", "1290", "33", "97.44%"]
    text = "各类别抽检情况见表1。\n" + "\n".join(cells) + "\n二是专项整治纵深推进。"
    assert stacked_tables(text).split("\n") == [
        "各类别抽检情况见表1。",
        "| 类别 | 抽检批次 | 不合格批次 | 合格率 |",
        "| 粮食加工品 | 310 | 2 | 99.35% |",
        "| 食用农产品 | 980 | 31 | 96.84% |",
        "| 合计 | 1290 | 33 | 97.44% |",
        "二是专项整治纵深推进。",
    ]
    assert spaced_tables(stacked_tables(text)) == stacked_tables(text)  # rows stay rows


def test_short_lines_without_a_grid_of_values_are_left_as_they_are():
    text = "一、主要工作\n（一）食品安全\n（二）药品安全\n（三）特种设备\n全年抽检2460批次。"
    assert stacked_tables(text) == text
    one_row = "指标\n单位\n数值\n比重\n粮食\n12\n3\n4%\n正文继续。"
    assert stacked_tables(one_row) == one_row  # a single row is no table


def test_a_one_cell_a_line_table_may_hold_words_in_a_column():
    cells = ["项目名称", "套数（套）", "完成投资（亿元）", "进度"]
    cells += ["甲项目", "1,260", "3.92", "主体封顶", "乙项目", "2,380", "11.47", "安置房开工"]
    text = "\n".join([*cells, "（二）城市更新稳步推进"])
    assert stacked_tables(text).split("\n") == [
        "| 项目名称 | 套数（套） | 完成投资（亿元） | 进度 |",
        "| 甲项目 | 1,260 | 3.92 | 主体封顶 |",
        "| 乙项目 | 2,380 | 11.47 | 安置房开工 |",
        "（二）城市更新稳步推进",
    ]
