"""Corpus selection of ``python -m eval`` and the RGB dev sample's conversion to gold items.

The RGB material is never copied: the synthetic rows here only have its shape, and the checks
on the real sample read it from ``../shared/external/rgb-dev`` (skipped when absent).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.cli import build_parser, corpus_bars, metrics_of
from eval.corpora import EXTERNAL, corpus, load_items, rgb_item
from eval.run import Evaluation, run_name

ROOT = Path(__file__).parents[2]
RGB = EXTERNAL / "rgb-dev"


def test_own_corpus_is_the_default() -> None:
    args = build_parser().parse_args([])
    assert args.corpus == "own" and args.gold is None and args.index_dir is None
    c = corpus("own")
    assert c.gold == ROOT / "eval" / "gold.jsonl" and c.index_dir is None and c.data_dir is None
    assert c.ingest_inputs(ROOT / "data") == [ROOT / "data"]


def test_own_settings_are_unchanged() -> None:
    """Without --corpus the run uses the settings' data and index folders, as before."""
    from core.settings import get_settings

    args = build_parser().parse_args(["--llm", "none"])
    settings = Evaluation(args, print).settings()
    assert settings.index_dir == get_settings().index_dir
    assert settings.data_dir == get_settings().data_dir


def test_unknown_corpus() -> None:
    with pytest.raises(ValueError, match="unknown corpus"):
        corpus("nope")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--corpus", "nope"])


def test_run_name_leads_with_other_corpora() -> None:
    ns = SimpleNamespace(name=None, retriever="hybrid", llm="extractive", subset=None, ids=None)
    assert run_name(SimpleNamespace(**vars(ns), limit=None, corpus="own")) == "hybrid-extractive"
    named = run_name(SimpleNamespace(**vars(ns), limit=5, corpus="rgb"))
    assert named == "rgb-hybrid-extractive-limit5"


def test_rgb_item_shape() -> None:
    row = {
        "id": "D900",
        "question": "问题？",
        "answers": ["甲城", "甲市"],
        "answerable": True,
        "evidence_docs": ["dev_0001.txt"],
        "docs_containing_answer": ["dev_0001.txt", "dev_0002.txt"],
    }
    item = rgb_item(row)
    assert item["match"] == "loose" and item["type"] == "news"
    assert item["evidence_docs"] == ["dev_0001.txt", "dev_0002.txt"] and item["evidence"] == ""
    refused = rgb_item({**row, "answerable": False, "docs_containing_answer": []})
    assert refused["type"] == "unanswerable" and refused["answers"] == []
    assert refused["evidence_docs"] == [] and refused["source"] == ""


def test_corpus_bars_live_under_corpus_tables() -> None:
    thresholds = {
        "retrieval": {"hit@10": 0.85},
        "corpus": {"reports": {"extractive": {"accuracy": 0.5}}},
    }
    own = corpus_bars(thresholds, "own", "hybrid", "extractive")
    assert [b.metric for b in own] == ["hit@10"]
    reports = corpus_bars(thresholds, "reports", "hybrid", "extractive")
    assert [(b.metric, b.value) for b in reports] == [("accuracy", 0.5)]
    assert corpus_bars(thresholds, "rgb", "hybrid", "extractive") == []


def test_metrics_of_adds_reading_metrics() -> None:
    result = {
        "retrieval": {"overall": {"n": 1, "hit@1": 1.0}, "latency": {}},
        "answers": None,
        "reader": {"answerability_recall": 0.9, "list_item_recall": None, "by_trap": {}},
    }
    m = metrics_of(result)
    assert m["hit@1"] == 1.0 and m["answerability_recall"] == 0.9
    assert m["list_item_recall"] is None and "by_trap" not in m


def test_update_baseline_is_refused_for_other_corpora(capsys: pytest.CaptureFixture) -> None:
    from eval.cli import main

    assert main(["--corpus", "rgb", "--update-baseline"]) == 2
    assert "--update-baseline" in capsys.readouterr().err


@pytest.mark.skipif(not RGB.is_dir(), reason="RGB dev sample not present")
def test_real_rgb_sample_loads() -> None:
    c = corpus("rgb")
    items = load_items(c)
    assert len(items) == 60
    assert sum(1 for it in items if it["type"] == "unanswerable") == 20
    files = {p.name for p in c.data_dir.glob("*.txt")}
    assert len(files) == 347
    for it in items:
        assert set(it["evidence_docs"]) <= files


@pytest.mark.skipif(not (EXTERNAL / "reports").is_dir(), reason="external reports not present")
def test_reports_corpus_ingests_only_report_text() -> None:
    c = corpus("reports")
    assert len(c.inputs) == 4 and all(p.suffix == ".txt" for p in c.inputs)
    assert c.index_dir == ROOT / "var" / "eval-reports" / "index"
    assert json.loads(c.gold.read_text(encoding="utf-8").splitlines()[0])["id"] == "r001"


@pytest.mark.slow
@pytest.mark.skipif(not (EXTERNAL / "reports").is_dir(), reason="external reports not present")
def test_reports_corpus_end_to_end(tmp_path: Path) -> None:
    """Ingest the external reports into a fresh index and answer three questions from it."""
    from eval.cli import main

    out = tmp_path / "results"
    ids = "r001,r020,r080"  # a target, a list, a refusal
    argv = ["--corpus", "reports", "--ids", ids, "--index-dir", str(tmp_path / "index")]
    assert main([*argv, "--out-dir", str(out), "--quiet"]) == 0
    result = json.loads((out / "reports-hybrid-extractive-ids.json").read_text(encoding="utf-8"))
    assert result["corpus"] == "reports" and result["n_questions"] == 3
    assert result["retrieval"]["overall"]["n"] == 2
    assert result["reader"]["list_questions"] == 1
    assert {q["id"] for q in result["questions"]} == set(ids.split(","))
