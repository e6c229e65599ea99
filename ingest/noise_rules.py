"""The kinds of noise cleaning removes, read from ``noise_rules.toml``.

New sources with other wording are handled by editing that data file, not code.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.text import normalize_for_search

DEFAULT_RULES_PATH = Path(__file__).with_name("noise_rules.toml")


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineRule:
    """A kind of whole-line noise (see ``noise_rules.toml`` for the field meanings)."""

    name: str
    pattern: re.Pattern[str] | None = None
    keywords: tuple[str, ...] = ()
    min_keywords: int = 1
    max_len: int | None = None
    skip_sentences: bool = False
    needs_noise_neighbour: bool = False

    def matches(self, line: str, is_sentence: bool) -> bool:
        """Whether the stripped ``line`` is this kind of noise."""
        if self.max_len is not None and len(line) > self.max_len:
            return False
        if self.skip_sentences and is_sentence:
            return False
        if self.pattern is not None and not self.pattern.search(line):
            return False
        if self.keywords:
            hits = sum(1 for kw in self.keywords if kw in line)
            if hits < self.min_keywords:
                return False
        return self.pattern is not None or bool(self.keywords)


@dataclass(frozen=True)
class PrefixRule:
    """Noise at the start of a line whose remainder is content (a portal tag before a title)."""

    name: str
    pattern: re.Pattern[str]
    marks_document: bool = False


@dataclass(frozen=True)
class NoiseRules:
    """Compiled cleaning rules; build with :func:`load_rules`."""

    line_rules: tuple[LineRule, ...]
    prefix_rules: tuple[PrefixRule, ...]
    sentence_end: str
    clause_end: str
    closers: str
    mask_chars: str
    mask_letters: str
    page_prefix: re.Pattern[str]
    page_min_chain: int
    page_min_cut_ratio: float
    page_min_gap: int
    isolated_integer_max_digits: int
    header_max_len: int
    header_min_count: int
    header_min_gap: int
    header_exclude: re.Pattern[str]
    header_regularity: float
    paragraph_min_chars: int
    near_dup_min_chars: int
    near_dup_min_ratio: float
    near_dup_max_fill: int
    block_min_sentences: int
    block_min_chars: int
    title_min_len: int
    title_max_len: int
    title_pattern: re.Pattern[str]
    title_not_pattern: re.Pattern[str]
    leading_title: re.Pattern[str]
    report_opening: re.Pattern[str]
    doc_types: tuple[tuple[str, tuple[str, ...]], ...]
    # Derived helpers, filled in __post_init__.
    sentence_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    mask_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    mask_run_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ends = re.escape(self.sentence_end)
        closers = re.escape(self.closers)
        # A sentence: text up to and including its terminator(s), closing quotes and the
        # whitespace after it (so deleting a sentence also deletes its separator).
        sentence = rf"[^{ends}]*[{ends}]+[{closers}]*\s*|[^{ends}]+$"
        object.__setattr__(self, "sentence_re", re.compile(sentence))
        masks = re.escape(self.mask_chars)
        letters = re.escape(self.mask_letters.lower() + self.mask_letters.upper())
        mask_unit = rf"[{masks}]|(?<![A-Za-z])[{letters}]+(?![A-Za-z])"
        object.__setattr__(self, "mask_re", re.compile(rf"^(?:{mask_unit})+$"))
        object.__setattr__(self, "mask_run_re", re.compile(rf"(?:{mask_unit})+"))

    def ends_sentence(self, line: str) -> bool:
        """Whether ``line`` ends like a sentence (terminator, possibly before closing quotes)."""
        stripped = line.rstrip().rstrip(self.closers)
        return bool(stripped) and stripped[-1] in self.sentence_end

    def ends_clause(self, line: str) -> bool:
        """Whether a line break after ``line`` is a real break (sentence or lead-in ended)."""
        stripped = line.rstrip().rstrip(self.closers)
        return bool(stripped) and stripped[-1] in self.sentence_end + self.clause_end

    def dedup_key(self, text: str) -> str:
        """Normalised text for duplicate detection: width-folded, lowercased, no whitespace,
        each run of redaction marks collapsed to one ``*`` (``X村`` and ``*村`` are the same)."""
        folded = "".join(normalize_for_search(text).split())
        return self.mask_run_re.sub("*", folded)

    def doc_type(self, title: str) -> str | None:
        """Report type named by a title, or None when the title names none."""
        for type_name, keywords in self.doc_types:
            if any(kw in title for kw in keywords):
                return type_name
        return None


def is_title_line(line: str, rules: NoiseRules) -> bool:
    """Whether a (cleaned, stripped) line looks like a report title.

    A title is short, ends in a report-type word (``…政府工作报告``, ``…工作总结``) and is neither
    a numbered section heading nor a sentence (``现将有关情况汇报如下：`` is not a title).
    """
    text = line.strip()
    if not rules.title_min_len <= len(text) <= rules.title_max_len:
        return False
    if rules.title_not_pattern.search(text):
        return False
    return bool(rules.title_pattern.search(text))


def is_masked_variant(a: str, b: str, rules: NoiseRules) -> bool:
    """``a`` is ``b`` with some spans redacted (``*`` for ``资源``) and nothing of its own: the
    unredacted copy carries strictly more information."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.quick_ratio() < rules.near_dup_min_ratio or sm.ratio() < rules.near_dup_min_ratio:
        return False
    filled = False
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        seg_a, seg_b = a[i1:i2], b[j1:j2]
        if not seg_a or not rules.mask_re.match(seg_a):
            return False  # `a` has real text that `b` lacks: not a redacted copy
        if len(seg_b) > rules.near_dup_max_fill:
            return False
        if seg_b and not rules.mask_re.match(seg_b):
            filled = True
    return filled


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _rules_from_dict(data: dict[str, Any]) -> NoiseRules:
    text = data.get("text", {})
    pages = data.get("page_numbers", {})
    reps = data.get("repeats", {})
    titles = data.get("titles", {})
    line_rules = tuple(
        LineRule(
            name=r["name"],
            pattern=_compile(r.get("pattern")),
            keywords=tuple(r.get("keywords", ())),
            min_keywords=int(r.get("min_keywords", 1)),
            max_len=r.get("max_len"),
            skip_sentences=bool(r.get("skip_sentences", False)),
            needs_noise_neighbour=bool(r.get("needs_noise_neighbour", False)),
        )
        for r in data.get("line_rules", ())
    )
    prefix_rules = tuple(
        PrefixRule(
            name=r["name"],
            pattern=re.compile(r["pattern"]),
            marks_document=bool(r.get("marks_document", False)),
        )
        for r in data.get("prefix_rules", ())
    )
    doc_types = tuple((t["type"], tuple(t.get("keywords", ()))) for t in titles.get("types", ()))
    return NoiseRules(
        line_rules=line_rules,
        prefix_rules=prefix_rules,
        sentence_end=text.get("sentence_end", "。！？!?；;…"),
        clause_end=text.get("clause_end", "：:"),
        closers=text.get("closers", "”’」』）)】》\"'"),
        mask_chars=text.get("mask_chars", "*＊×□"),
        mask_letters=text.get("mask_letters", "xX"),
        page_prefix=re.compile(pages.get("prefix", r"^(\d{1,4})\s*(?:、|[.．](?!\d))")),
        page_min_chain=int(pages.get("min_chain", 3)),
        page_min_cut_ratio=float(pages.get("min_cut_ratio", 0.6)),
        page_min_gap=int(pages.get("min_gap_chars", 200)),
        isolated_integer_max_digits=int(pages.get("isolated_integer_max_digits", 3)),
        header_max_len=int(reps.get("header_max_len", 40)),
        header_min_count=int(reps.get("header_min_count", 3)),
        header_min_gap=int(reps.get("header_min_gap", 150)),
        header_exclude=re.compile(reps.get("header_exclude", r"^[一二三四五六七八九十]+、")),
        header_regularity=float(reps.get("header_regularity", 0.7)),
        paragraph_min_chars=int(reps.get("paragraph_min_chars", 20)),
        near_dup_min_chars=int(reps.get("near_dup_min_chars", 50)),
        near_dup_min_ratio=float(reps.get("near_dup_min_ratio", 0.85)),
        near_dup_max_fill=int(reps.get("near_dup_max_fill", 8)),
        block_min_sentences=int(reps.get("block_min_sentences", 2)),
        block_min_chars=int(reps.get("block_min_chars", 30)),
        title_min_len=int(titles.get("min_len", 6)),
        title_max_len=int(titles.get("max_len", 60)),
        title_pattern=re.compile(titles.get("pattern", r"(?:报告|总结|汇报)$")),
        title_not_pattern=re.compile(titles.get("not_pattern", r"[，,。；;]")),
        leading_title=re.compile(
            titles.get("leading_title", r"^(?P<title>[^，,。；;\s]{4,40}?(?:报告|总结|汇报))")
        ),
        report_opening=re.compile(titles.get("report_opening", r"代表大会[^。\n]{0,10}会议上")),
        doc_types=doc_types,
    )


@lru_cache(maxsize=8)
def _load_rules_cached(path: str, mtime: float) -> NoiseRules:
    with open(path, "rb") as fh:
        return _rules_from_dict(tomllib.load(fh))


def load_rules(path: Path | None = None) -> NoiseRules:
    """Read and compile the noise rules (default: ``ingest/noise_rules.toml``).

    Results are cached per file and modification time, so callers can ask for the rules per
    file without re-parsing, and an edited rules file is picked up.
    """
    p = Path(path) if path is not None else DEFAULT_RULES_PATH
    return _load_rules_cached(str(p.resolve()), p.stat().st_mtime)


__all__ = [
    "DEFAULT_RULES_PATH",
    "LineRule",
    "NoiseRules",
    "PrefixRule",
    "is_masked_variant",
    "is_title_line",
    "load_rules",
]
