"""Files that are not notices are refused with a Chinese message, never half-read.

The importer shows the message to the office user, so each case checks that it says what is wrong.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import docx
import pytest

from rectify.notices.document import NoticeParseError
from rectify.notices.parser import NO_PROBLEMS_MESSAGE, parse, parse_bytes, parse_file
from rectify.notices.readers import extract_paragraphs

GUANGZHOU = Path(__file__).resolve().parents[2] / "src/rectify/notices/data/guangzhou-transport-2025.txt"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refused(call, *args, match: str = "") -> str:
    with pytest.raises(NoticeParseError) as caught:
        call(*args)
    message = str(caught.value)
    assert CHINESE.search(message), message
    assert match in message, message
    return message


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("text", ["", " ", "\n\n\t", "\u3000\u3000\n\xa0", "\ufeff"])
def test_empty_text(text: str) -> None:
    refused(parse, text)


@pytest.mark.parametrize("data", [b"", b"   \r\n\t", "\u3000\n".encode(), b"\xef\xbb\xbf"])
def test_empty_bytes(data: bytes) -> None:
    refused(parse_bytes, data, "notice.txt")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    refused(parse_file, path, match="文件为空")


@pytest.mark.parametrize("seed", range(5))
def test_random_binary(seed: int) -> None:
    data = random.Random(seed).randbytes(4096)
    refused(parse_bytes, data, None)
    refused(parse_bytes, data, "notice.txt")


def test_binary_with_nul_bytes() -> None:
    refused(parse_bytes, b"\x00\x01\x02" * 500, "notice.txt", match="无法识别文件格式")


def test_html_page_that_is_not_a_notice() -> None:
    page = """<!DOCTYPE html><html><head><title>广州市交通运输局</title><script>var x = 1;</script></head>
    <body><nav><ul><li>首页</li><li>政务公开</li></ul></nav>
    <h1>我市开展2025年春运道路运输安全检查</h1>
    <p>一、基本情况</p>
    <p>（一）检查范围。本次检查覆盖全市客运站场32个、道路运输企业186家。</p>
    <p>（二）检查方式。采取“四不两直”方式开展。</p>
    <p>二、下一步安排</p><p>各区要加强节后返程运输组织。</p>
    <footer>版权所有</footer></body></html>"""
    refused(parse_bytes, page.encode("utf-8"), "page.html", match="未识别到整改问题")


def test_docx_that_is_not_a_notice() -> None:
    data = docx_bytes(
        "会议纪要", "一、会议议题", "1.研究年度预算安排", "会议同意预算安排方案。", "2.研究人事事项"
    )
    refused(parse_bytes, data, "纪要.docx", match="未识别到整改问题")


def test_empty_docx() -> None:
    refused(parse_bytes, docx_bytes(), "空白.docx")


def test_zip_that_is_not_a_docx() -> None:
    data = zip_bytes({"readme.txt": "一、关于巡察整改的问题".encode(), "data/a.csv": b"1,2,3"})
    refused(parse_bytes, data, "notice.docx", match="不是 Word")


def test_xlsx_is_not_a_docx() -> None:
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    refused(parse_bytes, data, "问题清单.xlsx", match="不是 Word")


def test_corrupt_docx() -> None:
    data = docx_bytes(*GUANGZHOU.read_text(encoding="utf-8").splitlines())
    refused(parse_bytes, data[: len(data) // 2], "notice.docx", match="损坏")


def test_docx_with_broken_document_xml() -> None:
    good = zipfile.ZipFile(io.BytesIO(docx_bytes("巡察整改")))
    files = {name: good.read(name) for name in good.namelist()}
    files["word/document.xml"] = b"<w:document><not-closed>"
    refused(parse_bytes, zip_bytes(files), "notice.docx", match="损坏")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".doc"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"{\\rtf1\\ansi\\ansicpg936 \\'d5\\'fb\\'b8\\'c4}", "RTF"),
    ],
)
def test_formats_we_cannot_read(data: bytes, match: str) -> None:
    refused(parse_bytes, data, "notice.docx", match=match)


def test_plain_prose_without_problems() -> None:
    prose = (
        "市交通运输局召开巡察整改工作推进会。会议强调，要坚决扛起巡察整改政治责任，"
        "以钉钉子精神抓好整改落实。\n会议由局党组书记主持，局领导班子成员参加。"
    )
    message = refused(parse, prose)
    assert message == NO_PROBLEMS_MESSAGE


def test_numbered_list_that_is_not_about_rectification() -> None:
    text = "\n".join(["购物清单", "1.水果", "苹果三斤。", "2.蔬菜", "白菜一棵。"])
    refused(parse, text, match="未识别到整改问题")


def test_narrative_parts_only() -> None:
    """A notice cut short before its problem part: the narrative alone is not a result."""
    lines = GUANGZHOU.read_text(encoding="utf-8").splitlines()
    cut = next(index for index, line in enumerate(lines) if line.strip().startswith("二、"))
    refused(parse, "\n".join(lines[:cut]), match="未识别到整改问题")


def test_garbage_decoding_as_gb18030_is_refused() -> None:
    # Valid GB18030 (and not UTF-8) but meaningless: decodes, then finds no problems.
    data = bytes(range(0x81, 0xFE)) * 4
    refused(parse_bytes, data, None)


def test_reader_refuses_empty_bytes_itself() -> None:
    refused(extract_paragraphs, b"", None, match="文件为空")


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        parse_file(tmp_path / "missing.txt")
