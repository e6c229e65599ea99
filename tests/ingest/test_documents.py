"""Splitting files into reports and reading place, level, year and type from them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest.clean import clean
from ingest.documents import MIN_DOC_CHARS, Document, split_documents

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLES = sorted(DATA.glob("*.txt"))


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, list[Document]]]:
    out = {}
    for path in SAMPLES:
        source = path.read_text(encoding="utf-8")
        cleaned, _ = clean(source)
        out[path.name[:3]] = (source, split_documents(cleaned, path.name))
    return out


def test_at_least_fourteen_documents(corpus):
    assert sum(len(docs) for _, docs in corpus.values()) >= 14


def test_documents_map_back_into_their_file(corpus):
    for source, docs in corpus.values():
        previous_end = 0
        for doc in docs:
            assert previous_end <= doc.start < doc.end <= len(source)
            previous_end = doc.end
            text = doc.text.text
            assert text == text.strip()
            for i, ch in enumerate(text):
                j = doc.text.src_offset(i)
                assert doc.start <= j < doc.end
                assert source[j] == ch
            assert doc.text.src_span(0, len(text)) == (doc.start, doc.end)


def test_no_junk_documents(corpus):
    for _, docs in corpus.values():
        for doc in docs:
            assert len(doc.text.text) >= MIN_DOC_CHARS, doc.title
            assert doc.text.text.startswith(doc.title) or not doc.text.text.startswith("【")


def test_doc_ids_are_stable_and_unique(corpus):
    ids = [d.doc_id for _, docs in corpus.values() for d in docs]
    assert len(ids) == len(set(ids))
    for _, docs in corpus.values():
        for ordinal, d in enumerate(docs):
            expected = hashlib.sha1(f"{d.source}:{d.title}:{ordinal}".encode()).hexdigest()[:16]
            assert d.doc_id == expected


EXPECTED_004 = [
    # title, region, parent, level, year, meeting_date
    ("云浮市政府工作报告", "云浮市", None, "市", 2021, "2021年2月1日"),
    ("2021年榕城区政府工作报告", "榕城区", "揭阳市", "区", 2021, "2021年3月1日"),
    ("2021年阳东区政府工作报告", "阳东区", "阳江市", "区", 2021, "2021年2月6日"),
    ("2021年江城区政府工作报告", "江城区", "阳江市", "区", 2021, "2021年2月24日"),
    ("2021年紫金县政府工作报告", "紫金县", None, "县", 2021, "2021年2月7日"),
    ("2021年南山区政府工作报告", "南山区", "深圳市", "区", 2021, "2021年1月25日"),
    ("2020年泗水镇政府工作报告", "泗水镇", "高州市", "镇", 2020, None),
    ("2019年荷塘镇政府工作报告", "荷塘镇", "高州市", "镇", 2019, None),
    ("2019年潭江镇政府工作报告", "潭江镇", "丰顺县", "镇", 2019, "2019年4月3日"),
    ("2019年古丁镇政府工作报告", "古丁镇", "高州市", "镇", 2019, None),
]


def test_portal_page_gives_ten_reports(corpus):
    _, docs = corpus["004"]
    got = [(d.title, d.region, d.parent_region, d.level, d.year, d.meeting_date) for d in docs]
    assert got == EXPECTED_004
    assert {d.doc_type for d in docs} == {"政府工作报告"}
    assert all(d.source == "004_8a7bc9ce6e61cdbb.txt" for d in docs)


def test_reports_do_not_bleed_into_each_other(corpus):
    _, docs = corpus["004"]
    by_region = {d.region: d.text.text for d in docs}
    assert by_region["云浮市"].endswith("以优异成绩庆祝建党100周年。")
    assert "榕城" not in by_region["云浮市"]
    assert by_region["古丁镇"].endswith("打造山区文明小镇。")
    assert "2025-07-08" not in by_region["泗水镇"]


def test_single_report_files(corpus):
    (doc000,) = corpus["000"][1]
    assert doc000.title == "XX市某区实施“百千万工程”工作情况汇报"
    assert doc000.region is None  # redacted place names are not regions
    assert doc000.level == "区"
    assert doc000.doc_type == "汇报"

    (doc001,) = corpus["001"][1]
    assert doc001.title == "xx市“百千万工程”工作进展情况报告"  # title inferred from the text
    assert doc001.region is None and doc001.level == "市"
    assert doc001.year == 2023
    assert doc001.doc_type == "报告"

    (doc002,) = corpus["002"][1]
    assert doc002.title == "2018年上半年重点项目建设工作总结"
    assert doc002.year == 2018 and doc002.doc_type == "工作总结"
    assert doc002.region is None


def test_untitled_compilation(corpus):
    _, docs = corpus["003"]
    assert 1 <= len(docs) <= 3
    assert docs[0].title == "003_58c01c998ef76b43"  # no heading-like first line: file stem
    assert docs[0].year == 2023  # the year it talks about, not the 2035 planning horizon
    assert docs[0].region is None


# -- general behaviour on unseen shapes --------------------------------------------------------


def _docs(text: str) -> list[Document]:
    cleaned, _ = clean(text)
    return split_documents(cleaned, "t.txt")


BODY = "全年完成固定资产投资12.5亿元，同比增长8.1%，各项事业稳步发展。" * 8


def test_meeting_statement_gives_year_region_and_parent():
    (doc,) = _docs(
        f"政府工作报告\n——2022年1月5日在韶关市仁化县第十七届人民代表大会第一次会议上\n{BODY}"
    )
    assert (doc.region, doc.parent_region, doc.level) == ("仁化县", "韶关市", "县")
    assert (doc.year, doc.meeting_date) == (2022, "2022年1月5日")


def test_title_with_parent_and_street():
    (doc,) = _docs(f"2023年广州市越秀区北京街道工作总结\n{BODY}")
    assert (doc.region, doc.parent_region, doc.level) == ("北京街道", "越秀区", "街道")
    assert doc.doc_type == "工作总结"


def test_two_reports_without_portal_tags():
    text = f"2020年某乡工作总结\n{BODY}\n2021年平安乡政府工作报告\n{BODY}"
    docs = _docs(text)
    assert [d.title for d in docs] == ["2020年某乡工作总结", "2021年平安乡政府工作报告"]
    assert docs[0].region is None and docs[0].level == "乡"
    assert docs[1].region == "平安乡"
    # The shared body is not deduplicated across the two reports.
    assert all(BODY in d.text.text for d in docs)


def test_stray_short_title_is_merged():
    docs = _docs(f"政府工作报告\n2021年紫金县政府工作报告\n{BODY}")
    assert len(docs) == 1
    assert docs[0].title == "2021年紫金县政府工作报告"
    assert docs[0].region == "紫金县"


def test_untitled_file_uses_heading_like_first_line():
    (doc,) = _docs(f"关于全区重点项目建设的情况\n{BODY}")
    assert doc.title == "关于全区重点项目建设的情况"
    assert doc.region is None
    assert doc.doc_type == "报告"


def test_year_in_chinese_numerals():
    (doc,) = _docs(f"二〇二二年花都区政府工作报告\n{BODY}")
    assert (doc.year, doc.region, doc.level) == (2022, "花都区", "区")


def test_empty_text_gives_no_documents():
    assert _docs("") == []
    assert _docs("-\n2025-07-08\n") == []


def test_reports_sharing_a_generic_title_stay_apart():
    def report(county: str, day: int) -> str:
        opening = f"——2021年2月{day}日在{county}第十届人民代表大会第五次会议上"
        return f"政府工作报告\n{opening}\n{BODY * day}"  # reports differ in length

    docs = _docs("\n".join([report("甲县", 1), report("乙县", 2), report("丙县", 3)]))
    assert [(d.title, d.region, d.meeting_date) for d in docs] == [
        ("政府工作报告", "甲县", "2021年2月1日"),
        ("政府工作报告", "乙县", "2021年2月2日"),
        ("政府工作报告", "丙县", "2021年2月3日"),
    ]
    assert len({d.doc_id for d in docs}) == 3


def test_repeated_title_without_new_opening_is_one_report():
    text = f"2021年紫金县政府工作报告\n{BODY}\n2021年紫金县政府工作报告\n第二页的内容继续。{BODY}"
    docs = _docs(text)
    assert len(docs) == 1
    assert docs[0].region == "紫金县"


def test_an_organ_after_the_place_keeps_the_place():
    (doc,) = _docs(f"云岭县教育局2024年上半年工作汇报\n{BODY}")
    assert (doc.region, doc.year) == ("云岭县", 2024)
    (doc,) = _docs(f"澄湖区枫林街道办事处2024年工作总结\n{BODY}")
    assert (doc.region, doc.parent_region) == ("枫林街道", "澄湖区")


def test_the_issuer_line_above_a_placeless_title_names_the_place():
    (doc,) = _docs(f"柘溪县人民政府\n关于2023年上半年全县经济运行情况的汇报\n{BODY}")
    assert (doc.region, doc.year, doc.doc_type) == ("柘溪县", 2023, "汇报")
    (doc,) = _docs(f"中共槐溪镇委员会\u3000槐溪镇人民政府\n2024年工作总结\n{BODY}")
    assert doc.region == "槐溪镇"
    (doc,) = _docs(f"关于全区重点项目建设的情况\n{BODY}")
    assert doc.region is None  # no issuer line: still unknown


def test_a_political_consultative_conference_title_names_its_place():
    (doc,) = _docs(f"政协青山市第十届委员会常务委员会工作报告\n{BODY}")
    assert doc.region == "青山市"
    (doc,) = _docs(f"中国人民政治协商会议白河县委员会常务委员会工作报告\n{BODY}")
    assert doc.region == "白河县"


def test_an_organ_named_with_a_township_word_keeps_the_city():
    (doc,) = _docs(f"青山市住房和城乡建设局2024年工作总结\n{BODY}")
    assert doc.region == "青山市"


def test_a_portal_page_s_issuer_line_may_carry_its_english_name():
    head = "2025年1-9月全市经济运行情况\n青山市统计局QINGSHAN BUREAU OF STATISTICS\n首页\n"
    (doc,) = _docs(f"{head}{BODY}")
    assert doc.region == "青山市"


def test_a_markdown_heading_mark_is_no_part_of_the_title():
    (doc,) = _docs(f"# 2024年云岭县统计公报\n{BODY}")
    assert doc.title == "2024年云岭县统计公报" and doc.doc_type == "统计公报"


def test_a_portal_page_is_titled_and_placed_past_its_greeting_and_menu():
    head = "欢迎访问雁川市商务局门户网站！\n首页\n政务公开\n统计数据\n2024年全市商务运行情况\n"
    (doc,) = _docs(f"{head}{BODY}")
    assert (doc.title, doc.region, doc.year) == ("2024年全市商务运行情况", "雁川市", 2024)


def test_a_party_committees_name_before_the_place_is_no_part_of_it():
    (doc,) = _docs(f"中共芷陂镇委员会2024年工作总结\n{BODY}")
    assert (doc.region, doc.year) == ("芷陂镇", 2024)


def test_an_untitled_markdown_file_is_titled_without_its_heading_marks():
    (doc,) = _docs(f"# 云栈区民政局2025年上半年工作总结和下半年工作打算\n\n{BODY}")
    assert not doc.title.startswith("#") and doc.region == "云栈区"


def test_a_title_whose_organ_holds_an_event_names_its_place():
    from ingest.regions import parse_unit_sequence

    title = "青山省农业农村厅举行新闻发布会介绍2024年全省农业农村工作情况"
    assert [u.name for u in parse_unit_sequence(title)] == ["青山省"]
