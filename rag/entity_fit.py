"""Whether a clause names the entity a question asks for ("谁", "哪家公司", "X是什么").

A clause can share every topic word of an entity question and still not answer it: "参与的火炬手
包括主席某某" for "谁是第一棒火炬手". What marks the answering clause is a *new name in the
asked role*: right after the asked role word ("第一棒火炬手——某某", "导演某某", "创始人某某"), or
introduced by 由 before its verb ("由某某执导"); a definition for "X是什么" ("X是一家…公司");
a name of the asked kind (哪个县 → …县) or in quotes; and the question's own phrase kept whole
("首席设计师" rather than only "设计师"). The words that are not names and the patterns are data
(``resources/question.toml``).
"""

from __future__ import annotations

import re

from core.text import normalize_for_search
from index.terms import get_tokenizer
from rag.question import QuestionSpec, question_rules

#: "这家公司", "该县", "两队": a pointer or a count, not a name of the asked kind
_POINTER = re.compile(r"^[这那该此本其各每某一两二三几多全][个家座所支位种条名只部]?")

QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,12})[”\"」』]")

_HAN_NAME = r"([\u4e00-\u9fff]{2,4})"

#: bonuses, on the reader's 0..1 coverage scale (see rag/reader.py ``_score``)
KIND_BONUS = 0.2
QUOTED_BONUS = 0.15
TITLE_BONUS = 0.3
ROLE_BONUS = 0.35
DEFINITION_BONUS = 0.2
EXTREME_BONUS = 0.15
PHRASE_STEP, PHRASE_FREE, PHRASE_CAP = 0.01, 4, 0.08
NOVEL_STEP, NOVEL_CAP = 0.005, 0.04


def asks_person(spec: QuestionSpec) -> bool:
    """ "谁…", or a title with "叫什么" ("镇长叫什么")."""
    rules = question_rules()
    q = spec.text
    return "谁" in q or (
        any(c in q for c in rules.person_cues) and any(t in q for t in rules.person_titles)
    )


def _is_name(spec: QuestionSpec, words: str) -> bool:
    """The first word of ``words`` could be a name: not a function word, a pointer or a word of
    the question ("火炬手包括…" is no name, "火炬手罗某某" is)."""
    if not words or words[:2] in spec.text or _POINTER.match(words):
        return False
    first = get_tokenizer().words(words)[:1]
    return bool(first) and len(first[0]) >= 2 and first[0] not in question_rules().not_names


def role_name(spec: QuestionSpec, text: str) -> str:
    """A name in the asked role of a person question: right after the role word ("导演某某",
    "第一棒火炬手——某某") or introduced by 由 before it ("由某某执导"); '' if none."""
    if not spec.attribute or not asks_person(spec):
        return ""
    rules = question_rules()
    roles = "|".join(re.escape(a) for a in sorted(spec.attribute, key=len, reverse=True))
    for m in re.finditer(rf"(?:{roles})(?:{rules.role_separators})?{_HAN_NAME}", text):
        if _is_name(spec, m.group(1)):
            return m.group(1)
    for m in re.finditer(rf"由([\u4e00-\u9fff]{{2,4}}?)(?:{roles})", text):
        if _is_name(spec, m.group(1)):
            return m.group(1)
    return ""


def defines(spec: QuestionSpec, text: str) -> bool:
    """For "X是什么" (nothing after 是什么), ``text`` says what X is ("X集团是一家…公司")."""
    asked = normalize_for_search(spec.text).rstrip("？?。 ")
    if not spec.attribute or not asked.endswith("是什么"):
        return False
    subject = re.escape(spec.attribute[0])
    pattern = rf"{subject}[\u4e00-\u9fff]{{0,4}}?{question_rules().definition_pattern}"
    return re.search(pattern, normalize_for_search(text)) is not None


#: a clause naming fewer new characters than this only repeats the question
MIN_NOVEL = 2


def novel_chars(question: str, text: str) -> int:
    """Chinese characters of ``text`` outside every piece (two or more characters) it shares
    with the question: "带动投资增长5%" adds nothing to "是什么带动投资增长5%的"."""
    q, t = normalize_for_search(question), normalize_for_search(text)
    count, i = 0, 0
    while i < len(t):
        size = 2
        while i + size <= len(t) and t[i : i + size] in q:
            size += 1
        if size > 2:  # t[i : i + size - 1] is shared with the question
            i += size - 1
            continue
        count += "\u4e00" <= t[i] <= "\u9fff"
        i += 1
    return count


def phrase_overlap(question: str, text: str) -> int:
    """Length of the longest piece of the question found whole in ``text``."""
    q, t = normalize_for_search(question), normalize_for_search(text)
    for size in range(len(q), 0, -1):
        if any(q[i : i + size] in t for i in range(len(q) - size + 1)):
            return size
    return 0


def phrase_bonus(spec: QuestionSpec, text: str) -> float:
    """A small preference for the clause that keeps more of the question's wording together."""
    extra = phrase_overlap(spec.text, text) - PHRASE_FREE
    return min(PHRASE_CAP, PHRASE_STEP * max(0, extra))


def names_kind(spec: QuestionSpec, text: str) -> str:
    """A name of the asked kind (:attr:`QuestionSpec.kind`) in ``text`` that the question does
    not already contain, by the kind's last character: 哪个县 → …县, 哪支球队 → …队, 哪所幼儿园
    → …园; '' when none."""
    if not spec.kind:
        return ""
    endings = question_rules().kind_names.get(spec.kind, (spec.kind[-1],))
    ending = "|".join(map(re.escape, endings))
    for word in re.findall(rf"[\u4e00-\u9fff]{{1,14}}?(?:{ending})", text):
        # a name holds no 的 ("…首家产值超百亿元的工业企业" describes, it does not name)
        if word not in spec.text and not _POINTER.match(word) and word not in endings:
            if "的" in word:
                continue
            return word
    return ""


def _kind_bonus(spec: QuestionSpec, text: str) -> float:
    return KIND_BONUS if names_kind(spec, text) else 0.0


def _title_bonus(text: str, before: str) -> float:
    """A name after a title (省长某某), in the clause or just before it on a byline."""
    titles = "|".join(question_rules().person_titles)
    for m in re.finditer(rf"(?:{titles})\s*([\u4e00-\u9fff]{{2,3}})", before + text):
        if m.start(1) >= len(before):
            return TITLE_BONUS
    return 0.0


def entity_bonus(spec: QuestionSpec, text: str, before: str = "") -> float:
    """Part of a clause's score (and so of answerability): it names something of the asked
    kind, a quoted name, or a person after a title."""
    q = spec.text
    bonus = _kind_bonus(spec, text)
    if any(name not in q for name in QUOTED.findall(text)):
        bonus = max(bonus, QUOTED_BONUS)
    if asks_person(spec):
        bonus = max(bonus, _title_bonus(text, before))
    return bonus


def entity_preference(spec: QuestionSpec, text: str) -> float:
    """Which of the clauses that may answer names the asked entity best: a name in the asked
    role, a definition, the question's phrase kept whole. It ranks clauses but adds nothing to
    answerability, so it can never turn a refusal into an answer."""
    pref = 0.0
    if role_name(spec, text):
        pref = ROLE_BONUS
    if defines(spec, text):
        pref = max(pref, DEFINITION_BONUS)
    # among clauses that tie, the one that adds more of its own words names more
    novel = min(NOVEL_CAP, NOVEL_STEP * novel_chars(spec.text, text))
    return pref + phrase_bonus(spec, text) + novel


def extreme_fit(spec: QuestionSpec, text: str) -> float:
    """For "哪个…最高": a clause stating an extreme of what is asked ranks up, one stating an
    extreme of something else down ("增速居四大主导产业首位" for 产值最高: growth, not size)."""
    if not spec.superlative:
        return 0.0
    rules = question_rules()
    clauses = [c for c in re.split(r"[，,；;。]", text) if any(w in c for w in rules.extreme_words)]
    if not clauses:
        return 0.0
    fits = any(extreme_fits(spec.text, c) for c in clauses)
    return EXTREME_BONUS if fits else -EXTREME_BONUS


def extreme_fits(question: str, clause: str) -> bool:
    """A clause's extreme is of what the question ranks by: growth ("增速居…首位") for
    "哪个增长最快", size for "哪个产值最高"."""
    rules = question_rules()
    words = rules.growth_words
    # the question ranks growth when a growth word stands right before its superlative
    # ("增速最快"), not when growth is its topic ("对规上工业增长拉动最大")
    ranks = (*rules.superlative_high, *rules.superlative_low)
    near = "|".join(map(re.escape, words))
    most = "|".join(map(re.escape, ranks))
    # (or a superlative that is itself a growth word: "最快")
    asked = bool(re.search(rf"(?:{near})[^，,。？?]?(?:{most})", question)) or any(
        w in question for w in words if w in ranks
    )
    return any(w in clause for w in words) == asked


def names_a_place(spec: QuestionSpec, text: str) -> bool:
    """A place name the question does not already contain (…市, …馆, …中心), or a quoted
    name ("被称为…的是哪里" → “某某”)."""
    rules = question_rules()
    endings = "|".join(rules.place_endings)
    words = re.findall(rf"[\u4e00-\u9fff]{{1,8}}(?:{endings})", text)
    words += [p for p in rules.bare_places if p in text]
    words += QUOTED.findall(text)
    if rules.place_pattern:
        words += re.findall(rules.place_pattern, text)
    return any(word not in spec.text for word in words)


__all__ = [
    "MIN_NOVEL",
    "QUOTED",
    "asks_person",
    "defines",
    "entity_bonus",
    "entity_preference",
    "extreme_fit",
    "extreme_fits",
    "names_a_place",
    "names_kind",
    "novel_chars",
    "phrase_overlap",
    "role_name",
]
