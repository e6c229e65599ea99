"""Hybrid retrieval on the real sample index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.query import QueryParser
from rag.retrieve import Filters

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_query_parser_knows_short_forms():
    info = QueryParser(["紫金县", "南山区", "云浮市"]).parse("紫金2021年GDP目标是多少")
    assert info.regions == ["紫金县"] and info.years == [2021] and info.wants_target
    assert "地区生产总值" in info.expansions


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_region_question_finds_that_regions_passage(searcher, mode):
    hits = searcher.search("紫金县2021年GDP目标是多少", k=5, mode=mode)
    assert hits and all(h.metadata["region"] == "紫金县" for h in hits)
    assert any("7.5%左右" in h.text for h in hits[:3])


def test_gdp_synonym_reaches_report_wording(searcher):
    hits = searcher.search("阳东区2020年GDP", k=3)
    assert any("308.56亿元" in h.text for h in hits)


def test_caller_filters_restrict_results(searcher):
    hits = searcher.search("地区生产总值", k=10, filters=Filters(regions=["南山区"]))
    assert hits and {h.metadata["region"] for h in hits} == {"南山区"}
    hits = searcher.search("地区生产总值", k=10, filters=Filters(years=[2019]))
    assert hits and {h.metadata["year"] for h in hits} == {2019}


def test_search_cli_json(sample_index):
    settings, _ = sample_index
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "rag",
            "search",
            "-k",
            "3",
            "--json",
            "紫金县2021年GDP目标",
            "南山区5G基站",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**__import__("os").environ, "REPORTQA_INDEX_DIR": str(settings.index_dir)},
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [d["query"] for d in data] == ["紫金县2021年GDP目标", "南山区5G基站"]
    first = data[0]["results"][0]
    for key in ("text", "title", "region", "year", "heading", "source", "start", "end", "score"):
        assert key in first
    assert first["region"] == "紫金县"


def test_the_keyword_retriever_s_first_hit_stays_in_the_top_k():
    from rag.retrieve import _keep_first

    fused = [("a", 0.11, 1, 3), ("b", 0.10, 2, 2), ("c", 0.09, 3, None), ("d", 0.07, None, 1)]
    assert [f[0] for f in _keep_first(fused, 3)] == ["a", "b", "d"]
    seen = [("a", 0.11, 1, 3), ("b", 0.10, 2, 1), ("c", 0.09, 3, None), ("d", 0.07, 9, 4)]
    assert [f[0] for f in _keep_first(seen, 2)] == ["a", "b"]  # already in
    both = [("a", 0.11, 1, 3), ("b", 0.10, 2, 2), ("d", 0.07, 30, 1)]
    assert [f[0] for f in _keep_first(both, 2)] == ["a", "b"]  # the dense one ranked it too


def test_a_districts_figure_in_its_citys_report_is_found(tmp_path, settings_factory, embeddings):
    """Both a district's own report and its city's are indexed: a question naming the
    district also reads the city's passages that name it (a table of districts), but not the
    city's passages about the city alone."""
    from ingest.index import Ingestor
    from rag.retrieve import Searcher

    data = tmp_path / "data"
    data.mkdir()
    (data / "district.txt").write_text(
        "东江市青山区2025年政府工作报告\n\n一、2024年工作回顾\n\n全区实现地区生产总值486.3亿元，"
        "同比增长5.8%。完成老旧小区改造43个，惠及居民1.26万户。\n",
        encoding="utf-8",
    )
    (data / "city.md").write_text(
        "# 东江市生态环境局关于全市2024年度生态环境保护工作情况的汇报\n\n## 一、环境空气质量\n\n"
        "全市环境空气质量优良天数比例为88.6%，比上年提高1.9个百分点。\n\n"
        "分县区看，各县区优良天数比例如下：\n\n| 县（区） | 优良天数比例（%） |\n|---|---|\n"
        "| 青山区 | 86.9 |\n| 白河区 | 85.2 |\n",
        encoding="utf-8",
    )
    settings = settings_factory(tmp_path / "index", llm="extractive")
    Ingestor(settings, embeddings=embeddings, progress=False).run([data])
    searcher = Searcher(settings, embeddings=embeddings)
    regions = {d.region for d in searcher.documents}
    assert regions == {"青山区", "东江市"}, regions  # "生态环境局关于全市" is no place
    hits = searcher.search("青山区2024年空气优良天数比例是多少", k=5)
    assert any("86.9" in h.text for h in hits), [h.text[:40] for h in hits]
    city_only = [h for h in hits if h.metadata["region"] == "东江市" and "青山" not in h.text]
    assert not city_only, [h.text[:40] for h in city_only]
