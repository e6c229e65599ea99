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


def test_a_community_whose_name_holds_a_regions_short_form_names_no_region():
    from rag.query import QueryParser

    p = QueryParser(["白河区", "青山县"])
    assert p.parse("小白河社区上半年新增就业多少人？").regions == []
    assert p.parse("白河区小白河社区上半年新增就业多少人？").regions == ["白河区"]
    assert p.parse("青山县东坪村集体收入是多少？").regions == ["青山县"]
