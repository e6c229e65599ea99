"""The CPU budget: thread choice from the load, the answer signal an ingest waits for, and the
ingest's niced thread. Real file locks in a temporary cache dir, no model."""

from __future__ import annotations

import os
import threading
import time

import pytest

from core import cpu
from core.settings import Settings


@pytest.fixture
def settings(tmp_path):
    """The pausing policy (ingests keep no core); ``keeping`` is the default one."""
    return Settings(cache_dir=tmp_path / "cache", ingest_cores=0)


@pytest.fixture
def keeping(tmp_path, monkeypatch):
    monkeypatch.setattr(cpu, "cores", lambda: 2)
    monkeypatch.setattr(cpu, "allowed_cpus", lambda: [0, 1])
    return Settings(cache_dir=tmp_path / "cache", ingest_cores=1)


TWO_CPUS = hasattr(os, "sched_getaffinity") and {0, 1} <= os.sched_getaffinity(0)


@pytest.mark.parametrize(
    ("available", "competing", "configured", "want"),
    [(2, 0, 0, 2), (2, 1, 0, 1), (2, 5, 0, 1), (8, 3, 0, 5), (2, 3, 4, 4), (1, 0, 0, 1)],
)
def test_threads_for(available, competing, configured, want):
    assert cpu.threads_for(available, competing, configured) == want


def test_starving():
    assert not cpu.starving(0.2, 0.0)  # no batch measured yet
    assert not cpu.starving(0.5, 0.2)
    assert cpu.starving(0.7, 0.2)


def test_progress_keeps_last_and_best_time_per_chunk(settings):
    with cpu.IngestJob(settings, "idx") as job:
        job.progress(10, 2.0)
        job.progress(10, 8.0)
        (found,) = cpu.running_ingests(settings)
        assert (found.embedded, found.chunk_s_last, found.chunk_s_best) == (20, 0.8, 0.2)
        assert job.starving()
        with cpu.answering(settings):
            assert job.yield_to_answers() == 0.0  # a starving ingest keeps going


def test_parse_proc_files():
    stat = "123 (python (x) y) R 1 123 123 0 -1 4194304 0 0 0 0 5 1 0 0 20 10 3 0 9 0 0"
    assert cpu.parse_task_stat(stat) == ("R", 10)
    assert cpu.parse_running("0.52 0.61 0.70 3/512 1234\n") == 3


def test_llm_threads_honours_the_setting(settings):
    assert cpu.llm_threads(settings.model_copy(update={"llm_threads": 3})) == 3
    assert 1 <= cpu.llm_threads(settings) <= cpu.cores()


def test_answer_signal_is_seen_and_released(settings):
    assert not cpu.answer_in_progress(settings)
    with cpu.answering(settings), cpu.answering(settings):  # concurrent answers share it
        assert cpu.answer_in_progress(settings)
    assert not cpu.answer_in_progress(settings)


def test_ingest_waits_for_the_answer_then_continues(settings):
    release = threading.Event()

    def answer():
        with cpu.answering(settings):
            release.wait(5)

    t = threading.Thread(target=answer)
    t.start()
    while not cpu.answer_in_progress(settings):
        time.sleep(0.01)
    with cpu.IngestJob(settings, "idx") as job:
        threading.Timer(0.3, release.set).start()
        waited = job.yield_to_answers()
        assert 0.2 < waited < 3
        assert job.status.pauses == 1
        assert job.yield_to_answers() == 0.0  # nothing to wait for any more
    t.join()


def test_running_ingests_lists_live_jobs_and_drops_stale_files(settings):
    with cpu.IngestJob(settings, "idx") as job:
        job.progress(32)
        (found,) = cpu.running_ingests(settings)
        assert found.pid == os.getpid() and found.embedded == 32 and found.index == "idx"
    assert not any(p.name.startswith("ingest-") for p in cpu.signal_dir(settings).iterdir())
    stale = cpu.signal_dir(settings) / "ingest-1-1.json"
    stale.write_text("")
    assert cpu.running_ingests(settings) == []
    assert not stale.exists()


def test_run_niced_returns_raises_and_leaves_the_caller_alone():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    niceness = cpu.run_niced(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    assert niceness == max(before, cpu.INGEST_NICE)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
    with pytest.raises(ValueError, match="boom"):
        cpu.run_niced(lambda: (_ for _ in ()).throw(ValueError("boom")))


def test_kept_cores_needs_a_core_to_spare(keeping, monkeypatch):
    assert cpu.kept_cores(keeping) == 1
    assert cpu.kept_cores(keeping.model_copy(update={"ingest_cores": 0})) == 0
    monkeypatch.setattr(cpu, "cores", lambda: 1)
    assert cpu.kept_cores(keeping) == 0  # one core: answers take it, the ingest pauses


def test_an_ingest_keeping_a_core_narrows_while_answers_run(keeping, monkeypatch):
    with cpu.IngestJob(keeping, "idx") as job:
        assert job.encoder_threads() == 2  # alone: every core
        with cpu.answering(keeping):
            assert job.encoder_threads() == 1
            assert job.yield_to_answers() == 0.0  # never pauses: it has its core
        assert job.encoder_threads() == 1  # answers just ran: more may follow
        monkeypatch.setattr(cpu, "ANSWER_RECENT_S", 0.0)
        assert not cpu.answers_recent(keeping, within_s=0.0)
        assert job.encoder_threads() == 2


@pytest.mark.skipif(not TWO_CPUS, reason="needs CPUs 0 and 1")
def test_beside_answers_an_ingest_pins_itself_to_its_core_and_leaves_the_others(keeping):
    """The ingest's thread moves onto the last core while answers run and back after the job;
    ``keeping`` claims CPUs 0 and 1, so the narrowed mask is CPU 1."""

    def ingest() -> tuple[set[int], set[int]]:
        with cpu.IngestJob(keeping, "idx") as job, cpu.answering(keeping):
            job.encoder_threads()
            during = os.sched_getaffinity(0)
        return during, os.sched_getaffinity(0)

    during, after = cpu.run_niced(ingest)
    assert during == {1}
    assert after == {0, 1}
    assert os.sched_getaffinity(0) >= {0, 1}  # the caller (normal priority) never moved


@pytest.mark.skipif(not TWO_CPUS, reason="needs CPUs 0 and 1")
def test_pinning_moves_niced_threads_only():
    release = threading.Event()
    tids: dict[str, int] = {}

    def wait(name: str, nice: int) -> None:
        tids[name] = threading.get_native_id()
        if nice:
            os.setpriority(os.PRIO_PROCESS, tids[name], nice)
        release.wait(10)

    threads = [
        threading.Thread(target=wait, args=("niced", cpu.INGEST_NICE)),
        threading.Thread(target=wait, args=("normal", 0)),
    ]
    for t in threads:
        t.start()
    while len(tids) < 2 or os.getpriority(os.PRIO_PROCESS, tids["niced"]) == 0:
        time.sleep(0.01)
    try:
        assert cpu.run_niced(lambda: cpu.pin_niced_threads([1])) >= 2  # itself and "niced"
        assert os.sched_getaffinity(tids["niced"]) == {1}
        assert os.sched_getaffinity(tids["normal"]) >= {0, 1}
    finally:
        release.set()
        for t in threads:
            t.join()


def test_answers_leave_a_running_ingest_its_core(keeping, monkeypatch):
    monkeypatch.setattr(cpu, "parse_running", lambda text: 1)  # only the caller runs
    assert cpu.llm_threads(keeping) == 2
    with cpu.IngestJob(keeping, "idx"):
        assert cpu.llm_threads(keeping) == 1
    assert cpu.llm_threads(keeping) == 2
