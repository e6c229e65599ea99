"""Prompt files: the wording the models and users see lives in ``prompts/``, not in code."""

from __future__ import annotations

from functools import lru_cache

from core.settings import PROJECT_ROOT

PROMPTS = PROJECT_ROOT / "prompts"


@lru_cache(maxsize=16)
def prompt_text(name: str) -> str:
    """Prompt text from ``prompts/`` (kept out of code so it can be edited and reviewed)."""
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


def refusal_text() -> str:
    """What the user reads when the documents do not hold the answer."""
    return prompt_text("refusal.txt")


__all__ = ["PROMPTS", "prompt_text", "refusal_text"]
