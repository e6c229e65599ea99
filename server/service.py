"""The application service the UI and the HTTP API share: one searcher, one answerer, one
ingest path. Keeping it here means the two faces cannot drift apart in behaviour."""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings
from index.store import (
    IndexPaths,
    IndexUnavailable,
    Manifest,
    check_index_files,
    load_manifest,
)
from models.embeddings import E5Embeddings
from server.ingest_worker import index_writer

log = logging.getLogger(__name__)
_SAFE = re.compile(r"[^\w\u3400-\u9fff.\-（）()【】《》 ]+")
# File systems cap a name at 255 *bytes* and a CJK character takes 3 in UTF-8; the upload is
# first written as ``.<name>.part``, so stored names stay well under the cap.
MAX_NAME_BYTES = 200


class UploadRejected(ValueError):
    """An upload cannot be accepted; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def safe_filename(name: str, max_len: int = 120, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name that cannot escape the upload folder: no paths, NUL or control characters,
    and short enough (characters and UTF-8 bytes) for any file system; long names are cut."""
    if not name or "\x00" in name:
        raise UploadRejected(
            "file name is empty or contains a NUL byte; rename the file and upload it again"
        )
    if "/" in name or "\\" in name or name.startswith(".") or ".." in name:
        raise UploadRejected(
            f"file name {name[:60]!r} contains a path; upload the file by its bare name "
            "(no folders, no leading dot)"
        )
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _SAFE.sub("_", name).strip(" .")
    if not name:
        raise UploadRejected(
            "file name has no usable characters; rename the file (letters, digits, 汉字)"
        )
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix.encode()) > 16:
        stem, suffix = name, ""
    tail = f".{suffix}" if suffix else ""
    stem = stem[: max_len - len(tail)]
    while stem and len((stem + tail).encode()) > max_bytes:
        stem = stem[:-1]
    stem = stem.rstrip(" .")
    if not stem:
        raise UploadRejected("file name has no usable characters; rename the file")
    return stem + tail


def upload_too_large(limit_mb: int) -> str:
    """The 413 message, shared by the streaming body limit and the per-file check."""
    return (
        f"upload is larger than the {limit_mb} MB limit; split the report into smaller files "
        "and upload them one per request, or have the server's REPORTQA_MAX_UPLOAD_MB raised"
    )


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


HEALTH_RECHECK_S = 30.0


@dataclass(frozen=True)
class _Health:
    """A healthy verdict on one committed index generation."""

    key: tuple[object, ...]
    checked: float
    stats: dict[str, int]


def _manifest_stats(manifest: Manifest) -> dict[str, int]:
    return {
        "files": len(manifest.files),
        "documents": sum(len(e.documents) for e in manifest.files.values()),
        "chunks": sum(len(e.chunk_ids) for e in manifest.files.values()),
    }


class ReportQAService:
    """Loads models once; answers, searches, lists and changes the knowledge base."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.embeddings = E5Embeddings(self.settings)
        self._searcher: Any = None
        self._answerer: Any = None
        self._lock = threading.Lock()
        self._health_lock = threading.Lock()
        self._health: _Health | None = None
        self._rechecking = False
        self.upload_dir = Path(self.settings.upload_dir)
        self.writer = index_writer(self.settings, self.embeddings)

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
        """Build the index from ``data_dir`` when it is missing; say what was done.

        A damaged index is reported, not rebuilt: rebuilding from ``data_dir`` would silently
        drop uploaded documents, and failing here would put the server in a restart loop."""
        paths = IndexPaths(self.settings.index_dir)
        try:
            if load_manifest(paths).files:
                return "index present"
        except IndexUnavailable as exc:
            return f"index unavailable, serving anyway: {exc}"
        if not Path(self.settings.data_dir).exists():
            return (
                f"index is empty and {self.settings.data_dir} does not exist: upload "
                "documents in the 知识库 tab or run `python -m ingest <folder>`"
            )
        summary = self.writer.ingest([Path(self.settings.data_dir)])
        return f"built index from {self.settings.data_dir}: {summary.total_chunks} chunks"

    def index_problem(self) -> str:
        """Why the index cannot serve queries or take uploads ('' when it can).

        Opens what a query opens (manifest, keyword index, Chroma) and checks the chunk
        records cheaply, so /health can report a damaged index with the repair command while
        the server stays up. A searcher that failed to load is retried here, so the server
        recovers by itself once the index is rebuilt.

        A healthy verdict is cached per index generation (the manifest's and the keyword
        index's stat): parsing a 100x manifest takes tens of milliseconds, too slow for a
        health probe. It is re-checked in the background every :data:`HEALTH_RECHECK_S`, so
        damage done behind the server's back still shows up."""
        key = self._index_key()
        with self._health_lock:
            cached = self._health
        if cached is not None and cached.key == key:
            if time.monotonic() - cached.checked > HEALTH_RECHECK_S:
                self._recheck_in_background()
            return ""
        return self._check_index(key)

    def healthy_stats(self) -> dict[str, int] | None:
        """Stats of a generation already checked healthy, else None; two ``stat`` calls.

        Cheap enough to call on the event loop, so ``/health`` need not queue behind busy
        worker threads when the verdict is already known."""
        key = self._index_key()
        with self._health_lock:
            cached = self._health
        if cached is None or cached.key != key:
            return None
        if time.monotonic() - cached.checked > HEALTH_RECHECK_S:
            self._recheck_in_background()
        return dict(cached.stats)

    def _index_key(self) -> tuple[object, ...]:
        """Changes whenever a commit (or a damaging write) touches the committed state."""
        paths = IndexPaths(self.settings.index_dir)
        out: list[object] = []
        for path in (paths.manifest, paths.bm25 / "CURRENT"):
            try:
                st = path.stat()
                out.append((st.st_ino, st.st_size, st.st_mtime_ns))
            except OSError:
                out.append(None)
        return tuple(out)

    def _check_index(self, key: tuple[object, ...]) -> str:
        paths = IndexPaths(self.settings.index_dir)
        try:
            manifest = load_manifest(paths)
            check_index_files(paths, manifest)
            searcher = self.searcher
            searcher.reload()
            searcher.collection.count()
        except IndexUnavailable as exc:
            with self._health_lock:
                self._health = None
            return str(exc)
        with self._health_lock:
            self._health = _Health(key, time.monotonic(), _manifest_stats(manifest))
        return ""

    def _recheck_in_background(self) -> None:
        with self._health_lock:
            if self._rechecking:
                return
            self._rechecking = True

        def run() -> None:
            try:
                self._check_index(self._index_key())
            finally:
                with self._health_lock:
                    self._rechecking = False

        threading.Thread(target=run, name="health-recheck", daemon=True).start()

    def warm_up(self) -> None:
        """Load the models at start-up; with a damaged index only the embedding model (the
        LLM then loads on the first question after the repair)."""
        try:
            self.answerer.warm_up()
        except IndexUnavailable as exc:
            log.error("index unavailable: %s", exc)
            self.embeddings.embed_query("预热")

    def stats(self) -> dict[str, Any]:
        """Files, documents and chunks of the committed index (cached per generation)."""
        key = self._index_key()
        with self._health_lock:
            cached = self._health
        if cached is not None and cached.key == key:
            return dict(cached.stats)
        return _manifest_stats(load_manifest(IndexPaths(self.settings.index_dir)))

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
            raise UploadRejected(upload_too_large(self.settings.max_upload_mb), 413)
        name = safe_filename(filename)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise UploadRejected(
                f"unsupported type {suffix or '(none)'}; upload one of "
                f"{', '.join(sorted(SUPPORTED_SUFFIXES))}",
                415,
            )
        if not data:
            raise UploadRejected("file is empty (0 bytes); check the file and upload it again")
        import hashlib

        digest = hashlib.sha256(data).hexdigest()
        # Deduplicate against what is *indexed* (the manifest), not what sits in the upload
        # folder: a file whose ingest failed must not count as "already uploaded".
        manifest = load_manifest(IndexPaths(self.settings.index_dir))
        for entry in manifest.files.values():
            if entry.sha256 == digest:
                return UploadResult(entry.source, "unchanged", "same content already indexed")
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        target = self.upload_dir / name
        previous = target.read_bytes() if target.is_file() else None
        tmp = target.with_name(f".{name}.part")
        tmp.write_bytes(data)
        tmp.replace(target)
        try:
            summary = self.writer.ingest([target])
        except BaseException:
            # Leave the upload folder as it was, so a retry after the repair ingests again.
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(previous)
            raise
        if summary.skipped:
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(previous)
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
        entry = self.writer.remove(key)
        if entry and Path(entry.path).parent.resolve() == self.upload_dir.resolve():
            Path(entry.path).unlink(missing_ok=True)
        self.searcher.reload()
        return {"file_id": key, "source": entry.source if entry else "", "removed": True}

    def reingest(self) -> dict[str, Any]:
        folders = [Path(self.settings.data_dir)]
        if self.upload_dir.exists():
            folders.append(self.upload_dir)
        summary = self.writer.ingest([f for f in folders if f.exists()], prune=True)
        self.searcher.reload()
        return summary.as_dict()


__all__ = [
    "ReportQAService",
    "UploadRejected",
    "UploadResult",
    "safe_filename",
    "upload_too_large",
]
