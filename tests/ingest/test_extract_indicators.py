"""Indicator extraction: figures of the sample and real reports, spans that round-trip, and the
table kept consistent with the manifest (sha256-keyed rows, trusted only once committed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.indicators import IndicatorQuery, IndicatorStore, extracted_versions
from index.store import FileEntry, IndexPaths, Manifest, file_key, save_manifest
from ingest.extract_indicators import extract_file, prune_indicators, sync_indicators
from ingest.index import sha256_bytes

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
EXTERNAL = ROOT.parent / "shared" / "external" / "reports"


def _sources() -> list[Path]:
    files = sorted(DATA.glob("*.txt"))
    if EXTERNAL.exists():
        files += sorted(EXTERNAL.glob("*.txt"))
    return files


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.name)
def test_every_span_round_trips_to_the_source(path):
    from ingest.load import load_file

    source = load_file(path).text
    ex = extract_file(path, "k", "s")
    for r in ex.records:
        assert source[r.start : r.end] == r.quote
        assert r.start <= r.value_start < r.value_end <= r.end
        number = source[r.value_start : r.value_end].replace("，", ",")
        written = float(number.split("-")[0].replace(",", "").translate(_FULL))
        assert written == abs(r.value), (r.quote, r.value)
        assert r.kind in ("target", "actual", "plan")
        assert r.measure in ("growth", "amount", "rate")


_FULL = str.maketrans("０１２３４５６７８９．", "0123456789.")


def test_sample_targets_of_one_year_share_a_shape():
    ex = extract_file(DATA / "004_8a7bc9ce6e61cdbb.txt", "k", "s")
    gdp = {
        r.place: (r.value, r.value_high, r.qualifier)
        for r in ex.records
        if r.metric == "地区生产总值"
        and r.kind == "target"
        and r.measure == "growth"
        and r.year == 2021
    }
    assert len(gdp) == 6
    assert sorted(q for _, _, q in gdp.values()).count("区间") == 1  # "6-7%" is a range
    assert all(r.place for r in ex.records if r.metric == "地区生产总值")


@pytest.mark.skipif(not EXTERNAL.exists(), reason="external reports not present")
def test_national_report_is_the_whole_country_and_prefixed_figures_are_not_taken():
    ex = extract_file(EXTERNAL / "2023年国务院政府工作报告.txt", "k", "s")
    assert {r.place for r in ex.records} == {"全国"}
    target = {(r.metric, r.value) for r in ex.records if r.kind == "target"}
    assert ("地区生产总值", 5.0) in target and ("居民消费价格", 3.0) in target
    zj = extract_file(EXTERNAL / "2025年浙江省政府工作报告.txt", "k", "s")
    # "海洋生产总值" is another figure than the province's GDP
    assert not [r for r in zj.records if "海洋" in r.quote]


def _manifest(files: list[Path]) -> Manifest:
    m = Manifest(embedding_model="test")
    for p in files:
        m.files[file_key(p)] = FileEntry(
            path=str(p.resolve()),
            source=p.name,
            sha256=sha256_bytes(p.read_bytes()),
            size=0,
            chunk_ids=[],
        )
    return m


def test_rows_are_trusted_only_for_the_committed_version(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    report = src / "r.txt"
    shutil.copy(DATA / "004_8a7bc9ce6e61cdbb.txt", report)
    paths = IndexPaths(tmp_path / "index")
    manifest = _manifest([report])
    assert sync_indicators(paths, manifest) == 1
    store = IndicatorStore(paths.root)
    assert store.query(IndicatorQuery())[1] == 0  # nothing committed yet
    save_manifest(paths, manifest)
    _, total = store.query(IndicatorQuery(metric="地区生产总值", kind="target"))
    assert total >= 6
    # unchanged file: nothing is extracted again
    assert sync_indicators(paths, manifest) == 0
    # the file changes; the new version is extracted but readers keep the committed one
    report.write_text(report.read_text(encoding="utf-8").replace("7.5%左右", "8.5%左右"))
    changed = _manifest([report])
    assert sync_indicators(paths, changed) == 1
    values = {r.value for r in store.query(IndicatorQuery(metric="地区生产总值", kind="target"))[0]}
    assert 7.5 in values and 8.5 not in values
    save_manifest(paths, changed)
    prune_indicators(paths, changed)
    values = {r.value for r in store.query(IndicatorQuery(metric="地区生产总值", kind="target"))[0]}
    assert 8.5 in values and 7.5 not in values
    assert len(extracted_versions(paths.root)) == 1  # the old version's rows are gone
    # pruned from the manifest: its rows go too
    save_manifest(paths, Manifest(embedding_model="test"))
    prune_indicators(paths, Manifest(embedding_model="test"))
    assert extracted_versions(paths.root) == {}


def test_pagination_and_filters(tmp_path):
    paths = IndexPaths(tmp_path / "index")
    manifest = _manifest([DATA / "004_8a7bc9ce6e61cdbb.txt"])
    sync_indicators(paths, manifest)
    save_manifest(paths, manifest)
    store = IndicatorStore(paths.root)
    q = IndicatorQuery(metric="地区生产总值", years=[2021], kind="target", limit=2)
    first, total = store.query(q)
    q.offset = 2
    second, _ = store.query(q)
    assert len(first) == 2 and total >= 6 and not {r.id for r in first} & {r.id for r in second}
    levels = {r.level for r in store.query(IndicatorQuery(levels=["县"]))[0]}
    assert levels == {"县"}
    assert {r.place for r in store.reports()} >= {"紫金县", "南山区"}
