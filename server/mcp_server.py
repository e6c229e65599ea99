"""ReportQA as MCP tools (Model Context Protocol), served over Streamable HTTP at ``/mcp``.

Assistants that speak MCP (Claude Desktop, Cursor, Cline, Dify, Open WebUI, smolagents) call
the same service the UI and ``/api`` use, on the same port and behind the same bearer keys.
Gradio's own MCP server needs ``mcp<2`` and an older pydantic than the project pins, so the
``mcp`` SDK's server is mounted in the FastAPI app instead. The server is stateless (each
request stands alone): tools keep no per-session state, and any number of clients can call at
once without the server holding sessions open.

The tool docstrings are the descriptions the assistant's model reads, so they say in Chinese and
English what each tool is for and what it returns.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from index.store import IndexUnavailable
from models.packages import ModelError
from server.api import AUTH_MESSAGE, api_keys, bearer_ok, error_response
from server.schemas import AskResponse, DocumentOut, PassageOut
from server.service import ReportQAService

MCP_PATH = "/mcp"

Region = Annotated[
    str | None,
    Field(
        default=None,
        max_length=100,
        description="只查该地区的报告，如“某某县” / restrict to one region's reports",
    ),
]
Year = Annotated[
    int | None,
    Field(
        default=None,
        ge=1949,
        le=2100,
        description="只查该年份的报告 / restrict to reports of this year, e.g. 2021",
    ),
]


class SearchResult(BaseModel):
    """Passages for a query, best first."""

    query: str
    passages: list[PassageOut]


class DocumentList(BaseModel):
    """The reports in the knowledge base."""

    documents: list[DocumentOut]


def _filters(region: str | None, year: int | None) -> Any:
    from rag.retrieve import Filters

    return Filters(regions=[region] if region else [], years=[year] if year else [])


def _tool_error(exc: Exception) -> ToolError:
    """Index and model problems reach the assistant as a tool error that says what to do."""
    return ToolError(str(exc))


def _register(server: MCPServer) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add a tool whose description is its docstring without the source indentation (the
    SDK passes docstrings on as they are, and the indentation reaches the assistant)."""

    def add(fn: Callable[..., Any]) -> Callable[..., Any]:
        server.add_tool(fn, description=inspect.cleandoc(fn.__doc__ or ""))
        return fn

    return add


def build_mcp(service: ReportQAService) -> MCPServer:
    """An MCP server whose tools search, answer from and list the indexed reports."""
    server = MCPServer(
        "reportqa",
        title="ReportQA",
        version="0.1.0",
        instructions=(
            "Questions about Chinese government work reports (政府工作报告). Use ask_reports for "
            "an answer with verified citations, search_reports for raw passages, list_documents "
            "to see which regions and years are covered."
        ),
        log_level="WARNING",
    )
    tool = _register(server)

    @tool
    def search_reports(
        query: Annotated[
            str,
            Field(min_length=1, max_length=2000, description="检索内容 / what to search for"),
        ],
        region: Region = None,
        year: Year = None,
        k: Annotated[int, Field(ge=1, le=20, description="返回段落数 / passages to return")] = 5,
    ) -> SearchResult:
        """检索政府工作报告原文段落（关键词+语义混合检索，可按地区、年份过滤）。
        Search the reports' text (hybrid keyword + semantic retrieval, region-aware).

        Returns passages best first, each with title, region, year, section heading, the
        source file, start/end character offsets in that file, and the passage text.
        """
        try:
            passages = service.searcher.search(query, k=k, filters=_filters(region, year))
        except (IndexUnavailable, ModelError) as exc:
            raise _tool_error(exc) from exc
        return SearchResult(query=query, passages=[PassageOut.of(p) for p in passages])

    @tool
    def ask_reports(
        question: Annotated[
            str,
            Field(min_length=1, max_length=2000, description="问题 / the question to answer"),
        ],
        region: Region = None,
        year: Year = None,
    ) -> AskResponse:
        """根据政府工作报告回答问题，附带经过核实的原文引用；资料中没有答案时拒答（refused=true）。
        Answer a question from the reports with verified citations; refuses (refused=true)
        rather than guess when the reports do not hold the answer.

        The answer text carries [n] markers; citation n gives the exact quote, its report
        (title, region, year, heading) and its start/end character offsets in the source file.
        `table` is reserved for cross-report indicator tables and is null for now.
        """
        try:
            result = service.answerer.ask(question, None, _filters(region, year))
        except (IndexUnavailable, ModelError) as exc:
            raise _tool_error(exc) from exc
        return AskResponse.of(result)

    @tool
    def list_documents() -> DocumentList:
        """列出知识库中的全部报告（标题、地区、年份、来源文件）。
        List the reports in the knowledge base: title, region, year, source file and ids.
        """
        try:
            docs = service.documents()
        except IndexUnavailable as exc:
            raise _tool_error(exc) from exc
        return DocumentList(documents=[DocumentOut.model_validate(d) for d in docs])

    return server


class BearerGate:
    """Answer 401 (as ``/api`` does) unless the request carries a key from REPORTQA_API_KEYS."""

    def __init__(self, app: ASGIApp, keys: set[str]) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not bearer_ok(
            Headers(scope=scope).get("authorization", ""), self.keys
        ):
            response = error_response(401, AUTH_MESSAGE)
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def mount_mcp(app: FastAPI, service: ReportQAService) -> MCPServer:
    """Serve the tools at ``/mcp`` of ``app`` and run the MCP session manager in its lifespan.

    A plain route (not a mount) so ``/mcp`` answers without a redirect to ``/mcp/``, and is
    matched before the UI that the app mounts at ``/``."""
    server = build_mcp(service)
    inner = server.streamable_http_app(
        streamable_http_path=MCP_PATH, stateless_http=True, host=service.settings.host
    )
    gate = BearerGate(inner, api_keys(service.settings))
    app.router.routes.append(Route(MCP_PATH, endpoint=gate, methods=["GET", "POST", "DELETE"]))
    outer = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with server.session_manager.run(), outer(a) as state:
            yield state

    app.router.lifespan_context = lifespan
    return server


__all__ = ["MCP_PATH", "BearerGate", "DocumentList", "SearchResult", "build_mcp", "mount_mcp"]
