"""The shared Chinese text rules: sentences, years, numbers, place names."""

from __future__ import annotations

from core.text import (
    numbers,
    place_mentions,
    place_rules,
    replace_year,
    sentence_spans,
    sentences,
    short_forms,
    strip_years,
    years,
    years_in_order,
)


def test_sentences_keep_their_terminators_and_offsets():
    text = "全县经济平稳。增长7.5%；投资增长15%！\n新的一段"
    parts = sentences(text)
    assert parts == ["全县经济平稳。", "增长7.5%；", "投资增长15%！", "新的一段"]
    assert [text[s:e] for s, e in sentence_spans(text)] == parts


def test_years_digits_and_chinese():
    assert years("2021年目标和2020年完成情况，2021年") == [2020, 2021]
    assert years_in_order("二〇二二年工作报告，回顾2021年") == [2022, 2021]
    assert years_in_order("1800年") == []
    assert strip_years("2021年GDP") == " GDP"
    assert replace_year("2020年GDP是多少", 2021) == "2021年GDP是多少"
    assert replace_year("GDP是多少", 2021) == "2021年GDP是多少"


def test_number_forms_are_equal():
    assert ("%", 7.5) in numbers("增长７.５％左右") & numbers("增长百分之七点五")
    assert numbers("1002.18亿元") & numbers("10021800万元")
    assert {("%", 6.0), ("%", 7.0)} <= numbers("增长6-7%")
    assert not numbers("一条路")  # a lone 一 in prose is not a figure


def test_short_forms_drop_one_suffix_and_keep_two_characters():
    assert short_forms("青山县") == ["青山县", "青山"]
    assert short_forms("白河街道") == ["白河街道", "白河"]
    assert short_forms("东旗") == ["东旗"]  # the stem would be one character


def test_place_mentions_skip_generic_words():
    assert place_mentions("青山县和全省的目标") == ["青山县"]
    assert place_mentions("我市各区县") == []
    assert "街道" in place_rules().droppable and "旗" in place_rules().droppable


def test_a_province_named_without_its_suffix_is_a_mention():
    assert place_mentions("广东2025年GDP目标是多少？") == ["广东"]
    assert place_mentions("广东省2025年GDP目标") == ["广东省"]  # not twice


def test_areas_and_metric_words_are_no_places():
    from core.text import place_mentions

    assert place_mentions("让城南片区群众不再绕行") == []
    assert place_mentions("2025年浙江城镇新增就业") == ["浙江"]
    assert place_mentions("过去五年岚江地区生产总值年均增长多少") == []
    assert place_mentions("2024年武汉市地区生产总值") == ["武汉市"]
    assert place_mentions("西湖区和东城区、澄湖区") == ["西湖区", "东城区", "澄湖区"]
    assert place_mentions("由青山县负责") == ["青山县"]


def test_a_metrics_short_form_before_another_head_names_another_metric():
    from core.lexicon import lexicon

    lex = lexicon()
    assert not any("规模以上工业增加值" in g for g in lex.metrics("新增规上工业企业27家"))
    assert not any("规模以上工业增加值" in g for g in lex.metrics("规上工业总产值501.6亿元"))
    assert any("规模以上工业增加值" in g for g in lex.metrics("规上工业增长9.2%"))
    # a question asking the compound asks another figure; one asking the firms reads the group
    assert not lex.metrics("规上工业总产值有多少亿？", asked=True)
    assert lex.metrics("一共有多少家规上工业企业？", asked=True)
    assert lex.metrics("规上工业增长多少？", asked=True)


def test_colloquial_names_of_report_metrics_are_synonyms():
    from core.lexicon import lexicon

    (group,) = lexicon().metrics("今年上半年卖地收入有多少", asked=True)
    assert "国有土地使用权出让收入" in group
    (online,) = lexicon().metrics("网上零售额增长多少", asked=True)
    assert "网络零售额" in online


def test_a_zone_is_also_named_without_its_citys_prefix():
    from core.text import short_forms
    from rag.query import QueryParser

    assert "白湾高新区" in short_forms("甲江白湾高新区")
    parser = QueryParser(["白湾区", "甲江白湾高新区"])
    assert parser.parse("白湾高新区去年新签约了多少个项目？").regions == ["甲江白湾高新区"]
    assert parser.parse("白湾区2024年PM2.5浓度是多少").regions == ["白湾区"]
