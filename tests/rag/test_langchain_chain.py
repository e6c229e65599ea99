"""ReportQARetriever and the answer runnable composed in a small LCEL chain."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough

from tests.conftest import DATA

pytestmark = pytest.mark.slow


def test_retriever_in_lcel_chain_keeps_offsets(searcher):
    from rag.retrieve import Filters, ReportQARetriever

    retriever = ReportQARetriever(searcher=searcher, k=3, filters=Filters(regions=["云浮市"]))
    assert isinstance(retriever, BaseRetriever)
    chain = RunnableParallel(docs=retriever, question=RunnablePassthrough()) | RunnableLambda(
        lambda x: (x["question"], x["docs"])
    )
    question, docs = chain.invoke("地区生产总值")
    assert question == "地区生产总值" and len(docs) == 3
    assert all(isinstance(d, Document) and d.metadata["region"] == "云浮市" for d in docs)
    d = docs[0]
    assert {"title", "year", "heading", "source", "start", "end", "score"} <= set(d.metadata)
    source = (DATA / d.metadata["source"]).read_text(encoding="utf-8")
    assert source[d.metadata["start"] : d.metadata["end"]][:20] == d.page_content[:20]


def test_region_in_query_and_from_settings(sample_index, embeddings):
    from rag.retrieve import ReportQARetriever

    settings, _ = sample_index
    retriever = ReportQARetriever.from_settings(settings, k=2, embeddings=embeddings)
    docs = retriever.invoke("南山区5G基站")
    assert len(docs) == 2 and docs[0].metadata["region"] == "南山区"
    pinned = ReportQARetriever.from_settings(settings, year=2021, embeddings=embeddings)
    assert {d.metadata["year"] for d in pinned.invoke("地区生产总值")} == {2021}


def test_answer_runnable_in_lcel_chain(searcher):
    from rag.answer import Answerer
    from rag.retrieve import ReportQARetriever

    retriever = ReportQARetriever(searcher=searcher, k=3)
    answerer = Answerer(searcher.settings, searcher=retriever.searcher)
    chain = (
        RunnableLambda(lambda q: {"question": q})
        | answerer.as_runnable()
        | RunnableLambda(lambda r: (r.answer, [c.region for c in r.citations]))
    )
    answer, regions = chain.invoke("紫金县2021年GDP目标是多少")
    assert "7.5%" in answer and regions[0] == "紫金县"
    batch = chain.batch(["紫金县2021年GDP目标是多少", "阳东区2021年GDP增长目标是多少"])
    assert "7.5%" in batch[0][0] and "6-7%" in batch[1][0] and batch[1][1][0] == "阳东区"
