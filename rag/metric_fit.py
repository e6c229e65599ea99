"""Does a clause state the asked metric itself, not a part, a measure or a neighbour of it?

The metric check of the reader (:mod:`rag.reader`) only asks whether a clause names the metric;
a question may ask a measure of it ("研发投入强度" is not answered by "研发投入增长15%"), and
report sentences name it beside another metric in a pair of clauses. The words are data
(``resources/question.toml``, the metric lexicon).

Not checked: a qualifier in front of the metric ("跨境电商进出口" is a part of 进出口). A rule
flagging any word there that is not a scope, a verb or a synonym lost 9 of 143 own-gold
questions ("本地生产总值", "社会生产总值", "成功争取专项债券" …): the words before a metric
are too varied for a list. Nor the reverse of the measure rule (any clause stating a share
for "GDP增长多少"): it lost "其中分配县88.84亿元、占比81%", whose clause states the asked amount
beside a share; only a metric named as nothing but the base of a share is caught
(:func:`only_share_base`). Nor a pair whose second clause has another
subject without naming a metric ("获国家科技奖30项，…研发投入强度预计达3.2%"): a figure
clause often keeps the first clause's subject without a continuation word ("…年均增长6%以上,
力争到2025年突破450亿元"), and that rule lost 4 own-gold and 2 reports questions.
"""

from __future__ import annotations

import re

from core.lexicon import lexicon
from core.text import clause_spans, normalize_for_search, place_mentions, strip_years
from index.terms import get_tokenizer
from rag.clause_fit import figures
from rag.question import QuestionSpec, question_rules, without_places


def _asked_names(spec: QuestionSpec) -> list[str]:
    """The metric words the question itself uses ("人均可支配收入")."""
    return [t for g in spec.metrics for t in g if t in spec.text]


def other_measure(spec: QuestionSpec, text: str) -> bool:
    """The question asks a measure of its metric ("研发投入强度", "人均GDP") that ``text`` (the
    clause with its subject, normalised) does not state; a measure word inside the metric's
    own name ("人均可支配收入") is part of the name, not a measure."""
    names = _asked_names(spec)
    return any(
        group[0] in spec.text
        and not any(w in text for w in group)
        and not any(group[0] in n for n in names)
        for group in question_rules().measure_words
    )


def only_share_base(spec: QuestionSpec, text: str) -> bool:
    """Every mention of the asked metric in ``text`` is the base of a share ("新业态增加值占
    国内生产总值的比重达到17%" for "国内生产总值增长了多少"), and the question asks no share."""
    rules = question_rules()
    if not rules.share_base_pattern or any(w in spec.text for w in rules.share_words):
        return False
    terms = sorted({t for g in spec.metrics for t in g if t in text}, key=len, reverse=True)
    if not terms:
        return False
    alternatives = "|".join(re.escape(t) for t in terms)
    bases = re.compile(rules.share_base_pattern.replace("{metric}", f"(?:{alternatives})"))
    left = bases.sub(" ", text)
    return not any(t in left for t in terms)


def other_share_part(spec: QuestionSpec, text: str, topic: str = "") -> bool:
    """The question asks one part's share ("民间投资占全部投资的比重") and ``text`` states a share
    without naming that part ("制造业投资增长9.6%，占全部投资的比重为29.4%"), nor does its
    ``topic`` (the heading or numbered item title the clause is under: "1. 重点项目进展顺利。
    …完成投资48.7亿元，占年度计划的56.3%")."""
    if "占" not in text:
        return False
    first = share_part_word(spec)
    return bool(first) and normalize_for_search(first) not in normalize_for_search(topic + text)


def share_part_word(spec: QuestionSpec) -> str:
    """The first naming word of the part whose share the question asks ("税收" of "税收占一般
    公共预算收入的比重"), or ""."""
    rules = question_rules()
    question = strip_years(without_places(spec.text, spec.regions), "")
    asked = re.search(rules.share_part_pattern, question) if rules.share_part_pattern else None
    if not asked:
        return ""
    part = asked.group(1)
    lead_words = sorted({*rules.filler_words, *rules.subject_skip_words}, key=len, reverse=True)
    cut = True
    while cut:  # "去年税收收入" asks of 税收收入
        cut = False
        for w in lead_words:
            if part.startswith(w) and len(part) > len(w) + 1:
                part, cut = part[len(w) :], True
    # its first naming word ("民间" of 民间投资, "教育" of 教育财政支出): reports word the rest
    # their own way ("一般公共预算教育支出")
    return next((w for w in get_tokenizer().words(part) if _names_a_subject(w)), "")


def states_part_share(spec: QuestionSpec, text: str) -> bool:
    """The question asks a part's share of its metric ("税收占一般公共预算收入的比重…") and
    ``text`` states that part's share ("税收占比达到78.0%，比上年提高2.1个百分点") without
    repeating the metric, which is only the share's base."""
    rules = question_rules()
    names = _asked_names(spec)
    if not names or not rules.share_base_pattern:
        return False
    alternatives = "|".join(re.escape(t) for t in names)
    base = rules.share_base_pattern.replace("{metric}", f"(?:{alternatives})")
    if not re.search(base, spec.text):
        return False
    first = share_part_word(spec)
    return bool(first) and first in text and any(w in text for w in rules.share_words)


#: a short aside in brackets: another name or a definition ("（PM2.5）", "（达到或优于Ⅲ类）")
_ASIDE = re.compile(r"[（(][^（）()]{1,12}[)）]")


def other_subjects_measure(spec: QuestionSpec, sentence: str, clause: str) -> bool:
    """The question asks a measure of a subject the lexicon does not know ("森林覆盖率",
    "茶叶种植面积"); the clause has the measure word ("覆盖率", "面积") after another subject
    ("检验项目覆盖率达90%", "油菜种植面积12万亩") and its sentence never names the
    question's subject ("森林", "茶叶"). A subject is the run of naming words right before
    the measure; its first word is the topic ("茶叶" of 茶叶种植)."""
    if spec.metrics or any(c in clause for c in lexicon().distributive_cues):
        return False  # "第一产业、第二产业…增加值分别增长…": a 分别 list names its parts
    rules = question_rules()
    tok = get_tokenizer()
    words = tok.words(without_places(spec.text, spec.regions))
    measures = [
        (b, run)
        for i, b in enumerate(words)
        if len(b) >= 2
        and b.endswith((*rules.measure_suffixes, *rules.measure_heads))
        and (run := _subject_run(words[:i]))
    ]
    if not measures:
        return False
    measure, run = measures[-1]
    subject = run[0]
    clause = _masked(clause, spec.text)
    if measure not in clause and measure.startswith("总") and measure[1:] in clause:
        measure = measure[1:]  # "茶叶总产量" against "其中猪肉产量3.96万吨"
    if measure not in clause and measure.endswith(("额", "量")) and measure[:-1] in clause:
        measure = measure[:-1]  # "跨境电商出口额" against "市场采购贸易方式出口215.6亿元"
    if measure not in clause or subject in spec.regions:
        return False
    at = clause.index(measure)
    lead = re.split(r"[，,；;：:]", clause[:at])[-1]  # its own clause only
    if subject in lead + re.split(r"[，,；;：:]", clause[at:])[0]:
        return False
    lead = _ASIDE.sub("", lead)  # "细颗粒物（PM2.5）年均浓度": the aside names nothing new
    before = _subject_run(tok.words(lead))
    # a measure noun ("在校生", "面积") is named with its subject in the clause; a measure
    # suffix ("覆盖率") may take it from earlier in the sentence, unless its clause names
    # another ("…跨境电商进出口612.3亿元…；市场采购贸易方式出口215.6亿元")
    head = measure.endswith(rules.measure_heads)
    if not head and subject in sentence:
        if run[1:] and _listed_last(lead) == run[1:]:
            # "…家庭医生签约…，其中老年人、儿童等重点人群签约率" for 家庭医生重点人群签约率
            return False
        return _other_subject(before, subject, spec.text)
    if head and not before:
        # only the whole before it ("全市在校生386,420人" for 普通高中在校生): not the part asked
        if any(w in lead for w in rules.measure_scope_words):
            return True
        if lead.strip():
            return False
        # the measure opens its clause ("…民办学校47所，在校生3.86万人"): it is of what the
        # clause before names, which must share a word with the question
        pos = sentence.find(clause[clause.index(measure) :])
        parts = [p for p in re.split(r"[，,；;：:]", sentence[: max(pos, 0)]) if p.strip()]
        # (past the clauses continuing another: "…总收入68.42亿元，同比增长4.6%；总支出…")
        starts = rules.continuation_starts
        named = [p for p in parts if not p.strip().startswith(starts)] or parts
        words = [w for w in tok.words(named[-1]) if _names_a_subject(w)] if named else []
        return bool(words) and not any(w in spec.text for w in words)
    return _other_subject(before, subject, spec.text)


def other_suffix_measure(spec: QuestionSpec, clause: str) -> bool:
    """The question asks a measure named by a measure word ("死亡率", "成交额") that the clause
    never names, while it names another of the same ending ("新生儿疾病筛查率98.9%" for
    新生儿死亡率): the clause measures something else of the same subject. A clause naming no
    such word ("婴儿死亡3.14‰") is left to the other rules."""
    rules = question_rules()
    words = get_tokenizer().words(without_places(spec.text, spec.regions))
    asked = [w for w in words if len(w) >= 3 and w.endswith(rules.measure_suffixes)]
    if not asked:
        return False
    word = asked[-1]
    suffix = next(x for x in rules.measure_suffixes if word.endswith(x))
    if word[-3:] in clause or any(g[0] in clause for g in spec.metrics if word in g):
        return False
    others = re.findall(rf"[\u4e00-\u9fff]{{2}}{re.escape(suffix)}", _masked(clause, spec.text))
    return bool(others)


def _listed_last(lead: str) -> list[str]:
    """The naming words after an enumeration's last 、 or 等 ("儿童等重点人群" → 重点, 人群): the
    qualifier the listed parts share."""
    tail = re.split(r"[、等]", lead)[-1]
    return [w for w in get_tokenizer().words(tail) if _names_a_subject(w)]


def _other_subject(before: list[str], subject: str, question: str) -> bool:
    """The naming words before a clause's measure (``before``) name another subject than the
    question's. A word the question also uses names the same subject, however the question was
    cut into words ("松山鎮竹筍產量": jieba splits traditional characters poorly), and so does
    a word sharing a character with it (茶叶种植 for 茶园: reports and questions vary the word)."""
    return bool(before) and before[0] not in question and not set(before[0]) & set(subject)


def _subject_run(words: list[str]) -> list[str]:
    """The naming words at the end of ``words`` ("茶叶", "种植" of "全年实现茶叶种植"): what a
    measure after them is of."""
    skip = question_rules().subject_skip_words
    run: list[str] = []
    for w in reversed(words):
        if not _names_a_subject(w) or w in skip:
            break
        run.insert(0, w)
    return run


def _names_a_subject(word: str) -> bool:
    """A word of two characters or more that is neither a scope (全省) nor a time (上半年)."""
    rules = question_rules()
    return (
        len(word) >= 2
        and word.isalpha()
        and word not in rules.measure_scope_words
        and not word.endswith(_TIME_ENDINGS)
    )


_TIME_ENDINGS = ("年", "月", "季度", "旬", "日")


def share_figures(spec: QuestionSpec, text: str) -> set[tuple[str, float]]:
    """The percentages of ``text`` that are shares ("占比51%", "比重达到17%"), when the question
    asks no share, and those of a plan reached ("为调整预算的83.6%"), when it asks nothing of
    the plan: they do not answer how much something grew."""
    rules = question_rules()
    found: list[str] = []
    if rules.progress_pattern and not any(w in spec.text for w in rules.progress_question_words):
        found += re.findall(rules.progress_pattern, text)  # "为调整预算的83.6%": a plan's share
    if any(w in spec.text for w in rules.share_words):
        return {("%", float(v)) for v in found}
    words = "|".join(re.escape(w) for w in rules.share_words)
    found += re.findall(rf"(?:{words})[^\d，。；,;]{{0,12}}?(\d+(?:\.\d+)?)\s*[%％]", text)
    return {("%", float(v)) for v in found}


def _masked(text: str, asked: str) -> str:
    """``text`` with the words that hold another measure's name ("进出口" holding 出口) blanked
    out, unless ``asked`` uses them: they name neither measure inside them."""
    for outer in question_rules().enclosing_words:
        if outer not in asked:
            text = text.replace(outer, "\0" * len(outer))
    return text


def names_subject(words: tuple[str, ...], text: str) -> bool:
    """``text`` names one of the question's subject words (:attr:`QuestionSpec.subject`), or
    the first or last two characters of a longer one ("床位" for 床位数, "产值" for 总产值):
    reports shorten and reorder what a question asks about ("造林增绿331.5万亩" for 造林绿化,
    "经营权3713万元" for 经营权收入), so this only rules out a clause about something else
    ("旅游收入1.36亿元" for 农业总产值)."""
    norm = _masked(normalize_for_search(text), " ".join(words))

    def named(word: str) -> bool:
        word = normalize_for_search(word)
        return word in norm or (len(word) >= 3 and (word[:2] in norm or word[-2:] in norm))

    return any(named(w) for w in words)


def other_head(spec: QuestionSpec, text: str) -> bool:
    """The question asks one measure of its subject ("规模以上工业总产值") and ``text`` states
    another one of it ("规模以上工业企业实现营业收入612.37亿元"), never the asked one. The
    measure nouns are data (``measure_heads``); a clause naming none is not judged here."""
    heads = question_rules().measure_heads
    # the asked measure is the one the question names last ("高新技术企业实现营业收入多少":
    # 营业收入, not 企业), with the heads inside it (收入)
    ends = {h: spec.text.rfind(h) + len(h) for h in heads if h in spec.text}
    asked = [h for h, end in ends.items() if end == max(ends.values(), default=0)]
    if not asked or any(h in text for h in asked):
        return False
    return any(h in text for h in heads if not any(h in a or a in h for a in asked))


def qualified_subject(spec: QuestionSpec, clause: str) -> bool:
    """The clause names what is asked only behind a qualifier the question does not use
    ("机电产品出口268.9亿元" for "出口总值"): a part of it. A soft preference, not a rule: the
    words before a metric are too varied to rule a clause out on them (see the module note)."""
    if any(c in clause for c in lexicon().distributive_cues):
        return False  # "第二、第三产业增加值分别增长…": a 分别 list names its parts so
    # every way the asked metric is written ("全市地区生产总值（GDP）" for GDP)
    words = spec.subject or tuple(t for g in spec.metrics for t in g)
    clause = _masked(clause, spec.text)  # "…进出口61.2亿元": no mention of 出口
    found = [(clause.find(w), w) for w in words if w in clause]
    if not found:
        return False
    lead = clause[: min(found)[0]]
    lead = re.split(r"[，,；;：:、]", lead)[-1]
    tokens = [w for w in get_tokenizer().words(lead) if not w.isdigit()]
    if not tokens:
        return False
    last = tokens[-1]
    rules = question_rules()
    allowed = (*rules.measure_scope_words, *rules.continuation_starts, *rules.subject_skip_words)
    return (
        len(last) >= 2
        and last.isalpha()
        and last not in spec.text
        and not any(last in w for w in words)  # "规模以上" of 规模以上工业增加值
        and last not in allowed
        and not place_mentions(last)
        and not any(last in r for r in spec.regions)
    )


def other_qualifier(spec: QuestionSpec, clause: str) -> bool:
    """The question asks a part of a measure by a qualifier ("跨境电商出口额", "地方级税收
    收入") and the clause states another part of it ("市场采购贸易方式出口215.6亿元", "全口径
    税收收入56.8亿元"), never the asked one.

    Unlike :func:`qualified_subject` this rules a clause out: the question's own qualifier
    must be missing from the clause as well."""
    terms = [t for g in spec.metrics for t in g if t in spec.text]
    term = max(terms, key=len) if terms else (spec.subject[-1] if spec.subject else "")
    bare = without_places(spec.text, spec.regions)
    if not term or term not in bare:
        return False
    qualifier = _qualifier(bare[: bare.find(term)])
    if not qualifier:
        return False
    if not _names_qualifier(qualifier, clause) and qualified_subject(spec, clause):
        return True
    # the qualifier's last word is the one right before the term ("毒品" of 起诉毒品犯罪)
    words = [w for w in get_tokenizer().words(qualifier) if len(w) >= 2]
    return (
        bool(words) and not _abbreviates(words[-1], clause) and _qualified_term(spec, term, clause)
    )


def _abbreviates(word: str, clause: str) -> bool:
    """``clause`` has ``word`` or a longer form of it: its characters in order, close together
    ("基本医疗保险" for 医保); a word of three characters or more, half of them (as
    :func:`_names_qualifier`). Two characters sharing one is no mention ("保健品" for 毒品)."""
    if len(word) >= 3 and _names_qualifier(word, clause):
        return True
    gaps = ".{0,3}".join(re.escape(c) for c in word)
    return re.search(gaps, clause) is not None


def _qualified_term(spec: QuestionSpec, term: str, clause: str) -> bool:
    """Every mention of ``term`` in ``clause`` comes right after a qualifier of its own
    ("严重暴力犯罪17人" for 毒品犯罪): :func:`qualified_subject` judges only the first subject
    word a clause names, which may be the verb ("起诉") before the list."""
    if any(c in clause for c in lexicon().distributive_cues):
        return False  # "第二、第三产业增加值分别增长…": a 分别 list names its parts so
    clause = _masked(clause, spec.text)
    starts = [m.start() for m in re.finditer(re.escape(term), clause)]
    return bool(starts) and all(_other_qualifier_before(spec, clause[:s]) for s in starts)


def _other_qualifier_before(spec: QuestionSpec, lead: str) -> bool:
    rules = question_rules()
    lead = re.split(r"[，,；;：:、]|等", lead)[-1].removesuffix("的")  # "实施诈骗的犯罪"
    tokens = [w for w in get_tokenizer().words(lead) if not w.isdigit()]
    allowed = (*rules.measure_scope_words, *rules.continuation_starts, *rules.subject_skip_words)
    last = tokens[-1] if tokens else ""
    return (
        len(last) >= 2
        and last.isalpha()
        and last not in spec.text
        and last not in allowed
        and not place_mentions(last)
    )


def _names_qualifier(qualifier: str, clause: str) -> bool:
    """``clause`` names the question's qualifier, in part or shortened ("高速铁路运营" for
    高铁运营): one of its words, or half of its characters."""
    words = [w for w in get_tokenizer().words(qualifier) if len(w) >= 2]
    shared = len(set(qualifier) & set(clause))
    return qualifier in clause or any(w in clause for w in words) or 2 * shared >= len(qualifier)


#: the longest qualifier read whole ("跨境电商", "地方级"); a longer run gives its last word
QUALIFIER_CHARS = 4


def _qualifier(lead: str) -> str:
    """The words right before a measure in a question that narrow it ("地方级" of 地方级税收
    收入), or '' when they are a scope, a time or nothing."""
    run = re.search(r"[\u4e00-\u9fff]*$", lead.rstrip()).group(0)
    if len(run) > QUALIFIER_CHARS:
        words = [w for w in get_tokenizer().words(run) if len(w) >= 2]
        run = words[-1] if words else ""
    rules = question_rules()
    words = (*rules.subject_skip_words, *rules.plan_question_words, *rules.asking_words)
    if run.endswith(tuple("到的在是为了和与及从将把对")) or any(w in run for w in words):
        return ""  # "计划到2025年GDP…": no qualifier
    return run if _names_a_subject(run) else ""


def two_facts(spec: QuestionSpec, text: str, start: int, end: int) -> bool:
    """A pair of clauses that each state a figure of their own metric ("外贸进出口增长3%；
    社会消费品零售总额增长7%") answers two questions; a pair answers one when its second
    clause continues the first ("…120亿元，增长3%")."""
    clauses = [text[s:e] for s, e in clause_spans(text, start, end)]
    if len(clauses) < 2 or not all(figures(c) for c in clauses):
        return False
    asked = {t for g in spec.metrics for t in g}
    return any(not set(g) & asked for c in clauses for g in lexicon().metrics(c))


__all__ = ["names_subject", "other_head", "other_measure", "qualified_subject", "two_facts"]
