"""Read a report file of any supported kind into one Unicode string.

Reports arrive as whatever people had: UTF-8 text from a scraper, GBK/GB18030 text saved by
Windows tools on the mainland, Big5 from Taiwan or Hong Kong sources, Word files, PDFs and saved
web pages. Everything downstream (cleaning, chunking, citations) works on the one string this
module returns, and citations store offsets into it, so loading is deterministic and normalises
only what has to be normalised (newlines, byte-order marks).

A file that cannot be indexed raises :class:`SkipFile` with a one-line reason that tells the user
what to do, so an ingest run can report skipped files instead of failing.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ingest.table_text import spaced_tables, stacked_tables, table_row

__all__ = ["SUPPORTED_SUFFIXES", "LoadedFile", "SkipFile", "decode_text", "load_file"]

_SUFFIX_KIND = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_SUFFIX_KIND)


class SkipFile(Exception):
    """A file that will not be indexed; ``str(e)`` is a one-line reason saying what to do."""


@dataclass(frozen=True)
class LoadedFile:
    """Text of one file plus what is needed to cite it and to notice when it changes."""

    path: Path
    text: str  # newlines normalised to "\n"; citations are offsets into this string
    encoding: str  # detected text encoding; "n/a" for pdf/docx, whose container defines it
    kind: str  # "txt" | "md" | "pdf" | "docx" | "html"
    sha256: str  # of the raw bytes, so re-ingesting an unchanged file can be skipped


# --------------------------------------------------------------------------------------------
# Text decoding
# --------------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Legacy Chinese encodings to try after UTF-8, in order of how common they are for reports.
_LEGACY = ("gb18030", "big5", "cp950")


@lru_cache(maxsize=1)
def _common_hanzi() -> frozenset[str]:
    """The characters real Chinese text is made of: GB2312 level 1 (3,755 most frequent
    simplified characters) plus Big5's frequently-used block (5,401 traditional ones).

    Derived from the codecs themselves, so no word list has to be shipped. Mis-decoded bytes
    (GBK read as Big5 or the reverse) land largely outside this set, which is how the right
    decoding is told apart: both decodings are "valid CJK", only one is ordinary text.
    """
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):  # GB2312 level-1 rows 16..55
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("gb2312"))
    for lead in range(0xA4, 0xC7):  # Big5 frequently used characters A440..C67E
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("big5"))
    # Common punctuation of Chinese text, shared by both encodings.
    chars.update("，。、；：？！“”‘’（）《》〈〉【】—…·「」『』〇　％")
    return frozenset(chars)


def _plausibility(text: str) -> int:
    """Score a decoding: common Chinese characters count for it, other non-ASCII characters
    (rare hanzi, kana, box drawing, private use) against it, replacement characters heavily."""
    common = _common_hanzi()
    score = 0
    for ch in text:
        if ch < "\x80":
            continue
        if ch == "\ufffd":
            score -= 10
        elif ch in common:
            score += 1
        else:
            score -= 1
    return score


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return bad / len(text)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode report bytes to text; return ``(text, encoding)``.

    Order: byte-order mark, strict UTF-8, then the legacy Chinese encodings (GB18030 covers
    GBK and GB2312), choosing by :func:`_plausibility` because GBK bytes often also decode as
    Big5 and vice versa; charset-normalizer is the fallback for anything else.
    Raises :class:`SkipFile` for binary or undecodable data.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), "utf-8-bom" if enc == "utf-8-sig" else enc
            except UnicodeDecodeError as exc:
                raise SkipFile(
                    f"starts with a {enc} byte-order mark but is not valid {enc} ({exc.reason}); "
                    "re-save it as UTF-8"
                ) from exc
    if b"\x00" in data:
        raise SkipFile("binary content (NUL bytes); only plain-text reports can be read as text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[int, str, str]] = []
    for enc in _LEGACY:
        if enc == "cp950" and any(c[2] == "big5" for c in candidates):
            continue  # cp950 only matters where plain Big5 fails (its vendor extensions)
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), text, enc))
    if not candidates or max(c[0] for c in candidates) <= 0:
        guess = _charset_normalizer_guess(data)
        if guess is not None:
            candidates.append((_plausibility(guess[0]), guess[0], guess[1]))
    if not candidates:
        raise SkipFile("cannot decode as UTF-8, GB18030 or Big5; re-save it as UTF-8 text")
    _, text, enc = max(candidates, key=lambda c: c[0])
    if text.count("\ufffd") > max(3, len(text) // 100):
        raise SkipFile(f"text decodes only with many errors (as {enc}); re-save it as UTF-8")
    return text, enc


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - declared dependency
        return None
    best = from_bytes(data).best()
    if best is None:
        return None
    return str(best), best.encoding


_NEWLINES = re.compile(r"\r\n|[\r\f\v\x85\u2028\u2029]")


def _normalise(text: str) -> str:
    """``\\n`` line ends; form feeds (page breaks) become line breaks; stray BOMs go."""
    return _NEWLINES.sub("\n", text).replace("\ufeff", "")


# --------------------------------------------------------------------------------------------
# Container formats
# --------------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise SkipFile("PDF support needs the pypdf package; install the requirements") from exc
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable PDFs are common
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SkipFile("PDF is password-protected; save an unprotected copy and ingest that")
        pages = [(page.extract_text() or "").strip("\n") for page in reader.pages]
    except SkipFile:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SkipFile(
            f"unreadable PDF ({type(exc).__name__}); re-export it as PDF or text"
        ) from exc
    text = spaced_tables(stacked_tables("\n".join(pages)))
    visible = sum(1 for ch in text if not ch.isspace())
    if visible < 5 * max(1, len(pages)):
        raise SkipFile(
            f"PDF has no text layer ({len(pages)} page(s), scanned images?); it needs OCR "
            "(e.g. ocrmypdf -l chi_sim) before it can be ingested"
        )
    return text


def _docx_text(data: bytes) -> str:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise SkipFile("Word support needs python-docx; install the requirements") from exc

    lines: list[str] = []

    def walk(container: object) -> None:
        # Body paragraphs and tables in document order; a table row is one line of cells, so
        # a number stays with its row label and under its column (see :func:`table_row`).
        for block in container.iter_inner_content():  # type: ignore[attr-defined]
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                for row in block.rows:
                    seen: set[int] = set()
                    cells: list[str] = []
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # a merged cell repeats in every grid column
                            continue
                        seen.add(id(cell._tc))
                        cells.append(" ".join(cell.text.split()))
                    lines.append(table_row(cells))

    try:
        walk(docx.Document(io.BytesIO(data)))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SkipFile(
            "not a valid .docx (an old .doc renamed?); open and re-save it as .docx"
        ) from exc
    return "\n".join(lines)


_BLOCK_TAGS = (
    "address", "article", "blockquote", "caption", "dd", "div", "dl", "dt", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section",
    "table", "td", "th", "tr", "ul",
)  # fmt: skip
_DROP_TAGS = (
    "script", "style", "nav", "noscript", "template", "iframe", "svg", "aside", "head",
    "button", "select",
)  # fmt: skip
# Page-level header/footer are site chrome; inside an <article> the header holds the title.
_CHROME_TAGS = ("header", "footer")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


#: what separates a portal page's <title> parts ("文章标题_工作动态_某区人民政府")
_TITLE_PARTS = re.compile(r"\s*(?:_|\||｜|--|—|–|\s-\s)\s*")
_MIN_PAGE_TITLE = 6


def _title_first(soup: Any, page_title: str) -> None:
    """A portal page names its article first in ``<title>``; the element of the body holding
    that name moves to the top, so the document is titled (and dated) by it, not by the
    site's chrome above it ("今天是：2025年1月14日", "某市某区人民政府", menus). The chrome
    stays: its greeting or site name may be the only place the page names."""
    name = _TITLE_PARTS.split(page_title)[0].strip() if page_title else ""
    if len(name) < _MIN_PAGE_TITLE or soup.body is None:
        return
    heading = soup.body.find(lambda tag: tag.get_text(strip=True) == name)
    if heading is not None:
        soup.body.insert(0, heading.extract())


def _html_text(data: bytes) -> tuple[str, str]:
    try:
        from bs4 import BeautifulSoup
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise SkipFile("HTML support needs beautifulsoup4; install the requirements") from exc
    text, enc = None, None
    m = _META_CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii").lower()
        if declared in ("gb2312", "gbk"):
            declared = "gb18030"  # pages declaring gb2312 routinely use GBK characters
        try:
            text, enc = data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text, enc = decode_text(data)
    try:
        import lxml  # noqa: F401

        parser = "lxml"
    except ImportError:  # pragma: no cover
        parser = "html.parser"
    soup = BeautifulSoup(text, parser)
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    _title_first(soup, page_title)
    for tag in soup.find_all(_CHROME_TAGS):
        if tag.find_parent(("article", "main")) is None:
            tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tr in soup.find_all("tr"):
        cells = [" ".join(c.get_text(" ").split()) for c in tr.find_all(("td", "th"))]
        tr.replace_with(f"\n{table_row(cells)}\n" if cells else "\n")
    # Newlines only at block boundaries: inline tags (<b>, <a>, <span>) stay inside sentences.
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in soup.get_text().split("\n"))
    return "\n".join(ln for ln in lines if ln), enc or "utf-8"


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n} bytes"


def load_file(path: Path, max_bytes: int = 200 * 2**20) -> LoadedFile:
    """Load one file as text; raise :class:`SkipFile` with a reason when it cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    kind = _SUFFIX_KIND.get(suffix)
    if kind is None:
        shown = suffix or "(no suffix)"
        raise SkipFile(
            f"unsupported file type {shown}; convert it to .txt, .md, .pdf, .docx or .html"
        )
    try:
        if path.is_dir():
            raise SkipFile("is a directory, not a file")
        size = path.stat().st_size
        if size == 0:
            raise SkipFile("empty file (0 bytes); nothing to index")
        if size > max_bytes:
            raise SkipFile(
                f"too large ({_size(size)} > {_size(max_bytes)} limit); "
                "split it or raise the size limit"
            )
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc
        raise SkipFile(
            f"cannot read file ({reason}); check that it exists and is readable"
        ) from exc
    sha = hashlib.sha256(data).hexdigest()

    if kind == "pdf":
        text, encoding = _pdf_text(data), "n/a"
    elif kind == "docx":
        text, encoding = _docx_text(data), "n/a"
    elif kind == "html":
        text, encoding = _html_text(data)
    else:
        text, encoding = decode_text(data)
        if kind == "txt":  # a plain-text report aligns its tables with spaces, as a PDF does
            text = spaced_tables(text)
    text = _normalise(text)
    if _control_ratio(text) > 0.01:
        raise SkipFile("binary content (control characters); only text reports can be read")
    if not text.strip():
        raise SkipFile("no text content after loading; nothing to index")
    return LoadedFile(path=path, text=text, encoding=encoding, kind=kind, sha256=sha)
