"""A ten-turn conversation through the UI's chat function: follow-ups ("那…呢？", "同期", "它"),
topic switches and place switches, with each backend. Follow-ups fill in only what a question
leaves out, a question naming another place or a whole scope is never narrowed to the old
place, and prompt scaffolding never reaches the user."""

from __future__ import annotations

import pytest

from core.settings import Settings
from server.service import ReportQAService
from server.ui import make_respond

pytestmark = pytest.mark.slow

# (question, words the final reply must contain, words it must not contain)
TURNS = [
    ("紫金县2021年GDP目标是多少", ["7.5%"], []),
    ("那固定资产投资呢？", ["15%"], ["地区生产总值"]),
    ("同期社会消费品零售总额呢？", ["社会消费品零售总额", "%"], []),
    ("那阳东区呢？", ["社会消费品零售总额"], ["紫金"]),
    ("2021年各县（市、区）的GDP增长目标分别是多少？", ["紫金县", "阳东区"], []),
    ("火星市2021年GDP目标是多少", ["未找到", "已检索"], ["7.5%"]),
    ("紫金县2020年GDP是多少？", ["117.8亿元"], []),
    ("它的增速呢？", ["4.5%"], []),
    ("云浮2020年GDP总量是多少？", ["1002.18亿元"], ["紫金"]),
    ("其中一般预算收入呢？", ["65.86亿元"], []),
]


def _text(reply) -> str:
    return "\n".join(str(r) for r in reply) if isinstance(reply, list) else str(reply)


@pytest.mark.parametrize("backend", ["extractive", "local"])
def test_a_ten_turn_conversation(sample_index, searcher, backend):
    settings, _ = sample_index
    service = ReportQAService(
        Settings(index_dir=settings.index_dir, upload_dir=settings.index_dir / "up", llm=backend)
    )
    service._searcher = searcher
    respond = make_respond(service)
    history: list[dict[str, str]] = []
    for question, wanted, unwanted in TURNS:
        *_, (reply, _sources) = respond(question, history, "全部", "全部", "全部")
        text = _text(reply)
        for word in wanted:
            assert word in text, (backend, question, text)
        for word in (*unwanted, "【问题】", "【资料】"):
            assert word not in text.split("\n\n（用时")[0], (backend, question, text)
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": text},
        ]
