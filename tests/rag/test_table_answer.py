"""Cross-report answers from the indicator table (a table-only index: no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from index.store import FileEntry, IndexPaths, Manifest, file_key, save_manifest
from ingest.extract_indicators import sync_indicators
from ingest.index import sha256_bytes
from rag.table_answer import MISSING, answer_from_table

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = ROOT.parent / "shared" / "external" / "reports"


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    files = sorted((ROOT / "data").glob("*.txt"))
    if EXTERNAL.exists():
        files += sorted(EXTERNAL.glob("*.txt"))
    root = tmp_path_factory.mktemp("table-index")
    manifest = Manifest(embedding_model="none")
    for p in files:
        manifest.files[file_key(p)] = FileEntry(
            path=str(p.resolve()), source=p.name, sha256=sha256_bytes(p.read_bytes()),
            size=0, chunk_ids=[],
        )  # fmt: skip
    paths = IndexPaths(root)
    sync_indicators(paths, manifest)
    save_manifest(paths, manifest)
    return Settings(index_dir=root, llm="extractive")


def test_ranking_question_lists_every_county_level_place_with_citations(settings):
    a = answer_from_table("2021年各县（市、区）的GDP增长目标分别是多少？哪个最高？", settings)
    assert a is not None and a.operation == "rank" and a.chart == "bar"
    assert a.rows[0].place == "紫金县" and len(a.rows) == 6
    assert all(r.level in ("县", "市", "区") for r in a.rows)
    source = (ROOT / "data" / a.rows[0].citation.source).read_text(encoding="utf-8")
    for r in a.rows:
        assert source[r.citation.start : r.citation.end] == r.citation.quote
    assert "紫金县" in a.answer and "|" in a.markdown()


def test_missing_figure_is_said_not_guessed(settings):
    a = answer_from_table("2021年各地社会消费品零售总额增长目标是多少？", settings)
    missing = [r for r in a.rows if r.citation is None]
    assert [r.place for r in missing] == ["南山区"]
    assert missing[0].value is None and missing[0].display == MISSING


def test_filter_and_exclusion_leave_out_places(settings):
    a = answer_from_table("2021年GDP增长目标不低于7%的有哪些地方？", settings)
    assert {r.place for r in a.rows} == {"云浮市", "紫金县"}
    b = answer_from_table("2021年除南山区外，各地GDP增长目标分别是多少？", settings)
    assert "南山区" not in {r.place for r in b.rows} and len(b.rows) == 5


def test_trend_is_a_line_over_years(settings):
    a = answer_from_table("紫金县地区生产总值增长历年变化", settings)
    assert a.chart == "line" and [r.year for r in a.rows] == [2020, 2021]
    assert [r.kind for r in a.rows] == ["actual", "target"]


def test_single_place_questions_are_left_to_passages(settings):
    assert answer_from_table("紫金县2021年GDP目标是多少", settings) is None
    assert answer_from_table("南山区2021年有哪些重点工作？", settings) is None


@pytest.mark.skipif(not EXTERNAL.exists(), reason="external reports not present")
def test_provinces_compare(settings):
    a = answer_from_table("2025年河南省和湖北省的经济增长目标比较", settings)
    assert [(r.place, r.value) for r in a.rows] == [("湖北省", 6.0), ("河南省", 5.5)]
    b = answer_from_table("2025年各省GDP增长目标分别是多少？", settings)
    assert {(r.place, r.value) for r in b.rows} == {
        ("河南省", 5.5),
        ("浙江省", 5.5),
        ("湖北省", 6.0),
    }


def test_one_reports_own_figures_are_not_a_table_question(settings):
    # 分别 over two figures of one place, and the position one report states
    assert answer_from_table("紫金县2021年GDP和固定资产投资分别增长多少？", settings) is None
    assert answer_from_table("紫金县2020年GDP增速居全市第几？", settings) is None
    assert answer_from_table("紫金县2020年GDP增速在全国排名第几？", settings) is None
