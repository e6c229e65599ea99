"""``clause_spans``: clauses of report prose with offsets into the text."""

from core.text import clause_spans


def test_clauses_split_at_list_separators_and_keep_offsets():
    text = "预期目标是：地区生产总值增长7%左右；固定资产投资1,002.18亿元、增长5%，ok"
    spans = clause_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "预期目标是",
        "地区生产总值增长7%左右",
        "固定资产投资1,002.18亿元",
        "增长5%",
        "ok",
    ]


def test_blank_and_separator_only_text_has_no_clauses():
    assert clause_spans("") == [] and clause_spans("；，、 \n") == []
