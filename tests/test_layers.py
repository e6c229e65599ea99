"""The package layers are a contract: core ← models ← index ← {ingest, rag} ← server ← eval."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "models", "index", "ingest", "rag", "server", "eval")
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def test_the_tree_keeps_its_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_backward_import_breaks_the_contract(tmp_path):
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    # the shared core reaching up into the answer chain is exactly what the contract forbids
    (tmp_path / "core" / "backward.py").write_text("import rag.answer  # noqa: F401\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "core.backward -> rag.answer" in result.stdout


def test_nothing_imports_bench_eval_or_app():
    pattern = re.compile(r"^\s*(?:from|import)\s+(?:bench|eval|app)\b", re.M)
    offenders = [
        str(path.relative_to(ROOT))
        for name in ("core", "models", "index", "ingest", "rag", "server")
        for path in (ROOT / name).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
