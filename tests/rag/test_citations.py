"""Citation verification: numbers normalised, citations moved or flagged."""

from __future__ import annotations

from core.records import ChunkMeta, Passage
from rag.citations import numbers, source_span, split_sentences, verify


def _p(text: str, **meta):
    cid = meta.pop("id", "c")
    return Passage(
        cid, text, ChunkMeta.from_mapping({"title": "t", "source": "s.txt", "start": 100, **meta})
    )


def test_number_forms_are_equal():
    assert ("%", 7.5) in numbers("增长７.５％左右")
    assert ("%", 7.5) in numbers("增长百分之七点五")
    assert numbers("1002.18亿元") & numbers("10021800万元")
    assert {("%", 6.0), ("%", 7.0)} <= numbers("增长6-7%")


def test_supported_number_is_verified_and_quoted():
    passages = [_p("全县经济平稳。地区生产总值增长7.5%左右；固定资产投资增长15%。")]
    v = verify("地区生产总值增长7.5%左右[1]。", passages, "紫金县2021年GDP目标")
    assert v.all_verified and not v.unsupported_numbers
    c = v.citations[0]
    assert c.verified and "7.5%" in c.quote
    assert c.start == 100 + passages[0].text.index(c.quote)


def test_wrong_marker_is_moved_to_the_passage_with_the_number():
    passages = [_p("阳东区地区生产总值增长1.3%。"), _p("紫金县地区生产总值增长7.5%左右。")]
    v = verify("目标是增长7.5%左右[1]。", passages)
    assert "[2]" in v.answer and "[1]" not in v.answer
    assert v.citations[0].n == 2 and v.citations[0].verified


def test_invented_number_is_flagged():
    v = verify("增长9.9%[1]。", [_p("地区生产总值增长7.5%左右。")])
    assert not v.all_verified and v.unsupported_numbers == ["9.9%"]


def test_missing_marker_is_attached():
    v = verify("地区生产总值增长7.5%左右。", [_p("其他内容。"), _p("地区生产总值增长7.5%左右。")])
    assert "[2]" in v.answer and v.citations[0].n == 2


def test_source_span_uses_piece_map():
    # 3 chars, 3 removed, then 2 chars
    meta = ChunkMeta(start=10, spans="[[0, 0, 3], [3, 6, 2]]")
    assert source_span(meta, 0, 3) == (10, 13)
    assert source_span(meta, 3, 5) == (16, 18)


def test_split_sentences_keeps_markers():
    assert split_sentences("甲增长5%[1]。乙增长6%。[2]") == ["甲增长5%[1]。", "乙增长6%。[2]"]


def test_a_row_of_a_chunk_starting_inside_a_table_is_verified_with_the_header_above():
    from core.records import ChunkMeta
    from rag.citations import verify
    from rag.context import ContextItem

    above = "| 设区市 | 水质达标率（%） |\n| 苍埠市 | 88.2 |\n"
    item = ContextItem("c2", "| 曲岚市 | 85.1 |\n", "| 曲岚市 | 85.1 |\n", ChunkMeta(), above)
    assert verify("曲岚市，水质达标率：85.1%[1]。", [item]).all_verified


def test_a_gap_the_answer_computes_from_two_quoted_figures_is_verified():
    passage = _p("全市行政处罚立案412起，结案387起。")
    checked = verify("25起（立案412起 − 结案387起）[1]。", [passage])
    assert checked.all_verified and not checked.unsupported_numbers
    wrong = verify("26起（立案412起 − 结案387起）[1]。", [passage])
    assert not wrong.all_verified
    invented = verify("25起（立案412起 − 结案387起 − 罚款90起）[1]。", [passage])
    assert not invented.all_verified
