"""Query parsing: places by short form, years, target/actual intent, metric expansions."""

from __future__ import annotations

from tests.rag.fixtures import parser


def test_places_years_and_intent():
    info = parser().parse("青山2021年GDP目标是多少")
    assert info.regions == ["青山县"] and info.years == [2021]
    assert info.wants_target and not info.wants_actual
    assert "地区生产总值" in info.expansions


def test_actual_intent_and_no_place():
    info = parser().parse("2020年完成了多少固定资产投资")
    assert info.regions == [] and info.wants_actual and not info.wants_target
