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
