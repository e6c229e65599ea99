"""From the clause the reader chose to the words of the answer.

The reader (:mod:`rag.reader`) decides which clause answers; this module decides how much of
its text is quoted: the whole sentence for lists and reasons (with the next sentence when it
gives the cause), one item of an enumeration of figures, and the period the sentence opens
with, all spans of the passage. Two answers are composed from spans instead: a name of a 分别
list with its own figure ("第二产业增加值增长5.2%") or the highest of them, and an item's title
before the clause under it ("城关第二幼儿园："); every figure they state is the passage's, so
the citation check still verifies them. Works on offsets, not on the reader's types.
"""

from __future__ import annotations

import re

from core.lexicon import lexicon
from core.text import clause_spans, full_sentence_spans, village_mentions
from rag.citations import bigrams
from rag.clause_fit import cause_fit, figures
from rag.compare import is_named, named_pair
from rag.entity_fit import QUOTED, names_kind
from rag.question import QuestionSpec, counted_list, question_rules

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _opens_item(sentence: str) -> bool:
    """The sentence is an item of an enumeration: "一是…", "第二…", "3. …", "（四）…"."""
    rules = question_rules()
    if sentence.startswith(rules.enumerators):
        return True
    return bool(rules.numbered_item_pattern) and bool(
        re.match(rules.numbered_item_pattern, sentence)
    )


def _counted_parts_before(text: str, s: int, e: int, spec: QuestionSpec) -> int:
    """Where a counted list's answer starts: the sentence before, when the answering one only
    names the count ("三大主导产业合计实现产值748.0亿元") and the one before has as many
    parts, one per item ("新能源汽车产业实现产值386.4亿元…；电子信息产业…；生物医药产业…。")."""
    counted = counted_list(spec.text)
    if counted is None or counted[0] not in text[s:e] or text[s:e].count("、") + 1 >= counted[1]:
        return s
    before = [sp for sp in full_sentence_spans(text) if sp[1] <= s]
    if not before or "\n\n" in text[before[-1][1] : s]:
        return s
    ps, pe = before[-1]
    parts = [p for p in re.split(r"[；;]", text[ps:pe].rstrip("。")) if p.strip()]
    # each part names one of them by the counted noun's head ("…主导产业" → 产业)
    after = spec.text[spec.text.find(counted[0]) + len(counted[0]) :]
    noun = re.match(r"[\u4e00-\u9fff]+?(?=是|有|包括|指|分别|为|的|都|[？?，,]|$)", after)
    head = noun.group(0)[-2:] if noun else ""
    if len(head) < 2 or len(parts) != counted[1] or not all(head in p for p in parts):
        return s
    return ps


def sentence_answer(text: str, sentence: tuple[int, int], spec: QuestionSpec) -> str:
    """The whole sentence (reasons, descriptions), with the items of a list that follow it."""
    s, e = sentence
    if spec.answer_type == "list":
        rules = question_rules()
        following = [sp for sp in full_sentence_spans(text) if sp[0] >= e]
        body = text[s:e].rstrip()
        opens_list = body.endswith(("：", ":")) or any(c in body for c in rules.enumerators)
        lead_ins = {f"{lead}{colon}" for lead in rules.part_leads for colon in "：:"}
        for i, (fs, fe) in enumerate(following[:8]):
            nxt = text[fs:fe].lstrip()
            if i == 0 and nxt.rstrip() in lead_ins:  # "…34个。其中：\n1. …；\n2. …"
                e, body, opens_list = fe, text[s:fe].rstrip(), True
                continue
            if not (opens_list or _opens_item(nxt)):
                break
            if not _opens_item(nxt) and not body.endswith(("：", ":")):
                break
            e = fe
            body = text[s:e].rstrip()
        s = _counted_parts_before(text, s, e, spec)
    elif spec.answer_type == "reason" and cause_fit(spec, text[s:e]) == 0:
        # "…下降5.2%。这个数字不太好看，但要说清楚：下降的主要原因是…": the cause follows
        nxt = next((sp for sp in full_sentence_spans(text) if sp[0] >= e), None)
        if nxt and "\n" not in text[e : nxt[0]] and cause_fit(spec, text[slice(*nxt)]) > 0:
            e = nxt[1]
    return text[s:e].strip()


def enumerated_item(text: str, start: int, end: int, spec: QuestionSpec) -> tuple[int, int] | None:
    """The one item of an enumeration ("新增上市公司23家、单项冠军44家、“小巨人”企业398家")
    in ``text[start:end]`` that names what the question asks, when each item states its own
    figure of its own noun; None when the clause is no such list, no item stands out, or
    "分别"/"各" spreads the figures over a list of names."""
    if spec.answer_type != "figure" or spec.asks > 1:
        return None
    rules = question_rules()
    cues = (*lexicon().distributive_cues, *rules.per_item_cues)
    if any(c in text[start:end] or c in spec.text for c in cues):
        return None
    if len(clause_spans(text, start, end)) != 1:
        return None  # a pair of clauses is the reader's choice, not a list
    items = clause_spans(text, start, end, enumeration=True)
    if len(items) < 2:
        return None
    own = [text[s:e] for s, e in items]
    if not all(figures(t) and _names_its_own(t, rules.rate_cues) for t in own):
        return None  # "生产总值6.36万亿元、增长5.1%": the second item's subject is the first's
    if any(t.lstrip().startswith(rules.continuation_starts) for t in own[1:]):
        return None  # "新改建2365公里、完成年度目标5000公里的47.3%": one subject's two figures
    villages = village_mentions(spec.text)  # "南村…多少" of "西村28.9万元、南村124.6万元"
    named = [i for i, t in enumerate(own) if any(v in t for v in villages)]
    if len(named) == 1:
        return items[named[0]]
    asked = bigrams(spec.text)
    # the noun right before each figure decides; words shared by the list's lead ("五年累计")
    # sit in the first item only and would favour it
    for key in (_item_head, lambda t: t):
        ranked = sorted(
            ((len(asked & bigrams(key(t))), i) for i, t in enumerate(own)), reverse=True
        )
        if ranked[0][0] != ranked[1][0]:
            return items[ranked[0][1]]
    return None


def spread_item(
    text: str, start: int, end: int, sentence: tuple[int, int], spec: QuestionSpec
) -> str | None:
    """The asked name's own figure when the clause ``text[start:end]`` spreads figures over
    names with 分别 ("第一产业、第二产业、第三产业增加值分别增长3.1%、5.2%、6.0%" asked for
    第二产业: "第二产业增加值增长5.2%"); None when the question asks for all of them, names
    none or several, or the names and figures do not pair up."""
    lex = lexicon()
    if spec.answer_type != "figure" or spec.asks > 1:
        return None
    if not any(c in text[start:end] for c in lex.distributive_cues):
        return None
    if any(c in spec.text for c in (*lex.distributive_cues, *question_rules().per_item_cues)):
        return None
    groups = [
        g
        for g in lex.spreads(text, *sentence)
        if all(start <= s and e <= end for s, e in g.figures)
    ]
    if len(groups) > 1 and (spec.wants_rate or spec.wants_amount):
        groups = [g for g in groups if ("%" in text[slice(*g.figures[0])]) == spec.wants_rate]
    if len(groups) != 1:
        return None
    group = groups[0]
    i = _asked_name(group.cores, spec.text)
    if i is None:
        return None
    name = group.phrase(i)  # "总产量", or as the question has it: "粮食总产量"
    name = max(
        (r for r in group.readings() if r.endswith(name) and r in spec.text), key=len, default=name
    )
    return name + group.verb + text[slice(*group.figures[i])]


def spread_extreme(
    text: str, start: int, end: int, sentence: tuple[int, int], spec: QuestionSpec
) -> str | None:
    """Which name of a 分别 list in ``text[start:end]`` has the highest (or lowest) figure,
    for "…中排第一的是哪个" ("沅北区、城东区…分别实现社会消费品零售总额421.3亿元、368.7亿元…"
    → 沅北区); a growth is compared when the question asks one. None without such a list."""
    if not spec.superlative or spec.answer_type not in ("entity", "rank", "place"):
        return None
    lex = lexicon()
    groups = [
        g for g in lex.spreads(text, *sentence)
        if all(start <= s and e <= end for s, e in g.figures)
    ]  # fmt: skip
    growth = any(c in spec.text for c in question_rules().rate_cues)
    groups = [g for g in groups if ("%" in text[slice(*g.figures[0])]) == growth]
    if not groups:
        return None
    group = groups[0]
    named = named_pair(spec.text)  # "甲和乙，哪个更快": only they are compared (rag.compare)
    if named and not all(any(is_named(t, c) for c in group.cores) for t in named):
        return None
    values = [_value(text[slice(*f)]) for f in group.figures]
    if any(v is None for v in values):
        return None
    pick = max if spec.superlative == "high" else min
    i = pick(range(len(values)), key=lambda k: values[k])
    word = "最高" if spec.superlative == "high" else "最低"
    figure = text[slice(*group.figures[i])]
    return f"{group.phrase(i)}（{group.verb}{figure}，{len(values)}个中{word}）"


def _value(figure: str) -> float | None:
    m = re.match(r"[-+]?\d[\d,]*(?:\.\d+)?", figure)
    return float(m.group(0).replace(",", "")) if m else None


def _asked_name(cores: tuple[str, ...], question: str) -> int | None:
    """Which of the parallel names the question uses, by the character pairs no other name
    has ("第二产业" against "第一产业": 第二, 二产); None unless exactly one."""
    if min(map(len, cores)) < 2:
        return None
    own = [bigrams(c) for c in cores]
    asked = bigrams(question)
    hits = [
        i
        for i, grams in enumerate(own)
        if asked & (grams - set().union(*(o for j, o in enumerate(own) if j != i)))
    ]
    return hits[0] if len(hits) == 1 else None


def _item_head(item: str, size: int = 4) -> str:
    """The last ``size`` Chinese characters before an item's last number, counting and
    period words left out: the noun the figure is of (a count before it, "734个…项目完成投资
    2831亿元", is part of the noun)."""
    numbers = list(re.finditer(r"\d[\d.,]*", item))
    head = item[: numbers[-1].start()] if numbers else item
    rules = question_rules()
    for word in (*rules.period_clause_cues, *rules.rate_cues, *rules.item_head_fillers):
        head = head.replace(word, "")
    return "".join(_HAN.findall(head))[-size:]


def _names_its_own(item: str, cues: tuple[str, ...]) -> bool:
    """An enumeration item names its own subject: two Chinese characters besides cue words."""
    for cue in cues:
        item = item.replace(cue, "")
    return len(_HAN.findall(item)) >= 2


def kind_lead(text: str, start: int, quoted: str, spec: QuestionSpec, reach: int = 80) -> str:
    """The name of the asked kind that a clause answering a name question is about, when the
    clause itself does not name one: the title its line opens with ("2. **城关第二幼儿园建设
    项目。** 项目总投资…，已于2024年5月竣工验收" for 哪所幼儿园), at most ``reach`` characters
    back; empty when there is nothing to add."""
    if not spec.kind or names_kind(spec, quoted) or QUOTED.search(quoted):
        return ""
    line_start = text.rfind("\n", 0, start) + 1
    # "某某有限公司实施智能化改造，全年实现产值6.2亿元，成为全镇首家…": the clause naming
    # the thing opens the sentence; the quote starts there
    sentence_start = max(line_start, *(text.rfind(c, 0, start) + 1 for c in "。！？!?"))
    for s, _ in clause_spans(text, sentence_start, start):
        if start - s <= reach and names_kind(spec, text[s:start]):
            return text[s:start]
    if start - line_start > reach:
        return ""
    name = names_kind(spec, text[line_start:start])
    if not name and not text[line_start:start].strip():
        # a paragraph's first clause under a title line ("### （七）省人力资源和社会保障厅")
        return _title_line_name(text, line_start, spec)
    # only an item's title: nothing but its number and marks before the name
    if not name or re.search(r"[\u4e00-\u9fff]", text[line_start : text.find(name, line_start)]):
        return ""
    return f"{name}："


#: the longest line read as a title over the paragraph below it
TITLE_LINE_CHARS = 30
#: what may stand before the name on a title line: heading marks and its number
_TITLE_NUMBER = re.compile(r"[#*\s]*(?:[（(]?[一二三四五六七八九十百\d]{1,3}[)）、.．]?)?[*\s]*")


def _title_line_name(text: str, line_start: int, spec: QuestionSpec) -> str:
    """The name of the asked kind that the short title line above a paragraph is, or ''."""
    above = text[:line_start].rstrip()
    title = above[above.rfind("\n") + 1 :].strip()
    if not title or len(title) > TITLE_LINE_CHARS or title.endswith(("。", "；", "，")):
        return ""
    name = names_kind(spec, title)
    if not name or not _TITLE_NUMBER.fullmatch(title[: title.find(name)]):
        return ""  # only a numbered title: "（七）", "3.", "###" before the name
    return f"{name}："


def period_lead(text: str, sentence_start: int, start: int, quoted: str) -> str:
    """The period a sentence opens with ("截止5月底，…开工率86.24%"), kept before a figure
    quoted from later in the sentence (``quoted``, starting at ``start``): without it a
    five-month figure reads as the year's. Empty when there is none to keep."""
    rules = question_rules()
    spans = clause_spans(text, sentence_start, start)
    if not rules.period_pattern or not spans or re.search(rules.period_pattern, quoted):
        return ""
    lead = text[slice(*spans[0])]
    if len(lead) > 12 or figures(lead) or not re.search(rules.period_pattern, lead):
        return ""
    # a day is a point ("8月1日", a dateline), not a period, unless a period ends there
    if re.search(r"\d\s*[日号]", lead) and not lead.startswith(rules.period_end_cues):
        return ""
    return f"{lead}，"


__all__ = [
    "enumerated_item",
    "kind_lead",
    "period_lead",
    "sentence_answer",
    "spread_extreme",
    "spread_item",
]
