"""The indicator table: figures extracted from the reports, in SQLite beside the index.

Layout: ``<index_dir>/indicators.sqlite`` with three tables, all keyed by the source file's
index key *and its sha256*:

    extractions  one row per (file, sha256): which extractor produced the rows, how many
    documents    the reports of that file version (place, level, year): the universe of places
    records      one row per figure, with its exact source span

Consistency with the chunks follows the manifest, the index's commit point: a file's rows are
written in one SQLite transaction during the ingest run, *before* the manifest commits, and
readers only trust rows whose (file key, sha256) the committed manifest lists. A run killed
before its commit therefore leaves rows nobody reads (the previous version's rows are still
there and still trusted); after the commit the next clean-up deletes rows of versions the
manifest no longer lists. Per (file, sha256) only the latest extraction is kept, replaced in
the same transaction, so readers never see two.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from index.store import IndexPaths, Manifest, load_manifest

DB_NAME = "indicators.sqlite"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS extractions (
    file_key TEXT NOT NULL, sha256 TEXT NOT NULL, extractor TEXT NOT NULL,
    source TEXT NOT NULL, records INTEGER NOT NULL,
    PRIMARY KEY (file_key, sha256)
);
CREATE TABLE IF NOT EXISTS documents (
    file_key TEXT NOT NULL, sha256 TEXT NOT NULL, doc_id TEXT NOT NULL,
    place TEXT NOT NULL, level TEXT NOT NULL, year INTEGER NOT NULL,
    title TEXT NOT NULL, doc_type TEXT NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (file_key, sha256, doc_id)
);
CREATE TABLE IF NOT EXISTS records (
    id TEXT NOT NULL, file_key TEXT NOT NULL, sha256 TEXT NOT NULL, doc_id TEXT NOT NULL,
    place TEXT NOT NULL, level TEXT NOT NULL, title TEXT NOT NULL, report_year INTEGER NOT NULL,
    period TEXT NOT NULL, year INTEGER NOT NULL, metric TEXT NOT NULL, measure TEXT NOT NULL,
    kind TEXT NOT NULL, value REAL NOT NULL, value_high REAL, unit TEXT NOT NULL,
    qualifier TEXT NOT NULL, source TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    value_start INTEGER NOT NULL, value_end INTEGER NOT NULL, quote TEXT NOT NULL,
    PRIMARY KEY (file_key, sha256, id)
);
CREATE INDEX IF NOT EXISTS records_metric ON records (metric, kind, year);
"""


@dataclass(frozen=True)
class IndicatorRecord:
    """One figure a report states, with the span that proves it.

    ``start``/``end`` index the source file (like chunk citations) and cover the clause that
    states the figure; ``value_start``/``value_end`` cover the number itself. ``year`` is the
    year the figure refers to (0 for multi-year periods such as 过去五年); ``period`` says which
    part of it (the year itself, 上半年, 十四五 …). ``measure`` is ``growth`` (a rate of change),
    ``amount`` (a level) or ``rate`` (a metric that is itself a rate, e.g. 失业率).
    """

    id: str
    doc_id: str
    place: str  # "" when the report does not say (redacted names)
    level: str  # 全国/省/市/区/县/镇 …
    title: str
    report_year: int
    period: str
    year: int
    metric: str
    measure: str
    kind: str  # target | actual | plan
    value: float
    value_high: float | None
    unit: str
    qualifier: str  # 左右/以上/以内/区间/""
    source: str
    start: int
    end: int
    value_start: int
    value_end: int
    quote: str


@dataclass(frozen=True)
class ReportRow:
    """One report of a committed file: which place and year the table can speak for."""

    doc_id: str
    place: str
    level: str
    year: int
    title: str
    doc_type: str
    source: str


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one version of one file (written in one transaction)."""

    file_key: str
    sha256: str
    extractor: str
    source: str
    reports: list[ReportRow]
    records: list[IndicatorRecord]


@dataclass
class IndicatorQuery:
    """Filters for :meth:`IndicatorStore.query`; empty means any."""

    metric: str = ""
    kind: str = ""
    measure: str = ""
    years: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    limit: int = 1000
    offset: int = 0


_RECORD_COLUMNS = [f.name for f in fields(IndicatorRecord)]


def db_path(root: Path) -> Path:
    return Path(root) / DB_NAME


@contextlib.contextmanager
def connect(root: Path) -> Iterator[sqlite3.Connection]:
    """A connection with the schema in place; WAL so readers never wait for an ingest."""
    Path(root).mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(db_path(root), timeout=30)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.executescript(_SCHEMA)
        yield con
    finally:
        con.close()


def extracted_versions(root: Path) -> dict[tuple[str, str], str]:
    """(file key, sha256) → extractor of every stored extraction (to skip unchanged files)."""
    if not db_path(root).exists():
        return {}
    with connect(root) as con:
        rows = con.execute("SELECT file_key, sha256, extractor FROM extractions").fetchall()
    return {(k, s): e for k, s, e in rows}


def write_extraction(root: Path, ex: Extraction) -> None:
    """Replace the stored rows of (file key, sha256) with ``ex``, all in one transaction."""
    key = (ex.file_key, ex.sha256)
    with connect(root) as con, con:
        for table in ("extractions", "documents", "records"):
            con.execute(f"DELETE FROM {table} WHERE file_key=? AND sha256=?", key)
        con.execute(
            "INSERT INTO extractions VALUES (?,?,?,?,?)",
            (*key, ex.extractor, ex.source, len(ex.records)),
        )
        con.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (*key, r.doc_id, r.place, r.level, r.year, r.title, r.doc_type, r.source)
                for r in ex.reports
            ],
        )
        marks = ",".join("?" * (len(_RECORD_COLUMNS) + 2))
        con.executemany(
            f"INSERT OR REPLACE INTO records (file_key, sha256, {_quoted_columns()}) "
            f"VALUES ({marks})",
            [(*key, *(getattr(r, c) for c in _RECORD_COLUMNS)) for r in ex.records],
        )


def prune(root: Path, manifest: Manifest) -> int:
    """Delete rows of file versions the committed ``manifest`` does not list; returns rows."""
    if not db_path(root).exists():
        return 0
    keep = {(k, e.sha256) for k, e in manifest.files.items()}
    with connect(root) as con, con:
        stored = set(con.execute("SELECT file_key, sha256 FROM extractions").fetchall())
        stored |= set(con.execute("SELECT DISTINCT file_key, sha256 FROM records").fetchall())
        gone = sorted(stored - keep)
        removed = 0
        for key in gone:
            for table in ("extractions", "documents", "records"):
                cur = con.execute(
                    f"DELETE FROM {table} WHERE file_key=? AND sha256=?",
                    key,
                )
                removed += cur.rowcount if table == "records" else 0
    return removed


def _quoted_columns() -> str:
    return ", ".join(f'"{c}"' for c in _RECORD_COLUMNS)


class IndicatorStore:
    """Read side: only rows of file versions the committed manifest lists."""

    def __init__(self, root: Path) -> None:
        self.paths = IndexPaths(root)

    @contextlib.contextmanager
    def _committed(self) -> Iterator[sqlite3.Connection]:
        """A connection with a temp table ``committed`` of the manifest's (file key, sha256)."""
        manifest = load_manifest(self.paths)
        with connect(self.paths.root) as con:
            con.execute("CREATE TEMP TABLE committed (file_key TEXT, sha256 TEXT)")
            con.executemany(
                "INSERT INTO committed VALUES (?,?)",
                [(k, e.sha256) for k, e in manifest.files.items()],
            )
            yield con

    def query(self, q: IndicatorQuery) -> tuple[list[IndicatorRecord], int]:
        """Records matching ``q`` (page ``q.offset``/``q.limit``) and how many match in all."""
        where, args = ["1=1"], []
        for column, value in (("metric", q.metric), ("kind", q.kind), ("measure", q.measure)):
            if value:
                where.append(f"r.{column}=?")
                args.append(value)
        for column, values in (("year", q.years), ("place", q.places), ("level", q.levels)):
            if values:
                where.append(f"r.{column} IN ({','.join('?' * len(values))})")
                args.extend(values)
        sql = (
            "FROM records r JOIN committed c ON r.file_key=c.file_key AND r.sha256=c.sha256 "
            f"WHERE {' AND '.join(where)}"
        )
        cols = ", ".join(f'r."{c}"' for c in _RECORD_COLUMNS)
        with self._committed() as con:
            total = con.execute(f"SELECT COUNT(*) {sql}", args).fetchone()[0]
            rows = con.execute(
                f"SELECT {cols} {sql} ORDER BY r.place, r.year, r.metric, r.start LIMIT ? OFFSET ?",
                [*args, q.limit, q.offset],
            ).fetchall()
        return [IndicatorRecord(*row) for row in rows], total

    def reports(self) -> list[ReportRow]:
        """Reports of committed files (the places and years the table covers)."""
        if not db_path(self.paths.root).exists():
            return []
        with self._committed() as con:
            rows = con.execute(
                "SELECT d.doc_id, d.place, d.level, d.year, d.title, d.doc_type, d.source "
                "FROM documents d JOIN committed c ON d.file_key=c.file_key "
                "AND d.sha256=c.sha256 ORDER BY d.place, d.year"
            ).fetchall()
        return [ReportRow(*r) for r in rows]

    def facets(self) -> tuple[list[str], list[str], list[int]]:
        """Metrics, kinds and years present in the committed records (for pickers)."""
        if not db_path(self.paths.root).exists():
            return [], [], []
        with self._committed() as con:
            join = "FROM records r JOIN committed c ON r.file_key=c.file_key AND r.sha256=c.sha256"
            metrics = [m for (m,) in con.execute(f"SELECT DISTINCT r.metric {join} ORDER BY 1")]
            kinds = [k for (k,) in con.execute(f"SELECT DISTINCT r.kind {join} ORDER BY 1")]
            years = [y for (y,) in con.execute(f"SELECT DISTINCT r.year {join} ORDER BY 1") if y]
        return metrics, kinds, years


def record_dict(record: IndicatorRecord) -> dict[str, object]:
    return asdict(record)


__all__ = [
    "DB_NAME",
    "Extraction",
    "IndicatorQuery",
    "IndicatorRecord",
    "IndicatorStore",
    "ReportRow",
    "connect",
    "db_path",
    "extracted_versions",
    "prune",
    "record_dict",
    "write_extraction",
]
