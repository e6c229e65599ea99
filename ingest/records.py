"""Chunk records: what is stored per chunk (text, typed metadata, BM25 tokens) and when two
chunks count as the same text."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.records import ChunkMeta
from core.settings import Settings
from ingest.documents import Document
from ingest.split import Chunk, split_document
from models.tokens import count_tokens


def dedup_key(region: str | None, norm: str) -> str:
    """Key under which a chunk's text counts as a duplicate.

    Scoped by region: the same report saved twice (same place) is stored once, but a paragraph
    that reports of two places share word for word (a provincial policy sentence, a synthetic
    copy) stays with each, or questions filtered to the second place could never find it.
    A digest, not the text: ingest keeps one key per committed chunk for the whole run, and
    the normalised texts themselves would be a second copy of the corpus in memory.
    """
    return hashlib.blake2b(f"{region or ''}\0{norm}".encode(), digest_size=16).hexdigest()


def record_dedup_key(record: dict[str, Any]) -> str:
    return dedup_key(record["metadata"].get("region"), record.get("norm", ""))


def embed_text(meta: dict[str, Any], text: str) -> str:
    """What gets embedded: the title (and region if the title lacks it) and heading travel with
    the chunk, so a body passage that only says 我县 still matches 紫金县."""
    title = meta.get("title") or ""
    region = meta.get("region") or ""
    head = title if (not region or region in title) else f"{region} {title}"
    heading = meta.get("heading") or ""
    return f"{head}\n{heading}\n{text}" if heading else f"{head}\n{text}"


def chunk_metadata(doc: Document, chunk: Chunk, key: str, sha256: str = "") -> ChunkMeta:
    """The typed metadata stored with a chunk (Chroma and the chunk records hold its dict)."""
    return ChunkMeta(
        doc_id=doc.doc_id,
        source=doc.source,
        file_key=key,
        title=doc.title,
        region=doc.region or "",
        parent_region=doc.parent_region or "",
        level=doc.level or "",
        year=doc.year or 0,
        doc_type=doc.doc_type,
        meeting_date=doc.meeting_date or "",
        heading=chunk.heading,
        start=chunk.start,
        end=chunk.end,
        ordinal=chunk.ordinal,
        tokens=chunk.tokens,
        # where the chunk's pieces sit in the source when cleaning removed text inside it
        spans=json.dumps(chunk.spans) if chunk.spans else "",
        sha256=sha256,
    )


def document_entry(doc: Document, chunks: int) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "region": doc.region,
        "parent_region": doc.parent_region,
        "level": doc.level,
        "year": doc.year,
        "doc_type": doc.doc_type,
        "meeting_date": doc.meeting_date,
        "start": doc.start,
        "end": doc.end,
        "chunks": chunks,
    }


@dataclass
class FileRecords:
    """The chunk records of one file's documents, and what deduplication dropped."""

    records: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0


def build_records(
    documents: list[Document],
    key: str,
    digest: str,
    owners: dict[str, str],
    settings: Settings,
    tokens: Callable[[str], list[str]],
) -> FileRecords:
    """Chunk every document of a file into records; a chunk whose text another file (or an
    earlier document of this one) already holds for the same place is dropped."""
    out = FileRecords()
    seen: set[str] = set()
    for doc in documents:
        chunks = split_document(
            doc,
            count_tokens,
            target_tokens=settings.chunk_tokens,
            max_tokens=settings.chunk_max_tokens,
            overlap_sentences=settings.chunk_overlap_sentences,
        )
        kept = 0
        for chunk in chunks:
            dkey = dedup_key(doc.region, chunk.norm)
            if dkey in seen or owners.get(dkey, key) != key:
                out.duplicates += 1
                continue
            seen.add(dkey)
            meta = chunk_metadata(doc, chunk, key, digest)
            text = f"{doc.title} {doc.region or ''} {chunk.heading} {chunk.text}"
            out.records.append(
                {
                    "id": chunk.id,
                    "text": chunk.text,
                    "norm": chunk.norm,
                    "metadata": meta.as_dict(),
                    "tokens": tokens(text),
                }
            )
            kept += 1
        out.documents.append(document_entry(doc, kept))
    return out


__all__ = [
    "FileRecords",
    "build_records",
    "chunk_metadata",
    "dedup_key",
    "document_entry",
    "embed_text",
    "record_dedup_key",
]
