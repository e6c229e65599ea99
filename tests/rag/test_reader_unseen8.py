"""Reader rules found on a batch of documents written apart from the code (a county 统计公报
.txt, a city 人大常委会 report .docx with a Word table, a county 审计工作报告 .md with a
Markdown table, a town's 乡村振兴 summary .html, a city 教育局 summary .pdf, a province's
交通运输 mid-year 汇报 .txt). Places are placeholders."""

from __future__ import annotations

from rag.question import QuestionSpec
from tests.rag.fixtures import parser, passage
from tests.rag.fixtures import read_question as _read


def _report(text: str, region: str = "东江市", year: int = 2025, **meta):
    title = meta.pop("title", f"{region}{year}年工作情况")
    return passage(text, region=region, year=year, title=title, doc_type="工作总结", **meta)


def test_a_departments_row_answers_over_the_total():
    text = (
        "截至2026年7月底，被审计单位已整改问题金额2.64亿元，整改率83.7%。其中，县财政局整改率"
        "83.1%，县住房和城乡建设局整改率69.6%。"
    )
    r = _read("青山县住建局审计查出问题的整改率是多少？", _report(text, region="青山县"))
    assert "69.6%" in r.answer, (r.answer, r.reason)


def test_the_whole_named_first_only_scopes_the_asked_part():
    text = "全年一般公共预算收入21.46亿元，比上年增长3.8%，其中税收收入15.27亿元，增长5.1%。"
    r = _read("2025年青山县一般公共预算收入里，税收收入有多少？", _report(text, region="青山县"))
    assert "15.27亿元" in r.answer and "21.46" not in r.answer, (r.answer, r.reason)


def test_a_small_count_of_cases_is_a_figure():
    text = (
        "全年共审议法规草案7件次，制定《东江市古村落保护条例》《东江市养犬管理条例》等地方性"
        "法规3件，修改《东江市城市绿化条例》1件。"
    )
    r = _read("东江市人大常委会2025年制定了几件地方性法规？", _report(text))
    assert "法规3件" in r.answer, (r.answer, r.reason)


def test_a_second_figure_of_the_same_subject_is_no_item_of_a_list():
    text = (
        "上半年，全市普通国省道改造412公里、完成年度计划800公里的51.5%，农村公路新改建2365"
        "公里、完成年度目标5000公里的47.3%。"
    )
    r = _read("东江市上半年农村公路新改建完成了年度目标的百分之几？", _report(text))
    assert "47.3%" in r.answer, (r.answer, r.reason)


def test_a_part_introduced_by_qizhong_is_the_asked_subjects():
    text = (
        "全市港口完成货物吞吐量1.92亿吨，同比增长5.5%，其中集装箱吞吐量186.4万标箱，同比增长"
        "9.3%。多式联运加快发展，完成集装箱铁水联运量12.8万标箱，同比增长18.5%。"
    )
    r = _read("2025年上半年东江市港口集装箱吞吐量同比增长多少？", _report(text))
    assert "9.3%" in r.answer, (r.answer, r.reason)


def test_a_plan_asked_as_intent_with_a_spoken_noun():
    text = (
        "2026年，市教育局将加强教师队伍建设，全年计划公开招聘教师1300名，组织交流轮岗2000人次以上。"
    )
    r = _read(
        "东江市教育局明年打算招多少名老师？",
        _report(text, year=2025, heading="七、2026年工作目标"),
    )
    assert "1300名" in r.answer, (r.answer, r.reason)


def test_the_organs_of_a_question_are_parsed_into_its_spec():
    from rag.question import parse_question

    question = "青山县住建局审计查出问题的整改率是多少？"
    spec: QuestionSpec = parse_question(question, parser().parse(question))
    assert spec.organs == ("住建局",)


def _compare(question: str, text: str) -> str | None:
    from rag.compare import compare_answer
    from rag.question import parse_question
    from rag.reader import passages_as_context

    spec = parse_question(question, parser().parse(question))
    return compare_answer(spec, passages_as_context([_report(text, region="青山县")]))


TABLE = (
    "| 序号 | 部门 | 问题金额（万元） | 已整改金额（万元） | 整改率 |\n"
    "|---|---|---|---|---|\n"
    "| 1 | 县财政局 | 18432.60 | 15318.50 | 83.1% |\n"
    "| 2 | 县卫生健康局 | 1673.25 | 1389.00 | 83.0% |\n"
    "| 3 | 县自然资源和规划局 | 2210.00 | 2000.00 | 90.5% |\n"
)


def test_departments_compared_by_a_rate_read_the_rate_column_by_their_short_names():
    answer = _compare("青山县财政局和县卫健局，哪个的审计整改率更高？", TABLE)
    assert answer is not None and answer.startswith("县财政局（整改率：83.1%）"), answer


def test_a_department_with_he_in_its_name_is_one_of_the_compared():
    answer = _compare("县卫健局和县自然资源和规划局，哪个的整改率更高？", TABLE)
    assert answer is not None and answer.startswith("县自然资源和规划局（整改率：90.5%）"), answer


def test_reaching_a_figure_is_a_threshold():
    from rag.compare import intent_of
    from rag.question import parse_question

    question = "青山县哪个部门的整改率达到了90%？"
    intent = intent_of(parse_question(question, parser().parse(question)))
    assert intent is not None and intent.mode == "at_least" and intent.bound == 90.0
    answer = _compare(question, TABLE)
    assert answer is not None and answer.startswith("县自然资源和规划局（整改率：90.5%）"), answer
