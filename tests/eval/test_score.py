"""Unit tests of the evaluation's normaliser and metrics, on small hand-made data (no models)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.__main__ import dump_result, rewritten_question, run_name, score_answer, worst_misses
from eval.normalize_answer import (
    answer_matches,
    cn_to_number,
    contains,
    normalize_text,
    parse_quantity,
    quantity_match,
)
from eval.report import format_compare, make_charts, render_markdown
from eval.score import (
    Bar,
    CitationRef,
    SpanRef,
    answer_correct,
    answer_metrics,
    bars_for,
    check_thresholds,
    citation_supports,
    covers,
    evidence_spans,
    first_hit_rank,
    flat_metrics,
    load_gold,
    load_thresholds,
    percentile,
    refusal_metrics,
    restrict,
    retrieval_metrics,
    retrieval_query,
    select_questions,
    stratified_subset,
)

ROOT = Path(__file__).parents[2]

# --------------------------------------------------------------------------------------------
# normaliser
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("７.５％", "7.5%"),
        ("百分之七点五", "7.5%"),
        ("百分之15", "15%"),
        ("1,002.18 亿元", "1002.18亿元"),
        ("第二家", "第2家"),
        ("九十四个", "94个"),
        ("二〇二一年", "2021年"),
        ("一万二千户", "12000户"),
        ("ＧＤＰ", "gdp"),
        ("“1＋1＋3＋6”", "1+1+3+6"),
        # Words that merely contain numeral characters stay words.
        ("十三五时期", "十三五时期"),
        ("一是领导", "一是领导"),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_cn_to_number() -> None:
    assert cn_to_number("七点五") == 7.5
    assert cn_to_number("十五") == 15
    assert cn_to_number("一百零二") == 102
    assert cn_to_number("三千二百") == 3200
    assert cn_to_number("二〇二一") == 2021
    assert cn_to_number("一万二千") == 12000
    assert cn_to_number("领导") is None


@pytest.mark.parametrize(
    "answer",
    ["地区生产总值增长７.５％左右[1]", "增长百分之七点五", "预期目标为 7.5 %", "7.50%"],
)
def test_percentage_forms_match(answer: str) -> None:
    # 7.50% is matched by value (quantity_match), the others by normalised containment.
    assert answer_matches(answer, ["7.5%"])


def test_number_boundaries() -> None:
    assert not contains("增长17%", "7%")
    assert not contains("增长7.5%", "7%")
    assert not contains("已开工940个", "94个")
    assert not contains("27.5%", "7.5%")
    assert contains("增长7%，", "7%")
    assert contains("截至2019年", "2019")
    # Citation marker digits are not part of the answer.
    assert not answer_matches("增长7%[1]", ["1"])


def test_amount_forms() -> None:
    assert answer_matches("全年实现地区生产总值1,002.18亿元", ["1002.18亿元"])
    assert answer_matches("社会生产总值59500万元", ["5.95亿元"])
    assert answer_matches("5.95亿元", ["59500万元"])
    assert parse_quantity("136247万元").value == pytest.approx(1362470000)
    assert parse_quantity("2021") is None
    assert not quantity_match("约13.6亿元", "136247万元")  # a rounded figure is not the figure
    assert not quantity_match("5.95亿人", "5.95亿元")  # different unit


def test_match_any_and_all() -> None:
    golds = ["44250户", "111274人"]
    assert answer_matches("贫困人口44250户111274人全部脱贫", golds, "all")
    assert not answer_matches("贫困人口44250户全部脱贫", golds, "all")
    assert answer_matches("贫困人口44250户全部脱贫", golds, "any")
    assert not answer_matches("无关内容", golds, "any")
    assert not answer_matches("任何内容", [], "any")


# --------------------------------------------------------------------------------------------
# answers, citations, refusals
# --------------------------------------------------------------------------------------------

ANSWERABLE = {
    "id": "q900",
    "type": "numeric",
    "difficulty": "easy",
    "question": "紫金县2021年GDP目标是多少",
    "answers": ["7.5%"],
    "match": "any",
    "evidence": "地区生产总值增长7.5%左右",
    "source": "a.txt",
}
UNANSWERABLE = {
    "id": "q901",
    "type": "unanswerable",
    "difficulty": "hard",
    "question": "紫金县2023年GDP增长目标是多少？",
    "answers": [],
    "match": "any",
    "evidence": "",
    "source": "",
}


def test_answer_correct() -> None:
    assert answer_correct(ANSWERABLE, "增长百分之七点五左右", refused=False)
    assert not answer_correct(ANSWERABLE, "增长7.5%", refused=True)  # refused = wrong
    assert not answer_correct(ANSWERABLE, "增长17.5%", refused=False)
    assert answer_correct(UNANSWERABLE, "资料中未找到", refused=True)
    assert not answer_correct(UNANSWERABLE, "增长7%", refused=False)


def test_citation_supports() -> None:
    spans = [(100, 114)]
    assert citation_supports(ANSWERABLE, CitationRef("a.txt", 95, 120), spans)
    assert not citation_supports(ANSWERABLE, CitationRef("b.txt", 95, 120), spans)
    assert not citation_supports(ANSWERABLE, CitationRef("a.txt", 110, 130), spans)  # < half
    assert citation_supports(ANSWERABLE, CitationRef("x.txt", 0, 5, quote="增长７.５％左右"), spans)
    assert not citation_supports(ANSWERABLE, CitationRef("x.txt", 0, 5, quote="增长8%"), spans)


def _rec(unanswerable: bool, refused: bool, correct: bool, citation_ok: bool | None = None):
    return {
        "unanswerable": unanswerable,
        "refused": refused,
        "correct": correct,
        "citation_ok": citation_ok,
    }


def test_refusal_metrics() -> None:
    records = [
        _rec(True, True, True),  # correct refusal
        _rec(True, False, False),  # answered an unanswerable question
        _rec(False, True, False),  # false refusal
        _rec(False, False, True, True),
        _rec(False, False, True, False),
        _rec(False, False, False, True),
    ]
    m = refusal_metrics(records)
    assert m["refusal_precision"] == pytest.approx(1 / 2)
    assert m["refusal_recall"] == pytest.approx(1 / 2)
    assert m["false_refusal_rate"] == pytest.approx(1 / 4)
    a = answer_metrics(records)
    assert a["accuracy"] == pytest.approx(3 / 6)
    assert a["citation_precision"] == pytest.approx(2 / 3)
    assert refusal_metrics([_rec(False, False, True)])["refusal_precision"] is None


def test_score_answer_from_result_object() -> None:
    citation = SimpleNamespace(
        n=1, title="t", source="a.txt", start=98, end=118, quote="增长7.5%左右", verified=True
    )
    result = SimpleNamespace(
        answer="紫金县2021年地区生产总值预期增长7.5%左右[1]。",
        refused=False,
        citations=[citation],
        timings={"retrieve_ms": 12.0, "total_ms": 30.5},
    )
    rec = score_answer(ANSWERABLE, result, [(100, 114)], wall_ms=99.0)
    assert rec["correct"] and rec["citation_ok"] and not rec["refused"]
    assert rec["total_ms"] == 30.5
    refusal = SimpleNamespace(answer="未找到", refused=True, citations=[], timings={})
    rec = score_answer(UNANSWERABLE, refusal, [], wall_ms=7.0)
    assert rec["correct"] and rec["citation_ok"] is None and rec["total_ms"] == 7.0


def test_rewritten_question() -> None:
    result = SimpleNamespace(standalone_question="江城区2020年GDP是多少？")
    assert rewritten_question(result) == "江城区2020年GDP是多少？"
    assert rewritten_question(SimpleNamespace(standalone_question="  ")) is None
    assert rewritten_question(SimpleNamespace()) is None


# --------------------------------------------------------------------------------------------
# retrieval
# --------------------------------------------------------------------------------------------


def test_evidence_spans_and_cover() -> None:
    texts = {"a.txt": "前言。地区生产总值增长7.5%左右。后记。地区生产总值增长7.5%左右。"}
    item = {**ANSWERABLE, "evidence": "地区生产总值增长7.5%左右"}
    spans = evidence_spans(item, texts)
    assert len(spans) == 2 and spans[0] == (3, 3 + len(item["evidence"]))
    assert evidence_spans(UNANSWERABLE, texts) == []
    span = (10, 20)
    assert covers(0, 15, span)  # exactly half
    assert not covers(0, 14, span)
    assert covers(12, 30, span)
    assert not covers(20, 30, span)  # touching is not covering
    assert not covers(None, None, span)


def test_first_hit_rank_by_span_not_id() -> None:
    spans = [(100, 120)]
    passages = [
        SpanRef("b.txt", 100, 120),  # right span, wrong file
        SpanRef("a.txt", 0, 90),  # right file, elsewhere
        SpanRef("a.txt", 105, 400),  # covers 15 of 20 characters
    ]
    assert first_hit_rank(passages, "a.txt", spans) == 3
    assert first_hit_rank(passages, "a.txt", spans, k=2) is None


def test_retrieval_metrics() -> None:
    m = retrieval_metrics([1, 2, 4, 7, None])
    assert m["n"] == 5
    assert m["hit@1"] == pytest.approx(1 / 5)
    assert m["hit@3"] == pytest.approx(2 / 5)
    assert m["hit@5"] == pytest.approx(3 / 5)
    assert m["hit@10"] == pytest.approx(4 / 5)
    assert m["mrr@10"] == pytest.approx((1 + 1 / 2 + 1 / 4 + 1 / 7) / 5)
    assert retrieval_metrics([])["hit@1"] is None


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile([float(i) for i in range(1, 101)], 95) == pytest.approx(95.05)


def test_retrieval_query_uses_last_user_turn() -> None:
    item = {
        "question": "那江城区呢？",
        "history": [
            {"role": "user", "content": "阳东区2020年GDP是多少？"},
            {"role": "assistant", "content": "308.56亿元。"},
        ],
    }
    assert retrieval_query(item) == "阳东区2020年GDP是多少？ 那江城区呢？"
    assert retrieval_query({"question": "云浮森林覆盖率"}) == "云浮森林覆盖率"


# --------------------------------------------------------------------------------------------
# question selection
# --------------------------------------------------------------------------------------------


def test_stratified_subset_is_fixed_and_balanced() -> None:
    items = load_gold(ROOT / "eval" / "gold.jsonl")
    subset = select_questions(items, subset="stratified-48")
    assert len(subset) == 48
    assert subset == stratified_subset(items, 48)  # deterministic
    counts: dict[str, int] = {}
    for it in subset:
        counts[it["type"]] = counts.get(it["type"], 0) + 1
    assert set(counts) == {it["type"] for it in items}
    assert min(counts.values()) >= 6
    assert [it["id"] for it in subset] == sorted(it["id"] for it in subset)  # gold order


def test_select_questions() -> None:
    items = [{"id": f"q{i:03d}", "type": "numeric"} for i in range(1, 6)]
    assert [it["id"] for it in select_questions(items, ids=["q004", "q002"])] == ["q002", "q004"]
    assert len(select_questions(items, limit=2)) == 2
    with pytest.raises(ValueError, match="q999"):
        select_questions(items, ids=["q999"])
    with pytest.raises(ValueError, match="stratified"):
        select_questions(items, subset="random-5")


# --------------------------------------------------------------------------------------------
# thresholds
# --------------------------------------------------------------------------------------------


def test_fail_under_names_each_metric(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.toml"
    path.write_text(
        "[retrieval]\n"
        '"hit@5" = 0.9\n'
        "[retrieval.hybrid]\n"
        '"mrr@10" = 0.5\n'
        "[extractive]\n"
        "accuracy = 0.8\n"
        "refusal_precision = 0.5\n"
        "[extractive.max]\n"
        "false_refusal_rate = 0.1\n",
        encoding="utf-8",
    )
    bars = bars_for(load_thresholds(path), "hybrid", "extractive")
    assert {b.metric for b in bars} == {
        "hit@5",
        "mrr@10",
        "accuracy",
        "refusal_precision",
        "false_refusal_rate",
    }
    metrics = {
        "hit@5": 0.7,
        "mrr@10": 0.6,
        "accuracy": 0.85,
        "refusal_precision": None,
        "false_refusal_rate": 0.2,
    }
    check = check_thresholds(metrics, bars)
    assert not check.ok
    text = "\n".join(check.failures)
    assert "hit@5 = 0.700 is below the bar 0.9 [retrieval]" in text
    assert "false_refusal_rate = 0.200 is above the maximum 0.1 [extractive.max]" in text
    assert "mrr@10" not in text and "accuracy" not in text
    assert any("refusal_precision" in n for n in check.notes)
    # The answer bars do not apply to a retrieval-only run; a bm25 run skips hybrid's bars.
    assert {b.metric for b in bars_for(load_thresholds(path), "bm25", "none")} == {"hit@5"}
    # A bar for a metric the run did not measure fails loudly (a typo must not pass).
    missing = check_thresholds({}, [Bar("extractive", "acuracy", 0.5)])
    assert "acuracy: not measured" in missing.failures[0]


def test_project_thresholds_file_is_valid() -> None:
    thresholds = load_thresholds(ROOT / "eval" / "thresholds.toml")
    known = set(flat_metrics(_result()))
    for retriever in ("hybrid", "dense", "bm25"):
        for llm in ("none", "extractive", "local", "openai"):
            for bar in bars_for(thresholds, retriever, llm):
                assert bar.metric in known, f"unknown metric {bar.metric} in [{bar.section}]"
                assert bar.value >= 0


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------


def _result(accuracy: float = 0.8) -> dict:
    retrieval = {
        "overall": retrieval_metrics([1, 2, None]),
        "by_type": {"numeric": retrieval_metrics([1, 2]), "entity": retrieval_metrics([None])},
        "by_difficulty": {"easy": retrieval_metrics([1, 2, None])},
        "latency": {"p50_ms": 10.0, "p95_ms": 20.0, "n": 3},
    }
    records = [
        {**_rec(False, False, True, True), "type": "numeric"},
        {**_rec(True, True, True), "type": "unanswerable"},
    ]
    answers = {
        "overall": {**answer_metrics(records), "accuracy": accuracy},
        "by_type": {
            "numeric": answer_metrics(records[:1]),
            "unanswerable": answer_metrics(records[1:]),
        },
        "by_difficulty": {},
        "latency": {"p50_ms": 30.0, "p95_ms": 50.0, "n": 2},
        "errors": 0,
    }
    return {
        "run": "hybrid-extractive",
        "created": "2024-01-01T00:00:00+00:00",
        "n_questions": 4,
        "question_ids": ["q001", "q002", "q003", "q130"],
        "selection": "",
        "options": {"retriever": "hybrid", "llm": "extractive", "gold": "eval/gold.jsonl"},
        "retrieval": retrieval,
        "answers": answers,
        "peer_baseline": {
            "chunks": 10,
            "chunk_size": 500,
            "build_seconds": 1.0,
            "retrieval": {**retrieval, "overall": retrieval_metrics([3, None, None])},
        },
        "worst_misses": [],
        "seconds": 1.0,
    }


def test_report_and_compare(tmp_path: Path) -> None:
    result, reference = _result(0.8), _result(0.6)
    charts = make_charts(result, tmp_path, "run", reference)
    assert set(charts) == {"hitk", "by_type"}
    for file in charts.values():
        assert (tmp_path / file).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = format_compare(result, reference, "eval/results/baseline.json")
    line = next(x for x in text.splitlines() if x.startswith("accuracy "))
    assert "+0.200" in line
    md = render_markdown(result, charts, text)
    assert "| hit@5 |" in md and "ReportQA / baseline" in md and "![hit@k](run-hitk.png)" in md
    json.dumps(result)  # the result document stays JSON-serialisable


def test_worst_misses_order() -> None:
    def rec(i: str, rank: int | None, correct: bool, difficulty: str = "easy") -> dict:
        return {
            "id": i,
            "question": i,
            "type": "numeric",
            "difficulty": difficulty,
            "unanswerable": False,
            "rank": rank,
            "correct": correct,
        }

    records = [rec("a", 1, True), rec("b", None, True), rec("c", 2, False), rec("d", None, False)]
    assert [m["id"] for m in worst_misses(records, answered=True)] == ["d", "c", "b"]
    assert [m["id"] for m in worst_misses(records, answered=False)] == ["b", "d", "c"]


def test_run_name() -> None:
    ns = SimpleNamespace(name=None, retriever="dense", llm="none", subset=None, ids=None, limit=10)
    assert run_name(ns) == "dense-none-limit10"
    ns = SimpleNamespace(
        name=None, retriever="hybrid", llm="local", subset="stratified-48", ids=None, limit=None
    )
    assert run_name(ns) == "hybrid-local-stratified-48"


def test_restrict_rescores_reference_on_subset() -> None:
    def q(i: str, t: str, rank: int | None, correct: bool) -> dict:
        return {
            "id": i,
            "type": t,
            "difficulty": "easy",
            "rank": rank,
            "baseline_rank": None,
            "retrieve_ms": 10.0,
            "baseline_ms": 5.0,
            **_rec(t == "unanswerable", False, correct, True if t != "unanswerable" else None),
            "total_ms": 20.0,
        }

    questions = [q("q001", "numeric", 1, True), q("q002", "numeric", None, False)]
    questions.append(q("q130", "unanswerable", None, False))
    reference = {**_result(), "questions": questions, "question_ids": ["q001", "q002", "q130"]}
    sub = restrict(reference, ["q001", "q130"])
    assert sub is not None and sub["n_questions"] == 2
    assert sub["retrieval"]["overall"]["n"] == 1 and sub["retrieval"]["overall"]["hit@1"] == 1.0
    assert sub["answers"]["overall"]["accuracy"] == pytest.approx(1 / 2)
    assert sub["peer_baseline"]["retrieval"]["overall"]["hit@10"] == 0.0
    assert restrict(reference, ["q999"]) is None
    current = {**_result(), "question_ids": ["q001", "q130"]}
    assert "re-scored on this run's 2 questions" in format_compare(current, reference, "ref.json")


def test_dump_result_round_trips_one_line_per_question() -> None:
    result = {
        "run": "r",
        "question_ids": ["q001", "q002"],
        "questions": [{"id": "q001", "answer": "增长7.5%"}, {"id": "q002"}],
    }
    text = dump_result(result)
    assert json.loads(text) == result
    assert '  {"id": "q001", "answer": "增长7.5%"},' in text.splitlines()
    assert ' "question_ids": ["q001", "q002"],' in text.splitlines()
    empty = {"run": "r", "question_ids": [], "questions": []}
    assert json.loads(dump_result(empty)) == empty


def test_evidence_is_found_in_the_text_ingest_reads_of_a_word_file(tmp_path) -> None:
    import docx

    from eval.score import evidence_spans, read_source

    document = docx.Document()
    document.add_paragraph("2024年青山县统计公报")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "产品名称", "产量"
    table.cell(1, 0).text, table.cell(1, 1).text = "茶叶", "2.13"
    document.save(tmp_path / "bulletin.docx")
    text = read_source(tmp_path / "bulletin.docx")
    item = {"evidence": "| 茶叶 | 2.13 |", "source": "bulletin.docx"}
    assert evidence_spans(item, {"bulletin.docx": text})


def test_an_ordinal_in_chinese_numerals_is_found_before_its_measure_word():
    from eval.normalize_answer import contains

    assert contains("县域经济综合实力位列全省第十二位[1]。", "第十二")
    assert not contains("位列全省第十二位", "第十三")
