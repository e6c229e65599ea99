"""Tables as text: one row a line, "| 茶叶 | 万吨 | 2.13 | 7.2 |", whatever the file format.

The reader finds a figure's row label and column header in Markdown rows (``rag.table_rows``),
so .docx and .html tables are written that way at load, and so are the tables of a PDF's text
layer, which comes out as rows of cells separated by spaces ("15 年末金融机构本外币贷款余额 亿元
487.20 11.3"): read as prose, such a row is a clause with four numbers and no column names.
"""

from __future__ import annotations

import re

from core.text import YEAR

#: a value cell: a number, a percentage, or a dash for "not available"
_VALUE = re.compile(r"^[-+−－]?\d[\d,.]*[%％‰]?$|^[—–\-…/]{1,3}$")
_PROSE = re.compile(r"[。；，！？;,]")  # a name cell may hold "其中：" or "、"
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")  # "1,260" is a value, not a clause
MAX_CELL = 30
MIN_CELLS = 3


def table_row(cells: list[str]) -> str:
    """One table row as a line, "| 茶叶 | 万吨 | 2.13 | 7.2 |", as Markdown writes it: the reader
    finds a figure's row label and column header the same way in .md, .docx and .html."""
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def _data(cells: list[str]) -> bool:
    """A row of values: at least three cells, a value after the first, no sentence marks."""
    return (
        len(cells) >= MIN_CELLS
        and any(_VALUE.match(c) for c in cells[1:])
        and max(map(len, cells)) <= MAX_CELL
        and not _PROSE.search(_THOUSANDS.sub("", " ".join(cells[1:])))
    )


def _remark_row(cells: list[str], width: int) -> bool:
    """A row of values whose text cells are remarks ("一期厂房封顶，设备进场"): a clause mark
    in a cell without a figure. Read as a row only beside rows of values of its width, since
    alone it could be a spaced-out sentence; a mark next to a figure ("5.2%，高于…") still is."""
    return (
        len(cells) == width
        and any(_VALUE.match(c) for c in cells[1:])
        and max(map(len, cells)) <= MAX_CELL
        and not any(_PROSE.search(_THOUSANDS.sub("", c)) and re.search(r"\d", c) for c in cells)
    )


def _header(cells: list[str]) -> bool:
    """A row of column names: no value except a year ("2024年", "比上年增长(%)")."""
    return (
        len(cells) >= MIN_CELLS
        and not any(_VALUE.match(YEAR.sub("", c)) or not c for c in cells)
        and max(map(len, cells)) <= MAX_CELL
        and not _PROSE.search("".join(cells))
    )


_OPENS, _CLOSES = "（(", "）)"


def _unclosed(piece: str) -> bool:
    return sum(piece.count(c) for c in _OPENS) > sum(piece.count(c) for c in _CLOSES)


def _wrapped_header(lines: list[str], width: int) -> tuple[int, list[str]] | None:
    """The header above a table's first row when the PDF wrapped each column name onto lines
    of its own ("乡镇", "粮食播种面积（万", "亩）", "茶叶产量", "（吨）"…): the short lines
    above, joined where a bracket is left open or a line opens with one, when they make
    exactly ``width`` names. Returns the index of the header's first line and its names."""
    start = len(lines)
    while (
        start > 0
        and len(lines) - start < 3 * width
        and (piece := lines[start - 1].strip())
        and len(piece) <= MAX_CELL
        and len(piece.split()) == 1
        and not _PROSE.search(piece)
    ):
        start -= 1
    for first in range(start, len(lines) - width + 1):  # the longest run that makes the header
        names: list[str] = []
        for piece in (ln.strip() for ln in lines[first:]):
            if names and (_unclosed(names[-1]) or piece.startswith(tuple(_OPENS))):
                names[-1] += piece
            else:
                names.append(piece)
        # a run starting inside a name ("亩）" after "粮食播种面积（万") is no header
        mid_cell = names[0].startswith(tuple(_OPENS + _CLOSES)) or (
            first > start and _unclosed(lines[first - 1])
        )
        if len(names) == width and not mid_cell and not _unclosed(names[-1]) and _header(names):
            return first, names
    return None


def spaced_tables(text: str) -> str:
    """``text`` with each run of space-separated table rows (two or more rows of values of
    the same width, under a header of that width, or three without one) as Markdown rows.
    A header whose column names the PDF wrapped onto lines of their own becomes one row.
    Everything else is left as it is."""
    lines = text.split("\n")
    out: list[str | None] = list(lines)
    i = 0
    while i < len(lines):
        cells = lines[i].split()
        head = _header(cells)
        if lines[i].lstrip().startswith("|") or not (head or _data(cells)):  # a row already
            i += 1
            continue
        j = i
        while j + 1 < len(lines):
            following = lines[j + 1].split()
            if len(following) != len(cells) or not (
                _data(following) or _remark_row(following, len(cells))
            ):
                break
            j += 1
        while not head and i > 0 and out[i - 1] == lines[i - 1]:  # remark rows above the run
            if not _remark_row(lines[i - 1].split(), len(cells)):
                break
            i -= 1
        rows = j - i + (0 if head else 1)
        wrapped = None if head or rows < 2 else _wrapped_header(lines[:i], len(cells))
        if wrapped:
            first, names = wrapped
            out[first] = table_row(names)
            out[first + 1 : i] = [None] * (i - first - 1)
        if rows >= (2 if head or wrapped else 3):
            for k in range(i, j + 1):
                out[k] = table_row(lines[k].split())
        i = j + 1
    return "\n".join(line for line in out if line is not None)


#: a page number line between a table's pages ("— 2 —", "- 3 -")
_PAGE_MARK = re.compile(r"^[—–\-]\s*\d+\s*[—–\-]$")


def _name_cell(line: str) -> bool:
    return 0 < len(line) <= MAX_CELL and not _VALUE.match(line) and not _PROSE.search(line)


def _stacked_run(lines: list[str], i: int) -> tuple[list[str], list[list[str]], int] | None:
    """The table whose cells start at line ``i`` one a line: a header of column names, then
    rows of a label and a cell per other column, values and short words in the same columns
    of every row; a page number and the header repeated after a page break are skipped.
    Returns the header, the rows and the line after them."""
    names = 0
    while i + names < len(lines) and _name_cell(lines[i + names]):
        names += 1
    width = names - 1  # the last name before the first value is the first row's label
    if width < MIN_CELLS:
        return None
    header = lines[i : i + width]
    rows: list[list[str]] = []
    shape: tuple[bool, ...] = ()  # which cells hold values: the same in every row
    k = i + width
    while k + width <= len(lines):
        if _PAGE_MARK.match(lines[k]):
            k += 1
            continue
        if lines[k : k + width] == header:  # the header repeated on the next page
            k += width
            continue
        row = lines[k : k + width]
        kinds = tuple(bool(_VALUE.match(c)) for c in row[1:])
        # a row: its label, then values and short words ("主体封顶" under 进度)
        if not (
            _name_cell(row[0])
            and any(kinds)
            and all(v or _name_cell(c) for v, c in zip(kinds, row[1:], strict=True))
        ):
            break
        if shape and kinds != shape:
            break
        shape = kinds
        rows.append(row)
        k += width
    return (header, rows, k) if len(rows) >= 2 else None


def stacked_tables(text: str) -> str:
    """``text`` with each table whose PDF text layer holds one cell a line ("食品类别",
    "抽检批次", "合格率", "粮食加工品", "310", "99.35%", …) as Markdown rows under its
    header: read line by line, a figure is cut off from its row label and column name."""
    raw = text.split("\n")
    lines = [ln.strip() for ln in raw]
    out: list[str] = []
    i = 0
    while i < len(lines):
        run = _stacked_run(lines, i) if _name_cell(lines[i]) else None
        if run is None:
            out.append(raw[i])
            i += 1
            continue
        header, rows, i = run
        out += [table_row(header), *(table_row(r) for r in rows)]
    return "\n".join(out)


__all__ = ["spaced_tables", "stacked_tables", "table_row"]
