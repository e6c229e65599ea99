"""The on-disk index: Chroma (vectors) + per-file chunk records + a BM25 index + a manifest.

Layout of ``REPORTQA_INDEX_DIR``::

    manifest.json      committed files: sha256, chunk ids, documents (the commit point)
    chunks/<key>.jsonl every chunk of a file: text, metadata, BM25 tokens (written before Chroma)
    bm25/              bm25s index + ids, rebuilt from the chunk records of committed files
    chroma/            Chroma PersistentClient data (unless REPORTQA_CHROMA_HOST is set)

The manifest is written last and atomically, and the BM25 side lists exactly the chunk ids of
committed files; queries drop any dense hit that BM25 does not know. So an ingest killed at any
point leaves a consistent, queryable index, and the next ingest finishes the job.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.fsutil import atomic_write
from core.settings import Settings, get_settings

MANIFEST_VERSION = 1
log = logging.getLogger(__name__)


class IndexUnavailable(RuntimeError):
    """The index is missing or unreadable; the message says how to rebuild it."""


def rebuild_hint(root: Path) -> str:
    """The one repair instruction every index error ends with.

    Spelled out in full (command and which index) because the person reading it is looking
    at a log line or a JSON error, not at this code."""
    return (
        "rebuild the index with `python -m ingest --rebuild <folder>` (<folder>: your "
        f"reports, e.g. data/) with REPORTQA_INDEX_DIR={root}"
    )


def file_key(path: Path) -> str:
    """Stable key of a source file in this index (its resolved path)."""
    return hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]


@dataclass
class FileEntry:
    """A committed source file."""

    path: str
    source: str
    sha256: str
    size: int
    chunk_ids: list[str]
    documents: list[dict[str, Any]] = field(default_factory=list)
    # how the file was cleaned and split (see ``ingest.index.pipeline_fingerprint``)
    pipeline: str = ""


@dataclass
class Manifest:
    """What the index holds; ``generation`` changes on every commit so BM25 can tell it is stale."""

    embedding_model: str = ""
    files: dict[str, FileEntry] = field(default_factory=dict)
    generation: str = ""
    version: int = MANIFEST_VERSION

    def chunk_ids(self) -> set[str]:
        return {cid for entry in self.files.values() for cid in entry.chunk_ids}

    def bump(self) -> None:
        payload = json.dumps(
            {k: (v.sha256, len(v.chunk_ids)) for k, v in sorted(self.files.items())}
        )
        self.generation = hashlib.sha1(payload.encode()).hexdigest()[:16]


class IndexPaths:
    """File locations inside an index folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.manifest = self.root / "manifest.json"
        self.chunks = self.root / "chunks"
        self.bm25 = self.root / "bm25"
        self.chroma = self.root / "chroma"
        self.lock = self.root / ".ingest.lock"
        self.userdict = self.root / "userdict.txt"

    def chunk_file(self, key: str) -> Path:
        return self.chunks / f"{key}.jsonl"


def load_manifest(paths: IndexPaths) -> Manifest:
    """Read the manifest; a corrupt one raises an error that says how to rebuild."""
    if not paths.manifest.exists():
        return Manifest()
    try:
        raw = json.loads(paths.manifest.read_text(encoding="utf-8"))
        files = {k: FileEntry(**v) for k, v in raw.get("files", {}).items()}
        return Manifest(
            embedding_model=raw.get("embedding_model", ""),
            files=files,
            generation=raw.get("generation", ""),
            version=raw.get("version", MANIFEST_VERSION),
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexUnavailable(
            f"index manifest {paths.manifest} is unreadable ({exc}); {rebuild_hint(paths.root)}"
        ) from exc


def save_manifest(paths: IndexPaths, manifest: Manifest) -> None:
    manifest.bump()
    data = {
        "version": manifest.version,
        "embedding_model": manifest.embedding_model,
        "generation": manifest.generation,
        "files": {k: asdict(v) for k, v in sorted(manifest.files.items())},
    }
    atomic_write(paths.manifest, json.dumps(data, ensure_ascii=False, indent=1))


def write_chunk_records(paths: IndexPaths, key: str, records: list[dict[str, Any]]) -> None:
    """Persist a file's chunk records (text, metadata, tokens) atomically."""
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    atomic_write(paths.chunk_file(key), lines)


def read_chunk_records(paths: IndexPaths, key: str) -> list[dict[str, Any]]:
    path = paths.chunk_file(key)
    if not path.exists():
        return []
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    except ValueError as exc:
        # A plain re-ingest skips unchanged files and would not rewrite this one: rebuild.
        raise IndexUnavailable(
            f"chunk file {path} is corrupt ({exc}); {rebuild_hint(paths.root)}"
        ) from exc


def check_index_files(paths: IndexPaths, manifest: Manifest) -> None:
    """Cheap integrity check of the chunk records the manifest commits (for /health).

    Queries never read these files, so damage to them stays silent until the next ingest
    needs them; every record file is written whole and ends with a newline, so a missing
    file or a missing final newline is a truncation. Reads one byte per file, not the records.
    """
    for key, entry in sorted(manifest.files.items()):
        if not entry.chunk_ids:
            continue
        path = paths.chunk_file(key)
        try:
            with open(path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                whole = fh.read(1) == b"\n"
        except OSError as exc:
            raise IndexUnavailable(
                f"chunk file {path} of {entry.source} is missing or unreadable "
                f"({exc.strerror or exc}); {rebuild_hint(paths.root)}"
            ) from exc
        if not whole:
            raise IndexUnavailable(
                f"chunk file {path} of {entry.source} is truncated; {rebuild_hint(paths.root)}"
            )


def iter_committed_records(paths: IndexPaths, manifest: Manifest) -> Iterator[dict[str, Any]]:
    """Chunk records of committed files, exactly the ids the manifest lists."""
    for key, entry in sorted(manifest.files.items()):
        wanted = set(entry.chunk_ids)
        for record in read_chunk_records(paths, key):
            if record["id"] in wanted:
                yield record


# --------------------------------------------------------------------------------------------
# Chroma
# --------------------------------------------------------------------------------------------

_clients: dict[tuple[str, str, int], Any] = {}
_clients_lock = threading.Lock()


def chroma_client(settings: Settings | None = None) -> Any:
    """Embedded ``PersistentClient`` in the index folder, or ``HttpClient`` for a Chroma server."""
    settings = settings or get_settings()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    key = (str(settings.index_dir), settings.chroma_host, settings.chroma_port)
    with _clients_lock:
        if key not in _clients:
            if settings.chroma_host:
                _clients[key] = chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                )
            else:
                path = IndexPaths(settings.index_dir).chroma
                path.mkdir(parents=True, exist_ok=True)
                _clients[key] = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        return _clients[key]


def collection_name(settings: Settings) -> str:
    """Collection name; with a shared Chroma server, distinct index folders stay apart."""
    if not settings.chroma_host:
        return settings.collection
    suffix = hashlib.sha1(str(Path(settings.index_dir).resolve()).encode()).hexdigest()[:8]
    return f"{settings.collection}-{suffix}"


class ChromaEmbeddingFunction:
    """Chroma embedding function over our e5 model, passed explicitly so Chroma never falls
    back to downloading its default ONNX model."""

    def __init__(self, embeddings: Any) -> None:
        self._embeddings = embeddings

    def __call__(self, input: list[str]) -> list[list[float]]:  # noqa: A002 (Chroma's name)
        return self._embeddings.embed_documents(list(input))

    def embed_query(self, input: list[str]) -> list[list[float]]:  # noqa: A002
        return [self._embeddings.embed_query(t) for t in input]

    @staticmethod
    def name() -> str:
        return "reportqa-e5"

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        from models.embeddings import E5Embeddings

        return ChromaEmbeddingFunction(E5Embeddings())


def forget_client(settings: Settings) -> None:
    """Drop this process's embedded client, here and in Chroma's per-path system cache; the
    next :func:`get_collection` opens the store afresh. Clients already handed out keep working.

    Two reasons to reopen: Chroma caches a system per folder before starting it, so after a
    failed start every later client for that folder gets the half-built one (a repaired index
    would still fail until the process restarts); and an embedded client keeps its vector
    index in memory, so vectors another process added are counted but never found until the
    store is reopened (measured with Chroma 1.5.9; reopening replays them from the log)."""
    if settings.chroma_host:
        return  # a Chroma server serves every process the same, current index
    key = (str(settings.index_dir), settings.chroma_host, settings.chroma_port)
    with _clients_lock:
        _clients.pop(key, None)
    with contextlib.suppress(Exception):  # private Chroma API: best effort
        from chromadb.api.shared_system_client import SharedSystemClient

        ident = str(IndexPaths(settings.index_dir).chroma)
        SharedSystemClient._identifier_to_system.pop(ident, None)
        SharedSystemClient._identifier_to_refcount.pop(ident, None)


def _open_collection(settings: Settings, embeddings: Any) -> Any:
    client = chroma_client(settings)
    return client.get_or_create_collection(
        name=collection_name(settings),
        embedding_function=ChromaEmbeddingFunction(embeddings),
        # persist the vector index often, so a killed ingest loses little of it
        configuration={"hnsw": {"space": "cosine", "batch_size": 64, "sync_threshold": 64}},
    )


def get_collection(settings: Settings, embeddings: Any) -> Any:
    """The chunk collection (cosine space), created on first use.

    An embedded store that cannot be opened (a garbled sqlite file) raises
    :class:`IndexUnavailable` naming the rebuild command. When no manifest exists, nothing
    committed lives in that store (a new index, or one ``--rebuild`` has just wiped), so it is
    moved aside to ``chroma.unreadable-<time>`` and a fresh one is created: that is what lets
    ``python -m ingest --rebuild`` repair a garbled store without deleting anything.
    """
    try:
        return _open_collection(settings, embeddings)
    except Exception as exc:
        if settings.chroma_host:
            raise IndexUnavailable(
                f"Chroma server {settings.chroma_host}:{settings.chroma_port} failed "
                f"({type(exc).__name__}: {exc}); check that it is running, or unset "
                "REPORTQA_CHROMA_HOST to use the embedded store"
            ) from exc
        forget_client(settings)
        paths = IndexPaths(settings.index_dir)
        if paths.manifest.exists() or not paths.chroma.exists():
            raise IndexUnavailable(
                f"vector store {paths.chroma} cannot be opened ({type(exc).__name__}: {exc}); "
                f"{rebuild_hint(paths.root)}"
            ) from exc
        aside = paths.root / f"chroma.unreadable-{int(time.time())}"
        log.warning("vector store %s cannot be opened (%s); moved to %s", paths.chroma, exc, aside)
        paths.chroma.rename(aside)
        return _open_collection(settings, embeddings)


def chroma_metadata(meta: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """Chroma rejects None: drop empty values, keep scalars."""
    return {k: v for k, v in meta.items() if v is not None and isinstance(v, str | int | float)}


def batched(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = [
    "ChromaEmbeddingFunction",
    "FileEntry",
    "IndexPaths",
    "IndexUnavailable",
    "Manifest",
    "atomic_write",
    "check_index_files",
    "chroma_client",
    "chroma_metadata",
    "file_key",
    "forget_client",
    "get_collection",
    "iter_committed_records",
    "load_manifest",
    "read_chunk_records",
    "rebuild_hint",
    "save_manifest",
    "write_chunk_records",
]
