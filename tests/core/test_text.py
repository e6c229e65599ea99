"""Width folding must keep offsets valid: same length, character by character."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.text import normalize_for_search, normalize_width


def test_fullwidth_numbers_and_percent():
    assert normalize_width("７.５％") == "7.5%"
    assert normalize_width("增长７．５％，１－６月") == "增长7.5%,1-6月"
    assert normalize_width("ＧＤＰ\u3000增长") == "GDP 增长"


def test_chinese_text_is_untouched():
    text = "全县地区生产总值增长7.5%。“十四五”开局之年"
    assert normalize_width(text) == text


def test_search_form_lowercases():
    assert normalize_for_search("ＧＤＰ增长７.５％") == "gdp增长7.5%"
    assert normalize_for_search("5G网络") == "5g网络"


@given(st.text())
def test_same_length_for_any_text(text: str):
    assert len(normalize_width(text)) == len(text)
    assert len(normalize_for_search(text)) == len(text)


@given(st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)))
def test_fullwidth_ascii_maps_to_ascii(text: str):
    out = normalize_width(text)
    assert out.isascii()
    assert [ord(a) - ord(b) for a, b in zip(text, out, strict=True)] == [0xFEE0] * len(text)


def test_expanding_lowercase_keeps_length():
    # "İ".lower() is two code points; it must stay one so offsets do not shift.
    text = "İ统计"
    out = normalize_for_search(text)
    assert len(out) == len(text)
    assert out[1:] == "统计"


def test_report_years_are_the_years_naming_a_report():
    from core.text import report_years

    nouns = ("政府工作报告", "报告")
    assert report_years("据2025年浙江省政府工作报告，2024年浙江收入多少", nouns) == [2025]
    assert report_years("2023年政府工作报告披露的2022年粮食产量", nouns) == [2023]
    assert report_years("2024年河南在哪个国家举办了论坛", nouns) == []
    assert report_years("2024年GDP是多少？报告怎么说", nouns) == []  # punctuation between


def test_a_place_after_a_preposition_is_a_mention():
    from core.text import place_mentions

    assert "杭州市" in place_mentions("浙江2025年给杭州市定的增长目标是多少？")


def test_a_place_right_after_its_parent_is_a_mention_too():
    from core.text import place_mentions

    assert place_mentions("丰顺县潭江镇2018年哪家企业") == ["丰顺县", "潭江镇"]
    assert place_mentions("全市重点项目区建设") == []


def test_figures_are_folded_to_half_width_and_punctuation_is_kept():
    from core.text import fold_figures

    text = "茶园面积４．３万亩，增长７.５％（ＧＤＰ）。"
    folded = fold_figures(text)
    assert folded == "茶园面积4.3万亩，增长7.5%（GDP）。"
    assert len(folded) == len(text)  # offsets stay valid in the original
    assert fold_figures("第一．总则") == "第一．总则"  # a point between no digits stays


def test_villages_a_text_names_and_generic_ones_it_does_not():
    from core.text import village_mentions

    assert village_mentions("青山镇东岭村去年村集体经济收入是多少？") == ["东岭村"]
    assert village_mentions("柳塘村、石桥村分别实现") == ["柳塘村", "石桥村"]
    assert village_mentions("上岭村集体经济收入28.9万元") == ["上岭村"]
    for text in ("全县农村居民人均可支配收入", "建成万亩茶叶专业村12个", "哪些村超过80万元"):
        assert village_mentions(text) == [], text
    # a street's communities are its villages
    assert village_mentions("青山街道北苑社区上半年新增就业多少人？") == ["北苑社区"]
    for text in ("全市城市社区", "各社区上报事件", "4个社区", "社区居委会", "农村社区"):
        assert village_mentions(text) == [], text


def test_a_level_is_no_place_and_a_zone_goes_by_its_short_name():
    from core.text import count_value, place_mentions, short_forms

    assert place_mentions("白河经开区纳入市级调度的重大项目") == ["白河经开区"]
    assert "白河经开区" in short_forms("白河经济技术开发区")
    assert "白河经济技术开发区" in short_forms("白河经开区")
    assert "北苑高新区" in short_forms("东江北苑高新技术产业开发区")  # without its city's name
    assert (count_value("四"), count_value("12"), count_value("十二"), count_value("大")) == (
        4, 12, 12, 0,
    )  # fmt: skip


def test_words_that_end_in_a_place_suffix_but_name_no_place():
    from core.text import place_mentions

    assert place_mentions("青山乡村消费品零售额有多少？") == []  # 乡村 is no 乡
    assert place_mentions("青山乡2024年粮食产量") == ["青山乡"]
    assert place_mentions("2024年新建的三家省实验室是哪几家？") == []  # a count, not a name
    assert place_mentions("五家渠市2024年地区生产总值") == ["五家渠市"]
