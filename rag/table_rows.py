"""A figure in a table row: which column the question asks, and the row read with its headers.

Reports and bulletins put indicators in tables ("| 茶叶 | 万吨 | 2.13 | 7.2 |" under
"| 产品名称 | 单位 | 产量 | 比上年增长（%） |"); ingest writes .docx and .html tables one row a
line in that Markdown form, and a .txt may separate cells with ``｜``. A row alone answers
badly: its numbers have no unit and no column, so "茶叶产量" and "比上年增长" look alike and a
percentage column holds no "%". This module finds the row's header (the first row of its
table), states each cell with its header and unit, and picks the column the question asks by
its year, target or result, growth or level, and shared words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.lexicon import lexicon
from core.text import YEAR
from rag.question import QuestionSpec, question_rules

_CELL_SPLIT = re.compile(r"[ \t\u3000]*[|｜][ \t\u3000]*")
_NUMBER = re.compile(r"^[-+－]?\d[\d,.]*\s*[%％‰]?$")
_SEPARATOR = re.compile(r"^[-:—\s]+$")
#: a unit in a row label or header: "专任教师（人）", "比上年增长（%）"
_UNIT = re.compile(r"[（(]([^（）()]{1,8})[)）]$")
#: a number with how it bounds the value ("3.5左右", "90以上"): the unit goes after the number
_BOUNDED = re.compile(r"^([-+－]?\d[\d,.]*)\s*(左右|以上|以内|以下|上下)$")


def row_cells(line: str) -> list[str] | None:
    """The cells of a table row line ("| a | b | c |", "a｜b｜c"); None for any other line."""
    line = line.strip()
    if line.count("|") + line.count("｜") < 2:
        return None
    cells = _CELL_SPLIT.split(line.strip("|｜ \t\u3000"))
    return cells if len(cells) >= 2 else None


@dataclass(frozen=True)
class Row:
    """A table row with its table's header row (empty when the row is the header)."""

    cells: tuple[str, ...]
    header: tuple[str, ...]

    def unit_of(self, j: int) -> str:
        """The unit of column ``j``: its header's ("比上年增长（%）"), a 单位 column's, or the
        row label's ("专任教师（人）")."""
        own = _UNIT.search(self.header[j]) if j < len(self.header) else None
        if own:
            return "%" if own.group(1) in ("%", "％") else own.group(1)
        if j < len(self.header) and self.header[j].endswith(("%", "％")):
            return "%"  # "完成预算%"
        for i, h in enumerate(self.header):
            if "单位" in h and i < len(self.cells) and not _NUMBER.match(self.cells[i]):
                return self.cells[i]
        m = _UNIT.search(self.cells[0])
        return ("%" if m.group(1) in ("%", "％") else m.group(1)) if m else ""

    @property
    def name_at(self) -> int:
        """The column naming the row: the first, or the second after a 序号 column ("1")."""
        return 1 if len(self.cells) > 2 and re.fullmatch(r"\d{1,3}", self.cells[0]) else 0

    def label(self) -> str:
        """The row's name without its unit: "空气质量优良天数比例（%）" → 空气质量优良天数比例."""
        return _UNIT.sub("", self.cells[self.name_at]).removeprefix("其中：").strip()

    def values(self) -> list[int]:
        """The columns holding a number ("93.5", "提高2.3个百分点"), the label's left out."""
        return [j for j, c in enumerate(self.cells) if j > self.name_at and re.search(r"\d", c)]

    def stated(self, j: int) -> str:
        """Column ``j`` as a phrase: "2025年目标：90%"."""
        head = _UNIT.sub("", self.header[j]).rstrip("%％") if j < len(self.header) else ""
        unit = self.unit_of(j)
        value = self.cells[j]
        if unit and _NUMBER.match(value.replace(",", "")) and not value.endswith(("%", "％", "‰")):
            value += unit
        elif unit and (bounded := _BOUNDED.match(value)):
            value = bounded.group(1) + unit + bounded.group(2)  # "3.5%左右"
        return f"{head}：{value}" if head else value

    def reading(self) -> str:
        """The whole row with headers and units, for the reader's checks of its figures."""
        return f"{self.label()}，" + "，".join(self.stated(j) for j in self.values())


def table_row(text: str, start: int, end: int, above: str = "") -> Row | None:
    """The table row ``text[start:end]`` lies in, with its header; None outside a table.
    ``above`` is the text before ``text`` when ``text`` is a chunk that starts inside a table
    (its header row is in the chunk before)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    cells = row_cells(text[line_start:line_end])
    if cells is None:
        return None
    if _is_header(cells):
        return Row(tuple(cells), ())
    pos = line_start
    while pos > 0:  # up the table to the nearest row of names only (a chunk may start mid-table)
        prev_start = text.rfind("\n", 0, pos - 1) + 1
        prev = row_cells(text[prev_start : pos - 1])
        if prev_start == 0 and above and starts_in_table(text):
            # the chunk starts inside a row ("| 较上年同期增减（%） |"): its first part ends the
            # chunk before, and together they may be the header
            joined = _joined_row(above, text[: pos - 1])
            if joined is not None and _is_header(joined):
                return Row(tuple(cells), tuple(joined))
            if prev is None:  # a row's end alone: the header is up in the chunk before
                pos = 0
                break
        if prev is None:
            break
        if _is_header(prev):
            return Row(tuple(cells), tuple(prev))
        pos = prev_start
    if pos == 0 and above:  # the table goes on from the chunk before: its header is there
        for i, line in enumerate(reversed(above.rstrip("\n").split("\n"))):
            prev = row_cells(line)
            if prev is None and i == 0:
                continue  # the chunk before may end inside the row this one starts with
            if prev is None:
                break
            if _is_header(prev):
                return Row(tuple(cells), tuple(prev))
    return Row(tuple(cells), ())


def table_caption(text: str, pos: int, above: str = "") -> str:
    """The line right above the table holding ``text[pos]`` ("表1　2024年全县主要经济指标",
    "各街道低保情况如下表："), looked for in ``above`` when the table starts the chunk; empty
    when there is none."""
    lines = text[:pos].split("\n")[:-1]  # the lines before the row's own
    if all(row_cells(x) is not None or not x.strip() for x in lines):
        lines = above.split("\n") + lines  # the table starts the chunk
    for line in reversed(lines):
        if line.strip() and row_cells(line) is None and not line.lstrip().startswith(("|", "｜")):
            return line.strip()
    return ""


def starts_in_table(text: str) -> bool:
    """Whether a chunk's first line is a table row or the end of one cut at the chunk's start
    ("| 较上年同期增减（%） |"): its header may be in the chunk before."""
    first = text.lstrip().split("\n", 1)[0]
    return row_cells(first) is not None or first.startswith(("|", "｜"))


def _joined_row(above: str, first: str) -> list[str] | None:
    """The row cut between the chunk before (its last line) and this chunk's first line."""
    head = above.rstrip("\n").rsplit("\n", 1)[-1].rstrip(" |｜\t\u3000")
    if not head.lstrip().startswith(("|", "｜")):
        return None
    return row_cells(head + " | " + first.lstrip(" |｜\t\u3000"))


#: a column name that starts with a number, not a value: "12345工单办结（件）", "5G基站（个）"
_NUMBERED_NAME = re.compile(r"^\d+(?:[A-Za-z]|[^\d.,，万亿千百元%％‰个人件家项所座吨亩户次倍\s])")


#: a name's code holding digits ("PM2.5浓度", "5G基站"): no value of a row
_CODED = re.compile(r"[A-Za-z]+\d+(?:\.\d+)?[A-Za-z\d]*|\d+[A-Za-z]+")


def _is_header(cells: list[str]) -> bool:
    """A row of column names: no cell holds a number except a year ("2023年", "2025年目标")
    or a name's number ("12345热线工单")."""
    if all(_SEPARATOR.match(c) for c in cells):
        return False
    return not any(
        re.search(r"\d", _CODED.sub("", YEAR.sub("", c))) and not _NUMBERED_NAME.match(c)
        for c in cells[1:]
    )


def _column_score(spec: QuestionSpec, header: str) -> float:
    """How well a column header fits the question: a year it names, target or result, growth
    or level, then shared words."""
    rules = question_rules()
    score = 0.0
    years = {int(y) for y in YEAR.findall(header)}
    if years and spec.years:  # ("去年生猪出栏多少" names no year: no column is another's)
        score += 2.0 if years & set(spec.years) else -2.0
    for cues in (rules.target_clause_cues, rules.review_cues):
        asked = any(c in spec.text for c in cues)
        if any(c in header for c in cues):
            score += 1.0 if asked else -0.5
    # "年度目标", "全年计划": a plan's column answers only a question about the plan
    plans = lexicon().target_terms
    if any(t in header for t in plans):
        score += 1.0 if any(t in spec.text for t in plans) else -1.0
    # "到2024年底累计完成投资多少": the 累计 column, though another names the year
    for cue in rules.within_year_cues:
        if cue in header:
            score += 2.5 if cue in spec.text else -0.5
    if any(c in header for c in rules.progress_columns) and not any(
        w in spec.text for w in rules.progress_question_words
    ):
        score -= 3.5  # "完成率" is no growth ("收入涨了几个点")
    growth = any(c in header for c in rules.rate_cues)
    progress = rules.progress_ask_pattern
    if progress and re.search(progress, spec.text):  # "完成预算的百分之多少"
        if any(c in header for c in rules.progress_columns):
            score += 5.0
        elif growth:
            score -= 2.0
    # "比2023年提高了多少", "产量比上年增长多少": the growth column, whatever years it compares
    if spec.wants_rate or any(c in spec.text for c in rules.rate_cues):
        score += 3.0 if growth else -1.0
    elif growth:
        score -= 1.5 if spec.wants_amount else 0.5  # "出栏了多少万头": the amount's column
    return score + 0.1 * len(set(_UNIT.sub("", header)) & set(spec.text))


def stated_cells(row: Row, spec: QuestionSpec) -> list[int]:
    """The word cells of ``row`` a name question states ("哪个项目已竣工验收" and a 进度 cell
    "已竣工验收"): the row is the one asked for, its label the answer."""
    if spec.answer_type == "figure":
        return []
    return [
        j for j, c in enumerate(row.cells)
        if j > row.name_at and len(c) >= 2 and not re.search(r"\d", c) and c in spec.text
    ]  # fmt: skip


def row_answer(row: Row, spec: QuestionSpec) -> str:
    """The row's answer to ``spec``: its name and the asked column ("茶叶产量：2.13万吨"), or
    every number with its header when no column stands out."""
    said = stated_cells(row, spec)
    if said:
        return f"{row.label()}，" + "，".join(row.stated(j) for j in said)
    columns = row.values()
    if not columns:
        return "，".join(row.cells)
    if row.header:
        heads = [row.header[j] if j < len(row.header) else "" for j in columns]
        # a cell of words says what its figure is ("建设进度": "累计完成投资62.7亿元…")
        heads = [
            h if _NUMBER.match(row.cells[j].replace(",", "")) else f"{h} {row.cells[j]}"
            for h, j in zip(heads, columns, strict=True)
        ]
        ranked = sorted(
            ((_column_score(spec, h), j) for h, j in zip(heads, columns, strict=True)), reverse=True
        )
        if len(ranked) == 1 or ranked[0][0] > ranked[1][0]:
            columns = [ranked[0][1]]
    return f"{row.label()}，" + "，".join(row.stated(j) for j in columns)


def table_readings(text: str, above: str = "") -> str:
    """Every table row of ``text`` read with its headers and units (see :meth:`Row.reading`):
    the numbers an answer quoting a row states ("2.13万吨", "-2.3%"). ``above`` as for
    :func:`table_row` (a chunk starting inside a table)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        if row_cells(line) is not None:
            row = table_row(text, pos, pos + len(line), above)
            if row is not None and row.header:
                out.append(row.reading())
        pos += len(line) + 1
    return "\n".join(out)


__all__ = [
    "Row",
    "row_answer",
    "row_cells",
    "starts_in_table",
    "stated_cells",
    "table_caption",
    "table_readings",
    "table_row",
]
