"""Which clause names the asked entity (rag/entity_fit.py), and that the preference only ranks
clauses that already clear the answerability threshold."""

from __future__ import annotations

from rag.clause_fit import counted_noun, counted_noun_fit
from rag.entity_fit import defines, entity_preference, phrase_overlap, role_name
from rag.question import QuestionSpec
from tests.rag.fixtures import passage
from tests.rag.test_reader import _read

TORCH = QuestionSpec(text="谁是青山运动会第一棒火炬手", answer_type="entity", attribute=("火炬手",))
DIRECTOR = QuestionSpec(
    text="《青山往事》的导演是谁？", answer_type="entity", attribute=("导演", "执导", "编导")
)


def test_a_name_right_after_the_asked_role_word():
    assert role_name(TORCH, "主持人将火炬交给第一棒火炬手——王建华") == "王建华"
    assert role_name(DIRECTOR, "导演李青山在采访中说").startswith("李青山")


def test_a_name_introduced_by_you_before_the_role_verb():
    assert role_name(DIRECTOR, "该剧由青山影视出品，由李青山执导") == "李青山"


def test_words_after_the_role_word_that_are_no_name():
    assert role_name(TORCH, "参与的火炬手包括多名奥运冠军") == ""
    assert role_name(TORCH, "火炬手们依次出发") == ""
    assert role_name(DIRECTOR, "导演表示影片已经杀青") == ""


def test_no_role_name_without_a_person_question():
    spec = QuestionSpec(text="青山集团的总部在哪个城市", answer_type="place", attribute=("总部",))
    assert role_name(spec, "总部李青山大厦") == ""


def test_a_definition_answers_what_something_is():
    spec = QuestionSpec(text="青山集团是什么", answer_type="entity", attribute=("青山集团",))
    assert defines(spec, "青山集团是一家从事新能源研发的民营公司")
    assert not defines(spec, "青山集团的业务遍布全国")
    other = QuestionSpec(text="青山集团是什么时候成立的", answer_type="date", attribute=("成立",))
    assert not defines(other, "青山集团是一家民营公司")  # not a "X是什么" question


def test_the_longest_piece_of_the_question_kept_whole():
    q = "青山集团首席设计师去了哪家公司"
    assert phrase_overlap(q, "青山集团首席设计师被东方科技挖走了") == 9
    assert phrase_overlap(q, "这位设计师在东方科技任职") == 3
    spec = QuestionSpec(text=q, answer_type="entity")
    assert entity_preference(spec, "青山集团首席设计师被东方科技挖走了") > entity_preference(
        spec, "这位设计师在东方科技任职"
    )


def test_a_figure_that_counts_the_asked_noun():
    spec = QuestionSpec(text="青山地铁一号线共有多少个车站", answer_type="figure", unit="个")
    assert counted_noun(spec) == "车站"
    assert counted_noun_fit(spec, "一号线全长20公里，设10座车站") > 0
    assert counted_noun_fit(spec, "一号线附近的公交车站") == 0.0
    assert counted_noun(QuestionSpec(text="拆了多少间", answer_type="figure")) == ""


def test_the_role_name_wins_among_clauses_that_may_answer():
    text = (
        "青山运动会火炬传递今日启动，参与的火炬手包括主席王某某等。"
        "青山运动会火炬传递今日启动，主持人将火炬交给第一棒火炬手——李建华。"
    )
    r = _read("谁是青山运动会第一棒火炬手", passage(text, region=""))
    assert not r.refused and "李建华" in r.answer


def test_the_preference_never_turns_a_refusal_into_an_answer():
    from rag.question import parse_question
    from rag.reader import candidates, passages_as_context, read
    from rag.scoring import query_terms
    from tests.rag.fixtures import flat_idf, parser

    q = "谁是青山运动会第一棒火炬手"
    info = parser().parse(q)
    spec, terms = parse_question(q, info), query_terms(q, info, flat_idf)
    context = passages_as_context(
        [passage("青山运动会上，主持人将火炬交给第一棒火炬手——李建华。", region="")]
    )
    best = max(
        (c for c in candidates(spec, info, terms, context) if c.valid), key=lambda c: c.score
    )
    assert best.preference > 0
    between = best.score + best.preference / 2  # above the score, below score + preference
    assert read(spec, info, terms, context, threshold=between).refused
    assert not read(spec, info, terms, context, threshold=best.score).refused


def test_among_tied_clauses_the_one_adding_more_words_names_more():
    from rag.entity_fit import novel_chars

    q = "《青山新剧》是哪个平台的"
    assert novel_chars(q, "《青山新剧》剧照") < novel_chars(q, "白河视频自制网剧《青山新剧》收官")
    text = "《青山新剧》剧照 10月20日，白河视频自制网剧《青山新剧》收官。"
    r = _read(q, passage(text, region=""))
    assert not r.refused and "白河视频" in r.answer


def test_a_plan_word_is_no_attribute_to_find():
    from tests.rag.fixtures import passage
    from tests.rag.fixtures import read_question as _read

    text = "推动翠屏湖湿地公园创建国家4A级旅游景区、大坪草甸创建国家3A级旅游景区。"
    r = _read("青山县打算把哪个景区创建成国家4A级旅游景区？", passage(text, year=2024))
    assert "翠屏湖湿地公园" in r.answer, r.reason


def test_the_company_a_clause_is_about_opens_its_sentence():
    text = (
        "全镇规上工业企业达到37家。甲溪竹木制品有限公司实施智能化改造，全年实现产值6.2亿元，"
        "成为全镇首家产值超5亿元的工业企业；乙山食品有限公司、丙岭建材有限公司产值分别达到"
        "3.4亿元和2.8亿元。"
    )
    answer = _read("青山县首家产值超5亿元的工业企业是哪一家？", passage(text)).answer
    assert answer.startswith("甲溪竹木制品有限公司"), answer
    assert "乙山食品" not in answer
