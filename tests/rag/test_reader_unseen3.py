"""Reader rules found on an eleventh batch of documents written apart from the code (a 住建局
summary, a 退役军人事务局 report, a 检察院 report, a 统计局 release, a 自然资源局 summary, a 科技厅
press conference). Places are placeholders."""

from __future__ import annotations

from tests.rag.fixtures import passage
from tests.rag.fixtures import read_question as _read

RELEASE = "东江市2025年1-9月经济运行情况"


def _release(text: str):
    return passage(text, region="东江市", year=2025, title=RELEASE, doc_type="统计公报")


def test_what_drove_a_change_is_answered_by_the_driver():
    text = (
        "前三季度，全市固定资产投资（不含农户）同比增长3.8%，高于全省1.7个百分点。"
        "分领域看，工业投资增长12.6%，其中制造业投资增长15.1%；基础设施投资增长4.3%。"
        "工业投资特别是制造业投资较快增长，是拉动全市投资增长的主要力量。"
    )
    r = _read("东江市前三季度固定资产投资增长主要靠什么拉动？", _release(text))
    assert "工业投资" in r.answer and "主要力量" in r.answer, r.answer


def test_a_why_question_prefers_the_stated_cause_to_the_fact():
    text = (
        "上半年，全区社会保险基金征缴收入13.15亿元，同比增长4.2%，增幅比上年同期回落3.1个百分点。"
        "增幅回落主要是阶段性降低失业保险、工伤保险费率政策延续实施。"
    )
    doc = passage(text, region="白河区", year=2025, title="白河区2025年上半年人社工作汇报")
    r = _read("白河区上半年社保基金征缴收入增幅为什么比上年同期回落？", doc)
    assert "费率" in r.answer, r.answer
