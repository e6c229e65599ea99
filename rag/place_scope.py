"""Whose figure a clause states: the asked place, its parts, its villages and communities.

The reader (``rag.reader``) rules a clause out when it is about another place than the one
asked. These are the rules that decide where the asked place must be named (a figure's own
clause, its 分别 item, its table row's heading) and which names are parts of it.
"""

from __future__ import annotations

import re

from core.records import HEADING_SEP, ChunkMeta
from core.text import place_mentions, short_forms, village_mentions
from rag.compose import spread_item
from rag.context import Candidate, ContextItem
from rag.question import QuestionSpec
from rag.table_rows import table_row


def place_ok(spec: QuestionSpec, meta: ChunkMeta, sentence: str) -> bool:
    """The passage is about an asked place, or names it."""
    if meta.parent_region and not spec.regions and meta.parent_region in place_mentions(spec.text):
        # only the parent is asked ("澄湖区…全区…" of a street's report): the sentence must
        # name it, or the figure is the street's own
        return any(f in sentence for f in short_forms(meta.parent_region))
    if not spec.regions:
        return True
    if meta.region in spec.regions:
        return True
    if meta.parent_region in spec.regions and len(spec.regions) > 1:
        return True  # "阳江市阳东区": the parent names the region's place
    # only the parent ("澄湖区…全区一般公共预算收入" in a street's report): the sentence must
    # name it, or the figure is the street's own
    return any(f in sentence for r in spec.regions for f in short_forms(r))


#: place suffixes below a city: a clause about one of these is about a part of the asked place
_PART_UNITS = ("县", "区", "镇", "乡", "街道")


def a_part_of_the_place(spec: QuestionSpec, meta: ChunkMeta, clause: str) -> bool:
    """The question asks the report's own place ("甲市…增速是多少") and the figure's clause
    is about a county, district or town the question does not name ("从增速看，乙县规上工业
    增加值增长11.5%"): a part's figure, not the place's."""
    if not spec.regions or meta.region not in spec.regions:
        return False
    asked = {f for r in spec.regions for f in short_forms(r)}
    return any(
        p.endswith(_PART_UNITS) and not any(a in p or p in a for a in asked) and p not in spec.text
        for p in place_mentions(clause)
    )


def segment_subject(text: str, sentence_start: int, start: int) -> str:
    """The words opening the stretch of the sentence (since its last ；) before ``start``,
    when they open with a place: the subject a clause that names none continues ("…；乙县森林
    覆盖率为71.05%，松材线虫病发生面积0.94万亩" is 乙县's 0.94万亩); else ""."""
    cut = max(text.rfind(mark, sentence_start, start) for mark in "；;")
    segment = text[cut + 1 if cut >= 0 else sentence_start : start].strip()
    places = place_mentions(segment)
    return segment if places and segment.startswith(places[0]) else ""


def other_village(spec: QuestionSpec, scope: str, sentence: str) -> bool:
    """The question names a village the answer is not about: its clause names another one
    ("西村…28.9万元" for 东村), or neither it nor its sentence names the asked one."""
    asked = village_mentions(spec.text)
    if not asked:
        return False
    # "东湖、西岸、南山社区…分别为": the names of a list share the last one's 社区
    stems = [v.removesuffix("社区").removesuffix("村") for v in asked]
    named = village_mentions(scope)
    if named:
        return not any(v in named for v in asked) and not any(s in scope for s in stems)
    return not any(s in sentence for s in stems)


def place_scope(spec: QuestionSpec, item: ContextItem, cand: Candidate, around: str) -> str:
    """Where the asked place must be named: for a figure, its own clause ("武汉…增速靠前，
    襄阳、宜昌经济总量突破6000亿元" states no figure of 武汉); else the sentence."""
    if spec.answer_type != "figure":
        return around
    spread = spread_item(item.text, cand.start, cand.end, cand.sentence, spec)
    if spread:
        return spread  # "鹭坞乡茶园面积为4.3万亩" of "A、B…6个乡镇，茶园面积分别为…"
    if table_row(item.text, cand.start, cand.end, item.above) is not None:
        return f"{_heading_at(item, cand.start)} {cand.text}"  # "曲岚市，水质达标率：85.1%"
    clauses = [c for c in re.split(r"[，,；;]", cand.text) if re.search(r"\d", c)]
    return f"{_heading_at(item, cand.start)} {clauses[-1] if clauses else cand.text}"


#: a numbered item's title opening a line ("2.柳塘镇。…", "（三）城东片区：…"), by marker kind
_ITEM_TITLE = re.compile(
    r"\s*(?:(?P<d>\d+[.、．])|(?P<p>[（(][一二三四五六七八九十\d]+[)）])|(?P<c>[一二三四五六七八九十]+、))"
    r"\s*(?P<title>[^。：:\n]{1,12})(?:[。：:]|$)"
)


def _marker(m: re.Match[str]) -> str:
    """The kind of an item's number: 1. / （一） / 一、."""
    return next(k for k in ("d", "p", "c") if m.group(k))


def _heading_at(item: ContextItem, pos: int) -> str:
    """The heading path at ``pos``: the chunk's (taken where the chunk starts) with its last
    item replaced by a later sibling the passage's own lines open before ``pos`` ("1.石桥镇"
    → "2.柳塘镇": "…清淤2.1万立方米" under 2. is 柳塘镇's)."""
    parts = item.meta.heading.split(HEADING_SEP) if item.meta.heading else []
    text, end = item.text, pos
    while end > 0:
        start = text.rfind("\n", 0, end - 1) + 1 if end > 1 else 0
        stop = text.find("\n", start)
        m = _ITEM_TITLE.match(text, start, stop if stop >= 0 else len(text))
        if m:
            last = _ITEM_TITLE.match(parts[-1]) if parts else None
            if last and _marker(last) == _marker(m):
                parts[-1] = m.group(0).strip()  # a later sibling of the chunk's last item
            else:
                parts.append(m.group(0).strip())
            break
        if start == 0:
            break
        end = start
    return HEADING_SEP.join(parts)


def line_title(text: str, pos: int) -> str:
    """The numbered item title opening the line of ``pos`` ("1. 某医院新院区建设项目。项目
    总投资…"): what the line's sentences are about. Empty when the line opens with none."""
    start = text.rfind("\n", 0, pos) + 1
    stop = text.find("\n", start)
    m = _ITEM_TITLE.match(text, start, len(text) if stop < 0 else stop)
    return m.group("title") if m and m.end() <= pos else ""


__all__ = ["a_part_of_the_place", "line_title", "other_village", "place_ok", "place_scope"]
