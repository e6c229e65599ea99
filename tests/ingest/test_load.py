"""Loading: encodings, container formats and clear skip reasons, on real bytes."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from ingest.load import SUPPORTED_SUFFIXES, LoadedFile, SkipFile, decode_text, load_file

DATA = Path(__file__).resolve().parents[2] / "data"

SIMPLIFIED = (
    "2021年，全县地区生产总值增长7.5%，一般公共预算收入完成12.3亿元。"
    "我们坚持稳中求进工作总基调，统筹推进疫情防控和经济社会发展，"
    "扎实做好“六稳”工作、全面落实“六保”任务，乡村振兴取得新成效。"
)
TRADITIONAL = (
    "二零二一年，全縣地區生產總值增長百分之七點五，一般公共預算收入完成十二億元。"
    "我們堅持穩中求進工作總基調，統籌推進疫情防控和經濟社會發展，紮實做好「六穩」工作。"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("text", "codec", "expected_encoding"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8-bom"),
        (SIMPLIFIED, "gbk", "gb18030"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (SIMPLIFIED, "gb2312", "gb18030"),
        (TRADITIONAL, "utf-8", "utf-8"),
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL, "cp950", "big5"),
    ],
)
def test_encodings_decode_exactly(tmp_path, text, codec, expected_encoding):
    path = _write(tmp_path, "report.txt", text.encode(codec))
    loaded = load_file(path)
    assert loaded.text == text
    assert loaded.encoding == expected_encoding
    assert loaded.kind == "txt"
    assert "\ufeff" not in loaded.text


@pytest.mark.parametrize("size", [8, 16, 40])
def test_short_gbk_and_big5_are_not_confused(size):
    # GBK bytes often also decode as Big5 (and every Big5 byte string decodes as GB18030):
    # the decoding that reads as ordinary Chinese must win, even for short snippets.
    assert decode_text(SIMPLIFIED[:size].encode("gbk"))[0] == SIMPLIFIED[:size]
    assert decode_text(TRADITIONAL[:size].encode("big5"))[0] == TRADITIONAL[:size]


def test_gb18030_only_characters(tmp_path):
    text = "㐀㐁是扩展区汉字，€也只有GB18030能编码。"
    path = _write(tmp_path, "ext.txt", text.encode("gb18030"))
    assert load_file(path).text == text


def test_newlines_are_normalised(tmp_path):
    path = _write(tmp_path, "crlf.md", "标题\r\n第一段。\r第二段。\n".encode("gbk"))
    loaded = load_file(path)
    assert loaded.text == "标题\n第一段。\n第二段。\n"
    assert loaded.kind == "md"


def test_sha256_is_of_raw_bytes(tmp_path):
    import hashlib

    data = SIMPLIFIED.encode("gbk")
    loaded = load_file(_write(tmp_path, "r.txt", data))
    assert loaded.sha256 == hashlib.sha256(data).hexdigest()
    assert isinstance(loaded, LoadedFile)


def test_sample_corpus_loads_as_utf8():
    for path in sorted(DATA.glob("*.txt")):
        loaded = load_file(path)
        assert loaded.encoding == "utf-8"
        assert loaded.text == path.read_text(encoding="utf-8")


# -- skips ------------------------------------------------------------------------------------


def test_empty_file_is_skipped(tmp_path):
    with pytest.raises(SkipFile, match="empty"):
        load_file(_write(tmp_path, "empty.txt", b""))


def test_binary_file_is_skipped(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(64)
    with pytest.raises(SkipFile, match="binary") as info:
        load_file(_write(tmp_path, "image.txt", png))
    assert "\n" not in str(info.value)


def test_unsupported_suffix_is_skipped(tmp_path):
    with pytest.raises(SkipFile, match=r"unsupported.*\.xls.*convert") as info:
        load_file(_write(tmp_path, "table.xls", b"whatever"))
    assert "\n" not in str(info.value)
    assert ".xls" not in SUPPORTED_SUFFIXES
    assert {".txt", ".md", ".pdf", ".docx", ".html", ".htm"} <= SUPPORTED_SUFFIXES


def test_too_large_file_is_skipped(tmp_path):
    path = _write(tmp_path, "big.txt", SIMPLIFIED.encode("utf-8") * 20)
    with pytest.raises(SkipFile, match="too large"):
        load_file(path, max_bytes=1000)


def test_missing_file_is_skipped(tmp_path):
    with pytest.raises(SkipFile, match="cannot read"):
        load_file(tmp_path / "missing.txt")


def test_undecodable_bytes_are_skipped(tmp_path):
    # Bytes that are neither UTF-8, GB18030 nor Big5 text and carry no NULs.
    junk = bytes(range(0x80, 0x100)) * 8
    with pytest.raises(SkipFile):
        load_file(_write(tmp_path, "junk.txt", junk))


# -- containers -------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells(tmp_path):
    document = docx.Document()
    document.add_paragraph("2021年紫金县政府工作报告")
    document.add_paragraph("全县地区生产总值增长7.5%。")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "主要指标"
    table.cell(0, 2).text = "数值"
    table.cell(1, 0).text = "生产总值"
    table.cell(1, 1).text = "增长"
    table.cell(1, 2).text = "7.5%"
    document.add_paragraph("以上数据为初步统计。")
    path = tmp_path / "report.docx"
    document.save(path)

    loaded = load_file(path)
    assert loaded.kind == "docx"
    assert loaded.text.split("\n") == [
        "2021年紫金县政府工作报告",
        "全县地区生产总值增长7.5%。",
        "| 主要指标 | 数值 |",  # one row a line; the merged cell appears once
        "| 生产总值 | 增长 | 7.5% |",
        "以上数据为初步统计。",
    ]


def test_not_a_docx_is_skipped(tmp_path):
    with pytest.raises(SkipFile, match="docx"):
        load_file(_write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0 an OLE2 .doc file"))


def test_html_drops_chrome_and_keeps_inline_text(tmp_path):
    html = """<html><head><meta charset="gb2312"><title>门户网站</title>
    <style>p { color: red }</style><script>var tracker = 1;</script></head>
    <body><header>网站首页 | 政务公开</header><nav><a href="/">首页</a><a>新闻</a></nav>
    <article><header><h1>2021年某县政府工作报告</h1></header>
    <p>全县<b>地区生产总值</b>增长７.５％。</p><p>第二段&nbsp;内容。<br>换行后的内容。</p>
    <table><tr><td>指标</td><td>数值</td></tr></table></article>
    <footer>版权所有 某县人民政府</footer></body></html>"""
    loaded = load_file(_write(tmp_path, "page.html", html.encode("gbk")))
    assert loaded.kind == "html"
    assert loaded.encoding == "gb18030"
    assert loaded.text.split("\n") == [
        "2021年某县政府工作报告",
        "全县地区生产总值增长７.５％。",
        "第二段 内容。",
        "换行后的内容。",
        "| 指标 | 数值 |",
    ]


def _text_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with a Helvetica text layer, written by hand."""
    ops = " ".join(f"({line}) Tj T*" for line in lines)
    content = f"BT /F1 12 Tf 72 720 Td 14 TL {ops} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out.write(trailer.encode())
    return out.getvalue()


def test_pdf_text_layer(tmp_path):
    pdf = _text_pdf(["Government Work Report 2021", "GDP grew by 7.5 percent."])
    loaded = load_file(_write(tmp_path, "report.pdf", pdf))
    assert loaded.kind == "pdf"
    assert "Government Work Report 2021" in loaded.text
    assert "GDP grew by 7.5 percent." in loaded.text


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(SkipFile, match="OCR") as info:
        load_file(_write(tmp_path, "scan.pdf", buf.getvalue()))
    assert "\n" not in str(info.value)


def test_broken_pdf_is_skipped(tmp_path):
    with pytest.raises(SkipFile, match="PDF"):
        load_file(_write(tmp_path, "broken.pdf", b"%PDF-1.4\nthis is not a pdf body"))


def test_a_portal_pages_article_title_comes_before_the_site_chrome(tmp_path):
    html = """<html><head><meta charset="utf-8">
    <title>汀澜区文旅局2024年工作总结_工作动态_樾城市汀澜区人民政府</title></head><body>
    <div class="top"><span>今天是：2025年1月14日</span></div>
    <div class="logo"><h1>樾城市汀澜区人民政府</h1></div>
    <div class="crumb">当前位置：首页 &gt; 工作动态</div>
    <h2 class="title">汀澜区文旅局2024年工作总结</h2>
    <p>2024年，全区接待游客1863.5万人次。</p></body></html>"""
    text = load_file(_write(tmp_path, "page.html", html.encode("utf-8"))).text
    lines = text.split("\n")
    assert lines[0] == "汀澜区文旅局2024年工作总结"
    assert "樾城市汀澜区人民政府" in lines and lines.count("汀澜区文旅局2024年工作总结") == 1


def test_a_txt_reports_space_aligned_table_loads_as_rows(tmp_path):
    text = (
        "表1  青山县2024年主要经济指标完成情况\n"
        "指标名称            全年目标      完成情况    同比增长\n"
        "一般公共预算收入    5.4亿元       5.12亿元    3.8%\n"
        "固定资产投资        18亿元        17.3亿元    4.1%\n"
        "全年一般公共预算收入5.12亿元，增长3.8%。\n"
    )
    loaded = load_file(_write(tmp_path, "report.txt", text.encode("utf-8")))
    assert "| 一般公共预算收入 | 5.4亿元 | 5.12亿元 | 3.8% |" in loaded.text, loaded.text
    assert "| 指标名称 | 全年目标 | 完成情况 | 同比增长 |" in loaded.text
    assert "全年一般公共预算收入5.12亿元，增长3.8%。" in loaded.text  # prose stays prose
