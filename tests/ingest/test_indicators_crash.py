"""The indicator table through real ingest runs: nothing is extracted again for unchanged
files, --prune drops a file's rows, and ``kill -9`` during extraction leaves the table and the
chunks consistent with the committed manifest."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

import ingest.extract_indicators as extraction
from index.indicators import IndicatorQuery, IndicatorStore, db_path, extracted_versions
from index.store import IndexPaths, load_manifest
from ingest.index import Ingestor
from tests.ingest.test_crash import _check, _ingest, _run

pytestmark = pytest.mark.slow


def _place(i: int) -> str:
    return f"{'甲乙丙丁戊己庚辛壬癸'[i // 8]}{'山水林田湖川溪岭'[i % 8]}县"


def _report(i: int, growth: float) -> str:
    """A short synthetic report with a target list (places are made up)."""
    return (
        f"2030年{_place(i)}政府工作报告\n一、2029年工作回顾\n全年地区生产总值增长{i % 5 + 3}%。\n"
        f"二、2030年工作安排\n主要预期目标是：地区生产总值增长{growth}%左右；"
        f"固定资产投资增长{i % 7 + 5}%；城镇登记失业率控制在3.5%以内。\n"
    )


def _write(folder: Path, count: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        (folder / f"r{i:03d}.txt").write_text(_report(i, 6.0), encoding="utf-8")


def _gdp_targets(index: Path) -> dict[str, float]:
    rows, _ = IndicatorStore(index).query(
        IndicatorQuery(metric="地区生产总值", kind="target", limit=10_000)
    )
    return {r.place: r.value for r in rows}


def test_unchanged_files_are_not_extracted_again_and_prune_drops_rows(
    tmp_path, settings_factory, embeddings, monkeypatch
):
    folder = tmp_path / "src"
    _write(folder, 3)
    settings = settings_factory(tmp_path / "index")
    calls: list[str] = []
    real = extraction.extract_file
    monkeypatch.setattr(
        extraction, "extract_file", lambda p, *a, **k: calls.append(p.name) or real(p, *a, **k)
    )
    Ingestor(settings, embeddings=embeddings, progress=False).run([folder])
    assert sorted(calls) == ["r000.txt", "r001.txt", "r002.txt"]
    assert _gdp_targets(settings.index_dir) == {_place(i): 6.0 for i in range(3)}
    calls.clear()
    Ingestor(settings, embeddings=embeddings, progress=False).run([folder])
    assert calls == []  # unchanged: not even read
    (folder / "r001.txt").write_text(_report(1, 8.5), encoding="utf-8")
    Ingestor(settings, embeddings=embeddings, progress=False).run([folder])
    assert calls == ["r001.txt"]
    assert _gdp_targets(settings.index_dir)[_place(1)] == 8.5
    assert len(extracted_versions(settings.index_dir)) == 3  # the old version's rows are gone
    (folder / "r002.txt").unlink()
    Ingestor(settings, embeddings=embeddings, progress=False).run([folder], prune=True)
    assert set(_gdp_targets(settings.index_dir)) == {_place(0), _place(1)}
    assert len(extracted_versions(settings.index_dir)) == 2


def _kill_during_extraction(index: Path, folder: Path, expected: int) -> bool:
    """Start an ingest and ``kill -9`` it once some but not all files are extracted."""
    proc = _ingest(index, folder)
    deadline = time.time() + 300
    db = db_path(index)
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=0.05) as con:
                    done = con.execute("SELECT COUNT(*) FROM extractions").fetchone()[0]
            except sqlite3.Error:
                done = 0
            if 0 < done - expected[0] < expected[1]:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
        time.sleep(0.002)
    proc.communicate(timeout=300)
    return False


def _assert_table_consistent(index: Path) -> set[tuple[str, str]]:
    """Each file version's rows are whole, readers see only committed places; returns the
    stored file versions the manifest does not commit (written, not yet trusted)."""
    manifest = load_manifest(IndexPaths(index))
    committed = {(k, e.sha256) for k, e in manifest.files.items()}
    rows, total = IndicatorStore(index).query(IndicatorQuery(limit=100_000))
    assert len(rows) == total
    with sqlite3.connect(db_path(index)) as con:
        stored = con.execute("SELECT file_key, sha256, records FROM extractions").fetchall()
        for key, sha, count in stored:
            n = con.execute(
                "SELECT COUNT(*) FROM records WHERE file_key=? AND sha256=?", (key, sha)
            ).fetchone()[0]
            assert n == count, "a file's rows were written in part"
    places = {d["region"] for e in manifest.files.values() for d in e.documents}
    assert {r.place for r in rows} <= places
    return {(k, s) for k, s, _ in stored} - committed


def test_kill_during_extraction_leaves_table_and_chunks_consistent(
    tmp_path, settings_factory, embeddings
):
    folder = tmp_path / "src"
    _write(folder, 10)
    index = tmp_path / "index"
    _run(index, folder)
    before = _gdp_targets(index)
    # a second run: 30 new files and one changed file to extract
    _write(folder, 30, start=10)
    (folder / "r000.txt").write_text(_report(0, 9.5), encoding="utf-8")
    killed = _kill_during_extraction(index, folder, expected=(10, 31))
    assert killed, "the ingest finished before it could be killed during extraction"
    pending = _assert_table_consistent(index)
    assert pending, "the killed run had extracted files it never committed"
    assert _gdp_targets(index) == before  # readers still see the committed state only
    _check(index, settings_factory, embeddings, complete=False)
    _run(index, folder)  # the next run completes the job
    assert not _assert_table_consistent(index)
    after = _gdp_targets(index)
    assert len(after) == 40 and after[_place(0)] == 9.5
    manifest = load_manifest(IndexPaths(index))
    assert set(extracted_versions(index)) == {(k, e.sha256) for k, e in manifest.files.items()}
    _check(index, settings_factory, embeddings, complete=True)
