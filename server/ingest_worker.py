"""Where the server's writes to the index run: a child process (default) or a server thread.

Why a process: an upload's ingest does seconds of pure-Python work (cleaning, splitting,
tokenising) that holds the GIL, and each answer thread of the server waits for the GIL several
times per request; with the ingest in a server thread the median answer took 1.80x its idle
time during an upload (``bench/results/busy-api-gil.md``), while the same ingest in another
process cost answers 1.31x. A process has its own GIL and its own priority (niced as a whole,
so the encoder's thread pool too).

One persistent worker (spawned on the first write, encoder loaded once, stopped after
``ingest_worker_idle_s`` without work, so its ~1 GB goes back) runs every write the server
makes: the first build, uploads, deletes, the re-ingest. The server process then only reads
the index; embedded Chroma caches the vector index per process, so the server's searcher
reopens its client when a commit changes the keyword index's generation
(:meth:`rag.retrieve.Searcher.reload`).

The worker dies with the server (it watches its parent): a killed server leaves what a killed
ingest leaves, the previous commit, never an orphan holding the index lock. A worker that dies
(killed, out of memory) fails the running write with :class:`IngestWorkerDied`; the next write
starts a new one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from core import cpu
from core.settings import Settings

if TYPE_CHECKING:
    from index.store import FileEntry
    from ingest.runs import IngestSummary
    from models.embeddings import E5Embeddings

T = TypeVar("T")
PARENT_POLL_S = 0.5  # how soon a worker notices a killed server


class IngestWorkerDied(RuntimeError):
    """The ingest process ended before its write finished; the index keeps its last commit."""


# --------------------------------------------------------------------------------------------
# the child's side (module level, so the spawned process can import it by name)
# --------------------------------------------------------------------------------------------


@dataclass
class _ChildState:
    """What the worker keeps between writes."""

    settings: Settings | None = None
    embeddings: E5Embeddings | None = None  # loaded on the first write, kept


_child = _ChildState()


def _start_child(settings: Settings) -> None:
    """Initialiser of the worker: die with the server, run niced, remember the settings."""
    server = os.getppid()

    def watch_server() -> None:
        # PR_SET_PDEATHSIG would fire when the server *thread* that spawned the worker ends
        # (request threads come and go), so the worker watches its parent instead
        while os.getppid() == server:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch_server, name="watch-server", daemon=True).start()
    with contextlib.suppress(OSError):
        os.nice(max(0, cpu.INGEST_NICE - os.nice(0)))
    _child.settings = settings


def _ingestor() -> Any:
    from ingest.index import Ingestor
    from models.embeddings import E5Embeddings

    settings = _child.settings or Settings()
    if _child.embeddings is None:
        _child.embeddings = E5Embeddings(settings)
    return Ingestor(settings, embeddings=_child.embeddings, progress=False)


def _ingest(inputs: list[Path], prune: bool) -> IngestSummary:
    return _ingestor().run(inputs, prune=prune)


def _remove(key: str) -> FileEntry | None:
    return _ingestor().remove_document_file(key)


# --------------------------------------------------------------------------------------------
# the server's side
# --------------------------------------------------------------------------------------------


class IndexWriter:
    """Runs the server's writes in this process, in a server thread (``ingest_process=false``)."""

    def __init__(self, settings: Settings, embeddings: E5Embeddings) -> None:
        self.settings = settings
        self.embeddings = embeddings

    def _ingestor(self) -> Any:
        from ingest.index import Ingestor

        return Ingestor(self.settings, embeddings=self.embeddings, progress=False)

    def ingest(self, inputs: list[Path], prune: bool = False) -> IngestSummary:
        return self._ingestor().run(inputs, prune=prune)

    def remove(self, key: str) -> FileEntry | None:
        return self._ingestor().remove_document_file(key)

    def close(self) -> None:
        """Nothing to stop in this process."""


class ProcessIndexWriter(IndexWriter):
    """Runs the server's writes in one persistent, niced child process (see the module doc)."""

    def __init__(self, settings: Settings, embeddings: E5Embeddings) -> None:
        super().__init__(settings, embeddings)
        self.idle_s = settings.ingest_worker_idle_s
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._running = 0
        self._timer: threading.Timer | None = None

    def ingest(self, inputs: list[Path], prune: bool = False) -> IngestSummary:
        return self.call(_ingest, list(inputs), prune)

    def remove(self, key: str) -> FileEntry | None:
        return self.call(_remove, key)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the worker and return its result (its exception is re-raised)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._pool is None:
                self._pool = self._new_pool()
            pool = self._pool
            self._running += 1
        try:
            try:
                future = pool.submit(fn, *args)
            except BrokenProcessPool:  # died while idle: nothing was lost, start another
                pool = self._restart(pool)
                future = pool.submit(fn, *args)
            return future.result()
        except BrokenProcessPool as exc:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise IngestWorkerDied(
                "the ingest process stopped before it finished (killed, or out of memory); "
                "the index keeps its last commit: send the file again, or run "
                "`python -m ingest <folder>` to see the error"
            ) from exc
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0 and self._pool is not None and self.idle_s > 0:
                    self._timer = threading.Timer(self.idle_s, self._stop_if_idle)
                    self._timer.daemon = True
                    self._timer.start()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_child,
            initargs=(self.settings,),
        )

    def _restart(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is broken or self._pool is None:
                self._pool = self._new_pool()
            return self._pool

    def worker_pid(self) -> int | None:
        """The worker's process id while it runs (for tests and diagnostics)."""
        with self._lock:
            pool = self._pool
        procs = getattr(pool, "_processes", None) or {}
        return next(iter(procs), None)

    def _stop_if_idle(self) -> None:
        with self._lock:
            if self._running or self._pool is None:
                return
            pool, self._pool = self._pool, None
        pool.shutdown(wait=True)

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def index_writer(settings: Settings, embeddings: E5Embeddings) -> IndexWriter:
    """The writer the settings ask for (``ingest_process``)."""
    if settings.ingest_process:
        return ProcessIndexWriter(settings, embeddings)
    return IndexWriter(settings, embeddings)


__all__ = ["IndexWriter", "IngestWorkerDied", "ProcessIndexWriter", "index_writer"]
