"""Reader rules found on a tenth batch of documents written apart from the code (an 应急管理局
summary, a 市场监管局 half-year report, a court's work report, a 医保局 news page, a 林业局
summary, a 政协 report). Places are placeholders."""

from __future__ import annotations

from tests.rag.fixtures import passage
from tests.rag.fixtures import read_question as _read

SUMMARY = "青山县林业局2024年工作总结"


def _summary(text: str, cid: str = "c1", **meta):
    return passage(text, year=2024, title=SUMMARY, doc_type="工作总结", cid=cid, **meta)


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
