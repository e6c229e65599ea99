"""Comparisons over the items a passage lists: highest, lowest, above a threshold, falling
(typed fixtures, no model or index)."""

from __future__ import annotations

from dataclasses import replace

from rag.compare import compare_answer, intent_of
from rag.question import parse_question
from rag.reader import passages_as_context
from tests.rag.fixtures import parser, passage


def _ask(question: str, *texts: str, above: str = "") -> str | None:
    spec = parse_question(question, parser().parse(question))
    context = passages_as_context([passage(t, cid=f"c{i}") for i, t in enumerate(texts)])
    if above:
        context[0] = replace(context[0], above=above)
    return compare_answer(spec, context)


def test_the_highest_of_a_list_after_fenbie_with_full_width_figures():
    text = (
        "全县茶园主要分布在甲溪镇、乙岙乡、丙坪镇3个乡镇，"
        "茶园面积分别为５．１万亩、６．２万亩、２．０万亩。"
    )
    answer = _ask("青山县哪个乡镇茶园面积最大？", text)
    assert answer is not None and answer.startswith("乙岙乡"), answer
    assert "3个" in answer and answer.endswith("[1]。")
    lowest = _ask("青山县哪个乡镇茶园面积最小？", text)
    assert lowest is not None and lowest.startswith("丙坪镇"), lowest


def test_a_threshold_keeps_the_items_above_it_in_the_same_unit():
    text = "东岭村、西岭村、南岭村、北岭村分别实现集体经济收入96万元、45万元、1.2亿元、81万元。"
    answer = _ask("青山县哪些村集体经济收入超过80万元？", text)
    assert answer is not None
    for name in ("东岭村", "南岭村", "北岭村"):
        assert name in answer
    assert "西岭村" not in answer


def test_falling_items_are_those_stated_with_a_falling_verb():
    text = (
        "全年居民消费价格上涨0.4%。分类别看，食品价格下降1.1%，衣着上涨0.9%，"
        "交通通信下降2.3%，教育文化上涨1.5%。"
    )
    answer = _ask("青山县居民消费价格八大类里哪几类下降了？", text)
    assert answer is not None and "食品" in answer and "交通通信" in answer
    assert "衣着" not in answer and "教育文化" not in answer


def test_a_change_without_a_name_belongs_to_the_item_before():
    text = (
        "全县一般公共预算支出35.6亿元，增长2.1%。"
        "分科目看，城乡社区支出8.2亿元，下降6.1%；教育支出12.5亿元，增长4.0%；"
        "农林水支出5.4亿元，下降2.2%。"
    )
    answer = _ask("青山县一般公共预算支出哪些科目同比下降？", text)
    assert answer is not None and "城乡社区支出" in answer and "农林水支出" in answer
    assert "教育支出" not in answer


def test_a_table_cut_inside_its_header_is_read_with_the_chunk_before():
    above = "各街道低保金发放情况如下表：\n\n| 街道 | 上半年发放金额（万元） |"
    text = (
        "| 同比增减（%） |\n| 甲街道 | 310.5 | 1.2 |\n| 乙街道 | 280.1 | -0.5 |\n"
        "| 合计 | 590.6 | 0.4 |\n"
    )
    answer = _ask("青山县哪个街道上半年低保金发放金额同比减少了？", text, above=above)
    assert answer is not None and answer.startswith("乙街道"), answer
    most = _ask("青山县上半年低保金发放金额最多的是哪个街道？", text, above=above)
    assert most is not None and most.startswith("甲街道"), most  # the 合计 row is no item


def test_a_stated_rank_wins_over_a_partial_list():
    text = (
        "甲市、乙市农村自来水普及率分别为86.7%、89.5%，是全省仅有的2个低于90%的设区市。"
        "而丙市农村自来水普及率99.3%，居全省首位。"
    )
    answer = _ask("青山县所在省哪个设区市农村自来水普及率最高？", text)
    assert answer is not None and "丙市" in answer and "首位" in answer, answer


def test_no_comparison_in_a_name_and_only_the_named_things_between_two():
    for question in (
        "青山县哪位院士获得了国家最高科学技术奖？",
        "青山县2021年地区生产总值是多少？",
    ):
        assert intent_of(parse_question(question, parser().parse(question))) is None, question
    pair = "青山县城镇居民和农村居民收入哪个增长更快？"
    intent = intent_of(parse_question(pair, parser().parse(pair)))
    assert intent is not None and intent.named == ("青山县城镇居民", "农村居民收入")
    # a list of other things is not compared for them
    other = "甲镇、乙镇居民收入分别增长4.5%、6.6%。"
    assert _ask(pair, other) is None


def test_no_answer_when_no_list_measures_what_is_asked():
    text = "东岭村、西岭村分别新修村道3.2公里、2.5公里。"
    assert _ask("青山县哪个村集体经济收入最高？", text) is None


def test_two_named_things_are_compared_with_each_other_only():
    text = (
        "税收收入完成134870万元，增长6.9%；非税收入完成51670万元，增长2.4%。"
        "土地增值税、契税分别完成11862万元、12955万元，分别增长16.3%、4.9%。"
    )
    answer = _ask("2024年青山县的税收收入和非税收入，哪个增长得更快？", text)
    assert answer is not None and answer.startswith("税收收入（增长6.9%）高于非税收入"), answer
    assert "土地增值税" not in answer
    slower = _ask("青山县非税收入与税收收入相比，哪个增长更慢？", text)
    assert slower is not None and slower.startswith("非税收入（增长2.4%）"), slower
    # a thing the passage does not list is no comparison
    assert _ask("青山县税收收入和债务收入，哪个增长更快？", text) is None
    wider = "哪个乡镇茶园面积更大"
    assert intent_of(parse_question(wider, parser().parse(wider))) is None  # names no two
