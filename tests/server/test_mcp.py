"""The MCP tools at ``/mcp`` with the official ``mcp`` client against a live ``python app.py``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import DATA
from tests.server.conftest import API_KEY

pytestmark = pytest.mark.slow
Q = "紫金县2021年GDP目标是多少"


@asynccontextmanager
async def mcp_session(base: str, key: str | None = API_KEY) -> AsyncIterator[ClientSession]:
    """An initialised MCP client session over Streamable HTTP, authenticated like /api."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=120)) as http,
        streamable_http_client(f"{base}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def test_tools_are_listed_with_typed_bilingual_schemas(keyed_server):
    async def go():
        async with mcp_session(keyed_server) as s:
            return (await s.list_tools()).tools

    tools = {t.name: t for t in asyncio.run(go())}
    assert set(tools) == {"search_reports", "ask_reports", "list_documents"}
    search = tools["search_reports"]
    props = search.input_schema["properties"]
    assert set(props) == {"query", "region", "year", "k"}
    assert search.input_schema["required"] == ["query"]
    assert props["k"]["type"] == "integer" and props["k"]["maximum"] == 20
    for t in tools.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in t.description)  # Chinese
        assert any(w in t.description for w in ("Search", "Answer", "List"))  # English
        assert t.output_schema is not None
        assert "\n    " not in t.description  # no source indentation in what the model reads
    ask_out = tools["ask_reports"].output_schema
    assert {"answer", "refused", "citations", "table"} <= set(ask_out["properties"])
    citation = ask_out["$defs"]["Citation"]["properties"]
    assert {"quote", "start", "end", "title", "region", "year", "heading"} <= set(citation)


def test_ask_reports_cites_exact_source_offsets(keyed_server):
    async def go():
        async with mcp_session(keyed_server) as s:
            return await s.call_tool("ask_reports", {"question": Q})

    result = asyncio.run(go())
    assert not result.is_error
    out = result.structured_content
    assert "7.5%" in out["answer"] and not out["refused"] and out["table"] is None
    c = out["citations"][0]
    assert c["region"] == "紫金县" and c["year"] == 2021 and c["verified"]
    source = (DATA / c["source"]).read_text(encoding="utf-8")
    span = source[c["start"] : c["end"]]
    assert span == c["quote"] or c["quote"] in span
    assert "7.5%" in span
    # the text content mirrors the structured result, for clients that only read text
    assert json.loads(result.content[0].text)["answer"] == out["answer"]


def test_search_and_list_documents(keyed_server):
    async def go():
        async with mcp_session(keyed_server) as s:
            found = await s.call_tool(
                "search_reports", {"query": "地区生产总值", "region": "云浮市", "k": 3}
            )
            docs = await s.call_tool("list_documents", {})
            return found, docs

    found, docs = asyncio.run(go())
    passages = found.structured_content["passages"]
    assert len(passages) == 3 and {p["region"] for p in passages} == {"云浮市"}
    p = passages[0]
    assert {"title", "year", "heading", "start", "end", "text"} <= set(p)
    source = (DATA / p["source"]).read_text(encoding="utf-8")
    assert source[p["start"] : p["end"]][:20] == p["text"][:20]
    documents = docs.structured_content["documents"]
    assert len(documents) >= 14 and {"紫金县", "云浮市"} <= {d["region"] for d in documents}


def test_without_the_key_is_401(keyed_server):
    r = httpx.post(
        f"{keyed_server}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"accept": "application/json, text/event-stream"},
    )
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert "API key" in r.json()["error"]["message"]
    wrong = httpx.post(f"{keyed_server}/mcp", json={}, headers={"authorization": "Bearer wrong"})
    assert wrong.status_code == 401

    async def go():
        async with mcp_session(keyed_server, key=None) as s:
            await s.list_tools()

    with pytest.raises(Exception):  # noqa: B017 (the client wraps the 401 in a task group)
        asyncio.run(go())


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("search_reports", {"query": "GDP", "k": "many"}),
        ("search_reports", {"query": "GDP", "k": 500}),
        ("search_reports", {"query": ""}),
        ("ask_reports", {"question": Q, "year": "last year"}),
        ("ask_reports", {}),
    ],
)
def test_malformed_arguments_are_tool_errors(keyed_server, tool, arguments):
    async def go():
        async with mcp_session(keyed_server) as s:
            bad = await s.call_tool(tool, arguments)
            good = await s.call_tool("search_reports", {"query": "GDP", "k": 1})
            return bad, good

    bad, good = asyncio.run(go())
    assert bad.is_error and "validation error" in bad.content[0].text
    assert not good.is_error  # the server kept serving the same session
    assert httpx.get(f"{keyed_server}/health").json()["status"] == "ok"


def test_two_clients_at_once(keyed_server):
    questions = [Q, "阳东区2021年GDP增长目标是多少"]

    async def one(question: str) -> dict:
        async with mcp_session(keyed_server) as s:
            return (await s.call_tool("ask_reports", {"question": question})).structured_content

    async def both():
        return await asyncio.gather(*(one(q) for q in questions))

    first, second = asyncio.run(both())
    assert "7.5%" in first["answer"] and first["citations"][0]["region"] == "紫金县"
    assert "6-7%" in second["answer"] and second["citations"][0]["region"] == "阳东区"
