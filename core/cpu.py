"""One CPU budget for the machine: answers first, ingests fill the gaps.

On two cores, llama.cpp, the query encoder and an ingest's passage encoder all want every core;
llama.cpp's threads spin-wait on each other, so one preempted thread stalls the whole
generation and an answer that takes 1 s alone takes 10 s beside an ingest. The rules:

* **Answers hold a shared lock** (``<cache_dir>/cpu/answering.lock``) from retrieval to the
  last generated token (:func:`answering`). It is a file lock, so an ingest in another process
  (``python -m ingest``), in the server (an upload) or of another index sees it alike, and a
  crashed answer releases it.
* **A running ingest keeps one core** (``REPORTQA_INGEST_CORES``, default 1, when the machine
  has more): while answers are being generated, or were within :data:`ANSWER_RECENT_S`, its
  encoder runs on that many threads (:meth:`IngestJob.encoder_threads`) and llama.cpp gets
  the rest; alone it uses every core. Beside answers it also pins its niced threads to
  the cores it keeps (:func:`pin_niced_threads`), so the answers have the others. Measured
  on 2 cores: the passage encoder on one thread keeps 0.55-0.7 of its two-thread rate, while
  pausing for answers that come back to back left the ingest 0.07-0.24 of its rate. The
  recent-answer window keeps the thread count from flapping between answers: an ingest batch
  started on two threads when a generation begins would leave one of its threads on llama.cpp's
  core, niced, holding the batch back.
* With ``REPORTQA_INGEST_CORES=0`` (or one core) answers take every core: **ingests pause
  between embedding batches** while any answer holds it (:meth:`IngestJob.yield_to_answers`),
  for at most :data:`MAX_PAUSE_S` per wait so a stuck answer cannot stop an ingest for good,
  unless the ingest is starving (its last batch, pauses included, took
  :data:`STARVED_FACTOR` times its best time per chunk): then answers leave it one core.
  Ingests always run niced (:data:`INGEST_NICE`).
* **llama.cpp's threads are chosen per answer from the load** (:func:`llm_threads`): the cores
  minus the normal-priority threads already runnable and the cores ingests keep. Other
  programs always count, because giving llama.cpp a core someone else holds is what makes it
  collapse.

Each running ingest registers itself in ``<cache_dir>/cpu/ingest-<pid>-<tid>.json`` (held under
an exclusive file lock, so a killed ingest's file is recognised as stale) with its progress,
which is how benchmarks and the answer side see it. Nothing here imports above ``core``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from core.fsutil import atomic_write
from core.settings import Settings, get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

INGEST_NICE = 10  # CFS weight 110 vs 1024: a niced thread gets ~10% of a contested core
MAX_PAUSE_S = 15.0  # longest an ingest waits for answers before embedding one more batch
POLL_S = 0.05
STARVED_FACTOR = 3.0  # an ingest this much slower per chunk than its best is starving
#: an answer generated this recently still counts as "answers are running" for an ingest
ANSWER_RECENT_S = 5.0
#: how soon a thread waiting for Python's GIL takes it from a busy one (CPython's default: 5 ms)
SERVER_SWITCH_INTERVAL_S = 0.001


def allowed_cpus() -> list[int]:
    """The CPUs the calling thread may run on (its affinity mask, not the machine's count)."""
    try:
        return sorted(os.sched_getaffinity(0)) or [0]
    except (AttributeError, OSError):
        return list(range(max(1, os.cpu_count() or 1)))


def cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    return len(allowed_cpus())


def signal_dir(settings: Settings | None = None) -> Path:
    """Where the cross-process signals live: one per user and machine (the model cache)."""
    folder = (settings or get_settings()).cache_dir / "cpu"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------------------------
# pure policy
# --------------------------------------------------------------------------------------------


def threads_for(available: int, competing: int, configured: int = 0) -> int:
    """Threads for llama.cpp: the configured number, else the cores nobody else is using."""
    if configured > 0:
        return configured
    return max(1, available - max(0, competing))


def kept_cores(settings: Settings | None = None, available: int | None = None) -> int:
    """Cores a running ingest keeps beside answers: the setting, if the machine has more
    (``available``: the cores the ingest started with, before it pinned itself)."""
    keep = (settings or get_settings()).ingest_cores
    return keep if 0 < keep < (available or cores()) else 0


def starving(chunk_s_last: float, chunk_s_best: float) -> bool:
    """An ingest whose last batch ran far slower per chunk than its best one."""
    return chunk_s_best > 0 and chunk_s_last > STARVED_FACTOR * chunk_s_best


def parse_task_stat(text: str) -> tuple[str, int]:
    """(state, nice) from ``/proc/<pid>/task/<tid>/stat`` (the name may hold spaces and ')')."""
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[16])


def parse_running(loadavg: str) -> int:
    """Runnable tasks right now, from ``/proc/loadavg`` (``0.52 0.61 0.70 3/512 1234``)."""
    return int(loadavg.split()[3].split("/")[0])


# --------------------------------------------------------------------------------------------
# measuring the load
# --------------------------------------------------------------------------------------------


def pin_niced_threads(cpus: list[int]) -> int:
    """Move this process's niced threads (an ingest's, and the pools they started) and the
    calling thread onto ``cpus``; returns how many threads moved.

    Threads of normal priority (a server's request threads) are left alone, so an ingest
    running inside a server never pins the server.
    """
    me, moved = threading.get_native_id(), 0
    for task in os.scandir("/proc/self/task"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            tid = int(task.name)
            if tid == me or parse_task_stat(Path(task.path, "stat").read_text())[1] > 0:
                os.sched_setaffinity(tid, cpus)
                moved += 1
    return moved


def _niced_runnable(pids: list[int]) -> int:
    """Runnable niced threads of the given processes (cooperating ingests)."""
    count = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for task in os.scandir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    state, nice = parse_task_stat(Path(task.path, "stat").read_text())
                    count += state == "R" and nice > 0
    return count


def competing_threads(settings: Settings | None = None, samples: int = 5) -> int:
    """Normal-priority threads runnable besides the caller (median of a few snapshots).

    ``/proc/loadavg``'s running count is an instant; five snapshots a few milliseconds apart
    smooth it without the minute-long lag of the load average. Niced threads of registered
    ingests are left out and each ingest counts as the cores it keeps (:func:`kept_cores`);
    when ingests keep none, they pause for answers instead and only a starving one counts,
    as one thread, so it gets a core back.
    """
    try:
        counts = []
        jobs = running_ingests(settings)
        pids = sorted({job.pid for job in jobs})
        kept = kept_cores(settings)
        starved = sum(starving(job.chunk_s_last, job.chunk_s_best) for job in jobs)
        reserved = kept * len(jobs) if kept else starved
        for i in range(samples):
            if i:
                time.sleep(0.002)
            running = parse_running(Path("/proc/loadavg").read_text())
            counts.append(running - 1 - _niced_runnable(pids))
        return max(0, int(statistics.median(counts))) + reserved
    except (OSError, ValueError, IndexError):
        return 0  # not Linux: assume an idle machine


def llm_threads(settings: Settings | None = None) -> int:
    """llama.cpp threads for the next generation (``REPORTQA_LLM_THREADS`` wins if set)."""
    settings = settings or get_settings()
    if settings.llm_threads > 0:
        return settings.llm_threads
    return threads_for(cores(), competing_threads(settings))


def tune_llama(llama: Any, settings: Settings | None = None) -> int:
    """Set a loaded ``llama_cpp.Llama``'s threads for the next generation; returns the count.

    ``ChatLlamaCpp.client`` is that object; anything without a context is left alone.
    """
    threads = llm_threads(settings)
    ctx = getattr(llama, "_ctx", None)
    if ctx is not None and hasattr(ctx, "set_n_threads"):
        ctx.set_n_threads(threads, threads)
    return threads


# --------------------------------------------------------------------------------------------
# answers
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def answering(settings: Settings | None = None) -> Iterator[None]:
    """Hold the shared "an answer is being generated" signal for the ``with`` block."""
    path = signal_dir(settings) / "answering.lock"
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH)  # never waits long: ingests only probe it
        try:
            yield
        finally:
            with contextlib.suppress(OSError):  # its time is when an answer last ended
                path.with_name("answered.stamp").touch()
            fcntl.flock(fh, fcntl.LOCK_UN)


def answers_recent(settings: Settings | None = None, within_s: float | None = None) -> bool:
    """True while an answer is generated or one ended less than ``within_s`` ago
    (default :data:`ANSWER_RECENT_S`)."""
    within_s = ANSWER_RECENT_S if within_s is None else within_s
    if answer_in_progress(settings):
        return True
    try:
        ended = (signal_dir(settings) / "answered.stamp").stat().st_mtime
    except OSError:
        return False
    return time.time() - ended < within_s


def answer_in_progress(settings: Settings | None = None) -> bool:
    """True while any process holds :func:`answering`."""
    path = signal_dir(settings) / "answering.lock"
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


# --------------------------------------------------------------------------------------------
# ingests
# --------------------------------------------------------------------------------------------


@dataclass
class IngestStatus:
    """What a running ingest publishes about itself (read by benchmarks and the answer side)."""

    pid: int
    tid: int
    index: str
    started: float
    embedded: int = 0
    paused_s: float = 0.0
    pauses: int = 0
    updated: float = 0.0
    chunk_s_last: float = 0.0  # seconds per chunk of the last batch
    chunk_s_best: float = 0.0  # ... of the fastest batch so far


class IngestJob:
    """A registered ingest: progress, and the pause between batches while answers run."""

    def __init__(self, settings: Settings, index: str) -> None:
        self.settings = settings
        self.status = IngestStatus(
            pid=os.getpid(), tid=threading.get_native_id(), index=index, started=time.time()
        )
        self.path = signal_dir(settings) / f"ingest-{self.status.pid}-{self.status.tid}.json"
        self._fh: Any = None
        self.home = allowed_cpus()  # where it may run when no answer is being given
        self._pinned = self.home

    def __enter__(self) -> IngestJob:
        self._fh = open(self.path, "a+")  # held for the whole job
        fcntl.flock(self._fh, fcntl.LOCK_EX)
        self._publish()
        return self

    def __exit__(self, *exc: object) -> None:
        self._pin(self.home)
        self.path.with_suffix(".status").unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()

    def _publish(self) -> None:
        self.status.updated = time.time()
        with contextlib.suppress(OSError):  # progress is informative; never fail an ingest
            atomic_write(self.path.with_suffix(".status"), json.dumps(asdict(self.status)))

    def starving(self) -> bool:
        return starving(self.status.chunk_s_last, self.status.chunk_s_best)

    def progress(self, embedded: int, seconds: float = 0.0) -> None:
        """Count ``embedded`` chunks done in ``seconds`` (wall time, pauses included)."""
        self.status.embedded += embedded
        if embedded and seconds > 0:
            per_chunk = seconds / embedded
            self.status.chunk_s_last = per_chunk
            best = self.status.chunk_s_best
            self.status.chunk_s_best = per_chunk if not best else min(best, per_chunk)
        self._publish()

    def encoder_threads(self) -> int:
        """Threads for the next batch: the kept cores while answers run, else every core.

        Beside answers the ingest also pins itself to the cores it keeps (the last ones of
        its mask), so the answers have the others to themselves. Without the pin, the
        scheduler moves both around: the answer process's extra threads (a query encoding, a
        generation's start) land on the ingest's core and the niced ingest stalls, while the
        core the answers left is idle. Sampled beside back-to-back answers on two cores
        (``python -m rag ask``): unpinned, the ingest ran on the answers' core in 14% of the
        samples and the answers on the ingest's in 8%; pinned, in under 1%.
        """
        kept = kept_cores(self.settings, len(self.home))
        beside = bool(kept) and answers_recent(self.settings)
        self._pin(self.home[-kept:] if beside else self.home)
        return kept if beside else len(self.home)

    def _pin(self, cpus: list[int]) -> None:
        if cpus != self._pinned:
            pin_niced_threads(cpus)
            self._pinned = cpus

    def yield_to_answers(self) -> float:
        """Wait while an answer is being generated (at most :data:`MAX_PAUSE_S`); seconds waited.

        An ingest that keeps a core, or is starving, does not wait: answers leave it a core
        (:func:`llm_threads`).
        """
        if (
            kept_cores(self.settings, len(self.home))
            or self.starving()
            or not answer_in_progress(self.settings)
        ):
            return 0.0
        started = time.perf_counter()
        while time.perf_counter() - started < MAX_PAUSE_S:
            time.sleep(POLL_S)
            if not answer_in_progress(self.settings):
                break
        waited = time.perf_counter() - started
        self.status.paused_s += waited
        self.status.pauses += 1
        self._publish()
        return waited


def running_ingests(settings: Settings | None = None) -> list[IngestStatus]:
    """Ingests running now on this machine (stale files of killed ones are removed)."""
    out = []
    for lock in signal_dir(settings).glob("ingest-*.json"):
        status = lock.with_suffix(".status")
        try:
            with open(lock) as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:  # held: the ingest is alive
                    with contextlib.suppress(OSError, ValueError, TypeError):
                        out.append(IngestStatus(**json.loads(status.read_text())))
                    continue
                fcntl.flock(fh, fcntl.LOCK_UN)
            lock.unlink(missing_ok=True)  # nobody holds it: a killed ingest's leftover
            status.unlink(missing_ok=True)
        except OSError:
            continue
    return out


def favour_short_requests(interval_s: float = SERVER_SWITCH_INTERVAL_S) -> None:
    """In the server, an upload's ingest thread (cleaning, splitting, tokenising: pure Python)
    and the request threads share one GIL. A request that releases it (an encoder call, I/O)
    waits up to the switch interval to get it back each time, and an answer does so several
    times: at CPython's 5 ms that added ~20 ms to a 28 ms answer during an upload. Nice values
    do not reach the GIL, so the server shortens the interval; the ingest loses only a few
    thread switches per millisecond."""
    sys.setswitchinterval(interval_s)


def run_niced(fn: Callable[[], T], nice: int = INGEST_NICE, name: str = "ingest") -> T:
    """Run ``fn`` in a fresh thread at a lower priority and return its result (or raise).

    On Linux a nice value belongs to a thread, and the thread pools torch or onnxruntime start
    from it inherit it; a fresh thread means the caller (a server worker thread reused for
    requests later) is never left niced and nothing has to be restored, which an unprivileged
    process could not do.
    """
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        with contextlib.suppress(OSError, AttributeError):
            tid = threading.get_native_id()
            # never raise the priority of an already niced process (e.g. run under `nice`)
            os.setpriority(os.PRIO_PROCESS, tid, max(nice, os.getpriority(os.PRIO_PROCESS, tid)))
        try:
            result.append(fn())
        except BaseException as exc:  # handed to the caller
            error.append(exc)

    worker = threading.Thread(target=target, name=name, daemon=True)
    worker.start()
    worker.join()
    if error:
        raise error[0]
    return result[0]


__all__ = [
    "INGEST_NICE",
    "MAX_PAUSE_S",
    "IngestJob",
    "IngestStatus",
    "allowed_cpus",
    "answer_in_progress",
    "answering",
    "answers_recent",
    "competing_threads",
    "cores",
    "favour_short_requests",
    "kept_cores",
    "llm_threads",
    "parse_running",
    "parse_task_stat",
    "pin_niced_threads",
    "run_niced",
    "running_ingests",
    "signal_dir",
    "starving",
    "threads_for",
    "tune_llama",
]
