"""Reading metrics on small hand-made records (no models)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.normalize_answer import answer_matches, loose_contains
from eval.output import summary_text
from eval.reader_metrics import (
    answer_chars,
    answerability_curve,
    answerability_metrics,
    item_recall,
    reader_summary,
)
from eval.records import hit_rank, score_answer
from eval.report import render_markdown

LIST_ITEM = {
    "id": "r001",
    "type": "list",
    "match": "all",
    "answers": ["汽车", "钢铁", "化工"],
    "evidence": "",
    "source": "a.txt",
}


def _rec(unanswerable: bool, refused: bool, correct: bool, score: float | None = None) -> dict:
    rec = {"unanswerable": unanswerable, "refused": refused, "correct": correct, "answer": "甲"}
    if score is not None:
        rec["answerability"] = score
    return rec


def test_loose_match_is_the_published_rule() -> None:
    assert loose_contains("答案是 ＡＢＣ 公司[1]。", "abc公司")
    assert loose_contains("在孟 买[2]", "孟买")
    assert not loose_contains("答案", "")
    # no number boundaries: the published rule is plain containment
    assert answer_matches("增长17%", ["7%"], "loose")
    assert not answer_matches("增长17%", ["7%"], "any")


def test_item_recall() -> None:
    assert item_recall(LIST_ITEM, "汽车、钢铁两大产业", refused=False) == pytest.approx(2 / 3)
    assert item_recall(LIST_ITEM, "汽车、钢铁、化工", refused=False) == 1.0
    assert item_recall(LIST_ITEM, "汽车", refused=True) == 0.0
    single = {**LIST_ITEM, "type": "numeric", "match": "any", "answers": ["6%"]}
    assert item_recall(single, "6%", refused=False) is None
    both = {**LIST_ITEM, "type": "numeric", "answers": ["2.1%", "2.5%"]}
    assert item_recall(both, "从2.1%提高到2.5%以上", refused=False) == 1.0
    assert item_recall({**LIST_ITEM, "type": "unanswerable", "answers": []}, "", False) is None


def test_answer_chars_ignores_markers() -> None:
    assert answer_chars(" 增长5%左右[1]。\n") == len("增长5%左右。")


def test_answerability_metrics() -> None:
    records = [
        _rec(False, False, True),
        _rec(False, False, False),
        _rec(False, True, False),  # false refusal
        _rec(True, True, True),  # right refusal
        _rec(True, False, False),  # answered an unanswerable one
    ]
    m = answerability_metrics(records)
    assert m["answerability_precision"] == pytest.approx(2 / 3)
    assert m["answerability_recall"] == pytest.approx(2 / 3)
    assert m["selective_accuracy"] == pytest.approx(1 / 3)
    assert answerability_metrics([])["answerability_precision"] is None


def test_answerability_curve() -> None:
    assert answerability_curve([_rec(False, False, True)]) is None
    records = [
        _rec(False, False, True, 0.9),
        _rec(True, False, False, 0.8),
        _rec(False, False, True, 0.6),
        _rec(True, True, True, 0.2),
    ]
    curve = answerability_curve(records)
    assert curve is not None and curve["n"] == 4
    by_t = {p["threshold"]: p for p in curve["points"]}
    assert set(by_t) == {0.9, 0.8, 0.6, 0.2}
    assert by_t[0.9]["precision"] == 1.0 and by_t[0.9]["recall"] == 0.5
    assert by_t[0.6]["precision"] == pytest.approx(2 / 3) and by_t[0.6]["recall"] == 1.0
    assert by_t[0.2]["kept"] == 4
    assert curve["average_precision"] == pytest.approx((1 + 2 / 3) / 2)


def test_curve_thresholds_are_capped() -> None:
    records = [_rec(i % 3 == 0, False, True, i / 100) for i in range(100)]
    points = answerability_curve(records)["points"]
    assert len(points) <= 14 and points[-1]["threshold"] == 0.0


def test_reader_summary_and_report() -> None:
    records = [
        {**_rec(False, False, True, 0.9), "item_recall": 0.5, "trap": "target-vs-actual"},
        {**_rec(True, True, True, 0.1), "trap": "year-not-covered", "answer": "未找到"},
    ]
    reader = reader_summary(records)
    assert reader["list_item_recall"] == 0.5 and reader["answer_chars_p50"] == 1
    assert reader["by_trap"]["target-vs-actual"] == {"n": 1, "accuracy": 1.0}
    assert reader["answerability_curve"]["average_precision"] == 1.0
    result = {
        "run": "reports-hybrid-extractive",
        "corpus": "reports",
        "n_questions": 2,
        "seconds": 1.0,
        "options": {"retriever": "hybrid", "llm": "extractive", "gold": "g"},
        "retrieval": {"overall": {"n": 1}, "latency": {"p50_ms": 1.0, "p95_ms": 2.0}},
        "answers": {"overall": {"n": 2}, "latency": {"p50_ms": 1.0, "p95_ms": 2.0}},
        "reader": reader,
    }
    text = summary_text(result)
    assert "answerability_recall 1.000" in text and "average precision 1.000" in text
    md = render_markdown(result, {})
    assert "## Reading" in md and "| target-vs-actual | 1 | 1.000 |" in md
    assert "(corpus reports)" in md


def test_hit_rank_by_file_for_passage_corpora() -> None:
    def passage(source: str) -> SimpleNamespace:
        return SimpleNamespace(metadata={"source": source, "start": 0, "end": 10})

    item = {"evidence_docs": ["dev_0002.txt"], "source": "dev_0002.txt"}
    passages = [passage("dev_0001.txt"), passage("dev_0002.txt")]
    assert hit_rank(item, passages, []) == 2
    assert hit_rank(item, passages[:1], []) is None
    span_item = {"source": "a.txt"}
    assert hit_rank(span_item, [passage("a.txt")], [(2, 8)]) == 1


def test_score_answer_reads_optional_answerability() -> None:
    item = {**LIST_ITEM}
    result = SimpleNamespace(answer="汽车、钢铁", refused=False, citations=[], timings={})
    rec = score_answer(item, result, [], wall_ms=1.0)
    assert "answerability" not in rec and rec["item_recall"] == pytest.approx(2 / 3)
    result.answerability = 0.75
    assert score_answer(item, result, [], wall_ms=1.0)["answerability"] == 0.75
    result.answerability = True  # not a score
    assert "answerability" not in score_answer(item, result, [], wall_ms=1.0)


def test_citation_by_file_supports_passage_corpora() -> None:
    item = {
        "type": "news",
        "match": "loose",
        "answers": ["孟买"],
        "evidence": "",
        "evidence_docs": ["dev_0002.txt"],
        "source": "dev_0002.txt",
    }
    cite = SimpleNamespace(source="dev_0002.txt", start=0, end=5, quote="别处", verified=True)
    result = SimpleNamespace(answer="在孟买[1]", refused=False, citations=[cite], timings={})
    rec = score_answer(item, result, [], wall_ms=1.0)
    assert rec["correct"] and rec["citation_ok"]


def test_results_folder_is_ignored_for_external_runs() -> None:
    """Runs over the licensed sample write into eval/results/, which git ignores."""
    ignore = (Path(__file__).parents[2] / ".gitignore").read_text(encoding="utf-8")
    assert "eval/results/*" in ignore
