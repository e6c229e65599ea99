"""The constraints of a question a candidate clause breaks (why it cannot be the answer).

The clause reader (:mod:`rag.reader`) scores only the candidates this module leaves standing:
a clause of another place, year, period, level or total, a caption, a question, a part of the
asked whole. Each check names its reason, so a refusal can say why and a test can pin it.
"""

from __future__ import annotations

import re

from core.text import YEAR, place_mentions, short_forms
from rag.clause_fit import (
    dated_elsewhere,
    fragmented,
    names_attribute,
    names_codes,
    names_titled_works,
    other_contrast,
    other_numbered_name,
    other_period,
    other_place,
    periods,
    states_date,
)
from rag.compose import spread_item
from rag.context import Candidate, ContextItem
from rag.entity_fit import MIN_NOVEL, names_a_place, novel_chars
from rag.figure_fit import figure_violations
from rag.level_fit import other_level, other_total
from rag.organ_fit import other_organ
from rag.place_scope import (
    a_part_of_the_place,
    other_village,
    place_ok,
    place_scope,
    segment_subject,
)
from rag.query import QueryInfo
from rag.question import QuestionSpec, question_rules
from rag.scoring import nearest_heading, section_years
from rag.table_rows import table_caption, table_row


def _line_of(text: str, pos: int) -> str:
    """The line of ``text`` holding ``pos`` (a caption is a line, not a sentence: its table's
    rows follow it without a full stop)."""
    end = text.find("\n", pos)
    return text[text.rfind("\n", 0, pos) + 1 : len(text) if end < 0 else end]


def _leads_in(text: str, cand: Candidate) -> bool:
    """The clause only opens a list: it ends with a lead word right before a colon."""
    after = text[cand.end : cand.end + 2].lstrip()
    return after.startswith(("：", ":")) and cand.text.rstrip().endswith(
        question_rules().lead_in_words
    )


def violations(
    spec: QuestionSpec, info: QueryInfo, item: ContextItem, cand: Candidate, lead: str
) -> list[str]:
    """The constraints of the question that ``cand`` breaks."""
    out: list[str] = []
    sentence = item.text[cand.sentence[0] : cand.sentence[1]]
    if not place_ok(spec, item.meta, sentence):
        out.append("other place")
    if sentence.rstrip().endswith(("？", "?")):
        out.append("a question, not an answer")
    if other_organ(spec, cand.text):
        out.append("other department")
    rules = question_rules()
    if spec.answer_type == "figure" and _leads_in(item.text, cand):
        out.append("a list's lead-in")  # "全市新建的3所普通高中为：…": the items follow
    if rules.caption_pattern and re.match(rules.caption_pattern, _line_of(item.text, cand.start)):
        out.append("a caption, not an answer")
    if other_numbered_name(spec.text, sentence):
        out.append("another numbered name")
    elif not names_codes(spec.text, f"{item.meta.heading} {sentence} {cand.text}"):
        out.append("no coded name asked")  # "PM2.5…" or "臭氧…" for PM10
    if not names_titled_works(spec.text, f"{item.meta.title} {item.text}"):
        out.append("another work")
    # the sentence with what precedes it (a title on the line before a name) and its heading
    around = f"{item.meta.heading} {item.text[max(0, cand.sentence[0] - 30) : cand.sentence[1]]}"
    if not names_attribute(spec, around):
        out.append("another attribute")
    if spec.answer_type in ("entity", "place", "date") and fragmented(cand.text):
        out.append("not a sentence")
    if spec.answer_type == "entity" and novel_chars(spec.text, cand.text) < MIN_NOVEL:
        out.append("repeats the question")
    if spec.answer_type == "date" and not states_date(spec, cand.text):
        out.append("no date")
    if spec.answer_type == "rank" and not re.search(rules.rank_pattern, cand.text):
        out.append("no rank")
    asks_year = any(w in spec.text for w in rules.year_question_words)  # the year is the answer
    if not asks_year and (_other_year(spec, item, cand) or dated_elsewhere(spec, cand.text)):
        out.append("another year")
    # a clause naming no period is of its section's ("七、下半年工作安排") or its report's
    # ("2025年上半年工业经济运行分析"): no answer to 一季度 or to the whole year
    section = nearest_heading(
        item.meta.heading, item.text[: cand.sentence[0]], lambda ln: bool(periods(ln))
    )
    if other_period(
        spec.text,
        lead if periods(lead) else section or f"{lead} {item.meta.title}",
        within=spec.answer_type in ("reason", "list"),
    ):
        out.append("another period")
    scope = place_scope(spec, item, cand, around)
    if info.zones and not any(
        f in f"{item.meta.title} {around}" for z in info.zones for f in short_forms(z)
    ):
        out.append("another place")  # the county's figure for a zone in it
    elif other_place(spec.text, item.meta.region, scope) or other_village(spec, scope, sentence):
        out.append("another place")
    elif spec.answer_type == "figure" and a_part_of_the_place(
        spec,
        item.meta,
        spread_item(item.text, cand.start, cand.end, cand.sentence, spec)
        or _with_subject(item.text, cand),
    ):
        out.append("a part's figure")  # "乙县…增长11.5%" for 甲市
    elif spec.answer_type == "figure" and _breaks_down(spec, sentence, cand.text):
        out.append("a part's figure")  # "分港口看，乙港…增长15.2%" for 全省港口
    if spec.answer_type == "place" and not names_a_place(spec, cand.text):
        out.append("no place")
    if other_level(spec.text, cand.text):
        out.append("another level")  # "省考断面…87.0%" for 国考断面
    if other_total(spec.text, lead):
        out.append("another total")  # "市本级…" for 全市
    parts_range = rules.parts_range_pattern
    if spec.answer_type == "figure" and parts_range and re.search(parts_range, lead):
        out.append("the parts' range")  # "6个县（区）…在22.6～31.2之间" for 全市
    if spec.answer_type == "figure" and other_contrast(spec.text, cand.text):
        out.append("the other side of a contrast")  # "昼间…" for 夜间
    if spec.answer_type == "figure":
        out += figure_violations(spec, info, item, cand, lead)
    return out


def _with_subject(text: str, cand: Candidate) -> str:
    """The clause, after the place its stretch of sentence opens with when it names none."""
    if place_mentions(cand.text):
        return cand.text
    return segment_subject(text, cand.sentence[0], cand.start) + cand.text


def _breaks_down(spec: QuestionSpec, sentence: str, clause: str) -> bool:
    """The question asks a whole (全省…) and the clause is a part of a sentence breaking the
    whole down ("分港口看，…") that does not itself speak of the whole."""
    rules = question_rules()
    wholes = rules.whole_scope_words
    if not rules.breakdown_pattern or not any(w in spec.text for w in wholes):
        return False
    opening = re.match(rules.breakdown_pattern, sentence.lstrip())
    # the whole as the clause's subject ("全省港口完成…"), not in a rank ("居全省首位")
    subject = re.split(r"[，,；;\d]", clause, maxsplit=1)[0]
    return bool(opening) and not any(w in subject for w in wholes)


def _other_year(spec: QuestionSpec, item: ContextItem, cand: Candidate) -> bool:
    """Outside a 政府工作报告 (whose years follow from its own year), a sentence that dates
    itself, but not with an asked year, is about another year ("表2 2022年…" for 2021). An
    undated figure is of its table caption's or section heading's year, else of the
    document's own year."""
    if not spec.years or item.meta.congress_report:
        return False
    named = {int(y) for y in YEAR.findall(item.text[slice(*cand.sentence)])}
    if named:
        return not named & set(spec.years)
    # (a table row's years are its columns')
    row = table_row(item.text, cand.start, cand.end, item.above)
    if row is not None:
        if any(YEAR.search(h) for h in row.header):
            return False  # the asked year's column decides
        # "表1　2024年全县主要经济指标": the caption dates every row
        caption = {int(y) for y in YEAR.findall(table_caption(item.text, cand.start, item.above))}
        if caption:
            return not caption & set(spec.years)
    # under "二、2025年工作要点" an undated figure is 2025's
    section = section_years(item.meta.heading, item.text[: cand.sentence[0]])
    prior = bool(row is None and re.match(question_rules().prior_value_pattern, cand.text))
    if section:
        return not {y - prior for y in section} & set(spec.years)
    if row is not None:
        return False
    # an undated figure of a 2024 工作总结 or 汇报 is 2024's, not an earlier year's
    year = item.meta.year
    if not year or spec.answer_type != "figure":
        return False
    if prior:  # "比上年的2.85万吨": 2023's in a 2024 summary
        return year - 1 not in spec.years
    return max(spec.years) < year


__all__ = ["violations"]
