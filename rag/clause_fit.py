"""Rules about one clause, shared by the reader's checks and scores: which of its numbers are
figures, which year dates it, whether it states the asked unit, a bound, another numbered name
of the same series, or the kind of name an entity question asks for. Each rule is data-driven
(``resources/question.toml``) and tested on its own in ``tests/rag/test_reader.py``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.text import (
    YEAR,
    normalize_for_search,
    numbers,
    place_mentions,
    place_rules,
    short_forms,
)
from rag.question import QuestionSpec, question_rules

_DATE_PART = re.compile(r"(\d{1,2})\s*(?:月|日|号|季度)")


#: A code with letters and digits (航班MU5735, 波音737-800, 5G): a name, not a figure.
_CODE = re.compile(r"[A-Za-z]+[\d\-]+[A-Za-z\d\-]*|\d+[A-Za-z]+|\d{3}-\d{3}")


#: A one-digit number with a measure word after it is a count ("规上工业4间"), not an ordinal.
_MEASURES = "个|间|家|人|项|座|所|条|名|位|台|辆|套|亩|吨|批|户|处|栋|宗|只|艘|架|件|起|场|种|部|篇"
_SMALL_COUNT = re.compile(rf"(?<![\d.第])([1-9])\s*(?:{_MEASURES})")
_COUNT = re.compile(rf"(?<![\d.第])\d+\s*(?:{_MEASURES})")


def counts_blanked(text: str, end: int) -> str:
    """``text`` with the counts before ``end`` blanked: in "5个县（市、区）地区生产总值均实现正
    增长" the 5 counts the places the metric is told of, it is no figure of the metric."""
    return _COUNT.sub(lambda m: " " * len(m.group()), text[:end]) + text[end:]


def figures(text: str) -> set[tuple[str, float]]:
    """The figures of ``text``: not years, months, days, small ordinals or codes (MU5735)."""
    text = _CODE.sub(" ", text)
    dates = {("n", float(y)) for y in YEAR.findall(text)}
    dates |= {("n", float(d)) for d in _DATE_PART.findall(text)}
    counted = {float(c) for c in _SMALL_COUNT.findall(text)}  # "4间" counts; "第4" does not
    return {
        n
        for n in numbers(text) - dates
        if not (n[0] == "n" and n[1] < 10 and n[1] == int(n[1]) and n[1] not in counted)
    }


_NUMBERED = re.compile(r"([\u4e00-\u9fff]{2,4}?)([一二三四五六七八九十百零〇两\d]+)([号届次期代])")


def other_numbered_name(question: str, sentence: str) -> bool:
    """The question names 神舟十六号 (第二届, 3号线 …); the sentence names the same series with
    another number and not the asked one: it is about something else."""
    for stem, num, suffix in _NUMBERED.findall(question):
        asked = stem + num + suffix
        if asked in sentence:
            continue
        others = re.findall(
            rf"{re.escape(stem)}([一二三四五六七八九十百零〇两\d]+){suffix}", sentence
        )
        if any(o != num for o in others):
            return True
    # "PM10" against a sentence of PM2.5 only (SO2, 5G …): a code's number names the thing
    folded = sentence.upper()
    for letters, num in _CODED_NAME.findall(question.upper()):
        if letters + num in folded:
            continue
        if any(o != num for o in re.findall(rf"(?<![A-Z]){letters}(\d+(?:\.\d+)?)", folded)):
            return True
    return False


#: a Latin code ending in a short number ("PM10", "PM2.5", "SO2"; not a flight's MU5735)
_CODED_NAME = re.compile(r"(?<![A-Za-z])([A-Za-z]{2,})(\d{1,2}(?:\.\d)?)(?![\d.])")


def names_codes(question: str, text: str) -> bool:
    """``text`` names every coded name the question does ("PM10"): a clause without it is
    about another pollutant, standard or network, however well its other words fit."""
    folded = text.upper()
    return all(a + n in folded for a, n in _CODED_NAME.findall(question.upper()))


_BASE_YEAR = re.compile(r"[比较与同自从]\s*$")


def _dates(text: str) -> list[int]:
    """The years ``text`` dates itself with, in order; base years ("比2020年") left out."""
    return [
        int(m.group(1)) for m in YEAR.finditer(text) if not _BASE_YEAR.search(text[: m.start()])
    ]


def dated_elsewhere(spec: QuestionSpec, text: str) -> bool:
    """The clause itself names years, none of them asked ("2019年…32人" for 2020)."""
    named = set(_dates(text))
    return bool(spec.years) and bool(named) and not named & set(spec.years)


def year_fit(spec: QuestionSpec, lead: str) -> float:
    """The last year the sentence names up to the clause dates the clause's figure; when that
    is another year ("其中2019年…，初三级有32人" for 2020) it probably is another year's figure.
    A base year ("比2020年增长") does not date it. No bonus for the asked year: headings and
    lead-ins repeat it."""
    if not spec.years:
        return 0.0
    dated = _dates(lead)
    if not dated or dated[-1] in spec.years:
        return 0.0
    return -0.12


_TITLED = re.compile(r"《([^》]{1,40})》")


def names_attribute(spec: QuestionSpec, text: str) -> bool:
    """``text`` names the asked attribute (``spec.attribute``), or no attribute is asked.
    A word of three or more characters counts by its first or last two ("火炬" for 火炬手)."""
    if not spec.attribute:
        return True
    titled = question_rules().titled_attributes
    if _TITLED.search(text) and any(a in titled for a in spec.attribute):
        return True  # 《新龙门客栈》 is a work whatever the sentence calls it
    norm = normalize_for_search(text)
    return any(
        a in norm or (len(a) >= 3 and (a[:2] in norm or a[-2:] in norm)) for a in spec.attribute
    )


def names_titled_works(question: str, passage: str) -> bool:
    """Every work the question names in book-title marks (《我们的冬奥》) is named in the
    passage: a passage about another film or book cannot answer."""
    return all(title in passage for title in _TITLED.findall(question))


#: a gap of spaces between two Chinese characters: caption or poster text, not prose
_GAP = re.compile(r"[\u4e00-\u9fff][ \t\u3000\xa0]+(?=[\u4e00-\u9fff])")
MAX_GAPS = 2


def fragmented(text: str) -> bool:
    """Words strung together by spaces ("有冠军和季军 是带着一场胜利 昂首离开…  记者"): a
    caption or a page's furniture, which cannot state who or what (figures in a table row can,
    so the reader applies this to names, dates and places only)."""
    return len(_GAP.findall(text)) > MAX_GAPS


def periods(text: str) -> set[tuple[int, int]]:
    """The periods within a year that ``text`` names, as (first, last) month: 上半年 → (1, 6),
    "1—5月" and "截至5月底" → (1, 5), "12月" → (12, 12)."""
    rules = question_rules()
    if not rules.period_pattern:
        return set()
    out = set()
    for m in re.finditer(rules.period_pattern, text):
        key = re.sub(r"[\s第]+", "", m.group(0))
        if key in rules.period_months:
            out.add(rules.period_months[key])
        elif span := re.fullmatch(r"(\d+)[-—–－~～至](\d+)月", key):
            out.add((int(span.group(1)), int(span.group(2))))
        elif to_date := re.fullmatch(r"(\d+)月[底末]", key):
            out.add((1, int(to_date.group(1))))
        elif month := re.fullmatch(r"(\d+)月", key):
            out.add((int(month.group(1)), int(month.group(1))))
    return out


#: how much of an asked period a period starting with it must cover to stand for it
LATEST_SHARE = 0.8


def other_period(question: str, text: str, within: bool = False) -> bool:
    """The question names a period and ``text`` names only periods that do not report on it:
    one answers when it starts with the asked period and ends within it, late enough to be
    its latest figure (截至5月底 for 上半年), not a half of it (1—6月 for 全年). With
    ``within`` (a cause, a list: no figure to be the period's latest) any period inside the
    asked one is part of it ("5、6月份高温少雨" for 上半年)."""
    asked = periods(question)
    named = periods(text)
    fits = any(
        (a0 == b0 or (within and a0 >= b0))
        and a1 <= b1
        and (within or (a1 - a0 + 1) >= LATEST_SHARE * (b1 - b0 + 1))
        for a0, a1 in named
        for b0, b1 in asked
    )
    return bool(asked and named) and not fits


def other_contrast(question: str, clause: str) -> bool:
    """The question names one side of a contrast (夜间, 政府性基金) and the clause names another
    (昼间, 社会保险基金) but not the asked one: it states the other side's figure."""
    rules = question_rules()
    for word in rules.contrast_masks:
        question, clause = question.replace(word, " "), clause.replace(word, " ")
    for group in rules.contrast_sets:
        asked = [w for w in group if w in question]
        if len(asked) == 1 and asked[0] not in clause and any(w in clause for w in group):
            return True
    return False


def states_date(spec: QuestionSpec, text: str) -> bool:
    """``text`` states a date the question does not already give ("2023年某地地震" only
    repeats the asked year; "2月6日" answers)."""
    pattern = question_rules().date_pattern
    return any(m.group(0) not in spec.text for m in re.finditer(pattern, text))


def bound_fit(spec: QuestionSpec, text: str) -> float:
    """A figure stated as a bound ("低于2.5%的控制线") is not the value unless a bound is asked."""
    cues = question_rules().bound_cues
    if spec.answer_type != "figure" or any(c in spec.text for c in cues):
        return 0.0
    return -0.15 if any(c in text for c in cues) else 0.0


#: the reader's preference for a clause giving a cause, for a why-question: large, since the
#: clause restating the fact names every word of the question and the cause often few of them
#: ("…是拉动全市投资增长的主要力量" against "全市固定资产投资同比增长3.8%")
CAUSE_BONUS = 0.6


def cause_fit(spec: QuestionSpec, text: str) -> float:
    """A why-question prefers the clause that states a cause ("主要受…影响") over the one
    that restates the fact asked about ("外贸进出口总额9.37亿元，同比下降6.8%")."""
    rules = question_rules()
    if not any(w in spec.text for w in rules.cause_question_words):
        return 0.0
    for word in rules.not_cause_words:
        text = text.replace(word, " ")
    return CAUSE_BONUS if any(c in text for c in rules.cause_cues) else 0.0


def completion_fit(spec: QuestionSpec, text: str) -> float:
    """A question whether a plan was met prefers the clause stating the result against the
    plan ("…实际建成3.4万亩，超额完成年度任务") over one praising the work ("成效明显")."""
    rules = question_rules()
    if not any(w in spec.text for w in rules.completion_question_words):
        return 0.0
    return CAUSE_BONUS if any(c in text for c in rules.completion_cues) else 0.0


def unit_fit(spec: QuestionSpec, text: str) -> float:
    """A figure in the unit the question names ("多少间" → "5610间") fits better. (No penalty
    otherwise: "多少个学位" is answered by "1.2万座".)"""
    if not spec.unit or spec.answer_type != "figure":
        return 0.0
    unit = spec.unit.lstrip("万亿千百")
    stated = "元" if unit == "钱" else unit  # "罚了多少钱": 486.3万元
    if re.search(rf"\d(?:[\d.,]*\d)?\s*[万亿千百]*{re.escape(stated)}", text):
        return 0.1
    # every figure counts another kind of thing ("来自31个省" for "多少名本科生"); a question
    # asking "多少个" or "多少座" may be answered in any unit ("1.2万座" for "多少个学位")
    group = next((g for g in question_rules().count_unit_groups if unit in g), ())
    if not group:
        return 0.0
    units = re.findall(rf"\d\s*[万亿千百]*({_COUNT_UNITS})", text)
    if units and all(u not in group for u in units):
        return -0.1
    return 0.0


def only_other_measures(spec: QuestionSpec, text: str) -> bool:
    """The question counts in a unit ("多少万辆") and every figure of ``text`` is a percentage or
    a sum of money ("零售额增长35.8%", "90亿元"): a count cannot be read from it; or it asks
    money ("多少亿元") and every figure counts things ("4317处")."""
    if not spec.unit or spec.answer_type != "figure" or not spec.unit.lstrip("万亿千百"):
        return False
    found = re.findall(r"\d(?:[\d.,]*\d)?\s*([万亿千百]*)(元|%|％|\S?)", text)
    if spec.unit.lstrip("万亿千百") in ("元", "钱"):
        # "多少亿元" asks money: "集中供水工程4317处" counts things
        return bool(found) and all(
            re.match(r"[\u4e00-\u9fff]", unit) and unit != "元" for _, unit in found
        )
    # "25679万元(2.56亿)": an amount in 亿 restated with no unit after it counts no thing
    return bool(found) and all(
        unit in ("元", "%", "％") or (big and not re.match(r"[\u4e00-\u9fff]", unit))
        for big, unit in found
    )


def _unit_kind(unit: str) -> str:
    kinds = question_rules().unit_kinds
    unit = unit.lstrip("万亿千百") or unit
    return next((k for k, units in kinds.items() if unit in units), "")


_RATE_FIGURE = re.compile(r"\d[\d.,]*\s*(?:%|％|‰|个百分点)")


@lru_cache(maxsize=1)
def _unit_figure() -> re.Pattern[str]:
    """A figure with the unit of :attr:`unit_kinds` after it, if any ("2,300余户")."""
    units = sorted(
        (u for units in question_rules().unit_kinds.values() for u in units), key=len, reverse=True
    )
    return re.compile(
        r"\d(?:[\d.,]*\d)?\s*[万亿千百]*(?:余|多)?(" + "|".join(map(re.escape, units)) + "|)"
    )


def other_basis(question: str, text: str) -> bool:
    """The question asks a change against one base ("环比") and ``text`` states changes only
    against another ("同比增长6.2%")."""
    bases = question_rules().comparison_bases
    asked = {i for i, words in enumerate(bases) if any(w in question for w in words)}
    if len(asked) != 1:
        return False
    named = {i for i, words in enumerate(bases) if any(w in text for w in words)}
    return bool(named) and not named & asked


def _asked_kind(spec: QuestionSpec) -> str:
    """The kind of unit a question counts in: its unit's ("多少万亩"), else the kind of the noun
    it counts ("多少资金": money) or of the measure it asks ("出口额": money)."""
    if spec.unit:
        return _unit_kind(spec.unit)
    rules = question_rules()
    words = rules.quantity_words
    for kind, nouns in rules.unit_kind_nouns.items():
        if any(f"{w}{n}" in spec.text for w in words for n in nouns):
            return kind
    measure = spec.subject[-1] if spec.subject else ""  # "出口额是多少"
    share = ("份额", *rules.share_words)
    return next(
        (k for k, ends in rules.unit_kind_endings.items()
         if measure.endswith(ends) and not measure.endswith(share)),
        "",
    )  # fmt: skip


def other_unit_kind(spec: QuestionSpec, text: str) -> bool:
    """The question counts in a unit of one kind ("多少万亩": an area) and every figure of
    ``text`` is in a unit of another kind ("年产500吨", "普通高中21所" for 多少人)."""
    asked = _asked_kind(spec) if spec.answer_type == "figure" else ""
    if not asked:
        return False
    if not spec.wants_rate:  # "…86.4万人次，同比增长14.6%": its rate is no income
        rates, text = _RATE_FIGURE.findall(text), _RATE_FIGURE.sub("", text)
        if rates and spec.unit and not _unit_figure().findall(YEAR.sub("", text)):
            return True  # "婴儿死亡率2.12‰" for 几个婴儿: a rate is no count
    found = [_unit_kind(u) if u else "" for u in _unit_figure().findall(text)]
    return bool(found) and all(k and k != asked for k in found)


_COUNT_UNITS = "人次|名|人|家|所|项|间|户|位|台|辆|套|条|次|个|座|件|场|批"

#: the reader's bonus for a figure that counts the asked noun
COUNTED_NOUN_BONUS = 0.3


def counted_noun(spec: QuestionSpec) -> str:
    """The noun a count question counts: "多少个车站" → 车站, "多少名本科生" → 本科生."""
    if spec.answer_type != "figure":
        return ""
    pattern = question_rules().asked_unit_pattern
    norm = normalize_for_search(spec.text)
    m = re.search(rf"{pattern}([\u4e00-\u9fff]{{2,4}}?)(?=[的？?，,。]|$)", norm)
    return m.group(2) if m else ""


def counted_noun_fit(spec: QuestionSpec, text: str) -> float:
    """A figure counting the asked noun ("10座车站" for "多少个车站") answers a count question
    better than a clause that only shares its topic."""
    noun = counted_noun(spec)
    if not noun:
        return 0.0
    units = _COUNT_UNITS + "|场|批|只|张|处|栋|幢|宗|艘|架"
    found = re.search(rf"\d[\d.,]*\s*[万亿千百]*(?:{units})?\s*{re.escape(noun)}", text)
    return COUNTED_NOUN_BONUS if found else 0.0


#: the reader's penalty for a figure of what was done one way, for a question naming no way
MANNER_PENALTY = 0.15


#: the preference for the clause stating a change itself ("比上年增加0.85亿元") when the
#: question asks how much more than a year before: above the total's better coverage
INCREASE_BONUS = 0.25


def increase_fit(spec: QuestionSpec, text: str) -> float:
    """ "比前年多了多少" is answered by the increase ("比上年增加0.85亿元"), not the total."""
    rules = question_rules()
    if not rules.increase_question_pattern or spec.answer_type != "figure":
        return 0.0
    for asked, stated in (
        (rules.increase_question_pattern, rules.increase_text_pattern),
        (rules.rise_question_pattern, rules.rise_text_pattern),
    ):
        if asked and stated and re.search(asked, spec.text) and re.search(stated, text):
            return INCREASE_BONUS
    return 0.0


def manner_fit(spec: QuestionSpec, text: str) -> float:
    """A figure of what was done one way ("以弹性年期方式供应工业用地7宗186亩") is a part of
    the whole asked by a question naming no way ("工业用地供应了多少亩"); a soft preference, so
    the part still answers when no clause states the whole."""
    rules = question_rules()
    if spec.answer_type != "figure" or any(w in spec.text for w in rules.manner_words):
        return 0.0
    return -MANNER_PENALTY if re.search(rules.manner_pattern, text) else 0.0


#: the reader's bonus for a clause stating a total, for a question asking one
TOTAL_BONUS = 0.1


def total_fit(spec: QuestionSpec, text: str) -> float:
    """ "一共有多少家" asks the stock: a clause stating a total ("总数达到318家") answers it
    better than the year's increase beside it ("新增规上工业企业27家")."""
    rules = question_rules()
    if spec.answer_type != "figure" or not any(w in spec.text for w in rules.total_question_words):
        return 0.0
    return TOTAL_BONUS if any(w in text for w in rules.total_clause_words) else 0.0


#: the reader's bonus for a count right after the act the question asks it of
COUNTED_ACT_BONUS = 0.1


def counted_act_fit(spec: QuestionSpec, text: str) -> float:
    """A count question asks how often its last-named act was done ("提案立案了多少件",
    "隐患有多少项已经整改完了"): a figure in the asked unit right after that act ("经审查立案
    432件", "已完成整改119项") answers better than one after the thing's own name ("委员个人
    提案371件") or after a rate of the act ("立案率88.9%")."""
    if not spec.unit or not spec.subject or len(spec.subject[-1]) < 2 or counted_noun(spec):
        return 0.0  # ("多少家5A级景区" counts a thing it names after the unit)
    asked = re.search(r"多少|几", spec.text)
    if asked is None or spec.text.find(spec.subject[-1]) > asked.start():
        return 0.0
    act = re.escape(spec.subject[-1])
    unit = re.escape(spec.unit)
    found = re.search(rf"{act}[了共计达为]{{0,2}}\d[\d.,]*\s*[万亿千百]*{unit}", text)
    return COUNTED_ACT_BONUS if found else 0.0


__all__ = [
    "bound_fit",
    "completion_fit",
    "counted_act_fit",
    "counted_noun",
    "counted_noun_fit",
    "dated_elsewhere",
    "figures",
    "fragmented",
    "names_attribute",
    "names_titled_works",
    "other_basis",
    "other_numbered_name",
    "other_unit_kind",
    "states_date",
    "unit_fit",
    "year_fit",
]


#: a place of a level below a province, named with its unit ("武汉市", "青山县")
_LOCAL_UNITS = ("市", "县", "区", "州", "旗", "镇", "乡", "街道")


def other_place(question: str, region: str, around: str) -> str:
    """A city or county the question names that is not the report's region, nor its parent
    named before it, and is not named around the clause (its sentence and heading):
    "武汉市2024年GDP" is not answered by the province's GDP in a provincial report. Returns
    the place, or ''."""
    if not region:
        return ""
    forms = short_forms(region)
    named_at = [question.find(f) for f in forms if f in question]
    for place in place_mentions(question):
        place = place.lstrip("（(")
        # "东江丙溪县": the region named without its suffix before a place in it
        parent = next((f for f in forms if place.startswith(f) and len(place) > len(f)), "")
        rest = place[len(parent) :] if parent else ""
        if rest in place_rules().generic:
            continue  # "某州城市功能区": the region, then a word ending in a place suffix
        if len(rest) >= 3:
            place = rest
        if not place.endswith(_LOCAL_UNITS) or place in region or region in place:
            continue
        if place in forms:  # the region by another name ("某川经开区")
            continue
        if named_at and question.find(place) < min(named_at):
            continue  # named before the region, general to specific: its parent ("阳江市阳东区")
        if not any(form in around for form in short_forms(place)):
            return place
    return ""
