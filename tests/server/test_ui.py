"""The web UI with real clients: gradio_client, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
Q = "紫金县2021年GDP目标是多少"


def test_gradio_client_chat(server):
    from gradio_client import Client

    client = Client(f"{server}/", verbose=False)
    result = client.predict(Q, "全部", "全部", "全部", api_name="/chat")
    text = result[0] if isinstance(result, list | tuple) else result
    assert "7.5%" in str(text) and "[" in str(text)


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_browser_chat_sources_and_upload(server, tmp_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/", wait_until="load", timeout=60_000)
        page.locator('textarea[data-testid="textbox"]').first.wait_for(timeout=60_000)

        def ask(question: str) -> str:
            bots = page.locator('[data-testid="bot"]')
            before = bots.last.inner_text() if bots.count() else ""
            box = page.locator('textarea[data-testid="textbox"]').first
            box.fill(question)
            box.press("Enter")
            deadline = time.time() + 120
            while time.time() < deadline:
                bots = page.locator('[data-testid="bot"]')
                text = bots.last.inner_text() if bots.count() else ""
                if text != before and "用时" in text:
                    return text
                time.sleep(0.5)
            page.screenshot(path=str(ARTIFACTS / "ui-timeout.png"), full_page=True)
            raise AssertionError("no complete answer in the chat")

        answer = ask(Q)
        assert "7.5%" in answer and "[" in answer
        source = page.locator(".rq-source").first
        source.wait_for(timeout=10_000)
        assert "紫金县" in source.inner_text()
        source.locator("summary").click()
        mark = source.locator("details mark")
        assert "7.5%" in mark.inner_text()
        page.screenshot(path=str(ARTIFACTS / "ui-answer-with-sources.png"), full_page=True)

        page.get_by_role("tab", name="知识库").click()
        doc = tmp_path / "样例镇.txt"
        doc.write_text(
            "2022年样例镇政府工作报告\n一、主要目标\n全镇新建荔枝标准果园3600亩，"
            "地区生产总值增长8.8%左右。\n",
            encoding="utf-8",
        )
        with page.expect_file_chooser() as chooser:
            page.get_by_text("Click to Upload").first.click()
        chooser.value.set_files(str(doc))
        result = page.get_by_label("结果")
        deadline = time.time() + 120
        while "样例镇" not in result.input_value() and time.time() < deadline:
            # the browser hands the file to the server first; until then 导入 says so
            page.get_by_role("button", name="导入", exact=True).click()
            for _ in range(10):
                time.sleep(0.5)
                if "样例镇" in result.input_value():
                    break
        assert "✅ 已导入 样例镇.txt" in result.input_value()
        page.screenshot(path=str(ARTIFACTS / "ui-upload.png"), full_page=True)
        page.get_by_role("tab", name="问答").click()
        assert "3600亩" in ask("样例镇新建荔枝标准果园多少亩？")
        page.screenshot(path=str(ARTIFACTS / "ui-uploaded-answer.png"), full_page=True)
        browser.close()
