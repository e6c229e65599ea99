"""The indicator table in the browser: a comparison question shows a table and a chart, and the
指标 tab shows the table with each value opening its source span (Debian chromium)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
QUESTION = "2021年各县（市、区）的GDP增长目标分别是多少？哪个最高？"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def check_comparison_and_tab(base: str) -> None:
    """Drive the UI at ``base``; screenshots go to test-artifacts/."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.goto(f"{base}/", wait_until="load", timeout=60_000)
        box = page.locator('textarea[data-testid="textbox"]').first
        box.wait_for(timeout=60_000)
        box.fill(QUESTION)
        box.press("Enter")
        deadline = time.time() + 120
        while time.time() < deadline:
            bots = page.locator('[data-testid="bot"]')
            text = " ".join(bots.all_inner_texts()) if bots.count() else ""
            if "用时" in text and page.locator('[data-testid="bot"] .js-plotly-plot, '
                                              '[data-testid="bot"] img').count():  # fmt: skip
                break
            time.sleep(0.5)
        else:
            page.screenshot(path=str(ARTIFACTS / "indicators-timeout.png"), full_page=True)
            raise AssertionError("no table answer with a chart in the chat")
        table = page.locator('[data-testid="bot"] table').first
        assert "紫金县" in table.inner_text() and "7.5%" in table.inner_text()
        assert table.locator("tr").count() == 7  # header + six places
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "indicators-chat-table-chart.png"), full_page=True)
        table.scroll_into_view_if_needed()
        table.screenshot(path=str(ARTIFACTS / "indicators-chat-table.png"))

        page.get_by_role("tab", name="指标").click()
        page.get_by_role("button", name="查询").click()
        cell = page.locator("[data-testid='ind-cell-0']")
        cell.wait_for(timeout=30_000)
        cell.locator("summary").click()
        assert cell.locator("mark").inner_text()  # the source span, highlighted in context
        page.wait_for_timeout(1500)  # let the bar chart draw
        page.screenshot(path=str(ARTIFACTS / "indicators-tab.png"), full_page=True)
        browser.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_comparison_question_shows_table_and_chart(server):
    check_comparison_and_tab(server)
