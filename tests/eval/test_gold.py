"""Validation of the gold evaluation set ``eval/gold.jsonl``.

Checks that every item is well formed and grounded in the raw corpus files
under ``data/``: evidence is an exact substring of its source file, answers
occur in (or right next to) the evidence, and the set covers every document
and every report inside the multi-report file.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
GOLD = ROOT / "eval" / "gold.jsonl"
DATA = ROOT / "data"

REQUIRED = (
    "id",
    "question",
    "answers",
    "match",
    "evidence",
    "source",
    "title",
    "type",
    "difficulty",
)
TYPES = {"numeric", "entity", "list", "reasoning", "multi-turn", "unanswerable"}
DIFFICULTIES = {"easy", "medium", "hard"}
MATCHES = {"any", "all"}
ROLES = {"user", "assistant"}

MULTI_REPORT_PREFIX = "004_"
# Title lines inside the multi-report file look like "【紫金县招商】2021年紫金县政府工作报告".
REPORT_TITLE_RE = re.compile(r"^【[^】]*招商】(.+?)\s*$", re.M)
EXPECTED_REPORT_KEYS = (
    "云浮",
    "榕城区",
    "阳东区",
    "江城区",
    "紫金县",
    "南山区",
    "泗水镇",
    "荷塘镇",
    "潭江镇",
    "古丁镇",
)

ANSWER_WINDOW = 200
EVIDENCE_MIN, EVIDENCE_MAX = 15, 120

MIN_TOTAL = 80
MIN_UNANSWERABLE = 10
MIN_MULTI_TURN = 8


def normalize(text):
    """Drop all whitespace and map full-width ASCII (incl. ％) to half-width."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        elif ch == "\u3000":
            continue
        if ch.isspace():
            continue
        out.append(ch)
    return "".join(out)


def _load_lines():
    assert GOLD.is_file(), f"missing {GOLD}"
    with GOLD.open(encoding="utf-8") as fh:
        return [line for line in fh.read().splitlines() if line.strip()]


def _load_items():
    return [json.loads(line) for line in _load_lines()]


@pytest.fixture(scope="module")
def items():
    return _load_items()


@pytest.fixture(scope="module")
def sources():
    files = sorted(DATA.glob("*.txt"))
    assert files, f"no corpus files in {DATA}"
    return {p.name: p.read_text(encoding="utf-8") for p in files}


@pytest.fixture(scope="module")
def reports(sources):
    """(title, start, end) spans of the reports inside the multi-report file."""
    names = [n for n in sources if n.startswith(MULTI_REPORT_PREFIX)]
    assert len(names) == 1, f"expected one {MULTI_REPORT_PREFIX}* file, got {names}"
    text = sources[names[0]]
    matches = list(REPORT_TITLE_RE.finditer(text))
    spans = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        spans.append((m.group(1), m.end(), end))
    return names[0], spans


def _answerable(items):
    return [it for it in items if it["type"] != "unanswerable"]


# ---------------------------------------------------------------- structure


def test_every_line_is_json_object():
    lines = _load_lines()
    assert lines, "gold file is empty"
    for n, line in enumerate(lines, 1):
        obj = json.loads(line)
        assert isinstance(obj, dict), f"line {n} is not a JSON object"


def test_required_fields_and_types(items):
    for it in items:
        missing = [k for k in REQUIRED if k not in it]
        assert not missing, f"{it.get('id')}: missing {missing}"
        for key in ("id", "question", "match", "evidence", "source", "title", "type", "difficulty"):
            assert isinstance(it[key], str), f"{it['id']}: {key} must be a string"
        assert it["question"].strip(), f"{it['id']}: empty question"
        assert isinstance(it["answers"], list), f"{it['id']}: answers must be a list"
        for a in it["answers"]:
            assert isinstance(a, str) and a.strip(), f"{it['id']}: bad answer {a!r}"


def test_enum_values(items):
    for it in items:
        assert it["type"] in TYPES, f"{it['id']}: type {it['type']!r}"
        assert it["difficulty"] in DIFFICULTIES, f"{it['id']}: difficulty {it['difficulty']!r}"
        assert it["match"] in MATCHES, f"{it['id']}: match {it['match']!r}"


def test_ids_unique_and_well_formed(items):
    ids = [it["id"] for it in items]
    dupes = [i for i, c in Counter(ids).items() if c > 1]
    assert not dupes, f"duplicate ids: {dupes}"
    for i in ids:
        assert re.fullmatch(r"q\d{3,}", i), f"bad id {i!r}"


def test_canonical_first_item(items):
    first = items[0]
    assert first["id"] == "q001"
    assert first["question"] == "紫金县2021年GDP目标是多少"
    assert first["answers"] == ["7.5%"]
    assert "7.5%左右" in first["evidence"]
    assert "紫金县" in first["title"]


# ---------------------------------------------------------------- grounding


def test_unanswerable_iff_no_answers(items):
    for it in items:
        if it["type"] == "unanswerable":
            assert it["answers"] == [], f"{it['id']}: unanswerable item has answers"
            assert it["evidence"] == "" and it["source"] == "" and it["title"] == "", (
                f"{it['id']}: unanswerable item must have empty evidence/source/title"
            )
        else:
            assert it["answers"], f"{it['id']}: answerable item without answers"


def test_sources_exist(items, sources):
    for it in _answerable(items):
        assert it["source"] in sources, f"{it['id']}: unknown source {it['source']!r}"


def test_evidence_is_exact_substring(items, sources):
    for it in _answerable(items):
        ev = it["evidence"]
        assert EVIDENCE_MIN <= len(ev) <= EVIDENCE_MAX, f"{it['id']}: evidence length {len(ev)}"
        assert ev in sources[it["source"]], (
            f"{it['id']}: evidence not found verbatim in {it['source']}"
        )


def test_answers_occur_near_evidence(items, sources):
    for it in _answerable(items):
        text = sources[it["source"]]
        start = text.find(it["evidence"])
        assert start >= 0, f"{it['id']}: evidence not found"
        end = start + len(it["evidence"])
        window = normalize(text[max(0, start - ANSWER_WINDOW) : end + ANSWER_WINDOW])
        for answer in it["answers"]:
            assert normalize(answer) in window, f"{it['id']}: answer {answer!r} not near evidence"


def test_titles_match_sources(items, sources, reports):
    multi_name, spans = reports
    for it in _answerable(items):
        if it["source"] == multi_name:
            owner = [t for t, s, e in spans if s <= sources[multi_name].find(it["evidence"]) < e]
            assert owner, f"{it['id']}: evidence lies outside every report"
            assert it["title"] == owner[0], (
                f"{it['id']}: title {it['title']!r} but evidence is in {owner[0]!r}"
            )
        else:
            assert it["title"], f"{it['id']}: empty title"
            assert it["title"] in sources[it["source"]], (
                f"{it['id']}: title not found in {it['source']}"
            )


def test_multi_turn_history(items):
    for it in items:
        if it["type"] == "multi-turn":
            hist = it.get("history")
            assert isinstance(hist, list) and hist, (
                f"{it['id']}: multi-turn needs a non-empty history"
            )
            for turn in hist:
                assert isinstance(turn, dict), f"{it['id']}: history turn must be an object"
                assert set(turn) == {"role", "content"}, f"{it['id']}: history keys {sorted(turn)}"
                assert turn["role"] in ROLES, f"{it['id']}: bad role {turn['role']!r}"
                assert isinstance(turn["content"], str) and turn["content"].strip()
        elif "history" in it:
            assert isinstance(it["history"], list), f"{it['id']}: history must be a list"


# ---------------------------------------------------------------- coverage


def test_every_file_is_covered(items, sources):
    used = {it["source"] for it in _answerable(items)}
    missing = sorted(set(sources) - used)
    assert not missing, f"files without questions: {missing}"


def test_every_report_title_is_covered(items, reports):
    multi_name, spans = reports
    titles = [t for t, _, _ in spans]
    assert len(titles) == len(EXPECTED_REPORT_KEYS), f"expected ten reports, found {titles}"
    for key in EXPECTED_REPORT_KEYS:
        assert any(key in t for t in titles), f"no report title mentions {key}"
    used = Counter(it["title"] for it in items if it["source"] == multi_name)
    missing = [t for t in titles if not used[t]]
    assert not missing, f"reports without questions: {missing}"


def test_counts(items):
    types = Counter(it["type"] for it in items)
    assert len(items) >= MIN_TOTAL, f"only {len(items)} items"
    assert types["unanswerable"] >= MIN_UNANSWERABLE, f"only {types['unanswerable']} unanswerable"
    assert types["multi-turn"] >= MIN_MULTI_TURN, f"only {types['multi-turn']} multi-turn"
