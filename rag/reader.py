"""The clause reader: from the retrieved passages to the short answer, or to "not found".

A report sentence is often a list ("地区生产总值增长7.5%左右；固定资产投资增长15%；…"), so the unit
of an answer is the clause, not the sentence. Every clause (and every pair of adjacent clauses,
for "…120亿元，增长3%") of the context is a candidate; the question's constraints
(:mod:`rag.question`) rule candidates out — no figure where a figure is asked, another metric, a
target where an actual is asked, a five-year figure for one year, another place — and the rest
are scored. Answerability is the best surviving score; below the calibrated threshold the
reader refuses. Each candidate keeps its offsets, so the answer stays a verifiable quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import pairwise

from core.lexicon import lexicon
from core.records import Passage
from core.text import (
    clause_spans,
    fold_figures,
    full_sentence_spans,
    normalize_for_search,
)
from rag.clause_fit import (
    bound_fit,
    cause_fit,
    completion_fit,
    counted_act_fit,
    counted_noun_fit,
    figures,
    increase_fit,
    manner_fit,
    total_fit,
    unit_fit,
    year_fit,
)
from rag.compose import (
    enumerated_item,
    kind_lead,
    period_lead,
    sentence_answer,
    spread_extreme,
    spread_item,
)
from rag.context import Candidate, ContextItem
from rag.entity_fit import (
    entity_bonus,
    entity_preference,
    extreme_fit,
)
from rag.figure_fit import (
    annual_report,
    continued_clause,
    in_plan_part,
    inherited_subject,
    multi_year,
    progress_fit,
)
from rag.guard import is_instruction
from rag.list_fit import lists_the_count
from rag.metric_fit import qualified_subject
from rag.organ_fit import names_asked_organ, organ_bonus
from rag.place_scope import (
    line_title,
)
from rag.query import QueryInfo
from rag.question import QuestionSpec, question_rules
from rag.remedy_fit import remedy_fit
from rag.scoring import QueryTerms, wanted_kind
from rag.table_rows import row_answer, stated_cells, table_row
from rag.violations import violations

#: Answerability threshold of a type missing from ``resources/question.toml``.
DEFAULT_THRESHOLD = 0.3
#: the preference for a 分别 list whose figures a "which is highest" question compares
SPREAD_BONUS = 0.5
#: the preference for a 分别 list that pairs the asked name with its figure
SPREAD_ITEM_BONUS = 0.03
#: the preference for an enumeration whose one item names the asked part by its own figure
ENUMERATED_ITEM_BONUS = 0.15
#: the score of a clause holding a phrase the question quotes, and the preference of a clause
#: enumerating items for a list question
QUOTED_TERM_BONUS, LIST_BONUS, STATED_ROW_BONUS = 0.3, 0.3, 0.5
#: the preference lost by a clause naming the asked subject behind another qualifier
#: ("机电产品出口" for 出口)
QUALIFIED_PENALTY = 0.1
#: the score a name or list clause of a summary's plan part loses when no plan is asked
PLAN_PART_PENALTY = 0.05
#: how far under the threshold a clause may score and still be chosen once the best clears it
CHOICE_MARGIN = 0.05
_POINTS = re.compile(r"\d+(?:\.\d+)?\s*个?百分点")


@dataclass
class Reading:
    """The reader's decision: an answer with ``[n]`` markers, or a refusal with its reason."""

    answer: str
    answerability: float
    reason: str = ""
    best: Candidate | None = None
    #: the numbered passages the answer's ``[n]`` markers refer to
    context: list[ContextItem] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return not self.answer


#: a mark between two parts of a sentence with their own subjects
_PART_BREAK = re.compile(r"[；;]")


def _lead(text: str, sentence: tuple[int, int], end: int) -> str:
    """The sentence up to the candidate, with the previous sentence when it opens a list."""
    s0 = sentence[0]
    before = text[max(0, s0 - 80) : s0].rstrip()
    if before.endswith(("：", ":")):
        return before + text[s0:end]
    return text[s0:end]


def _score(
    spec: QuestionSpec, info: QueryInfo, terms: QueryTerms, item: ContextItem, n: int,
    cand: Candidate,
) -> float:  # fmt: skip
    """Soft preferences among valid candidates: topic coverage first, then cues."""
    sentence = item.text[cand.sentence[0] : cand.sentence[1]]
    # half from the clause alone: a heading naming the topic must not tie every clause under it
    own = 0.5 * terms.coverage(cand.text)
    heading = item.meta.heading
    if spec.answer_type != "figure":  # a figure's clause names its metric itself
        # with the item title opening its line ("1. 某项目。项目总投资…，于…开工建设")
        heading = f"{heading} {line_title(item.text, cand.sentence[0])}"
    own += 0.5 * terms.coverage(f"{heading} {cand.text}")
    around = terms.coverage(f"{item.meta.title} {heading} {sentence}")
    score = 0.6 * own + 0.4 * around
    nums = figures(cand.text)
    if spec.answer_type == "figure" and nums:
        score += 0.1
        # "还有0.7个百分点的差距": a difference of rates is a rate too
        only_rates = all(n[0] == "%" for n in figures(_POINTS.sub("", cand.text)))
        # "GDP是多少" asks the level; a growth rate answers it only when nothing else does
        if only_rates and not spec.wants_rate and wanted_kind(info, item.meta) != "target":
            score -= 0.2
    text = normalize_for_search(inherited_subject(item.text, cand) + cand.text)
    if spec.metrics and any(normalize_for_search(t) in text for g in spec.metrics for t in g):
        score += 0.3
    sub = question_rules().subperiod_cues
    if any(c in cand.text for c in sub) and not any(c in spec.text for c in sub):
        score -= 0.15  # a quarter's or a month's figure for a question about the year
    past = question_rules().past_cues
    if any(c in sentence for c in past) and not any(c in spec.text for c in past):
        score -= 0.15  # "此前三届举办地…": earlier editions, not the asked one
    for year in spec.years:
        if str(year) in sentence:
            score += 0.05
    lead_in = item.text[cand.sentence[0] : cand.end]
    score += year_fit(spec, lead_in) + unit_fit(spec, cand.text) + bound_fit(spec, cand.text)
    score += progress_fit(spec, item, cand)
    if spec.answer_type == "figure" and any(
        c in cand.text and c not in spec.text for c in question_rules().increment_cues
    ):
        score -= 0.15  # "新增规上工业1间" is the year's increase, not how many there are
    if spec.answer_type == "entity":
        # the name the clause is about may open its sentence (see compose.kind_lead)
        named = kind_lead(item.text, cand.start, cand.text, spec) + cand.text
        score += entity_bonus(spec, named, item.text[max(0, cand.start - 12) : cand.start])
    # the phrase a question quotes and asks about ("外贸“新三样”是哪三样") is the document's
    # own name for what is asked
    if any(q in cand.text for q in spec.asked_quotes):
        score += QUOTED_TERM_BONUS
    kind = wanted_kind(info, item.meta)
    if (
        spec.answer_type in ("list", "entity", "figure")
        and kind != "target"
        and not any(
            w in spec.text for w in (*question_rules().plan_question_words, *lexicon().target_terms)
        )
        and annual_report(item.meta)
        and in_plan_part(item, cand)
    ):
        # "现有4A级景区有哪些" is not "推动…创建4A级景区" of next year, nor "森林覆盖率现在是多少"
        # "稳定在68.4%以上"
        score -= PLAN_PART_PENALTY
    if kind == "target" and spec.answer_type == "figure":
        # (the candidate's own text too: a table row reads its column header, "2025年目标")
        lead = normalize_for_search(
            _lead(item.text, cand.sentence, cand.end) + cand.text + item.meta.heading
        )
        if not any(t in lead for t in lexicon().target_text) and not in_plan_part(item, cand):
            score -= 0.2  # no word of a plan near it: probably not the target
    if spec.answer_type == "figure":
        lead = normalize_for_search(_lead(item.text, cand.sentence, cand.end))
        asked = "" if spec.multi_year else spec.text  # (累计 asked is no other period)
        multi = multi_year(lead, asked) or any(
            c in lead + normalize_for_search(item.meta.heading)
            for c in question_rules().period_clause_cues
            if c not in asked
        )
        if multi != spec.multi_year:
            score -= 0.15  # a five-year passage for a one-year question, or the reverse
    score += 0.04 / n
    return score - 0.002 * max(0, len(cand.text) - 40)


def _preference(spec: QuestionSpec, text: str) -> float:
    """How well a clause that may answer names what is asked (see :attr:`Candidate.preference`)."""
    if spec.answer_type == "figure":
        # (a qualifier naming the asked department is no other part: "县住房和城乡建设局整改率")
        other_part = qualified_subject(spec, text) and not names_asked_organ(spec, text)
        qualified = QUALIFIED_PENALTY if other_part else 0.0
        fit = counted_noun_fit(spec, text) + counted_act_fit(spec, text) + manner_fit(spec, text)
        fit += total_fit(spec, text) + increase_fit(spec, text) + remedy_fit(spec, text)
        return fit - qualified
    if spec.answer_type in ("entity", "place", "date", "other"):
        return entity_preference(spec, text) + extreme_fit(spec, text)
    if spec.answer_type == "reason":
        return cause_fit(spec, text) + completion_fit(spec, text)
    quoted = spec.asked_quotes
    if spec.answer_type == "list" and text.count("、") >= 2 and any(q in text for q in quoted):
        return LIST_BONUS  # "电动汽车、锂电池、光伏产品“新三样”…": the items of the named list
    if lists_the_count(spec, text):
        return LIST_BONUS  # "A、B、C、D四大主导产业", not "聚焦四大主导产业开展招商"
    return 0.0


def candidates(
    spec: QuestionSpec, info: QueryInfo, terms: QueryTerms, context: list[ContextItem]
) -> list[Candidate]:
    """Every clause and adjacent-clause pair of the context, scored and checked."""
    out: list[Candidate] = []
    for n, item in enumerate(context, 1):
        text = item.text
        for sent in full_sentence_spans(text):
            if is_instruction(text[sent[0] : sent[1]]):
                continue
            spans = clause_spans(text, *sent)
            units = [(s, e) for s, e in spans]
            # (never across a semicolon: "…完成年度任务的70.0%；配售型…开工620套" are two
            # subjects' figures)
            units += [
                (a[0], b[1]) for a, b in pairwise(spans) if not _PART_BREAK.search(text, a[1], b[0])
            ]
            for s, e in units:
                row = table_row(text, s, e, item.above)
                # a table row is read as its answer: the asked column with header and unit
                own = row_answer(row, spec) if row is not None and row.header else text[s:e]
                cand = Candidate(n, s, e, sent, own)
                if len(cand.text) < 2:
                    continue
                cand.violations = violations(spec, info, item, cand, _lead(text, sent, e))
                if row is not None and not row.header and not any(map(str.isdigit, own)):
                    cand.violations.append("a table's header")  # names columns, states nothing
                elif row is not None and spec.answer_type == "reason":
                    cand.violations.append("a row states no cause")
                cand.score = _score(spec, info, terms, item, n, cand)
                # a continuing figure is of the clause before ("机电产品出口…，增长12.1%")
                said = continued_clause(text, cand) if spec.answer_type == "figure" else ""
                cand.preference = _preference(spec, said + cand.text)
                cand.preference += organ_bonus(spec, said + cand.text, text)
                if row is not None and stated_cells(row, spec):
                    cand.preference += STATED_ROW_BONUS  # the row the question describes
                if spec.superlative and spread_extreme(text, s, e, sent, spec):
                    cand.preference += SPREAD_BONUS  # "…中排第一的": a list to compare
                elif spread_item(text, s, e, sent, spec):
                    cand.preference += SPREAD_ITEM_BONUS  # the asked name's own figure
                elif (
                    spec.answer_type == "figure"
                    and cand.text.startswith(question_rules().part_leads)
                    and enumerated_item(text, s, e, spec)
                ):
                    # "其中投诉2,741件、举报467件" for 举报, not the total "受理投诉举报3,208件"
                    cand.preference += ENUMERATED_ITEM_BONUS
                out.append(cand)
    return out


def _compose(
    best: Candidate, pool: list[Candidate], context: list[ContextItem], spec: QuestionSpec
) -> str:
    """The answer text: the clause(s), or the sentence for lists, reasons and descriptions."""
    item = context[best.n - 1]
    row = table_row(item.text, best.start, best.end, item.above)
    if row is not None and spec.answer_type not in ("list", "reason"):
        body = row_answer(row, spec)  # "茶叶，产量：2.13万吨", not "| 茶叶 | 万吨 | 2.13 | 7.2 |"
    elif spec.answer_type in ("list", "reason", "other"):
        body = sentence_answer(item.text, best.sentence, spec)
    else:
        parts = [best]
        one = enumerated_item(item.text, best.start, best.end, spec)
        if one:
            parts = [Candidate(best.n, *one, best.sentence, item.text[slice(*one)], best.score)]
        if spec.asks > 1:  # "目标是多少？完成率多少？": more figures of the same sentence
            same = [
                c for c in pool
                if c.n == best.n and c.sentence == best.sentence and c.valid
                and (c.end <= best.start or c.start >= best.end)
            ]  # fmt: skip
            same.sort(key=lambda c: -c.score)
            for c in same:
                if len(parts) >= spec.asks:
                    break
                if all(c.end <= p.start or c.start >= p.end for p in parts):
                    parts.append(c)
            parts.sort(key=lambda c: c.start)
        body = "，".join(p.text for p in parts)
        body = spread_item(item.text, best.start, best.end, best.sentence, spec) or body
        body = spread_extreme(item.text, best.start, best.end, best.sentence, spec) or body
        first = parts[0]
        if spec.answer_type == "figure":
            body = period_lead(item.text, first.sentence[0], first.start, first.text) + body
        elif spec.answer_type == "entity":
            if spec.superlative and body == best.text:
                # "为全县最多": the first or most is the subject of the clause before
                body = continued_clause(item.text, best) + body
            body = kind_lead(item.text, first.start, body, spec) + body
    body = body.rstrip("。；;，,！!？? ")
    return f"{body}[{best.n}]。"


def threshold_for(spec: QuestionSpec, scale: float = 1.0) -> float:
    """The calibrated answerability threshold of the question's answer type."""
    return question_rules().thresholds.get(spec.answer_type, DEFAULT_THRESHOLD) * scale


def read(
    spec: QuestionSpec,
    info: QueryInfo,
    terms: QueryTerms,
    context: list[ContextItem],
    threshold: float | None = None,
) -> Reading:
    """The best answer the context supports under the question's constraints, or a refusal.

    ``threshold`` overrides the calibrated one of the answer type (the eval sweeps it)."""
    threshold = threshold_for(spec) if threshold is None else threshold
    original, context = context, [_folded(item) for item in context]
    pool = candidates(spec, info, terms, context)
    valid = [c for c in pool if c.valid]
    if not valid:
        reasons = sorted({v for c in pool for v in c.violations})
        why = "no clause fits: " + ", ".join(reasons[:3]) if reasons else "no clause"
        return Reading("", 0.0, why, context=original)
    top = max(valid, key=lambda c: c.score)
    if top.score < threshold:
        why = f"best clause covers too little ({top.score:.2f})"
        return Reading("", top.score, why, top, original)
    # answerability decides whether to answer; among the clauses near it, the preference (a
    # name in the asked role, the counted noun …) decides which one answers, so a clause just
    # under the threshold may still be chosen ("出口451.7亿元" over the better covered
    # "机电产品出口268.9亿元")
    floor = threshold - CHOICE_MARGIN
    best = max((c for c in valid if c.score >= floor), key=lambda c: c.score + c.preference)
    return Reading(_compose(best, pool, context, spec), top.score, "", best, original)


def _folded(item: ContextItem) -> ContextItem:
    """The passage read with full-width digits, letters and signs folded ("４．３万亩" → 4.3万亩):
    every figure, 分别 and table rule is written for half-width forms, and folding keeps each
    offset (:func:`core.text.fold_figures`), so the answer still quotes its place."""
    return replace(item, text=fold_figures(item.text), above=fold_figures(item.above))


def passages_as_context(passages: list[Passage]) -> list[ContextItem]:
    """All retrieved passages, numbered in rank order, whole (the reader cites any of them)."""
    return [ContextItem(p.id, p.text, p.text, p.meta) for p in passages]


__all__ = [
    "DEFAULT_THRESHOLD",
    "Candidate",
    "Reading",
    "candidates",
    "passages_as_context",
    "read",
    "threshold_for",
]
