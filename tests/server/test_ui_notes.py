"""The "未找到" state of the chat says what was searched, so the user can rephrase."""

from __future__ import annotations

from core.records import AnswerResult
from server.ui import not_found_note


def test_not_found_names_place_year_and_metric():
    result = AnswerResult(
        question="q",
        answer="资料中未找到相关信息。",
        refused=True,
        searched={"place": "青山县", "year": "2015", "metric": "地区生产总值"},
    )
    note = not_found_note(result)
    assert "地区：青山县" in note and "年份：2015" in note and "指标：地区生产总值" in note


def test_not_found_names_the_asked_attribute():
    result = AnswerResult(
        question="q", answer="", refused=True, searched={"year": "2022", "attribute": "截止"}
    )
    assert "所问：截止" in not_found_note(result)


def test_not_found_without_slots_says_everything_was_searched():
    note = not_found_note(AnswerResult(question="q", answer="", refused=True))
    assert "全部已导入的报告" in note
