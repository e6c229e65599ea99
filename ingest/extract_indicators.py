"""Extract the figures a report states (GDP growth target, actual investment …) as records.

Reports are written in a stable register: a metric name, a few connector words, a number, a
unit, a qualifier ("地区生产总值增长7%左右"), listed clause after clause. Reading clause by
clause with the wordings in ``indicator_rules.toml`` (metric names, allowed connectors, units,
qualifiers, kind and period cues) keeps precision high: a number is only taken when nothing but
connector words stands between it and a metric name. Each record carries its exact source span,
so the table built from them is as verifiable as a chunk citation.

The ingest run calls :func:`sync_indicators` before its commit and :func:`prune_indicators`
after it (see ``index.indicators`` for why that keeps the table consistent with the chunks).
"""

from __future__ import annotations

import hashlib
import logging
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.text import YEAR, clause_spans, normalize_width, short_forms
from index.indicators import (
    Extraction,
    IndicatorRecord,
    ReportRow,
    extracted_versions,
    prune,
    write_extraction,
)
from index.store import IndexPaths, Manifest
from ingest.clean import clean
from ingest.documents import Document, split_documents
from ingest.load import SkipFile, load_file

log = logging.getLogger(__name__)

RULES_PATH = Path(__file__).with_name("indicator_rules.toml")
# Bump when the code changes what a file yields (the rules file is hashed in as well).
CODE_VERSION = 1
_FULL_STOP = re.compile(r"[^。！？!?\n]+")


@dataclass(frozen=True)
class Metric:
    name: str
    rate: bool


@dataclass(frozen=True)
class Rules:
    """The compiled contents of ``indicator_rules.toml``."""

    alias: dict[str, tuple[Metric, bool]]  # alias → (metric, growth-only)
    metric_re: re.Pattern[str]
    gap_re: re.Pattern[str]
    number_re: re.Pattern[str]
    growth: tuple[str, ...]
    decline: tuple[str, ...]
    continuation: tuple[str, ...]
    percent_units: frozenset[str]
    after: dict[str, str]
    before: dict[str, str]
    kind_cues: dict[str, tuple[str, ...]]
    periods: dict[str, tuple[int, int]]
    period_words: dict[str, str]
    scope: dict[str, str]
    prefix: str  # alternation of the words allowed before a metric in its clause
    forward: tuple[str, ...]
    national_words: tuple[str, ...]
    national_place: str
    national_level: str
    version: str


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The extraction rules (read once; their hash is part of the extractor version)."""
    raw = RULES_PATH.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    alias: dict[str, tuple[Metric, bool]] = {}
    for m in data["metric"]:
        metric = Metric(m["name"], bool(m.get("rate", False)))
        alias.update({a: (metric, False) for a in m["aliases"]})
        alias.update({a: (metric, True) for a in m.get("growth_only", [])})
    con = data["connect"]
    tokens = _alternation(con["growth"] + con["decline"] + con["other"])
    gap = rf"(?:\s|{con['baseline']}|{tokens})*"
    after = data["qualifier"]["after"]
    number = (
        r"(?P<v>\d+(?:,\d{3})*(?:\.\d+)?)"
        r"(?:\s*%?\s*[-~—–至到]\s*(?P<v2>\d+(?:\.\d+)?))?"
        rf"\s*(?P<unit>{_alternation(data['figure']['units'])})"
        rf"(?P<q>{_alternation(list(after))})?"
    )
    version = hashlib.sha1(raw + str(CODE_VERSION).encode()).hexdigest()[:12]
    return Rules(
        alias=alias,
        metric_re=re.compile(_alternation(list(alias))),
        gap_re=re.compile(gap),
        number_re=re.compile(number),
        growth=tuple(con["growth"]),
        decline=tuple(con["decline"]),
        continuation=tuple(con["growth"] + con["decline"] + con["continuation"]),
        percent_units=frozenset(data["figure"]["percent_units"]),
        after=after,
        before=data["qualifier"]["before"],
        kind_cues={k: tuple(v) for k, v in data["kind"].items()},
        periods={k: (v[0], v[1]) for k, v in data["periods"].items()},
        period_words=data["period_words"],
        scope=data["scope"],
        prefix=_alternation(data["figure"]["prefix"] + list(data["scope"])),
        forward=tuple(data["sections"]["forward"]),
        national_words=tuple(data["national"]["title_words"]),
        national_place=data["national"]["place"],
        national_level=data["national"]["level"],
        version=version,
    )


@dataclass(frozen=True)
class _Figure:
    """A number found after a metric mention (clean offsets into the document text)."""

    metric: Metric
    measure: str
    mention_start: int
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    value_start: int
    value_end: int
    end: int


def _last(text: str, words: tuple[str, ...] | list[str]) -> tuple[int, str]:
    """Position and word of the last occurrence of any of ``words`` in ``text`` (-1 if none)."""
    best = (-1, "")
    for w in words:
        i = text.rfind(w)
        if i > best[0]:
            best = (i, w)
    return best


def _figures_after(
    norm: str, mention: re.Match[str] | None, start: int, stop: int, metric: Metric, growth: bool
) -> list[_Figure]:
    """The figures following one metric mention, up to ``stop`` (the next mention or clause end).

    ``mention`` is None for an elliptical clause ("、增长5.1%") that continues the previous
    clause's metric; the gap then starts at the clause start.
    """
    r = rules()
    out: list[_Figure] = []
    pos = start
    while pos < stop:
        gap = r.gap_re.match(norm, pos, stop)
        gap_text = gap.group(0) if gap else ""
        if len(gap_text) > 12:
            break
        num = r.number_re.match(norm, gap.end() if gap else pos, stop)
        if not num:
            break
        unit = num.group("unit")
        is_growth = growth or any(w in gap_text for w in r.growth + r.decline)
        is_decline = any(w in gap_text for w in r.decline)
        measure = "rate" if metric.rate else ("growth" if is_growth else "amount")
        if unit in r.percent_units and measure == "amount":
            measure = "growth"  # "经济总量5%" style: a percentage is a rate of change
        if (measure != "amount") != (unit in r.percent_units) or unit == "个百分点":
            pos = num.end()
            continue  # a level with a percent unit, or a rate without one: not this metric's
        qualifier = r.after.get(num.group("q") or "", "")
        for word, q in r.before.items():
            if not qualifier and gap_text.endswith(word):
                qualifier = q
        value = float(num.group("v").replace(",", ""))
        high = float(num.group("v2")) if num.group("v2") else None
        if high is not None:
            qualifier = "区间"
        if is_decline:
            value, high = -value, (-high if high is not None else None)
        out.append(
            _Figure(
                metric=metric,
                measure=measure,
                mention_start=mention.start() if mention else start,
                value=value,
                value_high=high,
                unit=unit,
                qualifier=qualifier,
                value_start=num.start("v"),
                value_end=num.end("v2") if num.group("v2") else num.end("v"),
                end=num.end(),
            )
        )
        pos = num.end()
    return out


def _foreign(norm: str, clause_start: int, mention_start: int, doc_place: str, level: str) -> bool:
    """Whether the words before a metric in its clause make it another figure or place's.

    Only time words, scope words of the report's own level, cue verbs, years and the report's
    own place name may precede the metric; "某产业生产总值" or "甲市、乙市经济总量" may not.
    """
    r = rules()
    before = norm[clause_start:mention_start]
    if not before.strip():
        return False
    for word, lvl in r.scope.items():
        if word in before and level and lvl != level:
            return True
    own = "|".join(re.escape(f) for f in short_forms(doc_place)) if doc_place else ""
    allowed = rf"(?:\s|\d{{4}}\s*年|\d{{1,2}}-\d{{1,2}}月|{r.prefix}{'|' + own if own else ''})*"
    return re.fullmatch(allowed, before) is None


def _clause_figures(norm: str, s0: int, s1: int, place: str, level: str) -> list[_Figure]:
    """Figures of one sentence (clean offsets), clause by clause."""
    r = rules()
    figures: list[_Figure] = []
    prev: tuple[Metric, int] | None = None  # metric of a recent clause and its mention start
    idle = 0  # clauses since ``prev`` was named
    for a, b in clause_spans(norm, s0, s1, enumeration=True):
        mentions = list(r.metric_re.finditer(norm, a, b))
        joined = a > s0 and norm[a - 1] in "，,、"
        if not mentions:
            idle += 1
            if prev and joined and idle <= 3 and norm.startswith(r.continuation, a):
                found = _figures_after(norm, None, a, b, prev[0], False)
                figures += [_with_start(f, prev[1]) for f in found]
                idle = 0 if found else idle
            if not joined:
                prev = None
            continue
        idle = 0
        for i, m in enumerate(mentions):
            metric, growth_only = r.alias[m.group(0)]
            stop = mentions[i + 1].start() if i + 1 < len(mentions) else b
            if _foreign(norm, a, m.start(), place, level):
                continue
            figures += _figures_after(norm, m, m.end(), stop, metric, growth_only)
            prev = (metric, m.start())
    return figures


def _with_start(f: _Figure, start: int) -> _Figure:
    return _Figure(**{**f.__dict__, "mention_start": start})


@dataclass(frozen=True)
class _Where:
    """Where a figure sits: its sentence start, a look-back window, the forward part's start."""

    sentence: int
    window: int
    forward: int  # offset where the report turns to plans (len(text) when it never does)


def _kind(r: Rules, before: str, forward: bool, report_year: int, named: int) -> str:
    """target / plan / actual from the nearest cue before the figure in its sentence."""
    pos = {k: _last(before, r.kind_cues[k])[0] for k in ("target", "plan", "actual", "past")}
    pos_period, period = _last(before, list(r.periods))
    if period and r.periods[period][0] >= report_year:
        pos["plan"] = max(pos["plan"], pos_period)
    if named and named < report_year:
        return "actual"
    if named > report_year:
        return "target" if pos["target"] > pos["plan"] else "plan"
    if pos["past"] >= 0 and pos["past"] >= max(pos["target"], pos["plan"]):
        return "actual"
    best = max(("target", "plan", "actual"), key=lambda k: pos[k])
    if pos[best] < 0:
        return "target" if forward else "actual"
    if best == "actual" and forward:
        return "target"
    return best


def _context(norm: str, where: _Where, f: _Figure, report_year: int, doc_type: str):
    """(kind, period, year) of a figure from the words before it.

    Plan periods (十四五) that start at or after the report year, and plan cues, make a plan;
    target cues, or the forward-looking part of a report, a target; anything else is an
    achieved figure of the year named before it, or of the year before the report for a
    government work report (it reviews the past year). Multi-year words (五年来) may sit a
    sentence or two back.
    """
    r = rules()
    before = norm[where.sentence : f.value_start]
    years = [int(y) for y in YEAR.findall(before)]
    named = years[-1] if years else 0
    kind = _kind(r, before, f.value_start > where.forward, report_year, named)
    window = norm[where.window : f.value_start]
    pos_word, word = _last(window, list(r.period_words))
    pos_year = max((m.start() for m in YEAR.finditer(window)), default=-1)
    pos_period, plan_period = _last(window, list(r.periods))
    if kind == "target" and "年均" in norm[f.mention_start : f.value_start]:
        kind = "plan"  # an average over years in the forward part is a multi-year plan
        if not plan_period:
            _, plan_period = _last(norm[: f.value_start], list(r.periods))
    if kind == "plan":
        end = r.periods[plan_period][1] if plan_period else report_year
        return kind, plan_period or str(named or end), named or end
    if kind == "target":
        year = named if named >= report_year else report_year
        return kind, str(year), year
    latest = max(pos_word, pos_year, pos_period)
    if latest >= 0 and latest == pos_period and r.periods[plan_period][1] < report_year:
        return kind, plan_period, 0
    if latest >= 0 and latest == pos_word and r.period_words[word].startswith("过去"):
        return kind, r.period_words[word], 0
    lag = 1 if doc_type == "政府工作报告" and not named else 0
    year = named or (report_year - lag if report_year else 0)
    part = r.period_words[word] if pos_word >= 0 and pos_word == latest else ""
    part = "" if part == "全年" else part
    return kind, part or str(year), year


def report_row(doc: Document) -> ReportRow:
    """Place, level and year the report speaks for (the national government has no region)."""
    r = rules()
    place, level = doc.region or "", doc.level or ""
    if not place and any(w in doc.title for w in r.national_words):
        place, level = r.national_place, r.national_level
    return ReportRow(
        doc_id=doc.doc_id,
        place=place,
        level=level,
        year=doc.year or 0,
        title=doc.title,
        doc_type=doc.doc_type,
        source=doc.source,
    )


def extract_document(doc: Document, source_text: str) -> tuple[ReportRow, list[IndicatorRecord]]:
    """The report's row and the figures it states, spans mapped to ``source_text`` offsets."""
    report = report_row(doc)
    text = doc.text
    norm = normalize_width(text.text)
    records: list[IndicatorRecord] = []
    seen: set[str] = set()
    r = rules()
    forward = min((i for i in (norm.find(w) for w in r.forward) if i >= 0), default=len(norm))
    starts: list[int] = []
    for m in _FULL_STOP.finditer(norm):
        line = norm.rfind("\n", 0, m.start()) + 1
        starts.append(m.start())
        window = max(line, starts[max(0, len(starts) - 3)])
        where = _Where(m.start(), window, forward)
        for f in _clause_figures(norm, m.start(), m.end(), report.place, report.level):
            kind, period, year = _context(norm, where, f, report.year, doc.doc_type)
            start, end = text.src_span(f.mention_start, f.end)
            vstart, vend = text.src_span(f.value_start, f.value_end)
            quote = source_text[start:end]
            key = f"{doc.doc_id}:{f.metric.name}:{f.measure}:{kind}:{year}:{f.value}:{start}"
            rid = hashlib.sha1(key.encode()).hexdigest()[:16]
            if rid in seen:
                continue
            seen.add(rid)
            records.append(
                IndicatorRecord(
                    id=rid,
                    doc_id=doc.doc_id,
                    place=report.place,
                    level=report.level,
                    title=doc.title,
                    report_year=report.year,
                    period=period,
                    year=year,
                    metric=f.metric.name,
                    measure=f.measure,
                    kind=kind,
                    value=f.value,
                    value_high=f.value_high,
                    unit=f.unit,
                    qualifier=f.qualifier,
                    source=doc.source,
                    start=start,
                    end=end,
                    value_start=vstart,
                    value_end=vend,
                    quote=quote,
                )
            )
    return report, records


def extract_file(path: Path, key: str, sha256: str, max_bytes: int | None = None) -> Extraction:
    """Load, clean and split ``path`` the way ingest does, and extract every report's figures."""
    loaded = load_file(path, max_bytes=max_bytes) if max_bytes else load_file(path)
    cleaned, _ = clean(loaded.text)
    reports: list[ReportRow] = []
    records: list[IndicatorRecord] = []
    for doc in split_documents(cleaned, path.name):
        row, found = extract_document(doc, loaded.text)
        reports.append(row)
        records.extend(found)
    return Extraction(key, sha256, rules().version, path.name, reports, records)


def sync_indicators(paths: IndexPaths, manifest: Manifest) -> int:
    """Extract every file of ``manifest`` whose current version has no extraction yet.

    Called by the ingest run before it commits ``manifest``: rows are keyed by the file's
    sha256, so until the commit readers keep using the previous version's rows. An unchanged
    file already extracted by this extractor is not read at all. Returns files extracted.
    """
    done = extracted_versions(paths.root)
    version = rules().version
    count = 0
    for key, entry in sorted(manifest.files.items()):
        if done.get((key, entry.sha256)) == version:
            continue
        path = Path(entry.path)
        try:
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != entry.sha256:
                continue  # changed since it was indexed: the next ingest extracts it
            write_extraction(paths.root, extract_file(path, key, entry.sha256))
            count += 1
        except (OSError, SkipFile) as exc:
            log.warning("indicator extraction skipped %s: %s", path, exc)
    return count


def prune_indicators(paths: IndexPaths, manifest: Manifest) -> int:
    """After a commit: drop rows of file versions ``manifest`` no longer lists."""
    return prune(paths.root, manifest)


__all__ = [
    "CODE_VERSION",
    "extract_document",
    "extract_file",
    "prune_indicators",
    "report_row",
    "rules",
    "sync_indicators",
]
