"""The Gradio web UI (Chinese): chat with streamed, cited answers, a sources panel with the
supporting span highlighted, filters, and a 知识库 tab to manage documents.

It calls :class:`server.service.ReportQAService` only; no retrieval or answering logic lives here.
"""

from __future__ import annotations

import html
import logging
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from index.store import IndexUnavailable
from rag.backends import describe
from server.indicators_ui import CSS as INDICATORS_CSS
from server.indicators_ui import chat_reply, indicators_tab
from server.service import ReportQAService, UploadRejected

log = logging.getLogger(__name__)

_UI = tomllib.loads((Path(__file__).with_name("resources") / "ui.toml").read_text("utf-8"))
EXAMPLES: list[str] = list(_UI["examples"])
ALL = "全部"
_PROGRESS = gr.Progress()

CSS = """
.rq-source {border:1px solid #ddd; border-radius:8px; padding:8px 10px; margin:6px 0;}
.rq-source mark {background:#ffe58a; padding:0 1px;}
.rq-unverified {border-color:#e88;}
.rq-badge {font-size:12px; color:#666;}
.rq-warn {color:#b00; font-weight:bold;}
"""
CSS += INDICATORS_CSS


def _sources_html(result: Any) -> str:
    """One card per cited passage: title, region, year, heading path, the span highlighted."""
    if result is None:
        return ""
    if result.refused:
        return "<p class='rq-badge'>资料中没有找到可以回答该问题的内容，因此没有引用。</p>"
    by_id = {p.id: p for p in result.passages}
    cards = []
    for c in result.citations:
        passage = by_id.get(c.chunk_id)
        text = passage.text if passage else c.quote
        i = text.find(c.quote) if c.quote else -1
        if i >= 0:
            body = (
                html.escape(text[:i])
                + f"<mark>{html.escape(c.quote)}</mark>"
                + html.escape(text[i + len(c.quote) :])
            )
        else:
            body = f"<mark>{html.escape(c.quote)}</mark>"
        flag = "" if c.verified else "<span class='rq-warn'>⚠ 未核实</span> "
        meta = " · ".join(
            str(x) for x in (c.region, f"{c.year}年" if c.year else "", c.heading) if x
        )
        cards.append(
            f"<div class='rq-source{'' if c.verified else ' rq-unverified'}' "
            f"data-testid='source-{c.n}'>"
            f"<div><b>[{c.n}] {html.escape(c.title)}</b> {flag}</div>"
            f"<div class='rq-badge'>{html.escape(meta)} · {html.escape(c.source)} "
            f"字符 {c.start}–{c.end}</div>"
            f"<details><summary>原文（高亮为依据）</summary><div>{body}</div></details>"
            f"<div>依据：<mark>{html.escape(c.quote)}</mark></div></div>"
        )
    timing = result.timings.get("total_ms", 0) / 1000
    head = f"<p class='rq-badge'>用时 {timing:.1f} 秒 · 后端 {html.escape(result.backend)}</p>"
    return head + ("".join(cards) or "<p class='rq-badge'>无引用</p>")


def _history(history: list[Any]) -> list[dict[str, str]]:
    out = []
    for m in history or []:
        role = m.get("role") if isinstance(m, dict) else getattr(m, "role", None)
        content = m.get("content") if isinstance(m, dict) else getattr(m, "content", None)
        if isinstance(content, list):
            content = " ".join(
                str(c.get("text", "")) if isinstance(c, dict) else str(c) for c in content
            )
        if role in ("user", "assistant") and isinstance(content, str):
            out.append({"role": role, "content": content})
    return out


def not_found_note(result: Any) -> str:
    """The "未找到" state: what was searched, so the user can rephrase or widen the filters."""
    labels = {"place": "地区", "year": "年份", "metric": "指标", "attribute": "所问"}
    searched = getattr(result, "searched", None) or {}
    parts = [f"{labels[k]}：{v}" for k, v in searched.items() if k in labels and v]
    where = "；".join(parts) if parts else "全部已导入的报告"
    return (
        f"\n\n🔍 已检索（{where}），资料中没有能回答该问题的内容。"
        "可换一种问法、换个年份或地区再试。"
    )


def _filters(region: str, year: str, doc: str) -> Any:
    from rag.retrieve import Filters

    return Filters(
        regions=[region] if region and region != ALL else [],
        years=[int(year)] if year and year != ALL else [],
        doc_ids=[doc] if doc and doc != ALL else [],
    )


def make_respond(service: ReportQAService) -> Any:
    """The chat function: streams the answer, then the verified answer and its sources."""
    from rag.answer import AnswerResult

    def respond(
        message: str, history: list[Any], region: str, year: str, doc: str
    ) -> Iterator[tuple[str, str]]:
        if not message or not message.strip():
            yield "请输入问题。", ""
            return
        text = ""
        started = time.perf_counter()
        try:
            stream = service.answerer.stream(
                message, _history(history), _filters(region, year, doc)
            )
            for item in stream:
                if isinstance(item, AnswerResult):
                    secs = time.perf_counter() - started
                    note = not_found_note(item) if item.refused else ""
                    reply = f"{item.answer}{note}\n\n（用时 {secs:.1f} 秒）"
                    yield chat_reply(reply, message, service, item), _sources_html(item)
                else:
                    text += item
                    yield text, "<p class='rq-badge'>正在生成…</p>"
        except Exception as exc:  # show a friendly message, never a stack trace
            log.exception("answer failed")
            yield f"抱歉，回答时出错：{exc}", ""

    return respond


class _Library:
    """The 知识库 tab's actions: list, upload, delete, re-ingest."""

    def __init__(self, service: ReportQAService) -> None:
        self.service = service

    def listed(self) -> list[dict[str, Any]]:
        # A damaged index must not stop the UI from loading; /health and the errors of
        # every query say how to rebuild it.
        try:
            return self.service.documents()
        except IndexUnavailable as exc:
            log.error("document list unavailable: %s", exc)
            return []

    def choices(self) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        docs = self.listed()
        regions = sorted({d["region"] for d in docs if d.get("region")})
        years = sorted({str(d["year"]) for d in docs if d.get("year")})
        titles = [(f"{d['title']}（{d['source']}）", d["doc_id"]) for d in docs]
        return [ALL, *regions], [ALL, *years], [(ALL, ALL), *titles]

    def table(self) -> list[list[Any]]:
        return [
            [
                d["title"],
                d.get("region") or "",
                d.get("year") or "",
                d.get("chunks", 0),
                d["source"],
                d["doc_id"],
            ]
            for d in self.listed()
        ]

    def upload(self, files: list[Any] | None, progress: gr.Progress = _PROGRESS) -> tuple[str, Any]:
        if not files:
            return "请选择文件。", self.table()
        lines = [self._upload_one(f) for f in progress.tqdm(files, desc="正在导入")]
        return "\n".join(lines), self.table()

    def _upload_one(self, f: Any) -> str:
        path = Path(f if isinstance(f, str) else f.name)
        try:
            r = self.service.upload(path.name, path.read_bytes())
        except UploadRejected as exc:
            return f"❌ {path.name}：{exc}"
        except Exception as exc:
            log.exception("upload failed")
            return f"❌ {path.name}：导入失败（{exc}）"
        status = {"indexed": "✅ 已导入", "unchanged": "ℹ️ 已存在", "skipped": "⚠️ 跳过"}
        detail = f"{r.documents} 篇文档，{r.chunks} 个片段" if r.status == "indexed" else r.detail
        return f"{status.get(r.status, r.status)} {r.filename}：{detail}"

    def delete(self, doc_id: str) -> tuple[str, Any]:
        if not doc_id or not doc_id.strip():
            return "请输入要删除的文档 ID（见上表最后一列）。", self.table()
        removed = self.service.delete_document(doc_id.strip())
        msg = f"已删除 {removed['source']}" if removed else f"未找到文档 {doc_id}"
        return msg, self.table()

    def reingest(self) -> tuple[str, Any]:
        s = self.service.reingest()
        return (
            f"重新导入完成：新增 {s['chunks_added']} 个片段，删除 {s['chunks_removed']} 个，"
            f"共 {s['total_chunks']} 个片段，用时 {s['seconds']:.1f} 秒"
        ), self.table()

    def tab(self) -> None:
        table = gr.Dataframe(
            value=self.table(),
            headers=["标题", "地区", "年份", "片段数", "文件", "文档 ID"],
            interactive=False,
            wrap=True,
        )
        files = gr.File(label="上传文档（txt / md / pdf / docx / html）", file_count="multiple")
        upload_btn = gr.Button("导入", variant="primary")
        result = gr.Textbox(label="结果", lines=4, interactive=False)
        with gr.Row():
            del_id = gr.Textbox(label="要删除的文档 ID", scale=3)
            del_btn = gr.Button("删除文档", variant="stop", scale=1)
            re_btn = gr.Button("重新导入全部", scale=1)
        upload_btn.click(self.upload, [files], [result, table], api_name="upload")
        del_btn.click(self.delete, [del_id], [result, table], api_name="delete")
        re_btn.click(self.reingest, None, [result, table], api_name="reingest")


def _chat_tab(service: ReportQAService, library: _Library) -> None:
    regions, years, docs = library.choices()
    with gr.Row():
        region = gr.Dropdown(regions, value=ALL, label="地区", scale=1)
        year = gr.Dropdown(years, value=ALL, label="年份", scale=1)
        doc = gr.Dropdown(docs, value=ALL, label="文档", scale=2)
    with gr.Row():
        with gr.Column(scale=3):
            sources = gr.HTML(label="引用来源", render=False)
            gr.ChatInterface(
                make_respond(service),
                chatbot=gr.Chatbot(
                    label="对话",
                    height=460,
                    placeholder=_UI["placeholder"],
                ),
                textbox=gr.Textbox(
                    placeholder="输入问题，回车发送",
                    show_label=False,
                    submit_btn="发送",
                    stop_btn="停止",
                ),
                additional_inputs=[region, year, doc],
                additional_outputs=[sources],
                examples=[[e, ALL, ALL, ALL] for e in EXAMPLES],
                examples_label="示例问题",
                run_examples_on_click=True,
                cache_examples=False,
                api_name="chat",
            )
        with gr.Column(scale=2):
            gr.Markdown("### 引用来源")
            sources.render()


def build_ui(service: ReportQAService) -> gr.Blocks:
    """The Blocks app; mounted at ``/`` by ``app.py``."""
    library = _Library(service)
    with gr.Blocks(title="ReportQA 报告问答") as demo:
        gr.Markdown(
            f"## ReportQA 政府报告问答\n回答均来自已导入的报告，并标注可核对的出处 `[n]`。"
            f"当前模型：**{describe(service.settings)}**"
        )
        with gr.Tab("问答"):
            _chat_tab(service, library)
        with gr.Tab("指标"):
            indicators_tab(service)
        with gr.Tab("知识库"):
            library.tab()
    return demo


__all__ = ["CSS", "EXAMPLES", "build_ui", "make_respond", "not_found_note"]
