"""Split a cleaned file into reports and describe each one (place, level, year, type).

A scraped portal page often holds many reports in one file, and a question is usually about one
of them ("2021年紫金县…"). Splitting keeps each report's chunks labelled with its own place and
year, which retrieval uses to filter and boost; the metadata is read from the title first because
titles are the most regular part of these documents, then from the meeting statement
("2021年2月1日在云浮市第六届人民代表大会第七次会议上"), then from the text.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

from core.text import place_rules, years_in_order
from ingest.clean import MappedText, NoiseRules, is_title_line, load_rules
from ingest.regions import (
    Unit,
    parse_unit_sequence,
    parse_units_at,
    units_from_government,
    units_from_issuer,
    units_from_meeting,
)

__all__ = ["MIN_DOC_CHARS", "Document", "split_documents"]

# A "report" shorter than this is a stray title or a fragment; it is merged into a neighbour.
MIN_DOC_CHARS = 200
# How far into a report its opening statement (meeting, speaker) is looked for.
_HEAD_CHARS = 800

_DATE = r"(?P<date>(?:19|20)\d{2}年\d{1,2}月\d{1,2}日)"
_MEETING_DATE_RES = (
    # "2021年2月1日在云浮市第六届人民代表大会第七次会议上"
    re.compile(_DATE + r"\s*[在于][^。；;\n]{0,40}?(?:人民代表大会|代表大会|人代会|全体会议|会议)"),
    # "在云浮市第六届人民代表大会第七次会议上（2021年2月1日）"
    re.compile(
        r"在[^。；;\n]{0,40}?(?:代表大会|人代会)[^。；;\n]{0,20}?会议上[\s（(—\-－]*" + _DATE
    ),
)


@dataclass
class Document:
    """One report of a file, with the metadata retrieval filters and boosts on."""

    doc_id: str  # stable: sha1 of f"{source}:{title}:{ordinal}" [:16]
    source: str  # file name, e.g. "004_8a7bc9ce6e61cdbb.txt"
    title: str  # e.g. "2021年紫金县政府工作报告" (portal prefix removed)
    text: MappedText  # cleaned body (title included); offsets point into the FILE text
    region: str | None  # 紫金县; None when unknown or redacted (XX市某区)
    parent_region: str | None  # the unit above: 高州市 for 泗水镇, 阳江市 for 阳东区
    level: str | None  # 省/市/区/县/镇/乡/街道 (also for redacted names: 某区 -> 区)
    year: int | None  # report year: title year, else meeting year, else most-cited year
    doc_type: str  # 政府工作报告 | 工作总结 | 汇报 | 报告
    meeting_date: str | None  # "2021年2月1日" when the report states its meeting
    start: int  # source offset of the first character of the report
    end: int  # source offset just past its last character


@dataclass
class _Segment:
    cstart: int  # clean offsets
    cend: int
    title: str | None  # title line text, None when untitled
    site: str | None  # portal channel name in front of the title ("高州市")


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for part in text.split("\n"):
        spans.append((pos, pos + len(part)))
        pos += len(part) + 1
    return spans


def _portal_site(cleaned: MappedText, cstart: int, rules: NoiseRules) -> str | None:
    """Name in a deleted document-marking prefix right before clean offset ``cstart``.

    Cleaning removed ``【高州市招商】``; the source still has it, and it says which unit
    published the report.
    """
    src = cleaned.source_text
    if src is None or cstart >= len(cleaned.text):
        return None
    s = cleaned.src_offset(cstart)
    line_start = src.rfind("\n", 0, s) + 1
    before = src[line_start:s].strip()
    if not before:
        return None
    for rule in rules.prefix_rules:
        if not rule.marks_document:
            continue
        m = rule.pattern.match(before)
        if m:
            return m.groupdict().get("site") or ""
    return None


def _segments(cleaned: MappedText, rules: NoiseRules) -> list[_Segment]:
    text = cleaned.text
    starts: list[_Segment] = []
    for a, b in _line_spans(text):
        line = text[a:b].strip()
        if not line:
            continue
        site = _portal_site(cleaned, a, rules)
        if site is not None or is_title_line(line, rules):
            # a Markdown heading's marks are no part of the title ("# 云岭县教育局…汇报")
            starts.append(_Segment(a, len(text), line.lstrip("#＃ \t"), site or None))
    if not starts:
        return [_Segment(0, len(text), None, None)]
    for cur, nxt in itertools.pairwise(starts):
        cur.cend = nxt.cstart
    segments = starts
    lead = text[: starts[0].cstart]
    if lead.strip():
        if len(lead.strip()) >= MIN_DOC_CHARS:
            segments = [_Segment(0, starts[0].cstart, None, None), *starts]
        else:
            starts[0].cstart = 0  # a short preamble belongs to the first report
    return segments


def _title_score(title: str | None) -> int:
    """How much metadata a title carries; used to pick a title when merging pieces."""
    if not title:
        return -1
    return bool(parse_unit_sequence(title)) + bool(years_in_order(title))


def _merge(a: _Segment, b: _Segment) -> _Segment:
    title = a.title if _title_score(a.title) >= _title_score(b.title) else b.title
    return _Segment(a.cstart, b.cend, title, a.site or b.site)


def _opens_report(head: str, rules: NoiseRules) -> bool:
    """Whether text starts a report of its own (states its meeting or its government), so a
    repeated generic title in front of it is a new report, not a continuation."""
    return bool(rules.report_opening.search(head) or _meeting_date(head))


def _merge_small(segments: list[_Segment], text: str, rules: NoiseRules) -> list[_Segment]:
    """Merge a repeated title (same report continued) and fragments below MIN_DOC_CHARS."""
    out: list[_Segment] = []
    for seg in segments:
        prev = out[-1] if out else None
        if (
            prev is not None
            and seg.title
            and prev.title
            and rules.dedup_key(seg.title) == rules.dedup_key(prev.title)
            and not _opens_report(text[seg.cstart : seg.cstart + _HEAD_CHARS], rules)
        ):
            out[-1] = _merge(prev, seg)
            continue
        out.append(seg)
    changed = True
    while changed and len(out) > 1:
        changed = False
        for i, seg in enumerate(out):
            if len(text[seg.cstart : seg.cend].strip()) >= MIN_DOC_CHARS:
                continue
            if i + 1 < len(out):
                out[i : i + 2] = [_merge(seg, out[i + 1])]
            else:
                out[i - 1 : i + 1] = [_merge(out[i - 1], seg)]
            changed = True
            break
    return out


#: how far down an untitled document its title is looked for, and its shortest length
_TITLE_LINES, _MIN_TITLE = 12, 6


def _infer_title(body: str, source: str, rules: NoiseRules) -> tuple[str, bool]:
    """Title of an untitled report and whether it came from the text (not the file name)."""
    # a Markdown heading's marks are no part of the title
    lines = [ln.strip().lstrip("#＃ \t") for ln in body.strip().split("\n")[:_TITLE_LINES]]
    lines = [ln for ln in lines if ln]
    first = lines[0] if lines else ""
    m = rules.leading_title.match(first)
    if m:
        return m.group("title"), True
    # the first line that reads as a title; a portal page opens with its greeting and menu
    # ("欢迎访问…门户网站！", "首页", "政务公开") before "2024年全市商务运行情况"
    for line in lines:
        if (
            _MIN_TITLE <= len(line) <= 40
            and not rules.ends_sentence(line)
            and not re.search(r"[，,。；;！!|｜]", line)
        ):
            return line, True
    return PurePath(source).stem, False


def _meeting_date(head: str) -> str | None:
    for rx in _MEETING_DATE_RES:
        m = rx.search(head)
        if m:
            return m.group("date")
    return None


def _year(title: str, meeting_date: str | None, body: str) -> int | None:
    in_title = years_in_order(title)
    if in_title:
        return in_title[0]
    if meeting_date:
        return int(meeting_date[:4])
    # The year a text talks about most; planning horizons ("2023—2035年") are mentioned once.
    years = Counter(years_in_order(body))
    return years.most_common(1)[0][0] if years else None


def _parent(region: Unit, candidates: list[list[Unit]]) -> str | None:
    """First unit that directly precedes ``region`` in a candidate chain and ranks above it."""
    for chain in candidates:
        names = [u.name for u in chain]
        if region.name not in names:
            continue
        k = names.index(region.name)
        if k > 0:
            parent = chain[k - 1]
            if not parent.anonymised and parent.rank < region.rank:
                return parent.name
    return None


def _describe(
    seg: _Segment, cleaned: MappedText, source: str, rules: NoiseRules
) -> tuple[str, str | None, str | None, str | None, int | None, str, str | None]:
    body = cleaned.text[seg.cstart : seg.cend]
    head = body[:_HEAD_CHARS]
    if seg.title:
        title, from_text = seg.title, True
    else:
        title, from_text = _infer_title(body, source, rules)
    meeting_date = _meeting_date(head)
    year = _year(title, meeting_date, body)

    title_units = parse_unit_sequence(title) if from_text else []
    meeting_units = units_from_meeting(head)
    gov_units = units_from_government(head)
    chain = (
        title_units
        or (meeting_units[0] if meeting_units else [])
        or gov_units
        or units_from_issuer(head)
    )
    unit = chain[-1] if chain else None
    region = unit.name if unit is not None and not unit.anonymised else None
    level = unit.level if unit is not None else None
    national = place_rules()
    if unit is None and any(m in title for m in national.national_markers):
        region = level = national.national_region  # the national government's report

    parent = None
    if unit is not None and region is not None:
        candidates = [chain, *meeting_units, gov_units]
        if seg.site:
            site_units, ends = parse_units_at(seg.site, 0)
            if site_units and ends[-1] == len(seg.site):
                candidates.append([site_units[-1], unit])
        parent = _parent(unit, candidates)

    doc_type = rules.doc_type(title) if from_text else None
    if doc_type is None:
        doc_type = rules.doc_type(head[:200]) or "报告"
    return title, region, parent, level, year, doc_type, meeting_date


def split_documents(
    cleaned: MappedText, source: str, rules: NoiseRules | None = None
) -> list[Document]:
    """Split a cleaned file into its reports.

    A file holding several reports is split at title lines (short lines ending in a report word
    such as 政府工作报告/工作总结/汇报) and at lines that carried a portal channel tag; fragments
    shorter than ``MIN_DOC_CHARS`` are merged into a neighbour so no junk document is indexed.
    A file without any title becomes one document titled from its first line or its file name.
    """
    rules = rules or load_rules()
    text = cleaned.text
    if not text.strip():
        return []
    docs: list[Document] = []
    for seg in _merge_small(_segments(cleaned, rules), text, rules):
        a, b = seg.cstart, seg.cend
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a >= b:
            continue
        seg = _Segment(a, b, seg.title, seg.site)
        title, region, parent, level, year, doc_type, meeting_date = _describe(
            seg, cleaned, source, rules
        )
        ordinal = len(docs)
        doc_id = hashlib.sha1(f"{source}:{title}:{ordinal}".encode()).hexdigest()[:16]
        start, end = cleaned.src_span(a, b)
        docs.append(
            Document(
                doc_id=doc_id,
                source=source,
                title=title,
                text=cleaned.slice(a, b),
                region=region,
                parent_region=parent,
                level=level,
                year=year,
                doc_type=doc_type,
                meeting_date=meeting_date,
                start=start,
                end=end,
            )
        )
    return docs
