"""``GET /api/indicators`` over a table-only index (fast: no model is loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from index.store import FileEntry, IndexPaths, Manifest, file_key, save_manifest
from ingest.extract_indicators import sync_indicators
from ingest.index import sha256_bytes
from server.api import create_api
from server.indicators_api import table_field
from server.service import ReportQAService

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "data" / "004_8a7bc9ce6e61cdbb.txt"


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> ReportQAService:
    root = tmp_path_factory.mktemp("api-index")
    manifest = Manifest(embedding_model="none")
    manifest.files[file_key(SOURCE)] = FileEntry(
        path=str(SOURCE), source=SOURCE.name, sha256=sha256_bytes(SOURCE.read_bytes()),
        size=0, chunk_ids=[],
    )  # fmt: skip
    paths = IndexPaths(root)
    sync_indicators(paths, manifest)
    save_manifest(paths, manifest)
    tmp = tmp_path_factory.mktemp("uploads")
    return ReportQAService(Settings(index_dir=root, upload_dir=tmp, llm="extractive"))


@pytest.fixture(scope="module")
def client(service) -> TestClient:
    return TestClient(create_api(service))


def test_filters_pagination_and_citations(client):
    want = {"metric": "地区生产总值", "kind": "target", "year": 2021, "measure": "growth"}
    r = client.get("/api/indicators", params={**want, "limit": 4})
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 6 and len(page["items"]) == 4 and "地区生产总值" in page["metrics"]
    rest = client.get("/api/indicators", params={**want, "offset": 4})
    places = {i["place"] for i in page["items"]} | {i["place"] for i in rest.json()["items"]}
    assert len(places) == 6
    source = SOURCE.read_text(encoding="utf-8")
    for item in page["items"]:
        c = item["citation"]
        assert source[c["start"] : c["end"]] == c["quote"]


def test_region_accepts_the_short_name(client):
    full = client.get("/api/indicators", params={"region": "紫金县"}).json()
    short = client.get("/api/indicators", params={"region": "紫金"}).json()
    assert full["total"] == short["total"] > 10
    assert {i["place"] for i in short["items"]} == {"紫金县"}


def test_bad_parameters_are_4xx(client):
    assert client.get("/api/indicators", params={"kind": "wish"}).status_code == 422
    assert client.get("/api/indicators", params={"limit": 0}).status_code == 422
    assert client.get("/api/indicators", params={"year": 3000}).status_code == 422


def test_table_field_for_answers(service):
    table = table_field(service, "2021年各地固定资产投资增长目标分别是多少？")
    assert table and len(table["rows"]) == 6 and table["chart"] == "bar"
    assert table_field(service, "南山区有哪些重点工作？") is None
