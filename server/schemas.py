"""Typed response models of the HTTP API and the MCP tools.

They are written out field by field, not derived from the answering records, so ``/docs``, the
OpenAPI schema and the MCP tool output schemas describe what a client receives even while the
records behind them change shape. Converters read the records by attribute, so any object with
the same fields (a dataclass today, a shared record type later) converts.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """One cited passage: the exact supporting quote and where it sits in the source file."""

    n: int = Field(description="Marker number used in the answer text, e.g. 1 for [1].")
    chunk_id: str = Field(description="Id of the indexed chunk the quote comes from.")
    title: str = Field(description="Report title.")
    region: str = Field(description="Region the report is about, e.g. a county or city.")
    year: int | None = Field(description="Report year, when known.")
    source: str = Field(description="Source file name as ingested.")
    heading: str = Field(description="Section path of the passage inside the report.")
    quote: str = Field(description="Exact text of the source that supports the answer.")
    start: int = Field(description="Character offset of the quote in the source text.")
    end: int = Field(description="End offset (exclusive): source_text[start:end] is the quote.")
    verified: bool = Field(
        description="Whether every number of the cited sentence is in the quote."
    )
    doc_id: str = Field("", description="Id of the report (document) inside the source file.")

    @classmethod
    def of(cls, c: Any) -> Citation:
        return cls.model_validate(c, from_attributes=True)


class TableCell(BaseModel):
    """Where a table value comes from: the exact source span, like any citation."""

    source: str
    start: int
    end: int
    quote: str = Field(description="source_text[start:end]")
    doc_id: str
    title: str


class TableRowOut(BaseModel):
    """One place (or year) of a cross-report table; ``note`` says when it has no such figure."""

    place: str
    level: str
    year: int
    metric: str
    kind: str = Field(description="target, actual or plan")
    measure: str = Field(description="growth, amount or rate")
    value: float | None
    value_high: float | None = Field(description="Upper end of a range such as 6-7%.")
    unit: str
    qualifier: str = Field(description="左右, 以上, 以内 …")
    display: str
    citation: TableCell | None
    note: str = ""


class TableOut(BaseModel):
    """A cross-report answer's table: one metric across places (bar chart) or years (line)."""

    question: str
    answer: str
    metric: str
    kind: str
    measure: str
    years: list[int]
    operation: str = Field(description="table, rank, filter, compare or trend")
    chart: str = Field(description="bar (places) or line (years)")
    rows: list[TableRowOut]

    @classmethod
    def of(cls, t: Any) -> TableOut:
        return cls.model_validate(t, from_attributes=True)


class AskResponse(BaseModel):
    """An answer with verified citations (``POST /api/ask``)."""

    question: str
    standalone_question: str = Field(
        "", description="The question rewritten without references to earlier turns."
    )
    answer: str = Field(description="Answer text with [n] citation markers.")
    refused: bool = Field(description="True when the documents do not hold the answer.")
    verified: bool = Field(description="True when every cited statement was verified.")
    citations: list[Citation]
    timings: dict[str, float] = Field(description="Milliseconds per stage.")
    backend: str = Field("", description="Answer backend: local, openai or extractive.")
    table: TableOut | None = Field(None, description="Cross-report table, when any.")

    @classmethod
    def of(cls, r: Any) -> AskResponse:
        return cls(
            question=r.question,
            standalone_question=r.standalone_question,
            answer=r.answer,
            refused=r.refused,
            verified=r.verified,
            citations=[Citation.of(c) for c in r.citations],
            timings={k: round(v, 1) for k, v in r.timings.items()},
            backend=r.backend,
            table=TableOut.of(r.table) if getattr(r, "table", None) else None,
        )


class PassageOut(BaseModel):
    """A retrieved passage with its place in the source and how each retriever ranked it."""

    id: str
    text: str
    title: str
    region: str
    year: int | None
    heading: str
    source: str
    doc_id: str
    start: int | None = Field(description="Offset of the passage in the source text.")
    end: int | None = Field(description="End offset (exclusive) in the source text.")
    score: float
    dense_rank: int | None
    bm25_rank: int | None

    @classmethod
    def of(cls, p: Any) -> PassageOut:
        m = p.metadata
        return cls(
            id=p.id,
            text=p.text,
            title=m.get("title", "") or "",
            region=m.get("region", "") or "",
            year=m.get("year") or None,
            heading=m.get("heading", "") or "",
            source=m.get("source", "") or "",
            doc_id=m.get("doc_id", "") or "",
            start=m.get("start"),
            end=m.get("end"),
            score=round(p.score, 6),
            dense_rank=p.dense_rank,
            bm25_rank=p.bm25_rank,
        )


class SearchResponse(BaseModel):
    """Top-k passages for a query (``POST /api/search``)."""

    query: str
    results: list[PassageOut]
    timings: dict[str, float]


class DocumentOut(BaseModel):
    """One report in the knowledge base (a file may hold several)."""

    doc_id: str
    title: str
    region: str | None = None
    parent_region: str | None = None
    level: str | None = None
    year: int | None = None
    doc_type: str | None = None
    meeting_date: str | None = None
    start: int | None = Field(None, description="Offset of the report inside its file.")
    end: int | None = None
    chunks: int = 0
    source: str = Field(description="File name as ingested.")
    file_id: str = Field(description="Id of the file (use it or doc_id to delete).")


class DocumentsResponse(BaseModel):
    """The knowledge base (``GET /api/documents``)."""

    documents: list[DocumentOut]
    files: int
    chunks: int


class UploadOut(BaseModel):
    """What happened to one uploaded file."""

    filename: str
    status: Literal["indexed", "unchanged", "skipped", "rejected"]
    detail: str = ""
    documents: int = 0
    chunks: int = 0


class UploadResponse(BaseModel):
    results: list[UploadOut]


class DeleteResponse(BaseModel):
    file_id: str
    source: str
    removed: bool


class HealthError(BaseModel):
    message: str
    type: str


class HealthResponse(BaseModel):
    """``status`` is ``degraded`` (with ``error``) when the index cannot serve queries."""

    status: Literal["ok", "degraded"]
    llm: str
    files: int | None = None
    documents: int | None = None
    chunks: int | None = None
    error: HealthError | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ChatMessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    finish_reason: Literal["stop"] = "stop"
    message: ChatMessageOut


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    """OpenAI ``chat.completion`` plus ReportQA's ``citations``, ``refused`` and ``timings``.

    With ``stream: true`` the route answers ``text/event-stream`` chunks instead; the last chunk
    carries ``citations`` and ``reportqa_final``."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage = Field(default_factory=Usage)
    citations: list[Citation]
    table: TableOut | None = None
    refused: bool
    timings: dict[str, float]


__all__ = [
    "AskResponse",
    "ChatChoice",
    "ChatCompletion",
    "ChatMessageOut",
    "Citation",
    "DeleteResponse",
    "DocumentOut",
    "DocumentsResponse",
    "HealthError",
    "HealthResponse",
    "ModelCard",
    "ModelList",
    "PassageOut",
    "SearchResponse",
    "TableCell",
    "TableOut",
    "TableRowOut",
    "UploadOut",
    "UploadResponse",
    "Usage",
]
