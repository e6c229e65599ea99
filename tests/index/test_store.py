"""A damaged index gives one clear error that names the rebuild command, and the rebuild works.

Each test breaks one file of a COPY of a small real index (see ``tests/corrupt.py``): a
truncated manifest, a truncated keyword-index ``rows.json``, a chunk records file cut mid-line,
and a garbled Chroma sqlite file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from index.store import IndexPaths, IndexUnavailable, check_index_files, load_manifest
from rag.retrieve import Searcher
from tests.corrupt import KINDS, REBUILD, broken_copy

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
QUERY = "重点项目开工率"


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "chunk_records"])
def test_search_over_a_broken_index_raises_index_unavailable(
    small_index, embeddings, tmp_path, kind
):
    settings, _ = small_index
    index = broken_copy(settings.index_dir, tmp_path / "index", kind)
    broken = settings.model_copy(update={"index_dir": index})
    with pytest.raises(IndexUnavailable) as info:
        Searcher(broken, embeddings=embeddings).search(QUERY)
    message = str(info.value)
    assert REBUILD in message and str(index) in message, message
    assert "\n" not in message  # one line, fit for a log and a JSON error


def test_truncated_chunk_records_keep_search_working_but_are_reported(
    small_index, embeddings, tmp_path
):
    """Queries read Chroma and the keyword index only, so they keep working; the damage is
    found by the index check (what /health runs) and by the next ingest that needs the records,
    both with the rebuild command."""
    from ingest.index import Ingestor

    settings, _ = small_index
    index = broken_copy(settings.index_dir, tmp_path / "index", "chunk_records")
    broken = settings.model_copy(update={"index_dir": index})
    assert Searcher(broken, embeddings=embeddings).search(QUERY)
    paths = IndexPaths(index)
    with pytest.raises(IndexUnavailable, match=re.escape(REBUILD)):
        check_index_files(paths, load_manifest(paths))
    new = tmp_path / "new"
    new.mkdir()
    (new / "2022年示例镇政府工作报告.txt").write_text(
        "2022年示例镇政府工作报告\n全镇地区生产总值增长5.1%。\n", encoding="utf-8"
    )
    with pytest.raises(IndexUnavailable, match=re.escape(REBUILD)):
        Ingestor(broken, embeddings=embeddings, progress=False).run([new])


@pytest.mark.parametrize("kind", KINDS)
def test_rebuild_command_repairs_a_broken_index(small_index, tmp_path, kind):
    """``python -m ingest --rebuild <folder>`` with REPORTQA_INDEX_DIR at the broken index,
    then a fresh process searches it (as a restarted server would)."""
    settings, data = small_index
    index = broken_copy(settings.index_dir, tmp_path / "index", kind)
    env = {**os.environ, "REPORTQA_INDEX_DIR": str(index), "REPORTQA_LLM": "extractive"}
    rebuild = _cli(env, "ingest", "--rebuild", "--quiet", str(data))
    assert rebuild.returncode == 0, rebuild.stderr
    search = _cli(env, "rag", "search", "--json", "-k", "3", QUERY)
    assert search.returncode == 0, search.stderr
    (result,) = json.loads(search.stdout)
    assert any("86.24%" in r["text"] for r in result["results"])
    paths = IndexPaths(index)
    check_index_files(paths, load_manifest(paths))  # no complaint left


def _cli(env: dict[str, str], module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m module args`` from the project root, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
