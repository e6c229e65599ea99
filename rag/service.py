"""The application service the UI and the HTTP API share: one searcher, one answerer, one
ingest path. Keeping it here means the two faces cannot drift apart in behaviour."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.config import Settings, get_settings
from rag.models import E5Embeddings
from rag.store import IndexPaths, load_manifest

log = logging.getLogger(__name__)
_SAFE = re.compile(r"[^\w\u3400-\u9fff.\-（）()【】《》 ]+")


class UploadRejected(ValueError):
    """An upload cannot be accepted; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def safe_filename(name: str, max_len: int = 120) -> str:
    """A file name that cannot escape the upload folder: no paths, NUL or control characters."""
    if not name or "\x00" in name:
        raise UploadRejected("file name is empty or contains NUL; rename the file")
    if "/" in name or "\\" in name or name.startswith(".") or ".." in name:
        raise UploadRejected(
            f"file name {name[:60]!r} contains a path; upload the file by its name"
        )
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _SAFE.sub("_", name).strip(" .")
    if not name:
        raise UploadRejected("file name has no usable characters; rename the file")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    room = max_len - len(suffix) - 1
    return f"{stem[:room]}.{suffix}" if suffix else stem[:max_len]


@dataclass
class UploadResult:
    """What happened to one uploaded file."""

    filename: str
    status: str  # indexed | unchanged | skipped | rejected
    detail: str = ""
    documents: int = 0
    chunks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


class ReportQAService:
    """Loads models once; answers, searches, lists and changes the knowledge base."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.embeddings = E5Embeddings(self.settings)
        self._searcher: Any = None
        self._answerer: Any = None
        self._lock = threading.Lock()
        self.upload_dir = Path(self.settings.upload_dir)

    @property
    def searcher(self) -> Any:
        with self._lock:
            if self._searcher is None:
                from rag.retrieve import Searcher

                self._searcher = Searcher(self.settings, embeddings=self.embeddings)
            return self._searcher

    @property
    def answerer(self) -> Any:
        searcher = self.searcher
        with self._lock:
            if self._answerer is None:
                from rag.answer import Answerer

                self._answerer = Answerer(self.settings, searcher=searcher)
            return self._answerer

    def ensure_index(self) -> str:
        """Build the index from ``data_dir`` when it is missing; say what was done."""
        paths = IndexPaths(self.settings.index_dir)
        if load_manifest(paths).files:
            return "index present"
        if not Path(self.settings.data_dir).exists():
            return (
                f"index is empty and {self.settings.data_dir} does not exist: upload "
                "documents in the 知识库 tab or run `python -m ingest <folder>`"
            )
        from ingest.index import Ingestor

        summary = Ingestor(self.settings, embeddings=self.embeddings, progress=False).run(
            [Path(self.settings.data_dir)]
        )
        return f"built index from {self.settings.data_dir}: {summary.total_chunks} chunks"

    def stats(self) -> dict[str, Any]:
        manifest = load_manifest(IndexPaths(self.settings.index_dir))
        return {
            "files": len(manifest.files),
            "documents": sum(len(e.documents) for e in manifest.files.values()),
            "chunks": sum(len(e.chunk_ids) for e in manifest.files.values()),
        }

    def documents(self) -> list[dict[str, Any]]:
        manifest = load_manifest(IndexPaths(self.settings.index_dir))
        out = []
        for key, entry in sorted(manifest.files.items(), key=lambda kv: kv[1].source):
            for d in entry.documents:
                out.append({**d, "source": entry.source, "file_id": key})
        return out

    def upload(self, filename: str, data: bytes) -> UploadResult:
        """Store and ingest one uploaded file (deduplicated by content)."""
        from ingest.load import SUPPORTED_SUFFIXES

        limit = self.settings.max_upload_mb * 2**20
        if len(data) > limit:
            raise UploadRejected(
                f"file is larger than {self.settings.max_upload_mb} MB (REPORTQA_MAX_UPLOAD_MB)",
                413,
            )
        name = safe_filename(filename)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise UploadRejected(
                f"unsupported type {suffix or '(none)'}; upload one of "
                f"{', '.join(sorted(SUPPORTED_SUFFIXES))}",
                415,
            )
        if not data:
            raise UploadRejected("file is empty; nothing to index")
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        target = self.upload_dir / name
        import hashlib

        digest = hashlib.sha256(data).hexdigest()
        for existing in self.upload_dir.iterdir():
            if existing.is_file() and hashlib.sha256(existing.read_bytes()).hexdigest() == digest:
                return UploadResult(existing.name, "unchanged", "same content already uploaded")
        tmp = target.with_name(f".{name}.part")
        tmp.write_bytes(data)
        tmp.replace(target)
        from ingest.index import Ingestor

        summary = Ingestor(self.settings, embeddings=self.embeddings, progress=False).run([target])
        if summary.skipped:
            target.unlink(missing_ok=True)
            return UploadResult(name, "skipped", summary.skipped[0]["reason"])
        self.searcher.reload()
        return UploadResult(name, "indexed", "", summary.documents, summary.chunks_added)

    def delete_document(self, doc_or_file_id: str) -> dict[str, Any] | None:
        """Remove the file holding a document (a file is the unit of ingest)."""
        manifest = load_manifest(IndexPaths(self.settings.index_dir))
        key = next(
            (
                k
                for k, e in manifest.files.items()
                if k == doc_or_file_id or any(d["doc_id"] == doc_or_file_id for d in e.documents)
            ),
            None,
        )
        if key is None:
            return None
        from ingest.index import Ingestor

        entry = Ingestor(
            self.settings, embeddings=self.embeddings, progress=False
        ).remove_document_file(key)
        if entry and Path(entry.path).parent.resolve() == self.upload_dir.resolve():
            Path(entry.path).unlink(missing_ok=True)
        self.searcher.reload()
        return {"file_id": key, "source": entry.source if entry else "", "removed": True}

    def reingest(self) -> dict[str, Any]:
        from ingest.index import Ingestor

        folders = [Path(self.settings.data_dir)]
        if self.upload_dir.exists():
            folders.append(self.upload_dir)
        summary = Ingestor(self.settings, embeddings=self.embeddings, progress=False).run(
            [f for f in folders if f.exists()], prune=True
        )
        self.searcher.reload()
        return summary.as_dict()


__all__ = ["ReportQAService", "UploadRejected", "UploadResult", "safe_filename"]
