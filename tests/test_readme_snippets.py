"""Every README block marked ``<!-- readme-test: name -->`` runs against a live server.

The "Use from other tools" section is what people copy into their own programs and tool
settings; running each block here (curl, Python clients, the MCP client configuration and the
OpenAI-compatible model entry) keeps it from going stale. Blocks address the server as
``http://127.0.0.1:7860``; the tests substitute the live server's address.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server.conftest import start_server

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOC_URL = "http://127.0.0.1:7860"
QUESTION = "紫金县2021年GDP目标是多少"  # every block asks it
ANSWER = "7.5%"
_BLOCK = re.compile(r"<!-- readme-test: ([\w-]+) -->\n```(\w+)\n(.*?)\n```", re.S)
EXPECTED = {"curl", "openai", "chatopenai", "retriever", "mcp-config", "mcp-python", "model-entry"}


@dataclass
class Snippet:
    name: str
    lang: str
    code: str


def snippets() -> list[Snippet]:
    return [Snippet(*m.groups()) for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))]


def test_marked_blocks_are_all_runnable():
    found = snippets()
    assert {s.name for s in found} == EXPECTED
    assert len(found) == len(EXPECTED), "two blocks share a name"
    for s in found:
        assert s.lang in RUNNERS, f"no runner for ```{s.lang} (block {s.name})"
        assert DOC_URL in s.code or s.name == "retriever", s.name


@pytest.fixture(scope="module")
def live(sample_index, tmp_path_factory):
    """(base URL, index folder) of a live open server over a copy of the sample index."""
    settings, _ = sample_index
    tmp = tmp_path_factory.mktemp("readme-server")
    index = tmp / "index"
    shutil.copytree(settings.index_dir, index)
    proc, base = start_server(index, tmp)
    yield base, index
    proc.terminate()
    proc.wait(timeout=30)


def _run(args: list[str], index: Path) -> str:
    env = {
        **os.environ,
        "REPORTQA_INDEX_DIR": str(index),
        "REPORTQA_LLM": "extractive",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    return out.stdout


def run_sh(code: str, base: str, index: Path) -> str:
    out = _run(["bash", "-euc", code.replace(DOC_URL, base)], index)
    assert json.loads(out)["citations"]
    return out


def run_python(code: str, base: str, index: Path) -> str:
    return _run([sys.executable, "-c", code.replace(DOC_URL, base)], index)


def run_mcp_config(code: str, base: str, index: Path) -> str:
    """Connect the way an MCP client would with this entry: its URL and its headers."""
    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    (entry,) = json.loads(code)["mcpServers"].values()
    assert entry["type"] == "streamableHttp"

    async def go() -> str:
        async with (
            httpx2.AsyncClient(headers=entry["headers"], timeout=120) as http,
            streamable_http_client(entry["url"].replace(DOC_URL, base), http_client=http) as (
                read,
                write,
            ),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            names = {t.name for t in (await session.list_tools()).tools}
            assert names == {"search_reports", "ask_reports", "list_documents"}
            result = await session.call_tool(
                "ask_reports", {"question": "紫金县2021年GDP目标是多少"}
            )
            return result.structured_content["answer"]

    return asyncio.run(go())


def run_model_entry(code: str, base: str, index: Path) -> str:
    """Use the entry's fields as Dify / Open WebUI do: list the models, then stream a chat."""
    from openai import OpenAI

    fields = dict(
        (k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in code.splitlines())
    )
    client = OpenAI(
        base_url=fields["API base URL"].replace(DOC_URL, base), api_key=fields["API key"]
    )
    assert fields["Model name"] in {m.id for m in client.models.list()}
    chunks = client.chat.completions.create(
        model=fields["Model name"],
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
    )
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


RUNNERS = {"sh": run_sh, "python": run_python, "json": run_mcp_config, "text": run_model_entry}


@pytest.mark.slow
@pytest.mark.parametrize("snippet", snippets(), ids=lambda s: s.name)
def test_snippet_runs(snippet: Snippet, live):
    base, index = live
    out = RUNNERS[snippet.lang](snippet.code, base, index)
    assert ANSWER in out, out[-2000:]
