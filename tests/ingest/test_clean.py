"""Cleaning deletes noise and copies, never content, and always maps back to the source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.text import normalize_width
from ingest.clean import MappedText, clean, is_title_line, load_rules
from tests.examples import examples
from tests.ingest.strategies import NOISE, Report, reports

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLES = sorted(DATA.glob("*.txt"))


def _sample(prefix: str) -> str:
    (path,) = [p for p in SAMPLES if p.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


def assert_subsequence(source: str, cleaned: MappedText) -> None:
    """The invariant everything downstream relies on: only deletions, map is exact."""
    text = cleaned.text
    prev = -1
    for i, ch in enumerate(text):
        j = cleaned.src_offset(i)
        assert j > prev, f"offsets must strictly increase at clean index {i}"
        assert source[j] == ch, f"clean[{i}]={ch!r} but source[{j}]={source[j]!r}"
        prev = j
    # Pieces are sorted, contiguous in clean space and cover the whole text.
    pos = 0
    for c0, s0, n in cleaned.pieces:
        assert c0 == pos and n > 0
        assert source[s0 : s0 + n] == text[c0 : c0 + n]
        pos += n
    assert pos == len(text)


def _norm(paragraph: str) -> str:
    return "".join(normalize_width(paragraph).split())


# -- the sample corpus ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cleaned_samples() -> dict[str, tuple[str, MappedText]]:
    out = {}
    for path in SAMPLES:
        source = path.read_text(encoding="utf-8")
        out[path.name[:3]] = (source, clean(source)[0])
    return out


BOILERPLATE = [
    "招商】",
    "点我投稿",
    "联系我们",
    "企业入驻",
    "2025-07-08",
    "下载文档前",
    "侵犯您的权益",
    "仅部分预览",
    "人工客服",
    "##paidend##",
]


def test_sample_files_exist():
    assert len(SAMPLES) == 5


@pytest.mark.parametrize("needle", BOILERPLATE)
def test_no_boilerplate_survives(cleaned_samples, needle):
    for name, (_, cleaned) in cleaned_samples.items():
        assert needle not in cleaned.text, f"{needle!r} survives in {name}"


def test_no_lone_punctuation_lines(cleaned_samples):
    for name, (_, cleaned) in cleaned_samples.items():
        for line in cleaned.text.split("\n"):
            assert line.strip() not in {"-", "—", "*"}, name
            assert not re.fullmatch(r"\d{4}-\d{2}-\d{2}", line.strip()), name


def test_invariant_on_samples(cleaned_samples):
    for source, cleaned in cleaned_samples.values():
        assert_subsequence(source, cleaned)


def test_page_counters_are_removed_and_words_rejoined(cleaned_samples):
    source, cleaned = cleaned_samples["001"]
    assert "重点任\n8、务" in source
    assert "重点任务" in cleaned.text
    assert "形成更多xx标志性" in cleaned.text  # "形成更\n10、多xx"
    assert not re.search(r"(^|\n)\d{1,2}、", cleaned.text)
    assert cleaned.text.startswith("xx市“百千万工程”工作进展情况报告")
    _, stats = clean(source)
    assert stats.repaired_breaks == 12


def test_portal_prefix_removed_title_kept(cleaned_samples):
    _, cleaned = cleaned_samples["004"]
    lines = cleaned.text.split("\n")
    assert lines[0] == "云浮市政府工作报告"
    assert "2021年紫金县政府工作报告" in lines
    assert "2020年泗水镇政府工作报告" in lines
    assert lines[-1].endswith("打造山区文明小镇。")


def test_download_site_title_kept_once(cleaned_samples):
    _, cleaned = cleaned_samples["002"]
    assert cleaned.text.count("2018年上半年重点项目建设工作总结") == 1
    assert cleaned.text.startswith("2018年上半年重点项目建设工作总结\n今年以来")
    # Ordinary short lines (headings, cut lines) are content and stay.
    assert "\n一、基本情况\n" in cleaned.text
    assert "\n突出招大引强。\n" in cleaned.text


def test_no_repeated_paragraphs_in_compilation(cleaned_samples):
    source, cleaned = cleaned_samples["003"]
    paragraphs = [_norm(p) for p in cleaned.text.split("\n")]
    long_ones = [p for p in paragraphs if len(p) >= 20]
    assert len(long_ones) == len(set(long_ones))
    # Copied sentence runs inside lines are gone too, the unique text around them stays.
    assert cleaned.text.count("将物业管理作为工作重点") == 1
    assert cleaned.text.count("建立健全防止返贫致贫动态监测和帮扶机制") == 1
    assert cleaned.text.count("依托嘉原农资公司") == 1
    assert "(四)安全关口从严从细" in cleaned.text
    assert "5.聚焦人居环境" in cleaned.text
    assert "三、下半年工作思路高效推进改造项目" in cleaned.text
    # Of the redacted and the complete copy of a paragraph, the complete one is kept.
    assert "挖掘用活“山、水、文、城”资源" in cleaned.text
    assert "挖掘用活“山、水、文、城”*" not in cleaned.text
    assert len(cleaned.text) < len(source)


def test_reports_sharing_sentences_keep_them(cleaned_samples):
    # 阳东区 and 江城区 both write this sentence; each report must stay complete.
    _, cleaned = cleaned_samples["004"]
    sentence = "突如其来的新冠肺炎疫情,对全区经济社会发展造成严重冲击"
    assert cleaned.text.count(sentence) == 2


def test_stats_are_consistent(cleaned_samples):
    for source, _ in cleaned_samples.values():
        cleaned, stats = clean(source)
        assert stats.removed_chars == len(source) - len(cleaned.text)
        assert stats.removed_lines >= 0 and stats.duplicate_paragraphs >= 0
    _, stats = clean(_sample("004"))
    assert stats.removed_lines == 23  # 10 dates, 10 "-", 3 footer lines
    _, stats = clean(_sample("003"))
    assert stats.duplicate_paragraphs >= 5


# -- general rules on unseen shapes -----------------------------------------------------------


def test_pdf_like_headers_footers_and_page_numbers():
    def page(n: int) -> str:
        return "".join(f"第{n}部分第{k}项工作按计划有序开展，总体进展顺利。" for k in range(8))

    pages = [
        f"某某县人民政府工作报告\n{page(n)}第{n}项任务已经完成。\n- {n} -" for n in range(1, 5)
    ]
    source = "\n".join(pages) + "\n第 5 页 共 5 页\n3/12\nPage 4 of 9"
    cleaned, _ = clean(source)
    assert cleaned.text.count("某某县人民政府工作报告") == 1  # running header kept once
    assert not re.search(r"^- \d -$", cleaned.text, re.M)
    for n in range(1, 5):
        assert f"第{n}项任务已经完成。" in cleaned.text
    for junk in ("共 5 页", "3/12", "Page 4"):
        assert junk not in cleaned.text
    assert_subsequence(source, cleaned)


def test_real_numbered_list_is_not_joined():
    source = (
        "下一步工作安排如下：\n1、加强组织领导。\n2、完善工作机制。\n3、强化要素保障。\n"
        "4、狠抓督查落实\n5、营造良好氛围\n6、做好总结评估"
    )
    cleaned, stats = clean(source)
    assert cleaned.text == source
    assert stats.repaired_breaks == 0


def test_page_break_after_sentence_keeps_the_newline():
    def body(n: int) -> str:
        return "".join(f"第{n}页第{k}项工作稳步推进，群众获得感不断增强。" for k in range(12))

    source = (
        f"1、{body(1)}推进重点任\n2、务落实。{body(2)}加快\n3、建设。{body(3)}\n"
        f"4、{body(4)}全面\n5、完成。"
    )
    cleaned, stats = clean(source)
    assert stats.repaired_breaks == 5
    assert "推进重点任务落实。" in cleaned.text
    assert "加快建设。" in cleaned.text
    assert "全面完成。" in cleaned.text
    # Page 3 ended a sentence: that line break is real and stays.
    assert body(3) + "\n" + body(4) in cleaned.text
    assert cleaned.text.count("\n") == 1
    assert_subsequence(source, cleaned)


def test_portal_navigation_and_meta_lines():
    source = "\n".join(
        [
            "当前位置：首页 > 政务公开 > 规划计划",
            "【阳江网】2021年阳东区政府工作报告",
            "发布时间：2021-03-01 10:20  来源：区政府办  浏览次数：1234",
            "2021年3月1日 10:20",
            "现在，我代表区人民政府向大会报告工作，请予审议。",
            "分享到：微信 微博",
            "上一篇：2020年阳东区政府工作报告",
            "版权所有：阳江市阳东区人民政府  粤ICP备12345678号",
            "- 网站地图",
            "- 联系我们",
            "- 无障碍",
        ]
    )
    cleaned, _ = clean(source)
    assert cleaned.text == (
        "2021年阳东区政府工作报告\n现在，我代表区人民政府向大会报告工作，请予审议。"
    )


def test_markdown_list_items_are_content():
    source = "# 工作打算\n\n- 加强领导\n- 完善机制\n- 强化保障\n\n以上是主要打算。"
    cleaned, _ = clean(source)
    assert "- 加强领导\n- 完善机制\n- 强化保障" in cleaned.text


def test_chinese_date_alone_is_kept_but_timestamps_go():
    source = "XX县人民政府\n2021年3月1日\n2025-07-08 09:30:00\n2025/07/08"
    cleaned, _ = clean(source)
    assert cleaned.text == "XX县人民政府\n2021年3月1日"


def test_table_column_of_numbers_is_kept():
    source = "表1 主要指标\n地区生产总值\n12\n15\n18\n一般公共预算收入\n3"
    cleaned, _ = clean(source)
    assert cleaned.text.split("\n")[2:5] == ["12", "15", "18"]


def test_blank_lines_collapse_and_paragraphs_stay_spaces():
    source = "\n\n标题报告\n\n\n\n第一段。 第二段。\n  \n第三段。\n\n"
    cleaned, _ = clean(source)
    assert cleaned.text == "标题报告\n\n第一段。 第二段。\n\n第三段。"


def test_duplicate_block_inside_long_line():
    para = "全面推进乡村振兴，巩固拓展脱贫攻坚成果，持续改善农村人居环境。"
    source = f"{para} 加快产业转型升级，壮大实体经济规模。 {para} 扎实做好民生保障工作。"
    cleaned, stats = clean(source)
    assert cleaned.text.count(para) == 1
    assert "扎实做好民生保障工作。" in cleaned.text
    assert stats.duplicate_paragraphs == 1
    assert_subsequence(source, cleaned)


def test_titles():
    rules = load_rules()
    assert is_title_line("2021年紫金县政府工作报告", rules)
    assert is_title_line("XX市某区实施“百千万工程”工作情况汇报", rules)
    assert is_title_line("2018年上半年重点项目建设工作总结", rules)
    assert not is_title_line("现将有关情况汇报如下:", rules)
    assert not is_title_line("三、存在的问题及工作总结", rules)
    assert not is_title_line("我们认真总结了全年工作，形成本报告。", rules)


def test_mapped_text_helpers():
    source = "ab\ncd-ef"
    cleaned = MappedText("bcf", [(0, 1, 1), (1, 3, 1), (2, 7, 1)])
    assert [cleaned.src_offset(i) for i in range(3)] == [1, 3, 7]
    assert cleaned.src_offset(3) == 8
    assert cleaned.src_span(0, 2) == (1, 4)
    assert cleaned.src_span(1, 3) == (3, 8)
    part = cleaned.slice(1, 3)
    assert part.text == "cf"
    assert [part.src_offset(i) for i in range(2)] == [3, 7]
    assert all(source[part.src_offset(i)] == part.text[i] for i in range(2))


# -- properties -------------------------------------------------------------------------------

# The noise every rule removes on its own, plus lines that only go in context (a portal tag
# before a title, the copyright footer) and blank ones.
NOISE_LINES = [
    *NOISE,
    "- 企业入驻",
    "【紫金县招商】2021年紫金县政府工作报告",
    "- 3、如文档侵犯您的权益,请联系客服反馈,我们会尽快为您处理。",
    "",
    "   ",
]
MIXED_ALPHABET = (
    "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会"
    "增长亿元万同比县区市镇乡年月日报告总结汇报招商网【】《》“”（）()、，。；：！？!?.,;:"
    "0123456789０１２３４５６７８９％%xX*＊某 \u3000\t-—·#/\r"
)
SAFE_CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
    "下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加"
    "量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与"
    "关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者"
)


@st.composite
def noisy_lines(draw: st.DrawFn) -> list[str]:
    line = st.one_of(
        st.sampled_from(NOISE_LINES),
        st.text(alphabet=MIXED_ALPHABET, max_size=60),
        st.builds(lambda n, t: f"{n}、{t}", st.integers(1, 12), st.text(MIXED_ALPHABET)),
    )
    return draw(st.lists(line, max_size=25))


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(noisy_lines())
def test_property_cleaning_only_deletes(lines: list[str]):
    source = "\n".join(lines)
    cleaned, stats = clean(source)
    assert_subsequence(source, cleaned)
    assert stats.removed_chars == len(source) - len(cleaned.text)
    # Spans and slices stay consistent with the character map.
    n = len(cleaned.text)
    if n:
        s, e = cleaned.src_span(0, n)
        assert s == cleaned.src_offset(0) and e == cleaned.src_offset(n - 1) + 1
        half = cleaned.slice(n // 2, n)
        assert half.text == cleaned.text[n // 2 :]
        assert all(
            half.src_offset(i) == cleaned.src_offset(n // 2 + i) for i in range(len(half.text))
        )


@st.composite
def content_with_noise(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    sentences = draw(
        st.lists(
            st.text(alphabet=SAFE_CJK, min_size=15, max_size=60).map(lambda s: s + "。"),
            min_size=1,
            max_size=12,
            unique_by=lambda s: "".join(s.split()),
        )
    )
    noise = draw(
        st.lists(
            st.one_of(
                st.sampled_from(NOISE_LINES),
                st.text(alphabet="abcdefghij0123456789 -:/", max_size=30),
            ),
            max_size=20,
        )
    )
    order = draw(st.permutations(sentences + noise))
    return sentences, list(order)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content_with_noise())
def test_property_sentences_are_never_lost(data: tuple[list[str], list[str]]):
    sentences, lines = data
    for s in sentences:
        # A sentence that also occurs inside another line is a duplicate, not unique content.
        assume(sum(s in line for line in lines) == 1)
    source = "\n".join(lines)
    cleaned, _ = clean(source)
    assert_subsequence(source, cleaned)
    for s in sentences:
        assert s in cleaned.text, f"lost {s!r}"
    # Known boilerplate never survives around the content.
    for junk in ("点我投稿", "2025-07-08", "侵犯您的权益", "下载文档前", "##paidend##"):
        assert junk not in cleaned.text


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_property_report_content_survives_whole(report: Report):
    """Whole report shapes, not just lone sentences: headings of every level, numbers,
    paragraphs of many sentences on one line, blank lines. Only the noise lines go; every
    content line survives character for character and stays a line of its own."""
    cleaned, _ = clean(report.source)
    assert_subsequence(report.source, cleaned)

    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.split("\n") if line.strip()]

    assert lines(cleaned.text) == lines(report.content)


def test_reports_sharing_a_title_are_not_page_headers():
    def report(county: str, sentences: int) -> str:
        body = "".join(f"{county}第{k}项重点工作稳步推进，成效明显。" for k in range(sentences))
        return f"政府工作报告\n——2021年2月1日在{county}第十届人民代表大会第五次会议上\n{body}"

    source = "\n".join([report("甲县", 200), report("乙县", 30), report("丙县", 90)])
    cleaned, _ = clean(source)
    assert cleaned.text.count("政府工作报告") == 3
