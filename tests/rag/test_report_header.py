"""Questions about a report itself, answered from its opening lines (no model or index)."""

from __future__ import annotations

from rag.report_header import asked_fact, header_answer, header_fact
from tests.rag.fixtures import passage

TWO_LINES = (
    "2031年青山县政府工作报告\n\n"
    "——2031年1月9日在青山县第五届人民代表大会第二次会议上\n\n县长　\n张某某\n\n"
    "各位代表：\n现在，我代表县人民政府作报告。"
)
ONE_LINE = (
    "青山县政府工作报告\n来源：青山日报\n2031年1月9日在青山县第五届人民代表大会第二次会议上"
    "青山县人民政府县长张某某作政府工作报告\n\n各位代表：\n"
)


def test_what_is_asked_about_the_report_itself():
    assert asked_fact("2031年青山县政府工作报告是谁作的？") == "speaker"
    assert asked_fact("青山县政府工作报告是在哪次会议上作的") == "occasion"
    assert asked_fact("青山县政府工作报告什么时候作的") == "occasion"
    assert asked_fact("青山县政府工作报告是在哪一天向人大作的？") == "occasion"
    assert asked_fact("青山县2031年政府工作报告是由谁代表县政府作的？") == "speaker"
    assert asked_fact("青山县2031年GDP目标是多少") == ""
    assert asked_fact("青山县报告提出什么时候建成新区") == ""  # no delivering verb after it
    assert asked_fact("青山县工业园区负责人是谁") == ""  # no 报告: a question about the body


def test_the_occasion_and_the_speaker_on_lines_of_their_own():
    occasion = header_fact(TWO_LINES, "occasion")
    assert occasion and occasion.text == "2031年1月9日在青山县第五届人民代表大会第二次会议上"
    assert TWO_LINES[occasion.start : occasion.end] == occasion.text
    speaker = header_fact(TWO_LINES, "speaker")
    assert speaker and speaker.text == "张某某"
    assert TWO_LINES[speaker.start : speaker.end] == speaker.text


def test_the_speaker_on_the_occasion_line():
    speaker = header_fact(ONE_LINE, "speaker")
    assert speaker and speaker.text == "青山县人民政府县长张某某"
    assert ONE_LINE[speaker.start : speaker.end] == speaker.text
    assert header_fact(ONE_LINE, "occasion").text.endswith("第二次会议上")


def test_no_header_no_answer():
    assert header_fact("2031年全县地区生产总值增长6%。各位代表：", "speaker") is None
    body = passage("2031年全县地区生产总值增长6%。")
    got = header_answer("青山县政府工作报告是谁作的", [body], lambda _doc: body)
    assert got is None
    opening = passage(TWO_LINES)
    got = header_answer("青山县政府工作报告是谁作的", [body], lambda _doc: opening)
    assert got is not None and got[0] == "张某某[1]。" and got[1] is opening


def test_a_header_run_into_the_speech_on_one_line():
    text = (
        "青山县政府工作报告\n2031年1月9日在青山县第五届人民代表大会第二次会议上 县长张某某 "
        "各位代表: 我代表县人民政府向大会作政府工作报告,请予审议。"
    )
    speaker = header_fact(text, "speaker")
    assert speaker and speaker.text == "县长张某某"
