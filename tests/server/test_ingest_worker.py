"""The server's index writes run in a niced child process that dies with the server.

The process mechanics are checked here with plain functions (fast tier); that uploads through
the worker are indexed and found by the server's own searcher is checked with the real
encoder and Chroma in ``test_upload_runs_in_the_worker_and_is_found_by_dense_search``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from core.settings import Settings
from server.ingest_worker import IngestWorkerDied, ProcessIndexWriter

ROOT = Path(__file__).resolve().parents[2]


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


def _writer(tmp_path: Path, idle_s: float = 60.0) -> ProcessIndexWriter:
    settings = Settings(index_dir=tmp_path / "index", ingest_worker_idle_s=idle_s)
    return ProcessIndexWriter(settings, embeddings=None)  # type: ignore[arg-type]


@pytest.fixture
def writer(tmp_path):
    w = _writer(tmp_path)
    yield w
    w.close()


def _gone(pid: int, within_s: float = 10.0) -> bool:
    deadline = time.time() + within_s
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[-1][0] != "Z"


def test_writes_run_in_one_persistent_niced_process(tmp_path):
    writer = _writer(tmp_path)
    try:
        first = writer.call(os.getpid)
        assert first != os.getpid()
        assert writer.call(os.getpid) == first  # the encoder is loaded once, not per upload
        assert writer.call(_niceness) >= 10
        assert writer.worker_pid() == first
    finally:
        writer.close()
    assert not _alive(first)


def test_an_error_in_the_worker_reaches_the_caller_with_its_type(writer):
    with pytest.raises(ValueError, match="invalid literal"):
        writer.call(int, "not a number")
    assert writer.call(int, "7") == 7  # the worker survives its job's error


def test_a_killed_worker_fails_its_write_clearly_and_the_next_write_starts_a_new_one(writer):
    first = writer.call(os.getpid)
    with pytest.raises(IngestWorkerDied, match="keeps its last commit"):
        writer.call(os._exit, 3)
    second = writer.call(os.getpid)
    assert second != first


def test_the_worker_outlives_the_request_thread_that_started_it(writer):
    """Server request threads come and go; the worker must stay (a parent-death signal
    bound to the spawning thread killed it between two uploads)."""
    started: list[int] = []
    thread = threading.Thread(target=lambda: started.append(writer.call(os.getpid)))
    thread.start()
    thread.join()
    time.sleep(1.0)
    assert _alive(started[0])
    assert writer.call(os.getpid) == started[0]


def test_a_worker_killed_while_idle_is_replaced_without_failing_the_next_write(writer):
    pid = writer.call(os.getpid)
    os.kill(pid, signal.SIGKILL)
    assert _gone(pid)
    time.sleep(0.5)  # the pool notices
    assert writer.call(os.getpid) not in (pid, os.getpid())


def test_an_idle_worker_stops_and_gives_its_memory_back(tmp_path):
    writer = _writer(tmp_path, idle_s=0.3)
    try:
        pid = writer.call(os.getpid)
        assert _gone(pid)
        assert writer.worker_pid() is None
        assert writer.call(os.getpid) != pid  # and comes back on the next write
    finally:
        writer.close()


def test_the_worker_dies_with_a_killed_server(tmp_path):
    """A SIGKILLed server must not leave an orphan ingest holding the index lock."""
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from core.settings import Settings
        from server.ingest_worker import ProcessIndexWriter
        w = ProcessIndexWriter(Settings(index_dir={str(tmp_path / "index")!r}), None)
        print(w.call(os.getpid), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    assert _gone(int(proc.stdout.split()[0]))


@pytest.mark.slow
def test_upload_runs_in_the_worker_and_is_found_by_dense_search(small_index, tmp_path):
    """The worker commits in its own process; the server's searcher, which had the vector
    store open before, must find the new chunk by its vector (a stale embedded client counts
    the new vectors but never returns them)."""
    from server.service import ReportQAService

    settings, _ = small_index
    index = tmp_path / "index"
    shutil.copytree(settings.index_dir, index)
    service = ReportQAService(
        settings.model_copy(update={"index_dir": index, "upload_dir": tmp_path / "uploads"})
    )
    try:
        before = service.searcher.search("开工率", k=3)  # opens the vector store now
        assert before
        fact = "青松县2031年新建智慧灯杆4321根，覆盖全部乡镇主干道。"
        result = service.upload(
            "青松县灯杆工作汇报.txt", f"青松县2031年工作汇报\n{fact}\n".encode()
        )
        assert result.status == "indexed" and result.chunks >= 1
        assert isinstance(service.writer, ProcessIndexWriter)
        assert service.writer.worker_pid() not in (None, os.getpid())
        hits = service.searcher.search("智慧灯杆新建多少根", k=3, mode="dense")
        assert any("4321" in p.text for p in hits), [p.text[:40] for p in hits]
        doc_id = next(d["doc_id"] for d in service.documents() if "灯杆" in d["source"])
        assert service.delete_document(doc_id)["removed"]
        hits = service.searcher.search("智慧灯杆新建多少根", k=3, mode="dense")
        assert not any("4321" in p.text for p in hits)
    finally:
        service.writer.close()


@pytest.mark.slow
def test_a_cli_ingest_from_another_process_is_found_by_a_running_searcher(small_index, tmp_path):
    from rag.retrieve import Searcher

    settings, _ = small_index
    index = tmp_path / "index"
    shutil.copytree(settings.index_dir, index)
    searcher = Searcher(settings.model_copy(update={"index_dir": index}))
    assert searcher.search("开工率", k=3, mode="dense")  # the vector store is open
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "r.txt").write_text("白杨镇2031年工作总结\n白杨镇2031年建成口袋公园37个。\n")
    subprocess.run(
        [sys.executable, "-m", "ingest", str(folder), "--quiet"],
        cwd=ROOT,
        env={**os.environ, "REPORTQA_INDEX_DIR": str(index)},
        check=True,
        capture_output=True,
    )
    hits = searcher.search("口袋公园建成多少个", k=3, mode="dense")
    assert any("37个" in p.text for p in hits), [p.text[:40] for p in hits]
