"""Faults at the HTTP API, against a real ``python app.py``: bad uploads and damaged indexes.

Uploads go to a server of this module's own (over a copy of the one-report ``small_index``), so
what they add cannot disturb the other API tests, and its process id is known for checking
what the server wrote to disk. Index damage is done to copies (``tests/corrupt.py``).

Contract checked here: every refusal is JSON ``{"error": {"message": ...}}`` whose message says
what to do; nothing answers 500; a refused upload changes nothing in the document list.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.corrupt import KINDS, REBUILD, broken_copy
from tests.server.conftest import start_server

pytestmark = pytest.mark.slow
MB = 2**20
DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass
class Live:
    """A running server: where to reach it, its process, its upload folder."""

    base: str
    proc: subprocess.Popen
    uploads: Path


@pytest.fixture(scope="module")
def live(small_index, tmp_path_factory) -> Iterator[Live]:
    settings, _ = small_index
    tmp = tmp_path_factory.mktemp("faults")
    shutil.copytree(settings.index_dir, tmp / "index")
    proc, base = start_server(tmp / "index", tmp)
    yield Live(base, proc, tmp / "uploads")
    proc.terminate()
    proc.wait(timeout=30)


def documents(base: str) -> list[tuple[str, str]]:
    r = httpx.get(f"{base}/api/documents", timeout=30)
    assert r.status_code == 200, r.text
    return sorted((d["doc_id"], d["source"]) for d in r.json()["documents"])


def upload(base: str, name: str, data: bytes, timeout: float = 300) -> httpx.Response:
    return httpx.post(
        f"{base}/api/documents", files={"files": (name, data, "text/plain")}, timeout=timeout
    )


def error_message(r: httpx.Response, status: int) -> str:
    """The JSON error of a refusal; fails on any other shape (HTML, plain text, FastAPI's
    ``{"detail": ...}``)."""
    assert r.status_code == status, r.text
    message = r.json()["error"]["message"]
    assert isinstance(message, str) and len(message) > 20
    return message


def written_bytes(pid: int) -> int:
    """Bytes the process has written to files so far (spooling an upload to disk shows here)."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise AssertionError("no wchar in /proc/<pid>/io")


# --------------------------------------------------------------------------------------------
# Uploads
# --------------------------------------------------------------------------------------------


def test_empty_file_is_refused(live):
    before = documents(live.base)
    message = error_message(upload(live.base, "empty.txt", b""), 400)
    assert "empty" in message and "upload it again" in message
    assert documents(live.base) == before


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>" * 50)
    return buf.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(os.urandom(64 * 1024), id="random"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4096), id="png"),
        pytest.param(_docx_bytes(), id="zip"),
        pytest.param(bytes(range(0x80, 0x100)) * 64, id="high-bytes-no-nul"),
    ],
)
def test_binary_content_named_txt_is_skipped_with_a_reason(live, data):
    before = documents(live.base)
    r = upload(live.base, "looks-like-text.txt", data)
    assert r.status_code == 200, r.text
    (res,) = r.json()["results"]
    assert res["status"] == "skipped" and res["chunks"] == 0
    assert "UTF-8" in res["detail"] or "binary" in res["detail"], res["detail"]
    assert documents(live.base) == before
    assert not (live.uploads / "looks-like-text.txt").exists()  # nothing left behind


@pytest.mark.parametrize("name", ["tool.exe", "report.doc", "photo.png", "README"])
def test_unsupported_type_is_415(live, name):
    before = documents(live.base)
    message = error_message(upload(live.base, name, "2022年某镇政府工作报告\n".encode()), 415)
    assert ".txt" in message and ".pdf" in message  # says what can be uploaded
    assert documents(live.base) == before


def test_200_mb_upload_is_refused_by_content_length_before_it_is_read(live, tmp_path):
    """httpx sends a file with its Content-Length: the server must answer 413 from the header,
    without spooling the 200 MB to disk (as Starlette's form parsing would) or into memory."""
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:  # sparse: 200 MB of body, no 200 MB of disk
        fh.truncate(200 * MB)
    before = documents(live.base)
    written = written_bytes(live.proc.pid)
    with open(big, "rb") as fh:
        r = httpx.post(f"{live.base}/api/documents", files={"files": ("huge.txt", fh)}, timeout=300)
    message = error_message(r, 413)
    assert "50 MB" in message and "REPORTQA_MAX_UPLOAD_MB" in message and "split" in message
    assert written_bytes(live.proc.pid) - written < 5 * MB
    assert documents(live.base) == before
    assert live.proc.poll() is None


def test_200_mb_chunked_upload_is_cut_off_at_the_limit(live):
    """Without Content-Length (chunked transfer) the server counts the bytes and stops at the
    limit: what it wrote is bounded by the 50 MB limit, not by the 200 MB sent."""
    boundary = "reportqa-fault-test"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="huge.txt"\r\nContent-Type: text/plain\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        block = "全县地区生产总值增长。\n".encode() * (MB // 32)
        sent = 0
        while sent < 200 * MB:
            yield block
            sent += len(block)
        yield tail

    before = documents(live.base)
    written = written_bytes(live.proc.pid)
    r = httpx.post(
        f"{live.base}/api/documents",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        timeout=300,
    )
    message = error_message(r, 413)
    assert "50 MB" in message and "REPORTQA_MAX_UPLOAD_MB" in message
    assert written_bytes(live.proc.pid) - written < 60 * MB
    assert documents(live.base) == before
    assert live.proc.poll() is None


GBK_REPORT = (
    "2022年柳溪镇政府工作报告\n"
    "——2022年1月12日在柳溪镇第十八届人民代表大会第一次会议上\n"
    "一、2021年工作回顾\n"
    "过去一年，全镇新建梨园种植基地860亩，茶叶产量达到2300吨，完成农村道路硬化42公里。\n"
    "二、2022年主要工作\n"
    "推进梨园标准化管理，扩大茶叶加工规模。\n"
)
BIG5_REPORT = (
    "2022年松山鎮政府工作報告\n"
    "一、2021年工作回顧\n"
    "過去一年，全鎮新建茶葉加工廠3座，竹筍產量達到1850噸，新增就業崗位420個。\n"
    "二、2022年主要工作\n"
    "推進竹筍深加工，擴大茶葉品牌影響。\n"
)


@pytest.mark.parametrize(
    ("encoding", "name", "text", "question", "fact"),
    [
        ("gbk", "柳溪镇.txt", GBK_REPORT, "柳溪镇新建梨园种植基地多少亩？", "860亩"),
        ("big5", "松山鎮.txt", BIG5_REPORT, "松山鎮竹筍產量達到多少噸？", "1850噸"),
    ],
)
def test_gbk_and_big5_reports_are_indexed_and_answered(live, encoding, name, text, question, fact):
    data = text.encode(encoding)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really a legacy encoding, not UTF-8 in disguise
    r = upload(live.base, name, data)
    assert r.status_code == 200, r.text
    (res,) = r.json()["results"]
    assert res["status"] == "indexed" and res["chunks"] >= 1, res
    ans = httpx.post(f"{live.base}/api/ask", json={"question": question}, timeout=120).json()
    assert fact in ans["answer"] and not ans["refused"], ans
    assert ans["citations"][0]["source"] == name
    # the same bytes under another name: deduplicated, not indexed twice
    before = documents(live.base)
    again = upload(live.base, f"副本-{name}", data).json()["results"][0]
    assert again["status"] == "unchanged" and again["filename"] == name
    assert documents(live.base) == before


def test_pdf_without_text_layer_is_reported_as_needing_ocr(live):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    before = documents(live.base)
    r = httpx.post(
        f"{live.base}/api/documents",
        files={"files": ("扫描件.pdf", buf.getvalue(), "application/pdf")},
        timeout=120,
    )
    assert r.status_code == 200, r.text
    (res,) = r.json()["results"]
    assert res["status"] == "skipped" and "OCR" in res["detail"] and "text layer" in res["detail"]
    assert documents(live.base) == before


def _raw_multipart(filename: bytes, data: bytes) -> tuple[bytes, str]:
    """A multipart body with the file name bytes exactly as given (httpx would escape a NUL)."""
    boundary = b"reportqa-name-test"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="files"; filename="' + filename + b'"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + data + b"\r\n--" + boundary + b"--\r\n"
    )
    return body, f"multipart/form-data; boundary={boundary.decode()}"


@pytest.mark.parametrize(
    "name",
    [
        b"../../etc/passwd.txt",
        b"../reports/x.txt",
        b"/etc/cron.d/x.txt",
        b"..\\..\\windows\\x.txt",
        b"a\x00b.txt",
        b"report.txt\x00.exe",
    ],
    ids=["dotdot", "dotdot-dir", "absolute", "backslash", "nul", "nul-suffix"],
)
def test_unsafe_file_names_are_refused(live, name):
    before = documents(live.base)
    body, ctype = _raw_multipart(name, "2022年某镇政府工作报告\n全镇新建公园1座。\n".encode())
    r = httpx.post(
        f"{live.base}/api/documents", content=body, headers={"content-type": ctype}, timeout=60
    )
    message = error_message(r, 400)
    assert "rename" in message or "bare name" in message
    assert documents(live.base) == before
    assert not any(live.uploads.parent.glob("passwd*")) and not Path("/etc/cron.d/x.txt").exists()


@pytest.mark.parametrize(
    "name",
    ["a" * 300 + ".txt", "长" * 300 + ".txt", "2022年" + "很长的名字" * 80 + "政府工作报告.txt"],
    ids=["ascii-300", "cjk-300", "cjk-report-400"],
)
def test_very_long_names_are_stored_under_a_safe_short_name(live, name):
    text = f"2022年长名镇政府工作报告\n全镇新建文化广场{zlib.crc32(name.encode())}平方米。\n"
    r = upload(live.base, name, text.encode())
    assert r.status_code == 200, r.text
    (res,) = r.json()["results"]
    assert res["status"] == "indexed", res
    stored = res["filename"]
    assert stored.endswith(".txt") and len(stored.encode()) <= 200
    assert (live.uploads / stored).is_file()
    assert any(src == stored for _, src in documents(live.base))


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # the thread ended meanwhile
        return ""


def _ingest_worker(server_pid: int) -> int | None:
    """The server's ingest worker process, once it runs an ingest (its status file says so)."""
    from core import cpu

    children = [  # a child belongs to the thread that spawned it: read every thread's list
        c for t in Path(f"/proc/{server_pid}/task").iterdir() for c in _read(t / "children").split()
    ]
    running = {job.pid for job in cpu.running_ingests()}
    return next((int(c) for c in children if int(c) in running), None)


def test_an_upload_whose_ingest_process_is_killed_fails_clearly_and_a_retry_indexes_it(live):
    data = (
        "青山县2031年工作总结（故障测试）\n".encode()
        + (DATA / "004_8a7bc9ce6e61cdbb.txt").read_bytes()
    )
    result: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: result.append(upload(live.base, "故障测试.txt", data)))
    sender.start()
    deadline = time.time() + 180
    worker = None
    while worker is None and time.time() < deadline and sender.is_alive():
        worker = _ingest_worker(live.proc.pid)
        time.sleep(0.1)
    assert worker, "the upload's ingest never started in a worker process"
    os.kill(worker, signal.SIGKILL)
    sender.join(timeout=120)
    message = error_message(result[0], 503)
    assert "keeps its last commit" in message
    assert not any("故障测试" in source for _, source in documents(live.base))
    retry = upload(live.base, "故障测试.txt", data)  # a new worker takes it
    assert retry.status_code == 200 and retry.json()["results"][0]["status"] == "indexed"


def test_refused_reupload_keeps_the_indexed_file(live):
    """Re-uploading a name with content that cannot be indexed is skipped and leaves the
    earlier, indexed version of that file in place."""
    good = "2022年石桥镇政府工作报告\n全镇新建污水处理站5座。\n".encode()
    r = upload(live.base, "石桥镇.txt", good)
    assert r.json()["results"][0]["status"] == "indexed", r.text
    before = documents(live.base)
    r = upload(live.base, "石桥镇.txt", os.urandom(8192))
    assert r.json()["results"][0]["status"] == "skipped", r.text
    assert documents(live.base) == before
    assert (live.uploads / "石桥镇.txt").read_bytes() == good


def test_mixed_batch_reports_each_file(live):
    files = [
        (
            "files",
            ("2022年北岭乡政府工作报告.txt", "2022年北岭乡政府工作报告\n新建桥梁3座。\n".encode()),
        ),
        ("files", ("../bad.txt", b"x")),
        ("files", ("tool.exe", b"MZ")),
        ("files", ("empty.txt", b"")),
    ]
    r = httpx.post(f"{live.base}/api/documents", files=files, timeout=300)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["indexed", "rejected", "rejected", "rejected"]
    assert all(x["detail"] for x in results[1:])


# --------------------------------------------------------------------------------------------
# Damaged index
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_server_over_a_damaged_index_stays_up_and_says_how_to_rebuild(small_index, tmp_path, kind):
    """The server starts (no crash, no restart loop) and answers:

    * ``/health``: **200** with ``"status": "degraded"`` and ``error.message`` naming the
      rebuild command. 200 because the process is alive and serving; a failing health check
      would make a supervisor restart it, which cannot repair files on disk.
    * ``/api/search`` and ``/api/ask``: JSON 503 with the same message, never a 500; for a
      truncated chunk records file they keep working (queries never read those files) and
      the upload, which needs them, gets the 503 instead.
    """
    settings, _ = small_index
    index = broken_copy(settings.index_dir, tmp_path / "index", kind)
    proc, base = start_server(index, tmp_path)
    try:
        health = httpx.get(f"{base}/health", timeout=30)
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "degraded", body
        assert REBUILD in body["error"]["message"] and str(index) in body["error"]["message"]

        search = httpx.post(f"{base}/api/search", json={"query": "重点项目开工率"}, timeout=60)
        ask = httpx.post(f"{base}/api/ask", json={"question": "重点项目开工率是多少"}, timeout=60)
        if kind == "chunk_records":
            assert search.status_code == 200 and search.json()["results"]
            assert "86.24%" in ask.json()["answer"]
            before = documents(base)
            r = upload(base, "2022年新村镇政府工作报告.txt", "新建水厂1座。\n".encode())
            assert REBUILD in error_message(r, 503)
            assert documents(base) == before
            assert not (tmp_path / "uploads" / "2022年新村镇政府工作报告.txt").exists()
        else:
            assert REBUILD in error_message(search, 503)
            assert REBUILD in error_message(ask, 503)
        docs = httpx.get(f"{base}/api/documents", timeout=30)
        if kind == "manifest":
            assert REBUILD in error_message(docs, 503)
        else:
            assert docs.status_code == 200
        assert httpx.get(f"{base}/", timeout=30).status_code == 200  # the UI still loads
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    log = next(tmp_path.glob("server-*.log")).read_text()
    assert "Traceback" not in log, log[-3000:]
