"""Typed records that cross package boundaries: chunk metadata, passages, filters, citations,
answers.

Ingest writes chunk metadata, retrieval reads it back from Chroma, answering cites it, the
server serialises it and the evaluation scores it. As dicts read by string key, a renamed field
failed only in slow end-to-end tests; as dataclasses it fails at the first import or type check.
Chroma and JSON still need plain dicts, so each record converts at that edge only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Self

from core.text import YEAR

_INT_FIELDS = frozenset({"year", "start", "end", "ordinal", "tokens", "chunks"})


@dataclass
class _Record:
    """Conversion to and from the plain dicts stored in Chroma, chunk records and the manifest."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Self:
        """Read a stored dict; unknown keys and ``None`` values are ignored."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if key not in known or value is None:
                continue
            if key in _INT_FIELDS:
                value = int(value or 0)
            elif key == "spans" and not isinstance(value, str):
                value = json.dumps(value)
            else:
                value = str(value)
            values[key] = value
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DocumentFields(_Record):
    """The report something belongs to: its id, title, place, year and source file."""

    doc_id: str = ""
    source: str = ""
    file_key: str = ""
    title: str = ""
    region: str = ""
    parent_region: str = ""
    level: str = ""
    year: int = 0
    doc_type: str = ""
    meeting_date: str = ""
    start: int = 0
    end: int = 0

    @property
    def congress_report(self) -> bool:
        """A report to a year's congress session: a 政府工作报告, or another 工作报告 (of the
        人大常委会, a court) delivered at the session ("2025年1月15日在…人民代表大会…会议上")
        and titled with no other year. Its first part reviews the year before the session,
        its second plans the session's year, so its undated figures are not its own year's.
        (An audit 工作报告 "2024年度…" delivered in 2025 is about its title's year.)"""
        if "政府工作报告" in self.doc_type:
            return True
        if "工作报告" not in self.doc_type or not self.meeting_date:
            return False
        named = YEAR.findall(self.title)
        return not named or int(named[0]) == int(self.meeting_date[:4])


#: Joins a chunk's heading path ("二、2025年重点任务 › （三）…"): written by the splitter, read
#: by the readers of sections.
HEADING_SEP = " › "


@dataclass
class ChunkMeta(DocumentFields):
    """Where a chunk comes from: its document, section and offsets (``start``/``end`` are the
    chunk's own offsets in the source file)."""

    heading: str = ""
    ordinal: int = 0
    tokens: int = 0
    #: JSON list of ``[clean_offset, source_offset, length]`` pieces when cleaning removed text
    #: inside the chunk (see ``rag.citations.source_span``); empty when the chunk is contiguous.
    spans: str = ""
    sha256: str = ""

    def span_pieces(self) -> list[list[int]]:
        """The decoded ``spans`` pieces (empty when the chunk is contiguous in its source)."""
        return json.loads(self.spans) if self.spans else []


@dataclass
class DocumentInfo(DocumentFields):
    """One report in the index (a file may hold several), as listed by the manifest."""

    chunks: int = 0


@dataclass
class Filters:
    """Caller-supplied restrictions (from the UI, the API or the CLI)."""

    regions: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Filters:
        """Accept the singular and plural spellings the API and CLI use."""
        data = data or {}

        def as_list(v: Any) -> list[Any]:
            if v in (None, "", []):
                return []
            return list(v) if isinstance(v, list | tuple | set) else [v]

        return cls(
            regions=[str(r) for r in as_list(data.get("region") or data.get("regions"))],
            years=[int(y) for y in as_list(data.get("year") or data.get("years"))],
            doc_ids=[str(d) for d in as_list(data.get("doc_id") or data.get("doc_ids"))],
        )


@dataclass
class Passage:
    """A retrieved chunk with its metadata and how each retriever ranked it."""

    id: str
    text: str
    meta: ChunkMeta
    score: float = 0.0
    dense_rank: int | None = None
    bm25_rank: int | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        """The metadata as a plain dict (LangChain documents, JSON)."""
        return self.meta.as_dict()

    def as_dict(self) -> dict[str, Any]:
        m = self.meta
        return {
            "id": self.id,
            "text": self.text,
            "title": m.title,
            "region": m.region,
            "year": m.year or None,
            "heading": m.heading,
            "source": m.source,
            "doc_id": m.doc_id,
            "start": m.start,
            "end": m.end,
            "score": round(self.score, 6),
            "dense_rank": self.dense_rank,
            "bm25_rank": self.bm25_rank,
        }


@dataclass
class Citation:
    """One cited passage with the exact supporting quote and its offsets in the source file."""

    n: int
    chunk_id: str
    title: str
    region: str
    year: int | None
    source: str
    heading: str
    quote: str
    start: int
    end: int
    verified: bool
    doc_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- cross-report tables ---------------------------------------------------------------


@dataclass(frozen=True)
class TableCitation:
    """Where a cell's figure is stated: offsets into the source file, like chunk citations."""

    source: str
    start: int
    end: int
    quote: str
    doc_id: str
    title: str


@dataclass(frozen=True)
class TableRow:
    """One place (or one year of a place): its figure, or ``note`` when the report has none."""

    place: str
    level: str
    year: int
    metric: str
    kind: str
    measure: str
    value: float | None
    value_high: float | None
    unit: str
    qualifier: str
    display: str  # "7.5%左右", "6-7%", or the note
    citation: TableCitation | None
    note: str = ""


@dataclass
class TableAnswer:
    """The answer: a sentence, the rows, and the chart (``bar`` by place, ``line`` by year)."""

    question: str
    answer: str
    metric: str
    kind: str
    measure: str
    years: list[int]
    operation: str  # table | rank | filter | compare | trend
    chart: str  # bar | line
    rows: list[TableRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def markdown(self) -> str:
        """The table as Markdown for chat: each cell's source and offsets beside it."""
        lines = [self.answer, "", "| 地区 | 年份 | 数值 | 出处 |", "|---|---|---|---|"]
        for i, r in enumerate(self.rows, 1):
            c = r.citation
            where = f"[{i}] {c.source} 字符 {c.start}–{c.end}：{c.quote}" if c else r.note
            lines.append(f"| {r.place} | {r.year or ''} | {r.display} | {where} |")
        return "\n".join(lines)


@dataclass
class AnswerResult:
    """An answer with its verified citations and timings."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    passages: list[Passage] = field(default_factory=list)
    verified: bool = True
    backend: str = ""
    reason: str = ""
    #: How sure the reader is that the passages hold the asked fact (0..1); None if not scored.
    answerability: float | None = None
    #: What was searched for, so a "not found" can say it (place, year, metric, and the asked
    #: attribute: "截止" of "考试报名的截止时间是哪天").
    searched: dict[str, str] = field(default_factory=dict)
    #: A cross-report answer's table (one row per place or year, each cited), if any.
    table: TableAnswer | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "refused": self.refused,
            "verified": self.verified,
            "citations": [c.as_dict() for c in self.citations],
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "backend": self.backend,
            "table": self.table.as_dict() if self.table else None,
        }


__all__ = [
    "HEADING_SEP",
    "AnswerResult",
    "ChunkMeta",
    "Citation",
    "DocumentFields",
    "DocumentInfo",
    "Filters",
    "Passage",
    "TableAnswer",
    "TableCitation",
    "TableRow",
]
