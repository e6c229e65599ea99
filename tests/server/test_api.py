"""The HTTP API with real clients: httpx, the official openai client, LangChain's ChatOpenAI."""

from __future__ import annotations

import concurrent.futures as cf
import json
import time

import httpx
import pytest

pytestmark = pytest.mark.slow
Q = "紫金县2021年GDP目标是多少"


def test_health_and_models(server):
    h = httpx.get(f"{server}/health").json()
    assert h["status"] == "ok" and h["documents"] >= 14 and h["chunks"] > 100
    models = httpx.get(f"{server}/v1/models").json()
    assert models["data"][0]["id"] == "reportqa"


def test_api_ask_and_search(server):
    r = httpx.post(f"{server}/api/ask", json={"question": Q}, timeout=60).json()
    assert "7.5%" in r["answer"] and not r["refused"]
    assert r["citations"][0]["verified"] and r["citations"][0]["region"] == "紫金县"
    assert r["timings"]["total_ms"] > 0
    r = httpx.post(
        f"{server}/api/ask",
        json={
            "question": "那阳东区呢？",
            "history": [
                {"role": "user", "content": Q},
                {"role": "assistant", "content": r["answer"]},
            ],
        },
        timeout=60,
    ).json()
    assert "6-7%" in r["answer"]
    s = httpx.post(f"{server}/api/search", json={"query": "南山区5G基站", "k": 3}).json()
    assert len(s["results"]) == 3 and s["results"][0]["region"] == "南山区"
    s = httpx.post(
        f"{server}/api/search", json={"query": "地区生产总值", "filters": {"region": "云浮市"}}
    ).json()
    assert {x["region"] for x in s["results"]} == {"云浮市"}


def test_openai_client(server):
    from openai import OpenAI

    client = OpenAI(base_url=f"{server}/v1", api_key="unused")
    done = client.chat.completions.create(
        model="reportqa", messages=[{"role": "user", "content": Q}]
    )
    text = done.choices[0].message.content
    assert "7.5%" in text and "[" in text
    extra = done.model_extra or {}
    assert extra["citations"][0]["region"] == "紫金县"
    chunks = list(
        client.chat.completions.create(
            model="reportqa", messages=[{"role": "user", "content": Q}], stream=True
        )
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "7.5%" in streamed
    assert (chunks[-1].model_extra or {}).get("citations")


def test_langchain_chat_openai(server):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=f"{server}/v1", api_key="unused", model="reportqa")
    assert "7.5%" in llm.invoke(Q).content


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "/api/ask", {"question": ""}, 422),
        ("post", "/api/ask", {"q": "x"}, 422),
        ("post", "/api/ask", {"question": "x", "k": 0}, 422),
        ("post", "/v1/chat/completions", {"model": "reportqa", "messages": []}, 422),
        (
            "post",
            "/v1/chat/completions",
            {"model": "gpt-4", "messages": [{"role": "user", "content": "x"}]},
            404,
        ),
        (
            "post",
            "/v1/chat/completions",
            {"model": "reportqa", "messages": [{"role": "assistant", "content": "x"}]},
            400,
        ),
        ("delete", "/api/documents/nope", None, 404),
    ],
)
def test_malformed_requests_get_json_4xx(server, method, path, body, status):
    r = httpx.request(method.upper(), f"{server}{path}", json=body)
    assert r.status_code == status
    assert r.json()["error"]["message"]


def test_invalid_json_body(server):
    r = httpx.post(
        f"{server}/api/ask", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert 400 <= r.status_code < 500 and "error" in r.json()


def test_upload_ask_delete(server):
    text = (
        "2022年测试镇政府工作报告\n一、主要目标\n全镇地区生产总值增长9.3%左右，"
        "新建蓝莓种植基地1200亩。\n"
    ).encode()
    r = httpx.post(
        f"{server}/api/documents", files={"files": ("测试镇.txt", text, "text/plain")}, timeout=120
    )
    assert r.status_code == 200, r.text
    (res,) = r.json()["results"]
    assert res["status"] == "indexed" and res["chunks"] >= 1
    again = httpx.post(
        f"{server}/api/documents", files={"files": ("copy.txt", text, "text/plain")}, timeout=120
    )
    assert again.json()["results"][0]["status"] == "unchanged"
    ans = httpx.post(
        f"{server}/api/ask", json={"question": "测试镇蓝莓种植基地多少亩？"}, timeout=60
    ).json()
    assert "1200亩" in ans["answer"]
    docs = httpx.get(f"{server}/api/documents").json()["documents"]
    doc = next(d for d in docs if d["source"] == "测试镇.txt")
    assert doc["region"] == "测试镇" and doc["year"] == 2022
    assert httpx.delete(f"{server}/api/documents/{doc['doc_id']}").status_code == 200
    docs = httpx.get(f"{server}/api/documents").json()["documents"]
    assert all(d["source"] != "测试镇.txt" for d in docs)


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("../../etc/passwd.txt", b"abc", 400),
        ("/abs/path.txt", b"abc", 400),
        ("empty.txt", b"", 400),
        ("tool.exe", b"MZ\x00\x00", 415),
    ],
)
def test_bad_uploads_are_rejected(server, name, data, status):
    r = httpx.post(f"{server}/api/documents", files={"files": (name, data, "text/plain")})
    assert r.status_code == status, r.text
    assert r.json()["error"]["message"]


def test_concurrent_clients_get_their_own_answers(server):
    questions = {
        "紫金县2021年GDP目标是多少": "7.5%",
        "阳东区2020年GDP是多少": "308.56亿元",
        "2018年上半年重点项目开工率是多少": "86.24%",
        "南山区建了多少个5G基站？": "5G",
    }
    items = list(questions.items()) * 2

    ends: list[float] = []

    def ask(q: str) -> str:
        answer = httpx.post(f"{server}/api/ask", json={"question": q}, timeout=120).json()
        ends.append(time.perf_counter())
        return answer["answer"]

    with cf.ThreadPoolExecutor(8) as pool:
        futures = {pool.submit(ask, q): want for q, want in items}
        health = httpx.get(f"{server}/health", timeout=30)
        health_done = time.perf_counter()
        for fut, want in futures.items():
            assert want in fut.result()
    # the health check is not queued behind the answers (no absolute time: a busy CI machine
    # slows both alike)
    assert health.status_code == 200 and health_done < max(ends)


def test_api_keys(sample_index, tmp_path):
    import shutil

    from tests.server.conftest import start_server

    settings, _ = sample_index
    shutil.copytree(settings.index_dir, tmp_path / "index")
    proc, base = start_server(tmp_path / "index", tmp_path, REPORTQA_API_KEYS="k1,k2")
    try:
        assert httpx.get(f"{base}/health").status_code == 200
        r = httpx.post(f"{base}/api/search", json={"query": "GDP"})
        assert r.status_code == 401 and "Bearer" in r.json()["error"]["message"]
        r = httpx.post(
            f"{base}/api/search", json={"query": "GDP"}, headers={"Authorization": "Bearer k2"}
        )
        assert r.status_code == 200
        assert (
            httpx.get(f"{base}/v1/models", headers={"Authorization": "Bearer no"}).status_code
            == 401
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_openapi_schema(server):
    spec = httpx.get(f"{server}/openapi.json").json()
    assert {"/api/ask", "/api/search", "/v1/chat/completions", "/health"} <= set(spec["paths"])
    assert json.dumps(spec)
