"""Delete-only cleaning of report text, with a compact map back to the source.

Answers cite exact character offsets in the original file, so cleaning never rewrites text: it
only decides which source characters to *keep*. The cleaned text is therefore a subsequence of
the source, and :class:`MappedText` records it as a few ``(clean_start, src_start, length)``
pieces from which any cleaned offset maps back to the source in ``O(log n)``.

What gets deleted is described by kinds of noise in ``noise_rules.toml`` (portal navigation,
download-site disclaimers, timestamps, page numbers, running headers, copied paragraphs …) so
that new sources with other wording are handled by editing data, not code.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import statistics
import tomllib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.text import normalize_for_search

__all__ = [
    "CleanStats",
    "LineRule",
    "MappedText",
    "NoiseRules",
    "PrefixRule",
    "clean",
    "is_title_line",
    "load_rules",
]

DEFAULT_RULES_PATH = Path(__file__).with_name("noise_rules.toml")


# --------------------------------------------------------------------------------------------
# MappedText
# --------------------------------------------------------------------------------------------


@dataclass
class MappedText:
    """Cleaned text that is a subsequence of the source text, with a compact map back.

    ``pieces`` holds ``(clean_start, src_start, length)`` triples, sorted and contiguous in
    clean space: piece ``k`` covers ``text[clean_start:clean_start + length]``, which equals
    ``source[src_start:src_start + length]``. Runs of kept characters become one piece, so a
    300 KB report needs only a few hundred triples instead of one offset per character.

    ``source_text`` optionally keeps a reference to the full source so that later stages can
    look at what was deleted (e.g. the portal tag in front of a title); it is not compared.
    """

    text: str
    pieces: list[tuple[int, int, int]]
    source_text: str | None = field(default=None, repr=False, compare=False)
    _starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._starts = [p[0] for p in self.pieces]

    @classmethod
    def identity(cls, text: str) -> MappedText:
        """A MappedText whose clean text is the whole source (nothing removed)."""
        pieces = [(0, 0, len(text))] if text else []
        return cls(text=text, pieces=pieces, source_text=text)

    def __len__(self) -> int:
        return len(self.text)

    def src_offset(self, i: int) -> int:
        """Source index of clean character ``i``.

        ``i == len(text)`` is allowed and maps just past the last kept character, so that an
        exclusive end offset can be translated too.
        """
        n = len(self.text)
        if i < 0:
            i += n
        if not 0 <= i <= n:
            raise IndexError(f"clean offset {i} outside 0..{n}")
        if not self.pieces:
            return 0
        if i == n:
            c0, s0, ln = self.pieces[-1]
            return s0 + ln
        k = bisect.bisect_right(self._starts, i) - 1
        c0, s0, _ = self.pieces[k]
        return s0 + (i - c0)

    def src_span(self, start: int, end: int) -> tuple[int, int]:
        """Source ``[s, e)`` covering ``clean[start:end]``.

        The span runs from the first to the last kept character, so it may include removed
        characters in between; a citation that shows ``source[s:e]`` shows the original text.
        """
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        if start == end:
            s = self.src_offset(start)
            return s, s
        return self.src_offset(start), self.src_offset(end - 1) + 1

    def slice(self, start: int, end: int) -> MappedText:
        """The clean text ``[start, end)`` with its pieces, still pointing into the source."""
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        pieces: list[tuple[int, int, int]] = []
        if start < end and self.pieces:
            k = bisect.bisect_right(self._starts, start) - 1
            while k < len(self.pieces):
                c0, s0, ln = self.pieces[k]
                if c0 >= end:
                    break
                lo = max(c0, start)
                hi = min(c0 + ln, end)
                if hi > lo:
                    pieces.append((lo - start, s0 + (lo - c0), hi - lo))
                k += 1
        return MappedText(self.text[start:end], pieces, source_text=self.source_text)


def _pieces_from_mask(keep: bytearray) -> list[tuple[int, int, int]]:
    """Turn a keep-mask into contiguous (clean_start, src_start, length) pieces."""
    pieces = []
    clean_pos = 0
    for m in re.finditer(rb"\x01+", bytes(keep)):
        s, e = m.span()
        pieces.append((clean_pos, s, e - s))
        clean_pos += e - s
    return pieces


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


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------


@dataclass
class CleanStats:
    """What cleaning removed, for ingest reports and for tuning the rules."""

    removed_lines: int = 0  # non-blank source lines that left no content
    removed_chars: int = 0  # source characters not in the cleaned text (incl. whitespace)
    duplicate_paragraphs: int = 0  # copied lines, blocks and sentence runs dropped
    repaired_breaks: int = 0  # page counters removed (and cut words re-joined)


@dataclass
class _Line:
    start: int  # source offset of the first character
    end: int  # source offset of the "\n" (or len(source))
    blank: bool = False  # whitespace only in the source: a paragraph separator
    dropped: bool = False  # removed as a whole by a rule
    reason: str = ""
    joined: bool = False  # continues the previous content line (page break repaired)
    touched: bool = False  # some characters inside were deleted
    doc_start: bool = False  # a prefix rule marked this line as the start of a report


class _Cleaner:
    """One cleaning run over one source text; every step only clears bits of ``keep``."""

    def __init__(self, source: str, rules: NoiseRules) -> None:
        self.src = source
        self.rules = rules
        self.keep = bytearray(b"\x01") * len(source)
        self.lines: list[_Line] = []
        pos = 0
        for part in source.split("\n"):
            self.lines.append(_Line(pos, pos + len(part)))
            pos += len(part) + 1
        for ln in self.lines[:-1]:
            self.keep[ln.end] = 0  # newlines are re-chosen in assemble()
        self.stats = CleanStats()

    # -- views and deletions -------------------------------------------------------------------

    def view(self, ln: _Line) -> tuple[str, Sequence[int]]:
        """Kept text of a line and the source index of each of its characters."""
        if not ln.touched:
            return self.src[ln.start : ln.end], range(ln.start, ln.end)
        pos = [i for i in range(ln.start, ln.end) if self.keep[i]]
        return "".join(self.src[i] for i in pos), pos

    def delete(self, ln: _Line, positions: Sequence[int], a: int, b: int) -> None:
        """Delete view characters ``[a, b)`` of ``ln``."""
        if b <= a:
            return
        for j in range(a, b):
            self.keep[positions[j]] = 0
        ln.touched = True

    def drop(self, ln: _Line, reason: str) -> None:
        for i in range(ln.start, ln.end):
            self.keep[i] = 0
        ln.dropped = True
        ln.touched = True
        ln.reason = reason

    def content_lines(self) -> Iterator[tuple[int, _Line, str, Sequence[int]]]:
        """Lines that still have content, with their current view."""
        for idx, ln in enumerate(self.lines):
            if ln.dropped or ln.blank:
                continue
            text, pos = self.view(ln)
            if text:
                yield idx, ln, text, pos

    # -- steps ---------------------------------------------------------------------------------

    def trim(self) -> None:
        """Delete leading/trailing whitespace of every line; mark whitespace-only lines blank."""
        for ln in self.lines:
            text, pos = self.view(ln)
            stripped = text.strip()
            if not stripped:
                if text:
                    self.delete(ln, pos, 0, len(text))
                if not ln.dropped:
                    ln.blank = ln.blank or not self.src[ln.start : ln.end].strip()
                continue
            lead = len(text) - len(text.lstrip())
            trail = len(text) - len(text.rstrip())
            if trail:
                self.delete(ln, pos, len(text) - trail, len(text))
            if lead:
                self.delete(ln, pos, 0, lead)

    def apply_prefix_rules(self) -> None:
        for _, ln, text, pos in list(self.content_lines()):
            for rule in self.rules.prefix_rules:
                m = rule.pattern.match(text)
                if not m or m.end() == 0:
                    continue
                end = m.end()
                while end < len(text) and text[end].isspace():
                    end += 1
                self.delete(ln, pos, 0, end)
                if rule.marks_document:
                    ln.doc_start = True
                break

    def apply_line_rules(self) -> None:
        rules = self.rules
        plain = [r for r in rules.line_rules if not r.needs_noise_neighbour]
        neighbourly = [r for r in rules.line_rules if r.needs_noise_neighbour]
        content = list(self.content_lines())
        for _, ln, text, _pos in content:
            is_sentence = rules.ends_sentence(text)
            for rule in plain:
                if rule.matches(text, is_sentence):
                    self.drop(ln, rule.name)
                    break
        self._drop_isolated_integers(content)
        # Rules that only hold next to other noise: spread until nothing changes.
        candidates = [
            (i, ln)
            for i, ln, text, _ in content
            if not ln.dropped
            and any(r.matches(text, rules.ends_sentence(text)) for r in neighbourly)
        ]
        changed = True
        while changed and candidates:
            changed = False
            for i, ln in candidates:
                if ln.dropped:
                    continue
                if self._neighbour_is_noise(i, -1) or self._neighbour_is_noise(i, 1):
                    self.drop(ln, "menu_item")
                    changed = True

    def _neighbour_is_noise(self, idx: int, step: int) -> bool:
        j = idx + step
        while 0 <= j < len(self.lines):
            ln = self.lines[j]
            if ln.dropped:
                return ln.reason != "duplicate"
            if not ln.blank:
                return False
            j += step
        return False

    def _drop_isolated_integers(self, content: list[tuple[int, _Line, str, Sequence[int]]]) -> None:
        """A bare small integer between non-numeric lines is a page number; in a column of
        numbers (a flattened table) it is data and stays."""
        limit = self.rules.isolated_integer_max_digits
        if limit <= 0:
            return
        numeric = re.compile(r"^[\d.,，．%％\-\s]+$")
        bare = re.compile(rf"^\d{{1,{limit}}}$")
        live = [(i, ln, t) for i, ln, t, _ in content if not ln.dropped]
        for k, (_, ln, text) in enumerate(live):
            if not bare.match(text):
                continue
            prev_num = k > 0 and bool(numeric.match(live[k - 1][2]))
            next_num = k + 1 < len(live) and bool(numeric.match(live[k + 1][2]))
            if not prev_num and not next_num:
                self.drop(ln, "page_number")

    def repair_page_counters(self) -> None:
        """Remove page counters glued to line starts and re-join words they cut."""
        rules = self.rules
        content = list(self.content_lines())
        # Each candidate: (index into content, number, match end in view).
        chains: list[list[tuple[int, int, int]]] = []
        open_chains: dict[int, list[list[tuple[int, int, int]]]] = defaultdict(list)
        for k, (_, _ln, text, _pos) in enumerate(content):
            m = rules.page_prefix.match(text)
            if not m:
                continue
            n = int(m.group(1))
            end = m.end()
            while end < len(text) and text[end].isspace():
                end += 1
            if end >= len(text):
                continue  # a bare "3、" line is not a counter glued to text
            waiting = open_chains.pop(n, [])
            if waiting:
                waiting.sort(key=len, reverse=True)
                chain = waiting.pop(0)
                if waiting:
                    open_chains[n].extend(waiting)
            else:
                chain = []
                chains.append(chain)
            chain.append((k, n, end))
            open_chains[n + 1].append(chain)
        for chain in chains:
            if len(chain) < rules.page_min_chain:
                continue
            cuts = 0
            with_prev = 0
            for k, _, _ in chain:
                if k > 0:
                    with_prev += 1
                    if not rules.ends_clause(content[k - 1][2]):
                        cuts += 1
            if with_prev == 0 or cuts / with_prev < rules.page_min_cut_ratio:
                continue
            starts = [content[k][1].start for k, _, _ in chain]
            gaps = [b - a for a, b in itertools.pairwise(starts)]
            if statistics.median(gaps) < rules.page_min_gap:
                continue
            for k, _, end in chain:
                _, ln, _text, pos = content[k]
                self.delete(ln, pos, 0, end)
                if k > 0 and not rules.ends_clause(content[k - 1][2]):
                    ln.joined = True
                self.stats.repaired_breaks += 1

    def drop_adjacent_duplicates(self) -> None:
        """A title or paragraph equal to the previous content line is a copy (a title
        repeated after a download-site banner). Short lines are left alone: equal neighbouring
        cells of a flattened table ("0", "已完成") are data."""
        rules = self.rules
        prev_key = None
        for _, ln, text, _ in list(self.content_lines()):
            key = rules.dedup_key(text)
            eligible = len(key) >= rules.paragraph_min_chars or is_title_line(text, rules)
            if eligible and key == prev_key and not ln.joined:
                self.drop(ln, "duplicate")
                self.stats.duplicate_paragraphs += 1
                continue
            prev_key = key

    def drop_running_headers(self) -> None:
        """Short non-sentence lines repeated far apart are page headers/footers: keep the first."""
        rules = self.rules
        groups: dict[str, list[_Line]] = defaultdict(list)
        content = list(self.content_lines())
        opens_report: set[int] = set()  # lines followed by a report's opening statement
        for k in range(len(content) - 1):
            if rules.report_opening.search(content[k + 1][2][:120]):
                opens_report.add(id(content[k][1]))
        for _, ln, text, _ in content:
            if len(text) > rules.header_max_len or rules.ends_clause(text):
                continue  # prose and lead-ins ("各位代表：") are not page furniture
            if rules.header_exclude.search(text):
                continue  # numbered section headings recur in every report of a compilation
            groups[rules.dedup_key(text)].append(ln)
        for key, lns in groups.items():
            if not key or len(lns) < rules.header_min_count:
                continue
            gaps = [b.start - a.start for a, b in itertools.pairwise(lns)]
            median = statistics.median(gaps)
            if median < rules.header_min_gap:
                continue  # close together: a table column or list, not a page header
            regular = sum(1 for g in gaps if median / 2 <= g <= median * 2) / len(gaps)
            if regular < rules.header_regularity:
                continue  # irregular: e.g. reports of different length sharing a title
            if any(id(ln) in opens_report for ln in lns[1:]):
                continue  # a title in front of a new report's opening statement
            for ln in lns[1:]:
                self.drop(ln, "running_header")

    def scopes(self) -> list[int]:
        """Report index of every line: dedup never crosses a title, so two reports in one
        file that share wording both stay complete."""
        scope = 0
        out = []
        seen_content = False
        for ln in self.lines:
            if not ln.dropped and not ln.blank:
                text, _ = self.view(ln)
                if text and (ln.doc_start or is_title_line(text, self.rules)):
                    if seen_content:
                        scope += 1
                    seen_content = True
                elif text:
                    seen_content = True
            out.append(scope)
        return out

    def drop_duplicate_paragraphs(self, scope_of: list[int]) -> None:
        """Drop later copies of lines and of space-separated blocks inside long lines."""
        rules = self.rules
        seen: set[tuple[int, str]] = set()
        block_split = re.compile(r"\S+")
        for idx, ln, text, pos in list(self.content_lines()):
            scope = scope_of[idx]
            key = rules.dedup_key(text)
            if len(key) >= rules.paragraph_min_chars and (scope, key) in seen:
                self.drop(ln, "duplicate")
                self.stats.duplicate_paragraphs += 1
                continue
            blocks = list(block_split.finditer(text))
            if len(blocks) > 1:
                for m in blocks:
                    bkey = rules.dedup_key(m.group())
                    if len(bkey) < rules.paragraph_min_chars:
                        continue
                    if (scope, bkey) in seen:
                        end = m.end()
                        while end < len(text) and text[end].isspace():
                            end += 1
                        self.delete(ln, pos, m.start(), end)
                        self.stats.duplicate_paragraphs += 1
                    else:
                        seen.add((scope, bkey))
            if len(key) >= rules.paragraph_min_chars:
                seen.add((scope, key))

    def drop_masked_variants(self, scope_of: list[int]) -> None:
        """Drop a paragraph that is another one with some spans redacted (``*`` for ``资源``);
        the unredacted copy carries strictly more information, wherever it appears."""
        rules = self.rules
        items = []
        # Copies share their first or last characters unless both ends are redacted; indexing
        # by them keeps this linear instead of comparing every pair of paragraphs.
        by_end: dict[tuple[str, str], list[tuple[int, _Line, str]]] = defaultdict(list)
        for idx, ln, text, _ in self.content_lines():
            raw = "".join(normalize_for_search(text).split())
            if len(raw) >= rules.near_dup_min_chars:
                item = (idx, ln, raw)
                items.append(item)
                by_end["head", raw[:8]].append(item)
                by_end["tail", raw[-8:]].append(item)
        for a_idx, a_ln, a_raw in items:
            if a_ln.dropped or not rules.mask_run_re.search(a_raw):
                continue
            others = by_end["head", a_raw[:8]] + by_end["tail", a_raw[-8:]]
            for b_idx, b_ln, b_raw in others:
                if b_ln is a_ln or b_ln.dropped or scope_of[a_idx] != scope_of[b_idx]:
                    continue
                if not 0.7 <= len(a_raw) / len(b_raw) <= 1.3:
                    continue
                if self._is_masked_variant(a_raw, b_raw):
                    self.drop(a_ln, "duplicate")
                    self.stats.duplicate_paragraphs += 1
                    break

    def _is_masked_variant(self, a: str, b: str) -> bool:
        rules = self.rules
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

    def drop_repeated_sentence_runs(self, scope_of: list[int]) -> None:
        """Drop runs of consecutive sentences that already occurred consecutively earlier.

        One shared sentence is normal (two districts both write "突如其来的新冠肺炎疫情…"), but
        two or more in the same order are a pasted copy, which fragment compilations are full of.
        """
        rules = self.rules
        seen_pairs: set[tuple[int, str, str]] = set()
        prev_last: dict[int, str] = {}
        for idx, ln, text, pos in list(self.content_lines()):
            scope = scope_of[idx]
            spans = [m.span() for m in rules.sentence_re.finditer(text) if m.end() > m.start()]
            keys = [rules.dedup_key(text[s:e]) for s, e in spans]
            n = len(spans)
            dup = [False] * n
            for i in range(n - 1):
                if keys[i] and keys[i + 1] and (scope, keys[i], keys[i + 1]) in seen_pairs:
                    dup[i] = dup[i + 1] = True
            i = 0
            while i < n:
                if not dup[i]:
                    i += 1
                    continue
                j = i
                while j < n and dup[j]:
                    j += 1
                chars = sum(len(k) for k in keys[i:j])
                if j - i >= rules.block_min_sentences and chars >= rules.block_min_chars:
                    self.delete(ln, pos, spans[i][0], spans[j - 1][1])
                    self.stats.duplicate_paragraphs += 1
                i = j
            # Remember this line's own order (as written) for later copies.
            ordered = [k for k in keys if k]
            if ordered and scope in prev_last:
                seen_pairs.add((scope, prev_last[scope], ordered[0]))
            for a, b in itertools.pairwise(ordered):
                seen_pairs.add((scope, a, b))
            if ordered:
                prev_last[scope] = ordered[-1]

    def assemble(self) -> MappedText:
        """Choose which newlines survive: one between content lines, one blank line where the
        source had blank lines, none where a page break was repaired."""
        self.trim()
        last: _Line | None = None
        pending_blank_nl: int | None = None
        for ln in self.lines:
            text, _ = self.view(ln)
            if not text:
                if ln.blank and last is not None:
                    pending_blank_nl = ln.end if ln.end < len(self.src) else None
                if not ln.blank and not ln.dropped:
                    ln.dropped = True
                    ln.reason = ln.reason or "emptied"
                continue
            if last is not None and not ln.joined:
                self.keep[last.end] = 1
                if pending_blank_nl is not None and pending_blank_nl < ln.start:
                    self.keep[pending_blank_nl] = 1
            pending_blank_nl = None
            last = ln
        self.stats.removed_lines = sum(
            1 for ln in self.lines if ln.dropped and self.src[ln.start : ln.end].strip()
        )
        pieces = _pieces_from_mask(self.keep)
        text = "".join(self.src[s : s + n] for _, s, n in pieces)
        self.stats.removed_chars = len(self.src) - len(text)
        return MappedText(text, pieces, source_text=self.src)

    def run(self) -> tuple[MappedText, CleanStats]:
        self.trim()
        self.apply_prefix_rules()
        self.trim()
        self.apply_line_rules()
        self.repair_page_counters()
        self.trim()
        self.drop_adjacent_duplicates()
        self.drop_running_headers()
        scope_of = self.scopes()
        self.drop_duplicate_paragraphs(scope_of)
        self.drop_masked_variants(scope_of)
        self.drop_repeated_sentence_runs(scope_of)
        return self.assemble(), self.stats


def clean(source: str, rules: NoiseRules | None = None) -> tuple[MappedText, CleanStats]:
    """Remove boilerplate, page-break artefacts and copied paragraphs by deleting characters.

    Guarantees (property-tested): ``result.text[i] == source[result.src_offset(i)]`` for every
    ``i`` and the source offsets strictly increase, i.e. the cleaned text is a subsequence of the
    source; nothing is inserted or changed, so citations can always point at the original.
    """
    return _Cleaner(source, rules or load_rules()).run()
