"""Follow-up rewriting fills in what a question leaves out (no model loaded)."""

from __future__ import annotations

from rag.rewrite import Turn, is_elliptical, rewrite
from tests.rag.fixtures import parser


def _user(*texts: str) -> list[Turn]:
    return [Turn("user", t) for t in texts]


def test_standalone_question_is_kept():
    history = _user("青山县2021年GDP目标是多少")
    assert rewrite("白河区2020年财政收入是多少", history, parser()) == "白河区2020年财政收入是多少"


def test_place_follow_up_swaps_the_place():
    history = _user("青山县2021年GDP目标是多少")
    assert rewrite("那白河区呢？", history, parser()) == "白河区2021年GDP目标是多少"


def test_year_follow_up_swaps_the_year():
    history = _user("青山县2021年GDP目标是多少")
    assert "2022年" in rewrite("那2022年呢？", history, parser())


def test_topic_follow_up_appends_the_topic():
    history = _user("青山县2021年GDP目标是多少")
    out = rewrite("那固定资产投资呢？", history, parser())
    assert out.startswith("青山县2021年") and "固定资产投资" in out


def test_no_history_no_change():
    assert rewrite(" 青山县GDP ", [], parser()) == "青山县GDP"


def test_elliptical_cues():
    assert is_elliptical("那白河区呢？") and is_elliptical("同期投资增长多少")
    assert not is_elliptical("青山县2021年GDP目标是多少")


def test_a_new_topic_keeps_the_question_word():
    """ "那X呢？" after "…一共多少？" asks 多少 of X: the standalone keeps the figure question."""
    history = _user("青山县今年下达各镇的各项补助一共多少？")
    out = rewrite("那及时转下达的基本财力保障资金呢？", history, parser())
    assert "基本财力保障资金" in out and out.endswith("多少？")
    asked = rewrite("那基本财力保障资金是什么？", history, parser())
    assert asked.count("什么") == 1 and "多少" not in asked


def test_a_sibling_follow_up_replaces_its_sibling_instead_of_asking_both():
    history = _user("青山县2020年城镇居民人均可支配收入是多少？")
    out = rewrite("农村居民呢？", history, parser())
    assert out == "青山县2020年农村居民人均可支配收入是多少？"
    assert rewrite("工业呢？", _user("青山县2020年农业产值是多少"), parser()) == (
        "青山县2020年工业产值是多少"
    )


def test_a_sibling_is_never_found_inside_a_place_name():
    out = rewrite("新区呢？", _user("青山县2020年GDP是多少？"), parser())
    assert "青山县" in out or "新区" in out
    assert "青新区" not in out
