"""Typed fixtures for the fast tests of the reader's rules: passages without an index."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.records import ChunkMeta, Passage
from rag.query import QueryParser

if TYPE_CHECKING:
    from rag.reader import Reading

REGIONS = ["青山县", "白河区", "东江市"]


def passage(
    text: str, region: str = "青山县", year: int = 2021, cid: str = "c1", **meta
) -> Passage:
    """A retrieved passage of a 政府工作报告 of ``region`` and ``year``."""
    title = meta.pop("title", f"{year}年{region}政府工作报告")
    doc_type = meta.pop("doc_type", "政府工作报告")
    return Passage(
        cid,
        text,
        ChunkMeta(
            title=title,
            region=region,
            year=year,
            doc_type=doc_type,
            source=f"{region}.txt",
            start=100,
            **meta,
        ),
    )


def flat_idf(tokens: set[str]) -> dict[str, float]:
    """Every term weighs the same: the rules, not the corpus statistics, are under test."""
    return {t: 1.0 for t in tokens}


def parser() -> QueryParser:
    return QueryParser(REGIONS)


TARGETS = (
    "2021年经济社会发展的主要预期目标是：地区生产总值增长7.5%左右；"
    "固定资产投资增长15%；社会消费品零售总额增长10%。"
)
RESULTS = "过去一年，全县实现地区生产总值120.5亿元，增长3.1%。"


def read_question(question: str, *passages: Passage) -> Reading:
    """The clause reader's decision on ``passages`` (numbered in order) for ``question``."""
    from rag.question import parse_question
    from rag.reader import passages_as_context, read
    from rag.scoring import query_terms

    info = parser().parse(question)
    spec = parse_question(question, info)
    terms = query_terms(question, info, flat_idf)
    return read(spec, info, terms, passages_as_context(list(passages)))
