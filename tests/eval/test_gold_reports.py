"""Validation of ``eval/gold_reports.jsonl``, the questions over the external reports.

The structure checks always run; the grounding checks (evidence verbatim in its report, answers
next to it) read the reports from ``../shared/external/reports`` and skip when it is absent.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
GOLD = ROOT / "eval" / "gold_reports.jsonl"
REPORTS = ROOT.parent / "shared" / "external" / "reports"

REQUIRED = ("id", "question", "answers", "match", "evidence", "source", "title", "type")
TYPES = {"numeric", "entity", "list", "reasoning", "unanswerable"}
DIFFICULTIES = {"easy", "medium", "hard"}
TRAPS = {
    "target-vs-actual",
    "five-year-vs-annual",
    "national-vs-province",
    "province-vs-province",
    "year-not-covered",
    "place-not-covered",
    "metric-not-reported",
    "metric-not-in-lexicon",
    "target-in-plan-section",
    "target-list",
}
ANSWER_WINDOW = 200
SECTION_WINDOW = 20_000
MIN_TOTAL, MIN_UNANSWERABLE, MIN_LIST = 60, 12, 5


def _norm(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def items() -> list[dict]:
    with GOLD.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def reports() -> dict[str, str]:
    files = sorted(REPORTS.glob("*.txt")) if REPORTS.is_dir() else []
    if not files:
        pytest.skip(f"external reports not present in {REPORTS}")
    return {p.name: p.read_text(encoding="utf-8") for p in files}


def _answerable(items: list[dict]) -> list[dict]:
    return [it for it in items if it["type"] != "unanswerable"]


def test_fields_and_values(items: list[dict]) -> None:
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for it in items:
        missing = [k for k in REQUIRED if k not in it]
        assert not missing, f"{it.get('id')}: missing {missing}"
        assert re.fullmatch(r"r\d{3}", it["id"]), it["id"]
        assert it["type"] in TYPES and it["difficulty"] in DIFFICULTIES, it["id"]
        assert it["match"] in {"any", "all"}, it["id"]
        assert it.get("trap", "target-vs-actual") in TRAPS, it["id"]
        assert all(isinstance(a, str) and a.strip() for a in it["answers"]), it["id"]


def test_counts_and_mix(items: list[dict]) -> None:
    types = Counter(it["type"] for it in items)
    assert len(items) >= MIN_TOTAL
    assert types["unanswerable"] >= MIN_UNANSWERABLE
    assert types["list"] >= MIN_LIST
    assert types["entity"] and types["reasoning"]
    assert sum(1 for it in items if it.get("trap")) >= 20, "too few scope traps"


def test_unanswerable_marked_like_the_own_gold(items: list[dict]) -> None:
    for it in items:
        if it["type"] == "unanswerable":
            assert it["answers"] == [] and it["evidence"] == it["source"] == it["title"] == ""
        else:
            assert it["answers"] and it["evidence"] and it["source"], it["id"]


def test_lists_need_every_item(items: list[dict]) -> None:
    for it in items:
        if it["type"] == "list":
            assert it["match"] == "all" and len(it["answers"]) >= 2, it["id"]


def test_evidence_is_verbatim_in_its_report(items: list[dict], reports: dict[str, str]) -> None:
    assert len(reports) == 4
    used = set()
    for it in _answerable(items):
        assert it["source"] in reports, f"{it['id']}: unknown source {it['source']}"
        text = reports[it["source"]]
        assert 15 <= len(it["evidence"]) <= 120, it["id"]
        start = text.find(it["evidence"])
        assert start >= 0, f"{it['id']}: evidence not verbatim in {it['source']}"
        end = start + len(it["evidence"])
        # an outline question's items are the headings of one section, after its first one
        after = SECTION_WINDOW if it.get("span") == "section" else ANSWER_WINDOW
        window = _norm(text[max(0, start - ANSWER_WINDOW) : end + after])
        for answer in it["answers"]:
            assert _norm(answer) in window, f"{it['id']}: {answer!r} not near the evidence"
        assert it["title"] == text.splitlines()[0].strip(), it["id"]
        used.add(it["source"])
    assert used == set(reports), "every report needs questions"


def test_unanswerable_answers_are_absent(items: list[dict], reports: dict[str, str]) -> None:
    """A refusal question must not name a place the reports cover as its only subject by
    accident: at least the places it names outside the set are absent from every report."""
    corpus = "".join(reports.values())
    for place in ("广东", "湖南"):
        assert place not in corpus
        assert any(place in it["question"] for it in items if it["type"] == "unanswerable")


def test_no_report_text_beyond_short_evidence(items: list[dict]) -> None:
    """The question file quotes the reports only in short evidence strings."""
    assert GOLD.stat().st_size < 400 * len(items)  # ~350 bytes a question, evidence included
    assert max(len(it["evidence"]) for it in items) <= 120
