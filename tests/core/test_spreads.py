"""分别 lists: which figure belongs to which listed name (``core.spreads``)."""

from __future__ import annotations

from core.lexicon import lexicon


def _groups(text: str) -> list[tuple[tuple[str, ...], str, str, list[str]]]:
    return [
        (g.cores, g.tail, g.verb, [text[s:e] for s, e in g.figures])
        for g in lexicon().spreads(text)
    ]


def test_names_pair_with_figures_in_order_and_share_the_tail():
    text = "2021年全县第一产业、第二产业、第三产业增加值分别增长3.1%、5.2%、6.0%，结构优化。"
    ((cores, tail, verb, figs),) = _groups(text)
    assert cores == ("第一产业", "第二产业", "第三产业") and tail == "增加值"
    assert verb == "增长" and figs == ["3.1%", "5.2%", "6.0%"]


def test_a_second_group_without_names_reuses_the_names_before_it():
    text = "全县城镇和农村居民人均可支配收入分别达到45210元和23150元，分别增长4.8%和6.9%。"
    first, second = _groups(text)
    assert first[0] == second[0] == ("城镇", "农村")  # the lead word 全县 is no name
    assert second[3] == ["4.8%", "6.9%"]


def test_counts_that_do_not_pair_up_are_no_spread():
    assert _groups("小学、初中、高中在校生分别为3.2万人和1.8万人。") == []
    assert _groups("全县生产总值增长5%，分别高于全省、全市平均水平。") == []


def test_a_shared_head_reads_into_the_second_name():
    assert "粮食总产量" in lexicon().distributed("粮食播种面积和总产量分别达到56.2万亩、23.1万吨。")


def test_names_listed_in_the_clause_before_pair_with_the_figures():
    text = (
        "全县茶园主要分布在雾溪镇、青岙乡、茗坪镇3个乡镇，茶园面积分别为6.8万亩、5.2万亩、"
        "4.9万亩，其余乡镇合计1.4万亩。"
    )
    (group,) = lexicon().spreads(text)
    assert group.cores == ("雾溪镇", "青岙乡", "茗坪镇")
    assert group.phrase(1) == "青岙乡茶园面积"
    assert [text[slice(*f)] for f in group.figures] == ["6.8万亩", "5.2万亩", "4.9万亩"]
    # a different count of names and figures pairs nothing
    short = "分布在雾溪镇、青岙乡，茶园面积分别为6.8万亩、5.2万亩、4.9万亩。"
    assert lexicon().spreads(short) == []


def test_a_thousands_comma_does_not_end_the_figures():
    text = (
        "甲镇卫生院、乙乡卫生院、丙镇卫生院改扩建项目分别投资1,280万元、560万元、740万元，已开工。"
    )
    ((cores, _tail, verb, figs),) = _groups(text)
    assert cores[1:] == ("乙乡卫生院", "丙镇卫生院") and verb == "投资"
    assert figs == ["1,280万元", "560万元", "740万元"]


def test_names_of_several_lengths_split_at_the_count_of_their_shared_words():
    text = "新材料、食品加工、装备制造三大主导产业分别实现产值98.42亿元、46.15亿元、31.06亿元。"
    ((cores, tail, _, figs),) = _groups(text)
    assert cores == ("新材料", "食品加工", "装备制造") and tail == "三大主导产业"
    assert figs[1] == "46.15亿元"
    (group,) = lexicon().spreads(text)
    assert group.phrase(1) == "食品加工"  # not "食品加" nor "食品加工三大主导产业"
