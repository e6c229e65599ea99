"""How well a sentence answers a question: weighted term coverage plus target/actual cues.

Shared by the context builder (which sentences a passage is cut to), the extractive backend
(which sentence is quoted) and the refusal rules (whether any passage covers the question).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.lexicon import lexicon, stopwords
from core.records import HEADING_SEP, ChunkMeta
from core.text import YEAR, numbers, sentences, short_forms, strip_years
from index.terms import get_tokenizer
from models.tokens import count_tokens
from rag.query import QueryInfo
from rag.question import question_rules
from rag.table_rows import row_cells


@dataclass
class QueryTerms:
    """The question's search tokens, its synonym expansions, and an IDF weight per token."""

    own: set[str]
    extra: set[str]
    idf: dict[str, float]

    def coverage(self, sent: str) -> float:
        """IDF-weighted share of the question's terms a sentence contains (synonyms count)."""
        total = sum(self.idf.get(t, 1.0) for t in self.own)
        if not total:
            return 0.0
        toks = get_tokenizer().token_set(sent)
        hit = sum(self.idf.get(t, 1.0) for t in (self.own | self.extra) & toks)
        return min(1.0, hit / total)


IdfLookup = Callable[[set[str]], dict[str, float]]


def query_terms(question: str, info: QueryInfo, idf: IdfLookup) -> QueryTerms:
    """Weighted query terms: rare words (开工率) count more than common ones (重点, 项目)."""
    tok = get_tokenizer()
    own = set(tok.tokens(question))
    extra = set(tok.tokens(" ".join(info.expansions))) - own
    return QueryTerms(own, extra, idf(own | extra))


def reading_terms(question: str, info: QueryInfo, idf: IdfLookup) -> QueryTerms:
    """The terms a clause is scored on: the question's, without how it cites its source
    ("2023年国务院政府工作报告提到，…") and its filler words ("今年要", "一共"), which no
    answering clause needs to hold."""
    text = question
    rules = question_rules()
    # nor how it asks why ("…契税降幅为什么这么大"): an answer gives the cause, not these words
    asking = {*rules.source_phrases, *rules.filler_words, *rules.cause_question_words}
    asking |= set(rules.types["rank"])  # "…在全省排第几": the answer says 第三, not 排第几
    for phrase in sorted({*asking, *rules.degree_words}, key=len, reverse=True):
        text = text.replace(phrase, " ")
    return query_terms(written(text), info, idf)


def written(question: str) -> str:
    """ "出口涨了几个点" as a report writes it: 增长, not the spoken 涨了."""
    for spoken, word in question_rules().spoken_words.items():
        question = question.replace(spoken, word)
    return question


def topic_terms(question: str, info: QueryInfo, idf: IdfLookup) -> QueryTerms:
    """The question's topic: its terms without places, years, digits, question words and the
    citing of its source, unless the report itself is all it asks about ("…报告是谁作的")."""
    terms = _topic_terms(question, info, idf, question_rules().source_phrases)
    if not any(len(t) > 1 for t in terms.own):
        terms = _topic_terms(question, info, idf, ())
    return terms


def _topic_terms(
    question: str, info: QueryInfo, idf: IdfLookup, source_phrases: tuple[str, ...]
) -> QueryTerms:
    skip = set(stopwords())
    for region in info.regions:
        skip.update(short_forms(region))
        skip.update(get_tokenizer().tokens(region))
    topic = strip_years(question)
    rules = question_rules()
    forms = [f for region in info.regions for f in short_forms(region)]
    # no token may span a question word, a filler ("去年"), a place or the question's citing
    # of its source
    words = {*rules.question_words, *rules.filler_words, *source_phrases, *forms}
    for word in sorted(words, key=len)[::-1]:
        topic = topic.replace(word, " ")
    if rules.question_word_pattern:
        topic = re.sub(rules.question_word_pattern, " ", topic)
    terms = query_terms(written(topic), info, idf)
    terms.own = {t for t in terms.own if t not in skip and not t.isdigit()}
    if any(len(t) > 1 for t in terms.own):  # a lone character ("作") is no topic beside words
        terms.own = {t for t in terms.own if len(t) > 1}
    return terms


def wanted_kind(info: QueryInfo, meta: ChunkMeta | None) -> str:
    """``target`` or ``actual``: from the question's words, else from its year relative to the
    report's (a 2021 政府工作报告 states 2020 results and 2021 targets; any document's figures
    of a later year than its own are plans)."""
    doc_year = meta.year if meta else 0
    if (
        info.wants_target
        and not _estimated_result(info, doc_year)
        and not _summary_result(info, meta)
    ):
        return "target"
    # only a 政府工作报告 is structured as last year's results + this year's targets
    by_year = ""
    if doc_year and meta and meta.congress_report:
        # "据2023年政府工作报告，2022年…": the report's year says which report, not which period
        asked = [y for y in info.years if y not in info.report_years] or info.years
        if asked:
            by_year = "actual" if max(asked) < doc_year else "target"
        elif info.this_year:
            by_year = "target"  # "今年…要增长多少": the report's own year, its plan
    elif doc_year:
        # a 2024 工作总结 or 汇报 reports 2024 and before, and plans 2025: a later year's
        # figure there is a plan, an earlier one a result
        asked = [y for y in info.years if y not in info.report_years]
        if asked and min(asked) > doc_year:
            by_year = "target"
        elif asked and max(asked) < doc_year:
            by_year = "actual"
    if info.wants_actual and (info.actual_strong or by_year != "target"):
        return "actual"  # "2025年完成多少投资" in the 2025 report asks about its plan
    return by_year


def _summary_result(info: QueryInfo, meta: ChunkMeta | None) -> bool:
    """ "2024年婴儿死亡率控制在什么水平" of a 2024 工作总结: a summary reports its own year and
    earlier, so a plan-like verb (控制在, 达到) asks the result unless the question says 目标."""
    if not meta or not meta.year or meta.congress_report:
        return False
    asked = [y for y in info.years if y not in info.report_years]
    plan = question_rules().plan_question_words
    return bool(asked) and max(asked) <= meta.year and not any(w in info.text for w in plan)


def _estimated_result(info: QueryInfo, doc_year: int) -> bool:
    """ "2024年…预计达到多少" in a 2025 report: only a weak plan word (预计), for a year the
    report looks back on, asks last year's estimated result, not a target."""
    weak = question_rules().weak_target_cues
    strong = [t for t in lexicon().target_terms if t in info.text and t not in weak]
    asked = [y for y in info.years if y not in info.report_years]
    return bool(doc_year and asked and not strong and max(asked) < doc_year)


#: the longest line read as a heading above a sentence
HEADING_MAX_CHARS = 30


def _lines_above(heading: str, before: str) -> list[str]:
    """The heading path's items, then the chunk's short lines before the sentence (a heading
    inside the chunk), outermost first. A table's rows are no headings: "| 指标 | 全年目标 |"
    above a row does not make the row a whole year's or a target."""
    lines = [*heading.split(HEADING_SEP), *before.split("\n")[:-1]]  # the full lines above
    return [
        ln.strip()
        for ln in lines
        if ln.strip() and len(ln.strip()) <= HEADING_MAX_CHARS and row_cells(ln) is None
    ]


def in_plan_section(heading: str, before: str) -> bool:
    """Text under a heading of the plan part ("三、2025年重点工作"), where every figure is a
    target although its sentence names no plan word. ``heading`` is the chunk's heading path,
    ``before`` the chunk's text before the sentence (the lines above it may be headings)."""
    rules = question_rules()
    return any(
        any(c in line for c in rules.plan_section_cues)
        and not any(c in line for c in rules.review_section_cues)  # "重点工作完成情况"
        for line in _lines_above(heading, before)
    )


def nearest_heading(heading: str, before: str, names: Callable[[str], bool]) -> str:
    """The nearest heading above a sentence for which ``names`` holds ("七、下半年工作安排"
    for a period, "二、2025年工作要点" for a year); empty when none does."""
    return next((ln for ln in reversed(_lines_above(heading, before)) if names(ln)), "")


def section_years(heading: str, before: str) -> set[int]:
    """The years of the nearest heading above a sentence that names any ("二、2025年工作要点",
    "一、2024年预算执行情况"): a sentence naming no year is of its section's year."""
    line = nearest_heading(heading, before, lambda ln: bool(YEAR.search(ln)))
    return {int(y) for y in YEAR.findall(line)}


def in_review_section(heading: str) -> bool:
    """A heading path in the review part ("一、2024年工作回顾 › （七）…"), where a figure is a
    result even with 左右 or 预计 after it."""
    rules = question_rules()
    return any(
        len(line) <= 30
        and any(c in line for c in rules.review_section_cues)
        and not any(c in line for c in rules.plan_section_cues)
        for line in heading.split(HEADING_SEP)
    )


def sentence_score(
    sent: str, q_grams: QueryTerms, info: QueryInfo, meta: ChunkMeta | None = None
) -> float:
    """Coverage of the question's terms, nudged by target/actual cues, figures and years."""
    score = q_grams.coverage(sent)
    if not score:
        return 0.0
    lex = lexicon()
    kind = wanted_kind(info, meta)
    is_target = any(t in sent for t in lex.target_text)
    if kind == "target" and is_target:
        score += 0.25
    elif kind == "actual":
        if any(t in sent for t in lex.actual_text):
            score += 0.15
        if is_target:
            score -= 0.2
    if numbers(sent):
        score += 0.1
    if info.years and "年均" in sent and "年均" not in info.text:
        score -= 0.2  # a five-year average is not the figure of one year
    for year in info.years:
        if str(year) in sent:
            score += 0.1
    return score - 0.002 * max(0, len(sent) - 120)


def focus(text: str, q_grams: QueryTerms, info: QueryInfo, budget: int, meta: ChunkMeta) -> str:
    """The passage cut to its best sentence and neighbours within ``budget`` tokens."""
    if count_tokens(text) <= budget:
        return text
    sents = sentences(text)
    if not sents:
        return text
    scores = [sentence_score(s, q_grams, info, meta) for s in sents]
    best = max(range(len(sents)), key=lambda i: scores[i])
    lo = hi = best
    used = count_tokens(sents[best])
    while True:
        grown = False
        for cand in (hi + 1, lo - 1):
            if 0 <= cand < len(sents):
                cost = count_tokens(sents[cand])
                if used + cost <= budget:
                    used += cost
                    lo, hi = min(lo, cand), max(hi, cand)
                    grown = True
        if not grown:
            break
    return "".join(sents[lo : hi + 1]).strip()


__all__ = [
    "IdfLookup",
    "QueryTerms",
    "focus",
    "query_terms",
    "reading_terms",
    "sentence_score",
    "topic_terms",
    "wanted_kind",
]
