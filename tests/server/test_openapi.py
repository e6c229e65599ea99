"""``/docs`` describes what each route returns: a typed response schema, citations included."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.slow
CITATION_FIELDS = {
    "n", "chunk_id", "title", "region", "year", "source", "heading", "quote", "start", "end",
    "verified", "doc_id",
}  # fmt: skip


def _resolve(spec: dict, schema: dict) -> dict:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def test_every_route_declares_a_typed_response(server):
    spec = httpx.get(f"{server}/openapi.json").json()
    schemas = spec["components"]["schemas"]
    ops = [(p, m, op) for p, item in spec["paths"].items() for m, op in item.items()]
    assert len(ops) >= 8
    for path, method, op in ops:
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        body = _resolve(spec, ok)
        assert body.get("properties"), f"{method.upper()} {path} has no typed response"
    citation = schemas["Citation"]
    assert set(citation["properties"]) == CITATION_FIELDS
    assert set(citation["required"]) >= CITATION_FIELDS - {"doc_id"}
    assert citation["properties"]["start"]["type"] == "integer"
    for name in ("AskResponse", "ChatCompletion"):
        items = schemas[name]["properties"]["citations"]["items"]
        assert items == {"$ref": "#/components/schemas/Citation"}, name
    passage = schemas["PassageOut"]["properties"]
    assert {"title", "region", "year", "heading", "start", "end", "text"} <= set(passage)


def test_responses_match_their_models(server):
    """The declared models are what the routes send (FastAPI validates on the way out)."""
    ask = httpx.post(
        f"{server}/api/ask", json={"question": "紫金县2021年GDP目标是多少"}, timeout=60
    ).json()
    assert set(ask["citations"][0]) == CITATION_FIELDS and ask["table"] is None
    docs = httpx.get(f"{server}/api/documents").json()
    assert {"doc_id", "title", "source", "file_id"} <= set(docs["documents"][0])
    health = httpx.get(f"{server}/health").json()
    assert health["status"] == "ok" and "error" not in health
