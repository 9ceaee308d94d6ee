"""Turn an uploaded notice (bytes) into paragraphs of plain text.

Notices reach us as whatever the user had at hand: text copied from a government portal, the saved
web page, or the Word file the office drafted. The parser only wants paragraphs, so this module
hides the formats. The format is decided by the content, never by the file name alone: portals serve
Word files that are really HTML, and users rename files freely. The name is only a tie-breaker.

Anything we cannot read raises `NoticeParseError` with a Chinese message the user can act on.
Pure Python (no Django); bs4 and python-docx are imported lazily so that parsing plain text stays
cheap.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any, Literal

from rectify import office

from .document import NoticeParseError

Format = Literal["docx", "html", "text"]

__all__ = [
    "Format",
    "decode_text",
    "detect_format",
    "extract_paragraphs",
    "looks_like_html",
    "text_paragraphs",
]

# No notice's main part inflates this far; lxml would need many times that in memory.
MAX_DOCUMENT_XML_BYTES = 64 * 1024 * 1024

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_PDF_MAGIC = b"%PDF"
_RTF_MAGIC = b"{\\rtf"

# Characters that never belong to a text file; a few of them mean we decoded binary data.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Invisible characters that portals and Word sprinkle around paragraphs.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"

_STRONG_HTML_RE = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s)", re.IGNORECASE)
_BLOCK_TAG_RE = re.compile(r"<(?:p|div|br|table|tr|td|h[1-6]|span|li|section|article)[\s/>]", re.IGNORECASE)


def extract_paragraphs(data: bytes, filename: str | None = None) -> list[str]:
    """The non-empty paragraphs of an uploaded notice, in reading order.

    Raises NoticeParseError (Chinese message) for empty files, binary data, legacy Office or PDF files,
    zips that are not Word documents and corrupt Word documents.
    """
    if not data or not data.strip():
        raise NoticeParseError("文件为空：没有可读取的内容。")
    kind = detect_format(data, filename)
    if kind == "docx":
        return _docx_paragraphs(data)
    text = decode_text(data)
    if kind == "html" or (kind == "text" and looks_like_html(text, filename)):
        return _html_paragraphs(text)
    return text_paragraphs(text, filename)


def detect_format(data: bytes, filename: str | None = None) -> Format:
    """Which reader the bytes need: "docx", "html" or "text".

    Only the magic numbers decide "docx"; HTML vs text is settled after decoding (`looks_like_html`),
    so this returns "html" only when the bytes plainly start as markup. Formats we cannot read at all
    raise NoticeParseError here so the user hears why.
    """
    head = data[:8]
    if head.startswith(_ZIP_MAGIC):
        return "docx"
    if head.startswith(office.OLE2):  # legacy .doc/.xls
        raise NoticeParseError("不支持旧版 Word（.doc）或 Excel 文件：请在 Word 中另存为 .docx 后再上传。")
    if head.startswith(_PDF_MAGIC):
        raise NoticeParseError("暂不支持 PDF 文件：请上传 .docx、网页（.html）或文本（.txt）格式的通报。")
    if head.startswith(_RTF_MAGIC):
        raise NoticeParseError("不支持 RTF 文件：请在 Word 中另存为 .docx 后再上传。")
    sniff = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def decode_text(data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    GB18030 is a superset of GBK and GB2312, which is what older Chinese Windows tools save.
    Binary data that happens to decode is caught by its control characters.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_binary(text):
            break
        return text
    raise NoticeParseError("无法识别文件格式：文件不是文本、网页或 Word（.docx）文档，或编码无法识别。")


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:20000]
    controls = len(_CONTROL_RE.findall(sample))
    return controls > max(2, len(sample) // 200)


def looks_like_html(text: str, filename: str | None = None) -> bool:
    """Whether decoded text is markup. A .html/.htm name lowers the bar; a .txt name raises it."""
    head = text[:8192]
    if _STRONG_HTML_RE.search(head):
        return True
    name = (filename or "").lower()
    if name.endswith((".html", ".htm", ".shtml", ".xhtml")):
        return bool(_BLOCK_TAG_RE.search(head))
    if name.endswith(".txt"):
        return False
    return head.lstrip().startswith("<") and len(_BLOCK_TAG_RE.findall(head)) >= 3


def clean_paragraph(text: str) -> str:
    """Trim a paragraph: ends stripped of spaces, full-width spaces, nbsp and invisible marks."""
    return text.strip().strip(_INVISIBLE).strip()


def text_paragraphs(text: str, filename: str | None = None) -> list[str]:
    """Paragraphs of a decoded text: one per line, blank lines dropped, markup read as HTML.

    The text is kept as written (punctuation and inner spacing untouched); only the ends of each line
    are trimmed, because copied web text is indented with spaces, nbsp and U+3000.
    """
    if looks_like_html(text, filename):
        return _html_paragraphs(text)
    lines = (clean_paragraph(_CONTROL_RE.sub("", line)) for line in text.splitlines())
    return [line for line in lines if line]


# ---------------------------------------------------------------------------------------------- HTML

# Chrome we never want: code, navigation, page header/footer, widgets.
_HTML_DROP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "nav",
        "header",
        "footer",
        "aside",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "button",
        "select",
        "textarea",
        "input",
        "map",
    }
)
_HTML_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar"})
_HTML_BLOCK = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "section",
        "article",
        "main",
        "blockquote",
        "pre",
        "address",
        "figure",
        "figcaption",
        "center",
        "hr",
        "form",
        "fieldset",
        "legend",
        "body",
        "html",
    }
)
_HTML_CELL = frozenset({"td", "th"})
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CJK = r"\u2010-\u2027\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_BREAK_RE = re.compile(rf"(?<=[{_CJK}])\n(?=[{_CJK}])")
_ASCII_WS_RE = re.compile(r"[ \t\r\n\f\v]+")
_LINE_BREAK_RE = re.compile(r"[ \t\r\n\f\v]*[\r\n][ \t\r\n\f\v]*")


def _html_paragraphs(markup: str) -> list[str]:
    """Block elements become paragraphs; table rows become one line with cells joined by a space.

    Browsers collapse source whitespace; so do we, except that a source line break between two
    Chinese characters disappears (it is layout, not a space). The walk is iterative, so deeply
    nested markup cannot exhaust the recursion limit.
    """
    try:
        from bs4 import BeautifulSoup
        from bs4.element import NavigableString, PreformattedString, Tag

        soup = BeautifulSoup(_CONTROL_RE.sub("", markup), "lxml")
    except Exception as error:  # lxml/bs4 raise assorted errors on hostile markup
        raise NoticeParseError("网页无法解析：文件不是有效的 HTML 页面。") from error

    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if not buffer:
            return
        raw = "".join(buffer)
        buffer.clear()
        raw = _LINE_BREAK_RE.sub("\n", raw)
        raw = _CJK_BREAK_RE.sub("", raw)
        text = clean_paragraph(_ASCII_WS_RE.sub(" ", raw))
        if text:
            paragraphs.append(text)

    stack: list[tuple[Any, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if node.name in _HTML_CELL:
                buffer.append(" ")
            else:
                flush()
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                # Keep line breaks for now: flush() decides whether they are spaces.
                buffer.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name in _HTML_DROP or _html_hidden(node):
            continue
        if name == "br":
            flush()
            continue
        if name in _HTML_BLOCK:
            flush()
            stack.append((node, True))
        elif name in _HTML_CELL:
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return paragraphs


def _html_hidden(tag: Any) -> bool:
    attrs = tag.attrs or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    if str(attrs.get("role", "")).lower() in _HTML_DROP_ROLES:
        return True
    return bool(_HIDDEN_STYLE_RE.search(str(attrs.get("style", ""))))


# ---------------------------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_P, _W_TBL, _W_TR, _W_TC, _W_SDT, _W_SDT_CONTENT = (
    f"{_W}p",
    f"{_W}tbl",
    f"{_W}tr",
    f"{_W}tc",
    f"{_W}sdt",
    f"{_W}sdtContent",
)
_W_T, _W_TAB, _W_BR, _W_CR, _W_NO_BREAK_HYPHEN = (
    f"{_W}t",
    f"{_W}tab",
    f"{_W}br",
    f"{_W}cr",
    f"{_W}noBreakHyphen",
)
_W_CUSTOM_XML = f"{_W}customXml"
# Subtrees whose text is not the paragraph's own: drawings and text boxes (also duplicated in
# mc:Fallback), field instructions, deleted revisions.
_W_SKIP = frozenset(
    {
        f"{_W}drawing",
        f"{_W}pict",
        f"{_W}object",
        f"{_W}del",
        f"{_W}instrText",
        f"{_W}delText",
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent",
    }
)


def _docx_paragraphs(data: bytes) -> list[str]:
    """Paragraphs of a .docx in document order; table rows read as lines of cells.

    python-docx validates the package (content types, main part); the text itself is read from the
    body XML so that content controls (w:sdt), tracked insertions and merged cells come out once and
    in order, which python-docx's paragraph API does not guarantee.
    """
    try:
        with office.open_zip(data) as archive:  # refuses a zip bomb before anything is inflated
            names = set(archive.namelist())
            main = archive.getinfo("word/document.xml") if "word/document.xml" in names else None
    except zipfile.BadZipFile as error:
        raise NoticeParseError("文件已损坏：无法作为压缩包或 Word（.docx）文档打开。") from error
    except office.UnsafePackage as error:
        raise NoticeParseError(f"Word 文档{error.message}") from None
    if main is None:
        raise NoticeParseError("文件是压缩包，但不是 Word（.docx）文档：请上传 .docx、网页或文本格式的通报。")
    if main.file_size > MAX_DOCUMENT_XML_BYTES:
        raise NoticeParseError("Word 文档过大，无法读取。")
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        lines = [clean_paragraph(line) for line in _docx_blocks(document.element.body)]
    except NoticeParseError:
        raise
    except Exception as error:  # python-docx/lxml raise many types on a damaged package
        raise NoticeParseError("Word 文档已损坏或格式不受支持，无法读取。") from error
    return [line for line in lines if line]


def _docx_blocks(container: Any) -> Iterator[str]:
    """Lines of a body, table cell or content control. Tables nest only a few levels deep."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == _W_P:
            yield from _docx_paragraph_text(child).split("\n")
        elif tag == _W_TBL:
            for row in child.iterchildren(_W_TR):
                yield from _docx_row(row)
        elif tag == _W_SDT:
            content = child.find(_W_SDT_CONTENT)
            if content is not None:
                yield from _docx_blocks(content)
        elif tag == _W_CUSTOM_XML:
            yield from _docx_blocks(child)


def _docx_row(row: Any) -> Iterator[str]:
    cells: list[list[str]] = []
    for cell in row.iterchildren(_W_TC):
        lines = [line.strip() for line in _docx_blocks(cell)]
        lines = [line for line in lines if line]
        if lines:
            cells.append(lines)
    if all(len(lines) == 1 for lines in cells):
        # A label/value row (索引号 | 11440100…) reads best as one line, like the portal page.
        if cells:
            yield " ".join(lines[0] for lines in cells)
        return
    for lines in cells:
        yield from lines


def _docx_paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    stack = [paragraph]
    while stack:
        element = stack.pop()
        tag = element.tag
        if tag in _W_SKIP:
            continue
        if tag == _W_T:
            parts.append(element.text or "")
        elif tag == _W_TAB:
            parts.append("\t")
        elif tag in (_W_BR, _W_CR):
            parts.append("\n")
        elif tag == _W_NO_BREAK_HYPHEN:
            parts.append("-")
        stack.extend(reversed(list(element)))
    return "".join(parts)
