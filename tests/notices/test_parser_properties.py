"""Property tests: whatever comes in, the parser answers with a document or a NoticeParseError.

The importer shows NoticeParseError's message to the user and treats anything else as a server
error, so no input may escape as another exception. Hypothesis runs derandomized, so the examples
are the same on every run and in CI.
"""

from __future__ import annotations

import io
import json
from itertools import pairwise
from pathlib import Path

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rectify.notices.document import NoticeDocument, NoticeParseError
from rectify.notices.parser import parse, parse_bytes

GUANGZHOU = Path(__file__).resolve().parents[2] / "src/rectify/notices/data/guangzhou-transport-2025.txt"
FIXTURE_LINES = GUANGZHOU.read_text(encoding="utf-8").splitlines()

PROPERTY = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces of notices, so that generated text reaches the structural code paths and not only the
# "no problems found" exit: lines of a list marker followed by words.
MARKERS = [
    "",
    "",
    "",
    "一、",
    "二、",
    "（一）",
    "(二)",
    "（十一）",
    "1.",
    "2、",
    "３．",
    "（1）",
    "(2)",
    "①",
    "②",
]
WORDS = [
    "一是",
    "二是",
    "十一是",
    "统一是",
    "整改情况：",
    "整改措施:",
    "问题表现：",
    "关于",
    "台账不全",
    "的问题",
    "方面",
    "的整改",
    "。",
    "；",
    ",",
    "：",
    "下一步，",
    "2023年8月16日至9月28日",
    "二〇二五年三月二十日",
    "9月31日",
    "同年7月3日",
    "反馈了巡察意见",
    "市委第七巡察组对市交通运输局党组进行了专项巡察",
    "对",
    "进行了",
    "巡察",
    "巡视",
    "审计",
    "第六轮",
    "欢迎广大干部群众对巡察整改落实情况进行监督。",
    "联系电话：020-38180385",
    "电子邮箱：a@b.cn",
    "通信地址：广州市（信封请注明“意见”",
    "邮编：510620",
    "中共广州市交通运输局党组",
    "关于巡察整改进展情况的通报",
    "索引号: 1 分类: 2",
    "发布日期:2025-13-45",
    "名称:",
    "【打印】",
    "浏览次数:52",
    "<p>",
    "</p>",
    "<html>",
    "\u3000",
    "\xa0",
    " ",
]

notice_line = st.builds(
    lambda marker, words: marker + "".join(words),
    st.sampled_from(MARKERS),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=4)), max_size=8),
)
notice_like_text = st.lists(notice_line, max_size=40).map("\n".join)


def check_document(document: NoticeDocument) -> None:
    """What every returned document promises the importer."""
    assert isinstance(document, NoticeDocument)
    assert document.problems, "a document is only returned with problems"
    numbers = [problem.number for problem in document.problems]
    assert all(number >= 1 for number in numbers)
    assert all(a < b for a, b in pairwise(numbers))
    for area in document.areas:
        assert area.problems
    for problem in document.problems:
        for measure in problem.measures:
            assert measure.text
            assert measure.text == measure.text.strip()
    json.dumps(document.to_dict(), ensure_ascii=False)


def parse_or_refuse(call, *args) -> None:
    try:
        document = call(*args)
    except NoticeParseError as error:
        assert str(error)
        return
    check_document(document)


@PROPERTY
@given(st.text())
def test_parse_arbitrary_text(text: str) -> None:
    parse_or_refuse(parse, text)


@PROPERTY
@given(notice_like_text)
def test_parse_notice_like_text(text: str) -> None:
    parse_or_refuse(parse, text)


@PROPERTY
@given(
    st.lists(st.integers(min_value=0, max_value=len(FIXTURE_LINES) - 1), max_size=len(FIXTURE_LINES)),
    st.integers(min_value=0, max_value=400),
)
def test_parse_mangled_fixture(picks: list[int], cut: int) -> None:
    """Lines of the real notice dropped, repeated, reordered and truncated."""
    lines = [FIXTURE_LINES[index] for index in picks]
    if lines:
        lines[-1] = lines[-1][:cut]
    parse_or_refuse(parse, "\n".join(lines))


@PROPERTY
@given(st.binary(max_size=2048), st.sampled_from([None, "a.txt", "a.html", "a.docx", "a"]))
def test_parse_bytes_arbitrary(data: bytes, filename: str | None) -> None:
    parse_or_refuse(parse_bytes, data, filename)


@PROPERTY
@given(st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", b"<html>", b"\xef\xbb\xbf", b"\xff\xfe"]), st.binary())
def test_parse_bytes_with_magic_prefix(prefix: bytes, data: bytes) -> None:
    parse_or_refuse(parse_bytes, prefix + data, None)


def _fixture_docx() -> bytes:
    document = docx.Document()
    for line in FIXTURE_LINES:
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


FIXTURE_DOCX = _fixture_docx()


@settings(PROPERTY, max_examples=40)
@given(st.integers(min_value=0, max_value=len(FIXTURE_DOCX)), st.binary(min_size=1, max_size=8))
def test_parse_bytes_damaged_docx(position: int, garbage: bytes) -> None:
    """A real .docx truncated or overwritten somewhere: read it or refuse it, never crash."""
    damaged = FIXTURE_DOCX[:position] + garbage + FIXTURE_DOCX[position + len(garbage) :]
    parse_or_refuse(parse_bytes, damaged, "notice.docx")
    parse_or_refuse(parse_bytes, FIXTURE_DOCX[:position], "notice.docx")


@PROPERTY
@given(st.text(alphabet=st.sampled_from("<>/p div tr td br一、（）1.。整改问题关于\n"), max_size=300))
def test_parse_markup_soup(text: str) -> None:
    parse_or_refuse(parse_bytes, ("<html><body>" + text).encode("utf-8"), "page.html")
