"""Hard-wrapped paragraphs (a PDF's text layer, or a text saved from one) are re-joined."""

from __future__ import annotations

from ingest.clean import clean

WRAPPED = (
    "一、经济运行\n"
    "年末全县登记在册经营主体58246户，比上年末增长7.8%。其中，企业13482户，增长\n"
    "10.6%；个体工商户44129户，增长7.1%；农民专业合作社635户，下降2.3%。全年新登\n"
    "记经营主体9874户，其中新登记企业2207户。全年城镇新增就业6385人，完成年度目\n"
    "标任务的116.1%；帮助城镇失业人员再就业1926人，就业困难人员实现就业742人。\n"
    "二、农业\n"
    "全年农林牧渔业总产值89.74亿元，按可比价格计算，比上年增长3.9%。其中，农业产值\n"
    "48.26亿元，增长4.5%；林业产值6.13亿元，增长5.8%；牧业产值22.95亿元，下降0.7%；渔\n"
    "业产值7.84亿元，增长4.2%。全年粮食播种面积62.35万亩，比上年增加0.48万亩。\n"
)


def test_a_wrapped_paragraph_is_one_line_and_every_character_keeps_its_source():
    mapped, stats = clean(WRAPPED)
    text = mapped.text
    assert "企业13482户，增长10.6%" in text
    assert "全年新登记经营主体9874户" in text and "渔业产值7.84亿元" in text
    assert "\n二、农业\n" in text  # a heading keeps its own line
    assert stats.joined_wraps >= 5
    for i, ch in enumerate(text):
        assert WRAPPED[mapped.src_offset(i)] == ch


def test_lines_that_end_their_sentences_are_left_alone():
    text = "\n".join(
        f"第{i}项：全县完成重点项目投资{i}.5亿元，同比增长{i}.2个百分点。" for i in range(1, 10)
    )
    mapped, stats = clean(text)
    assert stats.joined_wraps == 0 and mapped.text.count("\n") == 8


def test_a_title_or_a_numbered_heading_ends_its_line_in_a_wrapped_document():
    body = WRAPPED.split("\n", 1)[1]  # no "一、" line after the title
    text = (
        "青山县发展和改革局关于2024年全县重点项目建设和投资推进情况的工作总结\n"
        + body
        + "（二）全力推进重点项目建设持续扩大有效投资稳住经济增长基本盘面\n"
        + "全年实施重点项目86个，完成投资125.6亿元，其中新开工项目31个，竣工项目18个，\n"
        + "续建项目37个。\n"
    )
    mapped, _ = clean(text)
    # as wide as the wrapped lines, yet no sentence runs on from them
    assert "推进情况的工作总结\n年末全县" in mapped.text
    assert "基本盘面\n全年实施" in mapped.text
    assert "竣工项目18个，续建项目37个。" in mapped.text  # a real wrap is still joined
