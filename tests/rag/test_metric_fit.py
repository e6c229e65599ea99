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
    pair = next(c for c in pool if c.text == "规模以上工业增加值增长6%；固定资产投资增长10%")
    assert "two facts" in pair.violations
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
