"""Whether a clause states the figure a figure question asks for.

A clause can name the asked metric and hold a number and still not answer: the number may be
another subject's ("城镇…增长4.5%；农村居民人均可支配收入22136元" for the rural growth), a target
where a result is asked (or the reverse), a five-year figure for one year, a share for a
growth. Each rule here rules such a clause out with a reason the reader reports; the cue words
are data (``resources/question.toml``, the metric lexicon).
"""

from __future__ import annotations

import re

from core.lexicon import lexicon
from core.records import ChunkMeta
from core.text import YEAR, clause_spans, normalize_for_search
from rag.clause_fit import (
    counts_blanked,
    figures,
    only_other_measures,
    other_basis,
    other_unit_kind,
)
from rag.compose import spread_item
from rag.context import Candidate, ContextItem
from rag.member_fit import group_figure
from rag.metric_fit import (
    names_subject,
    only_share_base,
    other_head,
    other_measure,
    other_qualifier,
    other_share_part,
    other_subjects_measure,
    other_suffix_measure,
    share_figures,
    states_part_share,
    two_facts,
)
from rag.organ_fit import names_asked_organ
from rag.place_scope import line_title
from rag.query import QueryInfo
from rag.question import QuestionSpec, question_rules
from rag.scoring import in_plan_section, in_review_section, wanted_kind
from rag.table_rows import row_answer, table_row

#: a change in percentage points ("提高2.3个百分点")
_POINTS = re.compile(r"(\d+(?:\.\d+)?)\s*个?百分点")


def points_of(text: str) -> set[tuple[str, float]]:
    """The changes in points ``text`` states, as figures ("n", 2.3)."""
    return {("n", float(x)) for x in _POINTS.findall(text)}


# (not 预计: a report's "全年…预计达3.2%" is last year's preliminary result)
_TARGET_STRONG = ("预期目标", "力争", "目标是", "目标为", "计划")


def figure_violations(
    spec: QuestionSpec, info: QueryInfo, item: ContextItem, cand: Candidate, lead: str
) -> list[str]:
    """The constraints of a figure question ``cand`` breaks: metric, rate or amount, target or
    result, one year or several."""
    out: list[str] = []
    row = table_row(item.text, cand.start, cand.end, item.above)
    own = row_answer(row, spec) if row else cand.text  # a table row: the asked column, its unit
    nums = figures(own)
    if not nums:
        out.append("no figure")
    if _other_currency(spec, own):
        out.append("another currency")  # "2.37亿美元" for 折合人民币多少亿元
    if _asks_progress(spec) and not _states_progress(own):
        out.append("no progress figure")  # "契税下降9.8%" for 契税完成预算的百分之多少
    if _stock_for_increase(spec, own):
        out.append("a stock, not an increase")  # "现有高新技术企业286家" for 新增了多少家
    if negated_act(spec, own):
        out.append("the act negated")  # "不批准逮捕19人" for 批准逮捕了多少人
    if re.search(question_rules().points_question_pattern, spec.text) and "百分点" not in own:
        out.append("no change in points")  # "提高了多少个百分点" is no "覆盖率为71.05%"
    text = normalize_for_search(inherited_subject(item.text, cand) + own)
    named = lexicon().distributed(text)  # "城乡…分别增长4.3%、6.1%" names 农村… too
    # "A和B分别完成18.6亿元、12.3亿元" asked for B: B's own figure, A's name no other metric
    spread = spread_item(item.text, cand.start, cand.end, cand.sentence, spec)
    # the most specific metric asked ("城镇调查失业率", not the 失业率 inside it) must be named
    asked = _most_specific(spec)
    question = normalize_for_search(spec.text)
    # "税收占比…，比上年提高2.1个百分点" for "税收占一般公共预算收入的比重…": the metric is the base
    shared = states_part_share(spec, normalize_for_search(continued_clause(item.text, cand) + own))
    if shared:
        pass
    elif spec.metrics and not any(lexicon().mentions(t, named, question) for g in asked for t in g):
        out.append("other metric")
    elif (  # a table row's metric is its column's name, which row_answer picked
        spec.metrics and nums and not spread and not row
        and not _metric_has_figure(spec, item.text, cand)
    ):  # fmt: skip
        out.append("the metric's figure is elsewhere")
    elif not spec.metrics and lexicon().metrics(spread or own):
        # the lexicon knows how people ask for GDP, 社零 …: a question using none of those
        # words asks for something else ("农业总产值"), which a GDP clause cannot answer
        # (the clause's own words: "其中农业产值…" continues a GDP clause without being one)
        out.append("a metric the question does not name")
    elif spec.subject and not names_subject(spec.subject, scope := _subject_scope(item, cand, own)):
        out.append("names nothing asked")  # "旅游收入1.36亿元" for 农业总产值
    elif spec.subject and other_head(spec, scope):
        out.append("another measure")  # "规模以上工业企业实现营业收入…" for 规模以上工业总产值
    elif spec.subject and not states_measure(
        spec, f"{item.meta.heading} {item.text[slice(*cand.sentence)]} {own}"
    ):
        out.append("the measure is not stated")  # "追回欠薪2,863万元" under "（四）建筑业…"
    if _a_causes_figure(spec, own):
        out.append("a cause's figure")  # "契税下降主要是…成交面积同比减少21.4%" for 契税
    if other_measure(spec, text) and not shared:
        out.append("another measure of the metric")
    if not row and other_suffix_measure(spec, text):
        out.append("another measure")  # "新生儿疾病筛查率98.9%" for 新生儿死亡率
    if only_share_base(spec, text):
        out.append("the metric is a share's base")
    if (
        other_qualifier(spec, own) or _continues_another_part(spec, item.text, cand, own)
    ) and not names_asked_organ(spec, own):  # (the asked department is no other part)
        out.append("another part of the metric")  # "市场采购贸易方式出口" for 跨境电商出口
    if group_figure(spec, own):
        out.append("a group's figure")  # "盗窃、诈骗、毒品犯罪等…412人" for 毒品犯罪
    if other_basis(spec.text, own):
        out.append("another base")  # "同比增长6.2%" for 环比
    if spec.asks == 1 and (only_other_measures(spec, own) or other_unit_kind(spec, own)):
        out.append("not in the asked unit")
    continued = continued_clause(item.text, cand) + own  # "…年均浓度为31.6，同比下降5.4%"
    if row:  # a row's label is the subject of its columns ("稻谷" of 稻谷，产量：19.85万吨)
        continued = own.replace("，", "", 1)
    if other_subjects_measure(spec, item.text[slice(*cand.sentence)], continued):
        out.append("another subject's measure")
    elif other_share_part(spec, continued, line_title(item.text, cand.start) + item.meta.heading):
        out.append("another part's share")  # "制造业投资…，占全部投资的比重…" for 民间投资
    if spec.asks == 1 and two_facts(spec, item.text, cand.start, cand.end):
        out.append("two facts")
    if spec.asks == 1 and nums:
        rates = {n for n in nums if n[0] == "%"}
        points = points_of(own)
        # a change in points ("+0.7个百分点") answers how much a rate itself rose
        moved = bool(points) and _asks_a_rates_change(spec)
        if spec.wants_rate and not rates - share_figures(spec, own) and not moved:
            out.append("not a rate")  # "…152.7亿美元，其中制造业外资占比51%" for 增长多少
        if spec.wants_amount and nums <= rates | points:
            out.append("not an amount")  # "占…49.0%，比上年提高1.8个百分点" for 金额
    # how far a plan got is neither its target nor a result stated apart from it
    kind = "" if _asks_progress(spec) else wanted_kind(info, item.meta)
    lead_norm = normalize_for_search(lead)
    scope = lead_norm + normalize_for_search(item.meta.heading)
    rules = question_rules()
    # a table row's answer names its column ("2025年目标：41500元"), in a review section too
    column = normalize_for_search(own) if row else ""
    if (
        kind == "target"
        and not any(t in scope or t in column for t in lexicon().target_text)
        # a review word before the clause, or a review section ("（一）基本情况" under
        # "一、2024年工作总结")
        and (any(c in scope for c in rules.review_cues) or in_review_section(item.meta.heading))
        and not in_plan_part(item, cand)
    ):
        out.append("not a target")
    if (
        kind == "target"
        and item.meta.congress_report
        and in_review_section(item.meta.heading)
        and not any(
            t in lead_norm for t in lexicon().target_text if t not in rules.weak_target_cues
        )
    ):
        out.append("a result, not a target")  # "…工作回顾": 6.5%左右 is last year's estimate
    if kind == "actual" and _after_report(spec, item.meta, item.text[slice(*cand.sentence)]):
        out.append("a result after the report")
    # outside a 政府工作报告 a question naming no target asks what the report reports, and a
    # clause the report plans ("力争…，食用农产品抽检合格率稳定在97%以上") does not say it
    # ("完成全年计划…的51.3%" still does: 计划 there is the plan a result is measured by)
    planned = kind == "" and not item.meta.congress_report and not info.wants_target
    strong = tuple(t for t in _TARGET_STRONG if kind == "actual" or t != "计划")
    # a cue the question itself uses ("实际控制在多少") does not make the clause a target
    target_words = tuple(
        w for w in (*strong, *question_rules().target_clause_cues) if w not in spec.text
    )
    # "…增长5.6%，低于年初确定的6.5%预期目标；…": a result measured against its target
    compared = question_rules().target_comparison_pattern
    before = re.sub(compared, " ", lead_norm) if compared else lead_norm
    done = any(c in own for c in question_rules().result_clause_cues)
    if (kind == "actual" or planned) and (
        (any(t in before for t in strong) and not done)
        or any(t in text for t in target_words)
        # the plan part of a 政府工作报告 or of a year's 工作总结 holds no results; a mid-year
        # 汇报's 下半年工作思路 may restate the half's
        or (in_plan_part(item, cand) and annual_report(item.meta))
    ):
        out.append("a target, not a result")
    if (
        not spec.multi_year
        and spec.years  # "拆了多少间" (no year) is answered by a 累计 figure too
        and multi_year(normalize_for_search(_near(item.text, cand)), spec.text)
    ):
        out.append("a multi-year figure")
    return out


def _subject_scope(item: ContextItem, cand: Candidate, own: str) -> str:
    """Where a clause's subject may be named: its heading, the clause itself and, for a clause
    continuing another ("…实现农业总产值6.83亿元，增长4.1%"), the clauses it continues, back
    to the one that opens the chain ("高技术制造业增加值增长14.2%，占…16.8%，比上年提高1.5个
    百分点"), within its part of the sentence."""
    return f"{item.meta.heading} {_continued_chain(item.text, cand)} {own}"


def _continued_chain(text: str, cand: Candidate) -> str:
    """The clauses ``cand`` continues, from the first of its chain, never across a "；"."""
    starts = question_rules().continuation_starts
    if not cand.text.startswith(starts):
        return ""
    before = [s for s in clause_spans(text, *cand.sentence) if s[1] <= cand.start]
    chain: list[str] = []
    end = cand.start
    for s, e in reversed(before):
        if any(mark in text[e:end] for mark in _PART_BREAKS):
            break
        chain.insert(0, text[s:e])
        if not text[s:e].startswith(starts):
            break
        end = s
    return "，".join(chain)


def negated_act(spec: QuestionSpec, clause: str) -> bool:
    """The clause counts the asked act negated ("不批准逮捕19人" for "批准逮捕了多少人",
    "未达标…" for 达标) and the question does not negate it."""
    words = [w for w in spec.subject if len(w) >= 2]
    negations = question_rules().negations
    return any(n + w in clause and n + w not in spec.text for w in words for n in negations)


def states_measure(spec: QuestionSpec, text: str) -> bool:
    """The measure the question names last ("建筑业增加值" → 增加值), when it is one a report
    always names with its figure (``stated_measure_heads``), is named by the sentence, its
    heading or its table row: a clause under "（四）建筑业转型升级" that names no 增加值
    does not give it."""
    measure = spec.subject[-1]
    heads = question_rules().stated_measure_heads
    if len(measure) < 2 or not measure.endswith(heads):
        return True
    head = next(h for h in sorted(heads, key=len, reverse=True) if measure.endswith(h))
    return head in text or head.removeprefix("总") in text


def _a_causes_figure(spec: QuestionSpec, clause: str) -> bool:
    """The clause names the asked subject, then a cause ("主要是", "由于"), then the first
    figure: the figure measures the cause, not the subject ("契税下降主要是…商品房成交面积同比
    减少21.4%")."""
    rules = question_rules()
    digit = re.search(r"\d", clause)
    if digit is None or any(w in spec.text for w in rules.cause_question_words):
        return False
    words = spec.subject or tuple(t for g in spec.metrics for t in g)
    named = [clause.find(w) for w in words if 0 <= clause.find(w) < digit.start()]
    if not named:
        return False
    cues = [clause.find(c) for c in rules.cause_cues if 0 <= clause.find(c) < digit.start()]
    cue = min((q for q in cues if q > min(named)), default=-1)
    return cue >= 0 and not any(cue < clause.find(w, cue) < digit.start() for w in words)


def annual_report(meta: ChunkMeta) -> bool:
    """A 政府工作报告 or a year's 工作总结 (not a report on part of a year, "上半年…"): its plan
    part plans the next year and restates no result."""
    if not (meta.congress_report or "工作总结" in meta.doc_type):
        return False
    return not any(c in meta.title for c in question_rules().subperiod_cues)


#: marks between the parts of a sentence that each have their own subject
_PART_BREAKS = ("；", ";")


def inherited_subject(text: str, cand: Candidate) -> str:
    """For a clause that continues another ("…，全年增长5.1%，达6502亿元"), the nearest earlier
    clause of its sentence that names a metric: the subject the figure belongs to."""
    if not cand.text.startswith(question_rules().continuation_starts):
        return ""
    lex = lexicon()
    before = [s for s in clause_spans(text, *cand.sentence) if s[1] <= cand.start]
    end = cand.start
    for s, e in reversed(before):
        if any(mark in text[e:end] for mark in _PART_BREAKS):
            # "…地区生产总值412.6亿元，增长7.1%；规模以上工业总产值1026.8亿元，比上年的…":
            # a semicolon opens another subject's part, known to the lexicon or not
            break
        if lex.metrics(text[s:e]):
            return text[s:e] + "，"
        end = s
    return ""


def _continues_another_part(spec: QuestionSpec, text: str, cand: Candidate, own: str) -> bool:
    """``cand`` opens by continuing a clause about another part of the asked measure ("全口径
    税收收入56.8亿元，同比增长6.1%，其中地方级…" for 地方级税收收入的增长): its first clause's
    rates are that part's."""
    said = continued_clause(text, cand)
    if not said or not other_qualifier(spec, said):
        return False
    first = re.split(r"[，,；;]", own)[0]
    asked = normalize_for_search("".join(spec.subject))
    if asked and asked in normalize_for_search(first):
        return False  # "…投资增长4.1%，其中工业投资增长12.6%": the part asked, named

    # its rates, or changes in points ("比上年提高2.3个百分点"), are all its first clause's
    def moves(text: str) -> set[tuple[str, float]]:
        return {n for n in figures(text) if n[0] == "%"} | points_of(text)

    said_here = moves(own)
    return bool(said_here) and said_here <= moves(first)


#: the reader's preference for a figure of progress when the question asks how far a plan
#: got: its clause rarely repeats the question's words ("税收收入，完成进度：52.6%" for "上半年
#: 税收完成了全年目标的百分之几")
PROGRESS_BONUS = 0.3


def progress_fit(spec: QuestionSpec, item: ContextItem, cand: Candidate) -> float:
    """:data:`PROGRESS_BONUS` for a clause or table row stating progress, asked for."""
    if spec.answer_type != "figure" or not _asks_progress(spec):
        return 0.0
    row = table_row(item.text, cand.start, cand.end, item.above)
    own = row_answer(row, spec) if row else cand.text
    return PROGRESS_BONUS if _states_progress(own) else 0.0


def _stock_for_increase(spec: QuestionSpec, text: str) -> bool:
    """The question asks an increase (新增) and ``text`` states a stock, no increase."""
    rules = question_rules()
    increase = rules.increment_cues
    return (
        any(c in spec.text for c in increase)
        and not any(c in text for c in increase)
        and any(c in text for c in rules.stock_cues)
    )


def _asks_progress(spec: QuestionSpec) -> bool:
    """The question asks how far a plan got ("完成预算的百分之多少", "完成进度多少")."""
    pattern = question_rules().progress_ask_pattern
    return bool(pattern) and bool(re.search(pattern, spec.text))


def _states_progress(text: str) -> bool:
    """``text`` states a percentage of a plan, or a progress column's figure."""
    rules = question_rules()
    if any(c in text for c in rules.progress_columns) and "%" in text:
        return True
    return bool(rules.progress_figure_pattern) and bool(
        re.search(rules.progress_figure_pattern, text)
    )


def _asks_a_rates_change(spec: QuestionSpec) -> bool:
    """The question asks how much a rate or share moved ("报销比例比上年提高了几个点"), not its
    level ("毛入学率是多少") nor an amount's growth ("收入涨了几个点")."""
    rules = question_rules()
    return any(c in spec.text for c in rules.point_change_cues) and any(
        w in spec.text for w in rules.rate_metric_words
    )


def _other_currency(spec: QuestionSpec, own: str) -> bool:
    """The question asks an amount in 人民币 and every amount of ``own`` is in another currency."""
    rules = question_rules()
    if not any(w in spec.text for w in rules.home_currency_words):
        return False
    amounts = re.findall(r"\d[\d,.]*\s*[万亿千百]*([\u4e00-\u9fff]{0,2}元)", own)
    return bool(amounts) and all(a in rules.foreign_currencies for a in amounts)


def continued_clause(text: str, cand: Candidate) -> str:
    """The clause before ``cand`` in its sentence when ``cand`` continues it ("机电产品出口
    2,873.5亿元，增长12.1%"): whatever it names, the figure is about that clause's subject."""
    if not cand.text.startswith(question_rules().continuation_starts):
        return ""
    before = [s for s in clause_spans(text, *cand.sentence) if s[1] <= cand.start]
    return text[slice(*before[-1])] + "，" if before else ""


def in_plan_part(item: ContextItem, cand: Candidate) -> bool:
    return in_plan_section(item.meta.heading, item.text[: cand.start])


def _after_report(spec: QuestionSpec, meta: ChunkMeta, sentence: str) -> bool:
    """A 政府工作报告 of year Y reports results up to Y-1: it cannot hold a result of year Y or
    later unless the sentence names that year."""
    if not meta.year or not meta.congress_report:
        return False
    return any(y >= meta.year and str(y) not in sentence for y in spec.years)


def _most_specific(spec: QuestionSpec) -> list[tuple[str, ...]]:
    """The asked metrics without those the question names only inside another one
    ("居民人均可支配收入" inside "农村居民人均可支配收入")."""
    q = normalize_for_search(spec.text)
    named = [
        [normalize_for_search(t) for t in g if normalize_for_search(t) in q] for g in spec.metrics
    ]
    return [
        g
        for g, mine in zip(spec.metrics, named, strict=True)
        if not any(
            t != u and t in u for other in named if other is not mine for t in mine for u in other
        )
    ]


def _metric_has_figure(spec: QuestionSpec, text: str, cand: Candidate) -> bool:
    """The asked metric's own clause states a number, or the next clause continues it
    ("…120亿元，增长3%"): a number of another subject in a pair does not answer, nor a figure
    of the asked kind before the metric is named ("城镇…，增长4.5%；农村居民人均可支配收入
    22136元" for the rural growth)."""
    clauses = [text[s:e] for s, e in clause_spans(text, cand.start, cand.end)]
    inherited = inherited_subject(text, cand)
    if inherited:
        clauses = [inherited.rstrip("，"), *clauses]
    terms = [normalize_for_search(t) for g in _most_specific(spec) for t in g]
    starts = question_rules().continuation_starts

    def own_figures(clause: str) -> set[tuple[str, float]]:
        norm = normalize_for_search(clause)
        named = min((p for t in terms if (p := norm.find(t)) >= 0), default=0)
        return figures(counts_blanked(clause, named))

    def states(clause: str) -> bool:  # a figure of the asked kind: "增长4.5%" is no amount
        nums = own_figures(clause)
        if spec.asks == 1 and (spec.wants_rate or spec.wants_amount):
            return any((n[0] == "%") == spec.wants_rate for n in nums)
        return bool(nums)

    for i, clause in enumerate(clauses):
        # "城乡居民…分别增长4.3%、6.1%" states 农村居民… too
        if not any(t in lexicon().distributed(normalize_for_search(clause)) for t in terms):
            continue
        if other_qualifier(spec, clause):
            continue  # "全口径税收收入56.8亿元" is not the 地方级税收收入 asked
        if states(clause):
            return True
        nxt = clauses[i + 1] if i + 1 < len(clauses) else ""
        if nxt.startswith(starts) and states(nxt):
            return True
        if own_figures(clause) and not any(states(c) for c in clauses[:i]):
            return True  # "国内生产总值增加到121万亿元，五年年均增长5.2%"
    return False


def _near(text: str, cand: Candidate) -> str:
    """The candidate with the clause before it: the scope a 年均/到2025年 cue applies to."""
    if not cand.text.startswith(question_rules().continuation_starts) or lexicon().metrics(
        cand.text
    ):
        return cand.text  # a clause with its own subject ("完成固定资产投资147亿元")
    spans = [s for s in clause_spans(text, *cand.sentence) if s[1] <= cand.start]
    return text[spans[-1][0] : cand.end] if spans else cand.text


_ONE_YEAR = ("全年", "去年", "今年", "上年", "当年", "上半年", "年内")


def multi_year(lead: str, asked: str = "") -> bool:
    """Whether the figure at the end of ``lead`` is a multi-year one: a period cue (十四五,
    年均, 到2025年 …) comes after the last single-year cue (2021年, 全年 …) before it. A cue the
    question ``asked`` uses itself ("截至2024年底…累计建成…占多大比例") is what it asks for."""
    rules = question_rules()
    years = [m.start() for m in YEAR.finditer(lead)]
    single = max([*years, *(lead.rfind(c) for c in _ONE_YEAR)], default=-1)
    # "2024年全区…累计", "全年…累计": within that year; "2018年以来累计" counts from it on
    within = single >= 0 and not any(w in lead[single:] for w in rules.since_words)
    cues = [
        c
        for c in rules.period_clause_cues
        if not (within and c in rules.within_year_cues) and c not in asked
    ]
    period = max((lead.rfind(c) for c in cues), default=-1)
    return period >= 0 and period > single


__all__ = [
    "annual_report",
    "figure_violations",
    "in_plan_part",
    "inherited_subject",
    "multi_year",
    "progress_fit",
]
