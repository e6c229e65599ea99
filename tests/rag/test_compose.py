"""How much of the chosen clause is quoted: one item of a list of figures, the period the
sentence opens with (through the reader, on typed fixtures; no model or index)."""

from __future__ import annotations

from tests.rag.fixtures import passage
from tests.rag.fixtures import read_question as _read


def test_a_period_the_sentence_opens_with_stays_with_its_figure():
    text = "截止5月底，全县重点项目已开工94个，开工率86.24%；已完成投资169.53亿元。"
    r = _read("青山县2021年上半年重点项目开工率是多少", passage(text))
    assert r.answer.startswith("截止5月底，") and "86.24%" in r.answer
    dateline = _read("青山县新增企业多少家", passage("8月1日，青山县新增企业120家。"))
    assert "120家" in dateline.answer and "8月1日" not in dateline.answer
    text = "全年地区生产总值增长3%，城镇新增就业12万人。"
    jobs = _read("青山县2021年城镇新增就业多少人", passage(text, year=2022))
    assert "12万人" in jobs.answer and "地区生产总值" not in jobs.answer


def test_one_item_of_an_enumeration_of_figures_answers():
    text = "2021年新增上市公司23家、单项冠军企业44家、专精特新小巨人企业398家。"
    r = _read("青山县2021年新增专精特新小巨人企业多少家", passage(text))
    assert "398家" in r.answer and "23家" not in r.answer
    both = _read("青山县2021年新增上市公司和单项冠军企业各多少家", passage(text))
    assert "23家" in both.answer and "44家" in both.answer  # 各 asks for every item
    text = "全年实现地区生产总值120.5亿元、增长3.1%。"  # the second item has no subject
    growth = _read("青山县2020年GDP增长多少", passage(text, year=2021))
    assert "地区生产总值" in growth.answer and "3.1%" in growth.answer


def test_the_noun_before_each_figure_picks_the_item():
    text = "减税降费公平普惠，五年累计减税5.4万亿元、降费2.8万亿元。"
    assert "降费2.8万亿元" in _read("青山县过去五年累计降费多少？", passage(text)).answer
    text = "发放以旧换新补贴66.7亿元、拉动消费785亿元，网上零售额增长19%。"
    r = _read("青山县2020年以旧换新拉动了多少消费？", passage(text))
    assert "785亿元" in r.answer and "66.7" not in r.answer, r.answer
    text = "734个制造业重大项目完成投资2831亿元、投资完成率119.7%。"
    r = _read("青山县2020年734个制造业重大项目完成投资多少亿元？", passage(text))
    assert "2831亿元" in r.answer, r.answer
