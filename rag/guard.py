"""The injection guard: instruction-like sentences never reach the model or an extractive quote.

The passage itself, its citations and offsets are untouched; only what the model reads is
filtered. The patterns are data (``resources/injection.toml``).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from core.text import SENTENCE

_RULES = Path(__file__).with_name("resources") / "injection.toml"


@lru_cache(maxsize=1)
def _instruction() -> re.Pattern[str]:
    data = tomllib.loads(_RULES.read_text(encoding="utf-8"))
    return re.compile("|".join(f"(?:{p})" for p in data["patterns"]), re.I)


def is_instruction(sentence: str) -> bool:
    """Whether a sentence gives orders to an AI."""
    return bool(_instruction().search(sentence))


def strip_instructions(text: str) -> str:
    """The passage without its instruction-like sentences (line breaks kept)."""
    return SENTENCE.sub(lambda m: "" if is_instruction(m.group(0)) else m.group(0), text)


__all__ = ["is_instruction", "strip_instructions"]
