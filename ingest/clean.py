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

import itertools
import re
import statistics
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from core.text import normalize_for_search
from ingest.mapped_text import MappedText, pieces_from_mask
from ingest.noise_rules import (
    DEFAULT_RULES_PATH,
    LineRule,
    NoiseRules,
    PrefixRule,
    is_masked_variant,
    is_title_line,
    load_rules,
)
from ingest.wraps import numbered_heading, wrapped

__all__ = [
    "DEFAULT_RULES_PATH",
    "CleanStats",
    "LineRule",
    "MappedText",
    "NoiseRules",
    "PrefixRule",
    "clean",
    "is_title_line",
    "load_rules",
]


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
    joined_wraps: int = 0  # line breaks of hard-wrapped paragraphs removed


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

    def ends_line(self, text: str) -> bool:
        """A break after ``text`` is real: a clause ends, or a title or heading does."""
        rules = self.rules
        return rules.ends_clause(text) or is_title_line(text, rules) or numbered_heading(text)

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
                    if not self.ends_line(content[k - 1][2]):
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
                if k > 0 and not self.ends_line(content[k - 1][2]):
                    ln.joined = True
                self.stats.repaired_breaks += 1

    def join_hard_wraps(self) -> None:
        """Re-join the paragraphs a PDF (or a text saved from one) broke at the page width
        (see :mod:`ingest.wraps`): the break goes, the characters stay."""
        content: list[_Line] = []
        lines: list[tuple[str, bool]] = []
        prev = -1
        for idx, ln, text, _ in self.content_lines():
            after_blank = prev >= 0 and any(self.lines[j].blank for j in range(prev + 1, idx))
            content.append(ln)
            lines.append((text, after_blank))
            prev = idx
        for k in wrapped(lines, self.ends_line):
            content[k].joined = True
            self.stats.joined_wraps += 1

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
                if is_masked_variant(a_raw, b_raw, rules):
                    self.drop(a_ln, "duplicate")
                    self.stats.duplicate_paragraphs += 1
                    break

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
        pieces = pieces_from_mask(self.keep)
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
        self.join_hard_wraps()
        return self.assemble(), self.stats


def clean(source: str, rules: NoiseRules | None = None) -> tuple[MappedText, CleanStats]:
    """Remove boilerplate, page-break artefacts and copied paragraphs by deleting characters.

    Guarantees (property-tested): ``result.text[i] == source[result.src_offset(i)]`` for every
    ``i`` and the source offsets strictly increase, i.e. the cleaned text is a subsequence of the
    source; nothing is inserted or changed, so citations can always point at the original.
    """
    return _Cleaner(source, rules or load_rules()).run()
