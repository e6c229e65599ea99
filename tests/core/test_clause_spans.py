"""``clause_spans``: clauses of report prose with offsets into the text."""

from core.text import clause_spans


def test_clauses_split_at_list_separators_and_keep_offsets():
    text = "预期目标是：地区生产总值增长7%左右；固定资产投资1,002.18亿元、增长5%，ok"
    spans = clause_spans(text, enumeration=True)
    assert [text[a:b] for a, b in spans] == [
        "预期目标是",
        "地区生产总值增长7%左右",
        "固定资产投资1,002.18亿元",
        "增长5%",
        "ok",
    ]


def test_without_enumeration_list_items_stay_together_and_a_range_can_be_given():
    text = "建成小菜园、小果园、小花园，共204个。增长5%。"
    assert [text[a:b] for a, b in clause_spans(text)] == [
        "建成小菜园、小果园、小花园",
        "共204个",
        "增长5%",
    ]
    assert [text[a:b] for a, b in clause_spans(text, 14, 19)] == ["共204个"]


def test_blank_and_separator_only_text_has_no_clauses():
    assert clause_spans("") == [] and clause_spans("；，、 \n", enumeration=True) == []


def test_a_colon_between_digits_is_a_ratio_not_a_clause_end():
    text = "三次产业结构优化为0.56:42.3:57.1，主要目标是：增长7%。"
    assert [text[s:e] for s, e in clause_spans(text)] == [
        "三次产业结构优化为0.56:42.3:57.1",
        "主要目标是",
        "增长7%",
    ]


def test_a_title_or_quoted_name_is_never_split():
    text = "《黑神话：悟空》、越剧《新龙门客栈》成为爆款，“腾笼换鸟，凤凰涅槃”深入推进"
    pieces = [text[s:e] for s, e in clause_spans(text)]
    assert pieces[0].startswith("《黑神话：悟空》") and pieces[1] == "“腾笼换鸟，凤凰涅槃”深入推进"
