"""The peer baseline: the plain LangChain tutorial RAG pipeline, scored beside ReportQA.

It is what one gets by following the tutorial with no knowledge of the documents: raw file text
(no cleaning, no report splitting, no metadata), ``RecursiveCharacterTextSplitter(chunk_size=500,
chunk_overlap=50, add_start_index=True)``, the same e5 embedding model, ``Chroma.from_documents``
and dense top-k search. Using the same embedding model isolates what ReportQA's own work
(cleaning, heading-aware chunks, BM25 fusion, region filters) adds. The baseline lives in an
in-memory Chroma collection of its own and never touches ReportQA's index.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from eval.score import SpanRef

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
SUFFIXES = (".txt", ".md")


@dataclass
class BaselineHit(SpanRef):
    """A baseline chunk with its offsets in the raw source file."""

    text: str = ""
    score: float = 0.0


def load_raw(data_dir: Path) -> list[Document]:
    """One document per text file, as ``TextLoader`` gives it: the whole file, UTF-8, untouched."""
    docs = []
    for path in sorted(data_dir.iterdir()):
        if path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith("."):
            docs.append(
                Document(
                    page_content=path.read_text(encoding="utf-8"), metadata={"source": str(path)}
                )
            )
    return docs


def split(docs: list[Document]) -> list[Document]:
    """The tutorial's splitter; ``start_index`` gives each chunk's offset in its file."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    return splitter.split_documents(docs)


class BaselinePipeline:
    """Tutorial pipeline over ``data_dir``: build once with :meth:`build`, then :meth:`search`."""

    def __init__(self, embeddings: Embeddings, data_dir: Path) -> None:
        self.embeddings = embeddings
        self.data_dir = Path(data_dir)
        self.store: Any = None
        self.chunks: list[Document] = []
        self.build_seconds = 0.0
        self._client: Any = None
        self._collection = f"baseline-{uuid.uuid4().hex[:12]}"

    def build(self) -> BaselinePipeline:
        """Load, split and embed into a throwaway in-memory collection."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        started = time.perf_counter()
        self.chunks = split(load_raw(self.data_dir))
        if not self.chunks:
            raise ValueError(f"no .txt/.md files in {self.data_dir} for the baseline")
        self._client = chromadb.EphemeralClient(
            settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        )
        self.store = Chroma.from_documents(
            self.chunks,
            embedding=self.embeddings,
            collection_name=self._collection,
            client=self._client,
        )
        self.build_seconds = time.perf_counter() - started
        return self

    def search(self, query: str, k: int = 10) -> list[BaselineHit]:
        """Dense top-``k`` chunks, with source file name and character offsets."""
        if self.store is None:
            raise RuntimeError("call build() before search()")
        hits = []
        for doc, score in self.store.similarity_search_with_score(query, k=k):
            start = doc.metadata.get("start_index")
            start = int(start) if start is not None and int(start) >= 0 else None
            hits.append(
                BaselineHit(
                    source=Path(str(doc.metadata.get("source", ""))).name,
                    start=start,
                    end=None if start is None else start + len(doc.page_content),
                    text=doc.page_content,
                    score=float(score),
                )
            )
        return hits

    def close(self) -> None:
        """Drop the throwaway collection (the in-memory client keeps it for the process)."""
        if self._client is not None:
            with contextlib.suppress(Exception):  # already gone: nothing to clean up
                self._client.delete_collection(self._collection)
            self._client, self.store = None, None


__all__ = ["BaselineHit", "BaselinePipeline", "load_raw", "split"]
