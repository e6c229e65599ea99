"""HTTP API: ReportQA's own endpoints under ``/api`` and an OpenAI-compatible ``/v1``.

Routers stay thin: they validate, authenticate and translate errors; all behaviour lives in
:class:`server.service.ReportQAService`, which the Gradio UI shares. Every error is JSON with a
message that says what to do; malformed requests get 4xx, never 500.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from core.settings import Settings
from index.store import IndexUnavailable
from server.indicators_api import indicators_router
from server.ingest_worker import IngestWorkerDied
from server.schemas import (
    AskResponse,
    ChatChoice,
    ChatCompletion,
    ChatMessageOut,
    Citation,
    DeleteResponse,
    DocumentOut,
    DocumentsResponse,
    HealthResponse,
    ModelCard,
    ModelList,
    PassageOut,
    SearchResponse,
    TableOut,
    UploadOut,
    UploadResponse,
)
from server.service import ReportQAService, UploadRejected, upload_too_large

MODEL_ID = "reportqa"


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str = Field(max_length=20_000)


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: str | list[str] | None = None
    year: int | list[int] | None = None
    doc_id: str | list[str] | None = None


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=2000)
    history: list[Message] = Field(default_factory=list, max_length=50)
    filters: FiltersIn | None = None
    k: int | None = Field(default=None, ge=1, le=20)


class SearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=2000)
    k: int | None = Field(default=None, ge=1, le=50)
    filters: FiltersIn | None = None


class ChatIn(BaseModel):
    model: str = MODEL_ID
    messages: list[Message] = Field(min_length=1, max_length=100)
    stream: bool = False
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=8192)
    filters: FiltersIn | None = None


def _filters(f: FiltersIn | None) -> Any:
    from rag.retrieve import Filters

    return Filters.from_dict(f.model_dump() if f else None)


AUTH_MESSAGE = "missing or wrong API key: send `Authorization: Bearer <key>`"


def api_keys(settings: Settings) -> set[str]:
    """The accepted bearer keys (``REPORTQA_API_KEYS``); empty means the API is open."""
    return {k.strip() for k in settings.api_keys.split(",") if k.strip()}


def bearer_ok(header: str, keys: set[str]) -> bool:
    """Whether an ``Authorization`` header carries one of ``keys`` (always, when none are set)."""
    if not keys:
        return True
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and token.strip() in keys


def _auth(settings: Settings):
    keys = api_keys(settings)

    def check(request: Request) -> None:
        if not bearer_ok(request.headers.get("authorization", ""), keys):
            raise HTTPException(401, AUTH_MESSAGE, headers={"WWW-Authenticate": "Bearer"})

    return check


def error_response(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": status}}, status)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body without Content-Length passes the limit; an
    HTTPException, so FastAPI's body parsing re-raises it and the JSON handler answers 413."""


class BodyLimit:
    """Refuse request bodies over the upload limit before reading them.

    Starlette spools a multipart upload to disk in full before the endpoint runs, so checking
    the size in the endpoint means a 200 MB upload is received and written out first. This
    answers 413 from the Content-Length header before a byte of the body is read, and counts
    the bytes of a chunked body, stopping at the limit. Applies to ``/api`` and ``/v1``; the
    UI's upload route has Gradio's own per-file limit.
    """

    SLACK = 2**20  # multipart headers and boundaries around one file of exactly the limit

    def __init__(self, app: ASGIApp, max_mb: int, prefixes: tuple[str, ...] = ("/api", "/v1")):
        self.app = app
        self.max_mb = max_mb
        self.max_bytes = max_mb * 2**20 + self.SLACK
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        message = upload_too_large(self.max_mb)
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            await error_response(413, message)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> AsgiMessage:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(413, message)
            return msg

        async def tracking_send(msg: AsgiMessage) -> None:
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await error_response(413, message)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors everywhere, in the shape OpenAI clients understand."""

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", []) if x != "body")
        return error_response(422, f"invalid request: {where} {first.get('msg', '')}".strip())

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        resp = error_response(exc.status_code, str(exc.detail))
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(IndexUnavailable)
    async def _index(_: Request, exc: IndexUnavailable) -> JSONResponse:
        return error_response(503, str(exc), "index_unavailable")

    @app.exception_handler(IngestWorkerDied)
    async def _worker(_: Request, exc: IngestWorkerDied) -> JSONResponse:
        return error_response(503, str(exc), "ingest_failed")

    @app.exception_handler(UploadRejected)
    async def _upload(_: Request, exc: UploadRejected) -> JSONResponse:
        return error_response(exc.status, str(exc))

    @app.exception_handler(json.JSONDecodeError)
    async def _json(_: Request, exc: json.JSONDecodeError) -> JSONResponse:
        return error_response(400, f"body is not valid JSON: {exc.msg}")


def build_routers(service: ReportQAService) -> list[APIRouter]:
    """The ``/api``, ``/v1`` and ``/health`` routers over one service."""
    auth = Depends(_auth(service.settings))
    return [_meta_router(service), _api_router(service, auth), _v1_router(service, auth)]


def _meta_router(service: ReportQAService) -> APIRouter:
    meta = APIRouter(tags=["meta"])

    @meta.get("/health", response_model_exclude_none=True)
    async def health() -> HealthResponse:
        """Liveness and what the server uses (answers while generation runs).

        Always 200 while the process serves: a damaged index is reported as
        ``"status": "degraded"`` with ``error.message`` naming the rebuild command, because
        restarting the server (what a failing health check triggers) cannot repair files on
        disk and would only turn the problem into a restart loop.
        """
        stats = service.healthy_stats()  # two stat() calls: no queueing behind busy workers
        if stats is not None:
            return HealthResponse(status="ok", llm=service.settings.llm, **stats)
        problem = await run_in_threadpool(service.index_problem)
        if problem:
            return HealthResponse.model_validate(
                {
                    "status": "degraded",
                    "llm": service.settings.llm,
                    "error": {"message": problem, "type": "index_unavailable"},
                }
            )
        return HealthResponse(status="ok", llm=service.settings.llm, **service.stats())

    return meta


def _api_router(service: ReportQAService, auth: Any) -> APIRouter:
    api = APIRouter(prefix="/api", dependencies=[auth], tags=["reportqa"])

    @api.post("/ask")
    def ask(body: AskIn) -> AskResponse:
        """Answer a question with verified citations."""
        history = [m.model_dump() for m in body.history]
        result = service.answerer.ask(body.question, history, _filters(body.filters), body.k)
        return AskResponse.of(result)

    @api.post("/search")
    def search(body: SearchIn) -> SearchResponse:
        """Top-k passages (hybrid retrieval) for a query."""
        timings: dict[str, float] = {}
        passages = service.searcher.search(
            body.query, k=body.k, filters=_filters(body.filters), timings=timings
        )
        return SearchResponse(
            query=body.query,
            results=[PassageOut.of(p) for p in passages],
            timings={k: round(v, 1) for k, v in timings.items()},
        )

    @api.get("/documents")
    def documents() -> DocumentsResponse:
        """Documents in the knowledge base."""
        stats = service.stats()
        return DocumentsResponse(
            documents=[DocumentOut.model_validate(d) for d in service.documents()],
            files=stats["files"],
            chunks=stats["chunks"],
        )

    @api.post("/documents")
    def upload(files: list[UploadFile] = File(...)) -> UploadResponse:  # noqa: B008
        """Upload and index files (.txt .md .pdf .docx .html); one result per file."""
        results: list[UploadOut] = []
        limit = service.settings.max_upload_mb * 2**20
        for f in files:
            data = f.file.read(limit + 1)
            try:
                results.append(
                    UploadOut.model_validate(service.upload(f.filename or "", data).as_dict())
                )
            except UploadRejected as exc:
                if len(files) == 1:
                    raise
                results.append(
                    UploadOut(filename=f.filename or "", status="rejected", detail=str(exc))
                )
        return UploadResponse(results=results)

    @api.delete("/documents/{doc_id}")
    def delete(doc_id: str) -> DeleteResponse:
        """Remove a document (and the other documents of its file) from the index."""
        removed = service.delete_document(doc_id)
        if removed is None:
            raise HTTPException(
                404, f"no document or file with id {doc_id!r}; see GET /api/documents"
            )
        return DeleteResponse.model_validate(removed)

    return api


def _v1_router(service: ReportQAService, auth: Any) -> APIRouter:
    v1 = APIRouter(prefix="/v1", dependencies=[auth], tags=["openai"])

    @v1.get("/models")
    def models() -> ModelList:
        """The one model this server offers (OpenAI ``GET /models``)."""
        return ModelList(data=[ModelCard(id=MODEL_ID, owned_by="reportqa")])

    @v1.post(
        "/chat/completions",
        response_model=ChatCompletion,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    def chat(body: ChatIn) -> Any:
        """OpenAI-compatible chat; the answer keeps ``[n]`` markers, ``citations`` is added."""
        if body.model != MODEL_ID:
            raise HTTPException(404, f"unknown model {body.model!r}; use {MODEL_ID!r}")
        turns = [m for m in body.messages if m.role != "system"]
        if not turns or turns[-1].role != "user" or not turns[-1].content.strip():
            raise HTTPException(400, "the last message must be a non-empty user message")
        question = turns[-1].content
        history = [m.model_dump() for m in turns[:-1]]
        filters = _filters(body.filters)
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        if not body.stream:
            result = service.answerer.ask(question, history, filters)
            answer = AskResponse.of(result)
            return ChatCompletion(
                id=cid,
                created=created,
                model=MODEL_ID,
                choices=[ChatChoice(message=ChatMessageOut(content=answer.answer))],
                citations=answer.citations,
                table=answer.table,
                refused=answer.refused,
                timings=answer.timings,
            )
        return StreamingResponse(
            _sse(service, question, history, filters, cid, created), media_type="text/event-stream"
        )

    return v1


def _sse(
    service: ReportQAService,
    question: str,
    history: list[dict[str, str]],
    filters: Any,
    cid: str,
    created: int,
) -> Iterator[str]:
    """Stream chunks; the final chunk replaces nothing but carries ``citations`` and, when
    verification repaired the text, the corrected ``content`` in ``reportqa_final``."""
    from rag.answer import AnswerResult

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        payload = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    streamed = ""
    final: AnswerResult | None = None
    try:
        for item in service.answerer.stream(question, history, filters):
            if isinstance(item, AnswerResult):
                final = item
            else:
                streamed += item
                yield chunk({"content": item})
    except IndexUnavailable as exc:
        yield chunk({"content": f"\n{exc}"}, "stop")
        yield "data: [DONE]\n\n"
        return
    assert final is not None
    tail = ""
    if final.answer != streamed:
        # Verification moved or added markers: send the corrected text as a trailing note.
        tail = final.answer[len(streamed) :] if final.answer.startswith(streamed) else ""
    yield chunk(
        {"content": tail} if tail else {},
        "stop",
        citations=[Citation.of(c).model_dump() for c in final.citations],
        table=TableOut.of(final.table).model_dump() if final.table else None,
        reportqa_final={
            "answer": final.answer,
            "refused": final.refused,
            "timings": AskResponse.of(final).timings,
        },
    )
    yield "data: [DONE]\n\n"


def create_api(service: ReportQAService) -> FastAPI:
    """A FastAPI app with the API routers and JSON error handlers (the UI is mounted by app.py)."""
    app = FastAPI(
        title="ReportQA",
        version="0.1.0",
        description="Question answering with verified citations over Chinese reports.",
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_mb=service.settings.max_upload_mb)
    for router in build_routers(service):
        app.include_router(router)
    app.include_router(indicators_router(service), dependencies=[Depends(_auth(service.settings))])
    if service.settings.mcp:
        from server.mcp_server import mount_mcp

        mount_mcp(app, service)
    return app


__all__ = [
    "AUTH_MESSAGE",
    "MODEL_ID",
    "BodyLimit",
    "api_keys",
    "bearer_ok",
    "create_api",
    "error_response",
]
