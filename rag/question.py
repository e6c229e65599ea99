"""What a question asks for: the answer type, the metric, rate or amount, kind and period.

Parsed from cue words in ``resources/question.toml`` and the metric lexicon, never from the
wording of particular reports, so a new phrasing is a data change. The reader uses the result
as constraints: a candidate that violates one cannot be the answer.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from core.lexicon import lexicon
from core.text import (
    count_value,
    normalize_for_search,
    place_mentions,
    place_rules,
    short_forms,
    strip_years,
    village_mentions,
)
from index.terms import get_tokenizer
from rag.query import QueryInfo

_RULES = Path(__file__).with_name("resources") / "question.toml"
ANSWER_TYPES = ("list", "reason", "rank", "date", "place", "entity", "figure")


class QuestionRules(BaseModel):
    """The cue words and patterns of ``resources/question.toml``, one field per table key.

    Pydantic coerces the data file's lists into the tuples and sets the rules read, and
    ``extra="forbid"`` turns a misspelt key into an error at load instead of a silently unused
    rule.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    types: dict[str, tuple[str, ...]]
    rate_cues: tuple[str, ...]
    amount_cues: tuple[str, ...]
    period_question_cues: tuple[str, ...]
    period_clause_cues: tuple[str, ...]
    enumerators: tuple[str, ...]
    list_leads: tuple[str, ...]
    target_clause_cues: tuple[str, ...]
    continuation_starts: tuple[str, ...]
    part_leads: tuple[str, ...]
    group_list_pattern: str
    level_words: tuple[str, ...]
    level_kinds: tuple[str, ...]
    level_aliases: dict[str, str]
    level_kind_aliases: dict[str, str]
    level_not_after: str
    manner_pattern: str
    manner_words: tuple[str, ...]
    total_question_words: tuple[str, ...]
    total_clause_words: tuple[str, ...]
    group_joiners: tuple[str, ...]
    each_member_cues: tuple[str, ...]
    points_question_pattern: str
    negations: tuple[str, ...]
    thresholds: dict[str, float]
    subperiod_cues: tuple[str, ...]
    date_pattern: str
    rank_pattern: str
    place_endings: tuple[str, ...]
    review_cues: tuple[str, ...]
    person_titles: tuple[str, ...]
    asked_unit_pattern: str
    bound_cues: tuple[str, ...]
    person_cues: tuple[str, ...]
    question_words: tuple[str, ...]
    increment_cues: tuple[str, ...]
    outline_min_coverage: float
    asking_words: tuple[str, ...] = ()
    generic_attributes: frozenset[str] = frozenset()
    attribute_types: tuple[str, ...] = ()
    object_verbs: tuple[str, ...] = ()
    attribute_synonyms: tuple[tuple[str, ...], ...] = ()
    verb_after: tuple[str, ...] = ()
    bare_places: tuple[str, ...] = ()
    past_cues: tuple[str, ...] = ()
    count_unit_groups: tuple[tuple[str, ...], ...] = ()
    role_separators: str = ""
    not_names: frozenset[str] = frozenset()
    definition_pattern: str = "是一"
    plan_section_cues: tuple[str, ...] = ()
    review_section_cues: tuple[str, ...] = ()
    period_pattern: str = ""
    period_months: dict[str, tuple[int, int]] = {}
    measure_words: tuple[tuple[str, ...], ...] = ()
    period_end_cues: tuple[str, ...] = ()
    per_item_cues: tuple[str, ...] = ()
    quantity_words: tuple[str, ...] = ("多少", "几")
    header_speaker_cues: tuple[str, ...] = ()
    header_occasion_cues: tuple[str, ...] = ()
    header_address_cues: tuple[str, ...] = ()
    header_when_words: tuple[str, ...] = ()
    header_deliver_verbs: tuple[str, ...] = ()
    weak_target_cues: tuple[str, ...] = ()
    place_pattern: str = ""
    question_word_pattern: str = ""
    source_phrases: tuple[str, ...] = ()
    filler_words: tuple[str, ...] = ()
    level_cues: tuple[str, ...] = ()
    measure_suffixes: tuple[str, ...] = ()
    titled_attributes: tuple[str, ...] = ()
    year_question_words: tuple[str, ...] = ()
    prior_value_pattern: str = ""
    measure_scope_words: tuple[str, ...] = ()
    share_base_pattern: str = ""
    share_words: tuple[str, ...] = ()
    progress_pattern: str = ""
    spoken_words: dict[str, str] = {}
    point_change_cues: tuple[str, ...] = ()
    rate_metric_words: tuple[str, ...] = ()
    target_comparison_pattern: str = ""
    result_clause_cues: tuple[str, ...] = ()
    whole_scope_words: tuple[str, ...] = ()
    breakdown_pattern: str = ""
    own_level_words: tuple[str, ...] = ()
    progress_question_words: tuple[str, ...] = ()
    progress_columns: tuple[str, ...] = ()
    not_cause_words: tuple[str, ...] = ()
    increase_question_pattern: str = ""
    increase_text_pattern: str = ""
    rise_question_pattern: str = ""
    rise_text_pattern: str = ""
    item_head_fillers: tuple[str, ...] = ()
    contrast_sets: tuple[tuple[str, ...], ...] = ()
    contrast_masks: tuple[str, ...] = ()
    parts_range_pattern: str = ""
    share_part_pattern: str = ""
    progress_ask_pattern: str = ""
    stock_cues: tuple[str, ...] = ()
    progress_figure_pattern: str = ""
    kind_pattern: str = ""
    measure_heads: tuple[str, ...] = ()
    stated_measure_heads: tuple[str, ...] = ()
    kind_names: dict[str, tuple[str, ...]] = {}
    within_year_cues: tuple[str, ...] = ()
    since_words: tuple[str, ...] = ()
    cause_question_words: tuple[str, ...] = ()
    degree_words: tuple[str, ...] = ()
    cause_cues: tuple[str, ...] = ()
    completion_question_words: tuple[str, ...] = ()
    completion_cues: tuple[str, ...] = ()
    unit_kinds: dict[str, tuple[str, ...]] = {}
    unit_kind_nouns: dict[str, tuple[str, ...]] = {}
    unit_kind_endings: dict[str, tuple[str, ...]] = {}
    comparison_bases: tuple[tuple[str, ...], ...] = ()
    enclosing_words: tuple[str, ...] = ()
    list_count_pattern: str = ""
    single_of_list_words: tuple[str, ...] = ()
    growth_phrases: tuple[str, ...] = ()
    superlative_high: tuple[str, ...] = ()
    superlative_low: tuple[str, ...] = ()
    extreme_words: tuple[str, ...] = ()
    growth_words: tuple[str, ...] = ()
    plan_question_words: tuple[str, ...] = ()
    explicit_amount_cues: tuple[str, ...] = ()
    naming_words: tuple[str, ...] = ()
    subject_skip_words: tuple[str, ...] = ()
    subject_unit_pattern: str = ""
    caption_pattern: str = ""
    scope_split_pattern: str = ""
    organ_endings: tuple[str, ...] = ()
    organ_cuts: str = ""
    organ_leading: str = ""
    organ_max_chars: int = 10
    base_year_pattern: str = ""
    remedy_acts: tuple[str, ...] = ()
    remedy_spoken: dict[str, str] = {}
    abbreviations: dict[str, str] = {}
    numbered_item_pattern: str = ""
    bare_high: str = ""
    scope_part_not_starts: tuple[str, ...] = ()
    lead_in_words: tuple[str, ...] = ()
    home_currency_words: tuple[str, ...] = ()
    foreign_currencies: tuple[str, ...] = ()
    bare_low: str = ""

    @field_validator("types", mode="before")
    @classmethod
    def _every_type(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {t: value.get(t, []) for t in ANSWER_TYPES}

    @field_validator("question_words")
    @classmethod
    def _longest_first(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Longest first, so 多少万 is cut before 多少."""
        return tuple(sorted(value, key=len, reverse=True))


@lru_cache(maxsize=1)
def question_rules() -> QuestionRules:
    return QuestionRules.model_validate(tomllib.loads(_RULES.read_text(encoding="utf-8")))


@dataclass
class QuestionSpec:
    """The constraints a question puts on its answer."""

    text: str
    answer_type: str = "other"  # list | reason | entity | figure | other
    #: synonym groups of the asked metrics (GDP, 固投 …); empty when none is named
    metrics: list[tuple[str, ...]] = field(default_factory=list)
    wants_rate: bool = False
    wants_amount: bool = False
    #: asks about a multi-year period (十四五, 年均, 到2025年) rather than one year
    multi_year: bool = False
    #: how many things it asks at once ("目标是多少？完成率多少？" asks two)
    asks: int = 1
    regions: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    #: the unit named after 多少/几 ("多少间" → 间), empty when none is
    unit: str = ""
    #: the asked attribute and the words naming the same one ("截止"); empty when none is
    attribute: tuple[str, ...] = ()
    #: the kind of thing a name question asks for ("哪所幼儿园" → 幼儿园); empty when none
    kind: str = ""
    #: "high" or "low" when it asks which of several is highest or lowest; empty otherwise
    superlative: str = ""
    #: the quoted phrases it asks about ("外贸“新三样”是哪三样" → 新三样)
    asked_quotes: tuple[str, ...] = ()
    #: for a figure question naming no lexicon metric, the words naming what is counted
    #: ("农业总产值多少亿元" → 农业, 总产值); empty otherwise
    subject: tuple[str, ...] = ()
    #: the departments it names, without their place ("青山县住建局" → 住建局)
    organs: tuple[str, ...] = ()


_MEASURE = tuple("个座家所支位种条名只部一")


def _attribute_word(question: str, answer_type: str) -> str:
    """The word of ``question`` that names what is asked about its topic (see question.toml)."""
    rules = question_rules()
    norm = strip_years(normalize_for_search(question)).rstrip("？?。！! ")
    # a work's title is a name, never the attribute ("《三悦有了新工作》是哪个平台的")
    norm = re.sub(r"《[^》]*》", "", norm)
    # "是围绕什么开展的": the answer is what follows that verb in the passage
    verb = next(
        (v for v in rules.object_verbs if re.search(v + "(?:什么|哪些|哪个|哪几)", norm)), ""
    )
    if verb:
        return verb
    found = [(norm.find(w), -len(w), w) for w in rules.asking_words if w in norm]
    places = set(place_mentions(question))

    def content(text: str) -> list[str]:
        return [
            w for w in get_tokenizer().words(text)
            if len(w) >= 2 and not w.isdigit() and w not in rules.generic_attributes
            and not any(w in p for p in places)
            # "上半年是哪个社区…": a period scopes the question, it is no attribute
            and not (rules.period_pattern and re.fullmatch(rules.period_pattern, w))
        ]  # fmt: skip

    if not found:
        words = content(norm)
        return words[-1] if words else ""
    if answer_type == "other":
        return ""
    pos, neg_len, word = min(found)
    # the asking word's own clause: "…，它是哪个地方的" names no attribute before it
    before = content(re.split(r"[，,；;：:]", norm[:pos])[-1])
    after = norm[pos - neg_len :]
    if (
        any(v in word for v in rules.verb_after)
        and after
        and not after.startswith(("是", *_MEASURE))  # "谁是…", "在哪个城市": a noun follows
    ):
        verbs = content(after)  # "谁当选…市长", "什么时候开馆": the verb
        # "报告是谁作的": a one-character verb names no attribute to check
        return verbs[0] if verbs else ""
    if not before and word.startswith("哪"):
        return ""  # "《…》是哪个平台的": the noun after 哪 is the answer's kind, no attribute
    if not before:
        rest = content(after)  # "谁是…第一棒火炬手": the head noun at the end
        return rest[-1] if rest else ""
    return before[-1]


def asked_attribute(question: str, answer_type: str = "entity") -> tuple[str, ...]:
    """The asked attribute (first) with the words of its synonym groups (empty: none found)."""
    word = _attribute_word(question, answer_type)
    if not word:
        return ()
    group: set[str] = set()
    for synonyms in question_rules().attribute_synonyms:
        if word in synonyms:
            group.update(synonyms)
    return (word, *sorted(group - {word}, key=lambda w: (-len(w), w)))


def asked_organs(question: str, regions: list[str] | tuple[str, ...] = ()) -> tuple[str, ...]:
    """The departments ``question`` names ("市住建局和市自然资源和规划局" → 住建局,
    自然资源和规划局), each without the place before it; question words are no name."""
    rules = question_rules()
    text = strip_years(normalize_for_search(question))
    for form in sorted({f for r in regions for f in short_forms(r)}, key=len, reverse=True):
        text = text.replace(form, "，")  # a place ends the word before a department
    out: list[str] = []
    for ending in rules.organ_endings:
        for m in re.finditer(re.escape(ending), text):
            window = text[max(0, m.start() - rules.organ_max_chars) : m.start()]
            cut = max((window.rfind(c) for c in rules.organ_cuts), default=-1)
            name = window[cut + 1 :].lstrip(rules.organ_leading)
            name = re.sub(r"^[0-9.%年月]+", "", name)
            if len(name) >= 2 and name.isalpha() and not any(w in name for w in "哪什几何"):
                out.append(name + ending)
    return tuple(dict.fromkeys(out))


def _ends_with(norm: str, pattern: str) -> bool:
    """A "哪个…高" question: which one of them is high, asked with the bare word at its end."""
    return bool(pattern) and "哪" in norm and bool(re.search(pattern, norm))


def spelled_out(question: str) -> str:
    """``question`` with its shorthand for several things written out (``abbreviations``)."""
    for short, full in sorted(question_rules().abbreviations.items(), key=lambda kv: -len(kv[0])):
        if short in question:
            question = question.replace(short, full)
    return question


def parse_question(question: str, info: QueryInfo) -> QuestionSpec:
    """The constraints of ``question`` (``info`` holds its places, years and intent)."""
    rules = question_rules()
    norm = normalize_for_search(question)
    # the year of a named report ("2023年政府工作报告…过去五年") picks the report, not the period
    asked = [y for y in info.years if y not in info.report_years]
    spec = QuestionSpec(text=question, regions=list(info.regions), years=asked)
    spec.organs = asked_organs(question, info.regions)
    for kind in ANSWER_TYPES:
        if any(c in norm for c in rules.types[kind]):
            spec.answer_type = kind
            break
    if spec.answer_type == "other" and norm.rstrip("？?。 ").endswith(("时间", "日期")):
        spec.answer_type = "date"  # "新规生效时间"
    if spec.answer_type in ("entity", "other") and counted_list(norm):
        spec.answer_type = "list"  # "四大主导产业是什么": as many things as it counts
    asked_part = _asked_part(question)  # "一般公共预算收入里，税收收入有多少": 税收收入
    spec.metrics = lexicon().metrics(asked_part, asked=True)
    bare = asked_part  # "新增多少城镇就业" names 新增城镇就业 once the asking word is out
    for word in rules.asking_words:
        bare = bare.replace(word, "")
    spec.metrics += [g for g in lexicon().metrics(bare, asked=True) if g not in spec.metrics]
    if spec.answer_type == "other" and spec.metrics:
        spec.answer_type = "figure"
    if spec.answer_type == "figure":
        asked = norm  # the cue words, not the metric's own name (社会消费品零售*总额*, *失业率*)
        for term in sorted({t for g in spec.metrics for t in g}, key=len, reverse=True):
            asked = asked.replace(normalize_for_search(term), " ")
        spec.wants_amount = any(c in asked for c in rules.amount_cues)
        if any(p in asked for p in rules.growth_phrases) and not any(
            c in asked for c in rules.explicit_amount_cues
        ):
            spec.wants_amount = False  # "猪牛羊禽肉产量比上年增长多少" asks the growth
        spec.wants_rate = (
            not spec.wants_amount
            and any(c in asked for c in rules.rate_cues)
            and not any(c in asked for c in rules.level_cues)
        )
    unit = re.search(rules.asked_unit_pattern, norm)
    spec.unit = unit.group(1) if unit else ""
    spec.multi_year = any(c in norm for c in rules.period_question_cues)
    spec.asks = max(1, sum(norm.count(m) for m in rules.quantity_words), norm.count("?"))
    if "分别" in norm and len(spec.metrics) != 1:
        spec.asks = max(spec.asks, 2)  # "农业产值和工业产值分别是多少"
    if spec.answer_type in rules.attribute_types:
        spec.attribute = asked_attribute(question, spec.answer_type)
        spec.kind = asked_kind(norm)
        if spec.kind and spec.attribute and spec.attribute[0] == spec.kind:
            spec.attribute = ()  # "品牌叫什么": the answer is a brand, not a clause about one
    if any(c in norm for c in rules.superlative_high) or _ends_with(norm, rules.bare_high):
        spec.superlative = "high"
    elif any(c in norm for c in rules.superlative_low) or _ends_with(norm, rules.bare_low):
        spec.superlative = "low"
    if spec.superlative and spec.answer_type in ("entity", "rank", "place"):
        spec.attribute = ()  # "排第一的是哪个": the figures decide, no word to find
    spec.asked_quotes = asked_quotes(question)
    if spec.answer_type == "figure" and not spec.metrics:
        spec.subject = subject_words(asked_part, spec.regions)
    return spec


def _asked_part(question: str) -> str:
    """The part a question asks when it first names the whole it belongs to (see
    ``scope_split_pattern``); the whole question otherwise. A whole naming no metric of its
    own is no scope ("上半年，…" is split by other rules)."""
    rules = question_rules()
    m = re.match(rules.scope_split_pattern, question) if rules.scope_split_pattern else None
    if m is None:
        return question
    whole = m.group("whole")
    metrics = lexicon().metrics(whole)
    if not metrics:
        return question
    if not m.groupdict().get("comma") and (
        not any(whole.endswith(t) for g in metrics for t in g)
        or m.group("part").startswith(rules.scope_part_not_starts)
    ):
        # "…的总量达到了多少亿元，报告里是怎么写的", "税收收入在一般公共预算收入里占多大
        # 比重": no whole named first, the part asked is not after it
        return question
    return question[: m.start("whole")] + m.group("part")


def counted_list(question: str) -> tuple[str, int] | None:
    """The count word and its number when a question asks for several things by their count
    ("四大主导产业是什么" → ("四大", 4)); None for one thing of them ("…中最大的是哪个")."""
    rules = question_rules()
    m = re.search(rules.list_count_pattern, question) if rules.list_count_pattern else None
    if not m or any(w in question for w in rules.single_of_list_words):
        return None
    n = count_value(m.group("n"))
    return (m.group(0), n) if n >= 2 else None


def without_places(question: str, regions: list[str]) -> str:
    """``question`` without its years, places and the citing of its source, so that no word
    cut from it spans one of them ("按…卫健局去年的工作总结", "…年白河省跨境…")."""
    text = strip_years(question)
    places = [*regions, *place_mentions(question), *village_mentions(question)]
    forms = {f for r in places for f in (r, *short_forms(r))}
    for phrase in sorted({*forms, *question_rules().source_phrases}, key=len, reverse=True):
        text = text.replace(phrase, " ")
    return text


def subject_words(question: str, regions: list[str]) -> tuple[str, ...]:
    """The words of a figure question that name what it counts: not its places, times, scope,
    asking, growth, target or unit words ("东湖乡2024年农业总产值多少亿元" → 农业, 总产值)."""
    rules = question_rules()
    skip = {
        *rules.subject_skip_words, *rules.rate_cues, *rules.measure_scope_words,
        *rules.asking_words, *rules.source_phrases, *rules.filler_words,
        *rules.plan_question_words,
    }  # fmt: skip
    text = without_places(question, regions)
    organs = (*(o for o in place_rules().organs if len(o) > 1), "局", "厅")
    unit = re.compile(rules.subject_unit_pattern) if rules.subject_unit_pattern else None
    return tuple(
        w
        for w in get_tokenizer().words(text)
        if len(w) >= 2
        and w.isalpha()
        and w not in skip
        and not w.endswith(("年", "月", "季度", "日", *organs))
        and not (unit and unit.match(w))
    )


def asked_quotes(question: str) -> tuple[str, ...]:
    """The quoted phrases a question asks about: right before its asking words ("“新三样”
    是哪三样", "“五大中心”分别是"), not a programme named on the way ("“百千万工程”的…")."""
    words = "|".join(map(re.escape, question_rules().asking_words))
    pattern = rf"[“\"「『]([^”\"」』]{{2,12}})[”\"」』][^，,。？?]{{0,6}}?(?:分别)?(?:{words})"
    return tuple(re.findall(pattern, question))


def asked_kind(question: str) -> str:
    """The kind of thing a name question asks for: "是哪所幼儿园" → 幼儿园, "茶叶品牌叫什么"
    → 品牌; empty when it names none."""
    rules = question_rules()
    m = re.search(rules.kind_pattern, question) if rules.kind_pattern else None
    if m and m.group(1) not in "个一":  # "…断面是哪个": the kind is named before
        return "" if m.group(1)[0] in "些里儿" else m.group(1)  # 哪些, 哪里, 哪儿: no kind
    for word in rules.naming_words:
        at = question.find(word)
        if at > 0:
            words = [w for w in get_tokenizer().words(question[:at]) if len(w) >= 2]
            return words[-1] if words else ""
    return ""


__all__ = [
    "ANSWER_TYPES",
    "QuestionRules",
    "QuestionSpec",
    "asked_attribute",
    "asked_kind",
    "asked_quotes",
    "parse_question",
    "question_rules",
    "subject_words",
    "without_places",
]
