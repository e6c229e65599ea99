"""The answer chain with the extractive backend on the real sample index (the local LLM is
exercised by the evaluation gate and tests/rag/test_llm.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def answerer(sample_index, searcher):
    from rag.answer import Answerer

    settings, _ = sample_index
    return Answerer(settings, searcher=searcher)


def test_canonical_question_is_answered_and_cited(answerer):
    r = answerer.ask("紫金县2021年GDP目标是多少")
    assert not r.refused and "7.5%" in r.answer and "[" in r.answer
    c = r.citations[0]
    assert c.verified and c.region == "紫金县" and c.year == 2021
    source = (DATA / c.source).read_text(encoding="utf-8")
    assert "7.5%左右" in source[c.start : c.end]
    assert c.quote.replace("\n", "") in source[c.start : c.end].replace("\n", "")


def test_an_answer_holds_the_machines_answering_signal(answerer, tmp_path, monkeypatch):
    """Retrieval and reading count as answering, not only a generation: an ingest beside the
    answer keeps to its own core meanwhile (``core.cpu``). The signal is machine-wide, so the
    test reads a private one: other answers on the machine must not decide it."""
    from core import cpu

    monkeypatch.setattr(cpu, "signal_dir", lambda settings=None: tmp_path)

    stream = answerer.stream("紫金县2021年GDP目标是多少")
    next(stream)
    assert cpu.answer_in_progress(answerer.settings)
    list(stream)
    assert not cpu.answer_in_progress(answerer.settings)


def test_actual_not_target_for_last_year(answerer):
    r = answerer.ask("阳东区2020年GDP是多少")
    assert "308.56亿元" in r.answer


@pytest.mark.parametrize(
    "question",
    ["紫金县2023年GDP目标是多少", "深圳市2021年GDP是多少", "北京市海淀区2021年财政收入是多少"],
)
def test_unanswerable_is_refused(answerer, question):
    r = answerer.ask(question)
    assert r.refused and "未找到" in r.answer and not r.citations


def test_follow_up_is_rewritten(answerer):
    history = [
        {"role": "user", "content": "紫金县2021年GDP目标是多少"},
        {"role": "assistant", "content": "地区生产总值增长7.5%左右[1]。"},
    ]
    r = answerer.ask("那阳东区呢？", history=history)
    assert "阳东区" in r.standalone_question and "2021" in r.standalone_question
    assert "6-7%" in r.answer


def test_ask_cli_json(sample_index):
    settings, _ = sample_index
    env = {
        **os.environ,
        "REPORTQA_INDEX_DIR": str(settings.index_dir),
        "REPORTQA_LLM": "extractive",
    }
    out = subprocess.run(
        [sys.executable, "-m", "rag", "ask", "--json", "紫金县2021年GDP目标是多少"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    (item,) = json.loads(out.stdout)
    assert set(item) >= {"question", "answer", "refused", "citations", "timings"}
    assert set(item["citations"][0]) >= {
        "n",
        "title",
        "region",
        "year",
        "source",
        "heading",
        "quote",
        "start",
        "end",
        "verified",
    }
    assert set(item["timings"]) >= {"retrieve_ms", "generate_ms", "total_ms"}


def test_a_section_question_is_answered_with_its_numbered_items(answerer):
    """ "…主要工作安排有哪些？" lists the section's items （一）…（六）, each cited to the span of
    the source file where it is written."""
    r = answerer.ask("紫金县2021年主要工作安排有哪些？")
    assert not r.refused and r.verified
    for n in "一二三四五六":
        assert f"({n})" in r.answer
    assert r.answer.index("(一)") < r.answer.index("(六)")
    for c in r.citations:
        source = (DATA / c.source).read_text(encoding="utf-8")
        assert c.verified and c.quote.replace("\n", "")[:8] in source[c.start : c.end]


def test_who_delivered_a_report_is_read_from_its_opening_lines(answerer):
    r = answerer.ask("云浮市2021年政府工作报告是谁作的？")
    assert not r.refused and "王胜" in r.answer
    assert r.citations and "王胜" in r.citations[0].quote
    when = answerer.ask("云浮市2021年政府工作报告是在哪次会议上作的？")
    assert "2021年2月1日" in when.answer and "第六届人民代表大会第七次会议" in when.answer
