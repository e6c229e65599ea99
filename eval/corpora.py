"""The question sets ``python -m eval`` can score, each over its own corpus and index.

``own`` is the project's gold set over ``data/`` (the default, what the gates use). The others
are yardsticks the project was never tuned on; they live outside the repository, in
``../shared/external`` next to the project root, and are read at run time only (the external
benchmark's licence allows testing, not copying):

- ``reports``: ``eval/gold_reports.jsonl``, questions written for four real government work
  reports in ``external/reports`` (the questions are ours, the report text stays outside).
- ``formats``: ``eval/formats/``, a hundred documents of other kinds, levels and formats
  than the gold set's (street, township and bureau work summaries, half-year 汇报 in Markdown
  with tables, a 统计公报 and a county 政府工作报告 as .docx with Word tables, portal .html
  pages with tables, a province's department summary and survey, audit and budget reports, a
  ｜ table, full-width digits, a traditional-script paragraph, a 统计公报 as .pdf whose tables
  come out as space-separated rows, a 人大常委会 report, a budget report with a Word table, a
  street's portal page with per-community rows, a .pdf whose table header wraps cell by cell,
  a 商务厅 press conference, a 开发区 summary with a projects table, a court's, a
  procuratorate's and a 政协 report, a .pdf whose table holds one cell a line) and
  twenty-four more (a 发改局 half-year analysis, town, street, 街道 and 乡 summaries, 教育局,
  文旅 and 商务局 portal pages, 卫健局, 水利厅 and 财政局 .docx, 农业农村局, 应急局 and 人社
  .pdf, 人大常委会, 交通局, 生态环境局, 科技局 and 住建 reports) and twelve more (a county
  统计公报 .pdf, 生态环境局 and 统计局 .docx, township, street and 市场监管 summaries, two
  政府工作报告, 农业农村厅 and 交通运输厅 press conferences, a 教育局 .pdf, a 医保局 report)
  and six more (a 财政局 budget report .docx, a town 政府工作报告, a 生态环境状况公报 .pdf, a
  province's 计划执行报告 .html, a 卫生健康局 summary .md, a development zone's 汇报) and six
  more (a county 统计公报 .txt, a 人大常委会 report .docx, a 审计工作报告 .md with a table of
  departments, a town's 乡村振兴 summary .html, a 教育局 summary .pdf, a province's 交通运输
  汇报) and six more (a district 政府工作报告 .docx with a table of targets, a county 发改局
  half-year summary, a city 生态环境局 汇报 .md with a table of its districts, a town summary
  .html, a development zone's report .pdf, a province's 审计工作报告), written for the project
  with 954 questions before any rule was fitted to them. In the
  repository, so CI always gates it.
- ``rgb``: the RGB benchmark's dev sample in ``external/rgb-dev`` (news passages, a third of
  the questions must be refused), converted to gold items in memory.

Each corpus has its own index folder under ``var/``, so scoring one never touches another's
index or the app's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = EVAL_DIR.parent
EXTERNAL = PROJECT_ROOT.parent / "shared" / "external"
CORPORA = ("own", "reports", "rgb", "formats")


@dataclass
class Corpus:
    """Where a corpus's questions, files and index are, and how its answers are matched."""

    name: str
    gold: Path
    data_dir: Path | None  # None: the settings' data folder
    index_dir: Path | None  # None: the settings' index folder
    inputs: list[Path] = field(default_factory=list)  # what ingest reads; empty: data_dir
    external: bool = False

    def ingest_inputs(self, data_dir: Path) -> list[Path]:
        return self.inputs or [data_dir]


def corpus(name: str, gold: Path | None = None) -> Corpus:
    """The corpus called ``name``; ``gold`` overrides its question file.

    Raises FileNotFoundError (with what to do) when external material is missing.
    """
    if name == "own":
        return Corpus("own", gold or EVAL_DIR / "gold.jsonl", None, None)
    if name == "reports":
        folder = EXTERNAL / "reports"
        files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        if not files:
            raise FileNotFoundError(
                f"no report files in {folder}; the reports corpus needs the external reports "
                "next to the project (../shared/external/reports/*.txt)"
            )
        index = PROJECT_ROOT / "var" / "eval-reports" / "index"
        questions = gold or EVAL_DIR / "gold_reports.jsonl"
        return Corpus("reports", questions, folder, index, files, True)
    if name == "rgb":
        folder = EXTERNAL / "rgb-dev"
        questions = gold or folder / "questions.jsonl"
        if not questions.is_file() or not (folder / "corpus").is_dir():
            raise FileNotFoundError(
                f"no RGB dev sample in {folder}; it needs questions.jsonl and corpus/ there"
            )
        index = PROJECT_ROOT / "var" / "eval-rgb" / "index"
        return Corpus("rgb", questions, folder / "corpus", index, [], True)
    if name == "formats":
        folder = EVAL_DIR / "formats"
        index = PROJECT_ROOT / "var" / "eval-formats" / "index"
        return Corpus("formats", gold or folder / "gold.jsonl", folder / "docs", index)
    raise ValueError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}")


def rgb_item(row: dict[str, Any]) -> dict[str, Any]:
    """One RGB question as a gold item: answers matched loosely, retrieval judged by file."""
    answerable = bool(row.get("answerable", True)) and bool(row.get("answers"))
    docs = list(row.get("docs_containing_answer") or row.get("evidence_docs") or [])
    return {
        "id": row["id"],
        "question": row["question"],
        "answers": list(row.get("answers") or []) if answerable else [],
        "match": "loose",
        "evidence": "",
        "evidence_docs": docs if answerable else [],
        "source": docs[0] if answerable and docs else "",
        "title": "",
        "type": "news" if answerable else "unanswerable",
        "difficulty": "medium",
    }


def load_items(c: Corpus) -> list[dict[str, Any]]:
    """The corpus's questions as gold items, in file order."""
    with c.gold.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    if c.name == "rgb":
        return [rgb_item(r) for r in rows]
    return rows


__all__ = ["CORPORA", "EXTERNAL", "Corpus", "corpus", "load_items", "rgb_item"]
