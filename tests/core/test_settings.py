"""The README's configuration table lists every setting with its real default."""

from __future__ import annotations

import re
from pathlib import Path

from core.settings import PROJECT_ROOT, Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _shown(default: object) -> str:
    if isinstance(default, Path):
        try:
            return str(default.relative_to(PROJECT_ROOT))
        except ValueError:
            return str(default).replace(str(Path.home()), "~")
    return "(empty)" if default == "" else str(default)


def test_readme_table_matches_settings():
    rows = dict(re.findall(r"^\| `(REPORTQA_\w+)` \| ([^|]+) \|", README.read_text(), re.M))
    for name, field in Settings.model_fields.items():
        key = f"REPORTQA_{name.upper()}"
        assert key in rows, f"{key} missing from the README"
        assert rows[key].strip().strip("`") == _shown(field.default), key


def test_env_prefix(monkeypatch):
    monkeypatch.setenv("REPORTQA_LLM", "extractive")
    monkeypatch.setenv("REPORTQA_TOP_K", "7")
    s = Settings()
    assert s.llm == "extractive" and s.top_k == 7
