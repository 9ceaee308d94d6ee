"""Evidence on a progress report, sent as an attacker would, through the report page and the API (each
test runs both ways): the limits on a file and a report, names, content that must match its name,
Office files that carry programs or macros. Every refusal is in Chinese, keeps the user's text on the
page and stores nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib

import pytest
from django.conf import settings as django_settings

from rectify.progress.models import Evidence

from .conftest import (
    MB,
    PDF,
    PROGRAM,
    accepted,
    assert_refused,
    docx,
    ole2,
    pptx,
    stored_files,
    with_members,
    xlsx,
    zipped,
)

# ------------------------------------------------------------------ limits on a file and a report


def test_a_file_over_the_limit_is_refused_naming_the_limit(bob, media, settings):
    settings.RECTIFY_EVIDENCE_MAX_BYTES = 4 * 1024
    sent = bob.send([("方案.pdf", PDF), ("扫描件.pdf", PDF + bytes(5000))])
    assert_refused(sent, media, "文件“扫描件.pdf”大小为 4.9 KB，超过上限 4 KB", status=413)


def test_a_report_over_its_total_is_refused_the_measured_case_at_a_thousandth(bob, media, settings):
    """Measured: one report took six files of 19 MB (114 MB). Here the limits are 20 KB a file and
    50 KB a report, and the six files 19 KB each."""
    settings.RECTIFY_EVIDENCE_MAX_BYTES = 20 * 1024
    settings.RECTIFY_EVIDENCE_MAX_REPORT_BYTES = 50 * 1024
    files = [(f"现场照片{number}.pdf", PDF + bytes(19 * 1024 - len(PDF))) for number in range(6)]
    sent = bob.send(files)
    assert_refused(sent, media, "本次上传的佐证材料合计 114 KB，超过每份报告合计 50 KB 的上限", status=413)
    assert accepted(bob.send(files[:2]))


def test_a_report_with_too_many_files_is_refused(bob, media, settings):
    settings.RECTIFY_EVIDENCE_MAX_FILES = 3
    files = [(f"材料{number}.pdf", PDF) for number in range(4)]
    assert_refused(bob.send(files), media, "每份报告最多上传 3 个佐证材料，本次选择了 4 个")
    assert accepted(bob.send(files[:3])) and Evidence.objects.count() == 3


def test_the_default_limits_are_ones_a_bureau_accepts_and_the_form_states_them(bob):
    assert django_settings.RECTIFY_EVIDENCE_MAX_BYTES == 20 * MB
    assert django_settings.RECTIFY_EVIDENCE_MAX_REPORT_BYTES == 50 * MB
    assert django_settings.RECTIFY_EVIDENCE_MAX_FILES == 10
    assert django_settings.RECTIFY_EVIDENCE_MAX_UNIT_DAY_BYTES == 500 * MB
    if bob.way == "page":
        page = bob.client.get(f"/measures/{bob.measure.pk}/report/").content.decode()
        assert "每个文件不超过 20 MB，每份报告最多 10 个、合计不超过 50 MB" in page


def rectify_shell(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("RECTIFY_EVIDENCE_")}
    return subprocess.run(
        [sys.executable, "-m", "rectify.cli", "shell", "--no-imports", "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_limits_are_read_from_the_environment_and_a_bad_value_stops_the_command():
    code = (
        "from django.conf import settings as s; print(s.RECTIFY_EVIDENCE_MAX_FILES, "
        "s.RECTIFY_EVIDENCE_MAX_REPORT_BYTES, s.RECTIFY_EVIDENCE_MAX_UNIT_DAY_BYTES)"
    )
    result = rectify_shell(
        code,
        RECTIFY_EVIDENCE_MAX_FILES="5",
        RECTIFY_EVIDENCE_MAX_REPORT_MB="30",
        RECTIFY_EVIDENCE_MAX_UNIT_DAY_MB="200",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5", str(30 * MB), str(200 * MB)]
    result = rectify_shell(code, RECTIFY_EVIDENCE_MAX_UNIT_DAY_MB="0")
    assert result.returncode == 2 and "RECTIFY_EVIDENCE_MAX_UNIT_DAY_MB 应不小于 1" in result.stderr


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    "name", ["report..final.pdf", "v1.2.final.pdf", "材料..pdf", "整改方案（定稿）v2.pdf"]
)
def test_ordinary_dots_in_a_name_are_accepted(bob, media, name):
    assert accepted(bob.send([(name, PDF)]))
    assert Evidence.objects.get().original_name == name and len(stored_files(media)) == 1


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../x.pdf", "../x.pdf"),
        ("C:\\a\\b.pdf", "C:\\a\\b.pdf"),
        ("dir/x.pdf", "dir/x.pdf"),
        ("/etc/x.pdf", "/etc/x.pdf"),
        ("..%2Fx.pdf", "..%2Fx.pdf"),  # percent-encoded
        ("dir&#47;x.pdf", "dir/x.pdf"),  # an HTML entity, which Django decodes
        ("C:x.pdf", "C:x.pdf"),  # a drive letter
    ],
)
def test_a_name_carrying_a_path_is_refused_as_documented(bob, media, name, shown):
    """Measured: such names were cut to their last part and stored; the documentation says refused."""
    sent = bob.send([("正常.pdf", PDF), (name, PDF)])
    assert_refused(sent, media, "包含路径")
    assert shown in sent.said.replace("&amp;", "&")


def test_a_hidden_or_dot_name_is_refused(bob, media):
    assert_refused(bob.send([(".htaccess.pdf", PDF)]), media, "不能以“.”开头")


# ------------------------------------------------------------------ content that must match its name


def png(text: bytes = b"") -> bytes:
    """A PNG: signature, header, a text chunk with `text`, and the end."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\0" + text)
        + chunk(b"IEND", b"")
    )


def jpeg(comment: bytes = b"") -> bytes:
    return b"\xff\xd8\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + b"\xff\xd9"


def html_first_docx() -> bytes:
    """A .docx whose first member, stored uncompressed, is a web page: the zip starts with it."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", b"<html><body><script>alert(1)</script></body></html>")
        with zipfile.ZipFile(io.BytesIO(docx())) as real:
            for name in real.namelist():
                archive.writestr(name, real.read(name))
    return buffer.getvalue()


POLYGLOTS = {
    "pdf-html (measured)": (
        "证明.pdf",
        lambda: b"%PDF-1.4\n<html><script>alert(document.cookie)</script>\n%%EOF",
    ),
    "pdf-svg": ("证明.pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n<svg onload=alert(1)>\n%%EOF"),
    "png-script": ("照片.png", lambda: png(b"<script src=//evil.example/x.js></script>")),
    "jpeg-html": ("照片.jpg", lambda: jpeg(b"<!DOCTYPE html><html><body>")),
    "docx-html": ("纪要.docx", html_first_docx),
}


@pytest.mark.parametrize("case", list(POLYGLOTS))
def test_a_file_that_is_also_a_web_page_is_refused(bob, media, case):
    name, make = POLYGLOTS[case]
    assert_refused(bob.send([(name, make())]), media, f"文件“{name}”的开头含有网页代码")


# ------------------------------------------------------------------ Office files with programs or macros

MACRO_TYPE = (
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
)
ACTIVE_CONTENT = {  # case: (name, the file, what the refusal says)
    "embedded-program (measured)": (
        "纪要.docx",
        lambda: with_members(docx(), {"word/embeddings/oleObject1.bin": PROGRAM}),
        "嵌入了可执行程序",
    ),
    "exe-member (measured)": (
        "纪要.docx",
        lambda: with_members(docx(), {"word/setup.exe": PROGRAM}),
        "内含可执行文件“setup.exe”",
    ),
    "script-member": (
        "台账.xlsx",
        lambda: with_members(xlsx(), {"xl/run.ps1": b"iwr x"}),
        "内含可执行文件“run.ps1”",
    ),
    "program-in-ole-object": (
        "纪要.docx",
        lambda: with_members(docx(), {"word/embeddings/oleObject1.bin": ole2("Contents") + PROGRAM}),
        "嵌入了可执行程序",
    ),
    "ole-package": (
        "纪要.docx",
        lambda: with_members(docx(), {"word/embeddings/oleObject2.bin": ole2("\x01Ole10Native")}),
        "嵌入了“程序包”对象",
    ),
    "vba-project": (
        "纪要.docx",
        lambda: with_members(docx(), {"word/vbaProject.bin": ole2("VBA")}),
        "含有宏",
    ),
    "docm-renamed": ("纪要.docx", lambda: with_members(docx(), {}, content_types=MACRO_TYPE), "含有宏"),
    "excel4-macro-sheet": (
        "台账.xlsx",
        lambda: with_members(xlsx(), {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
        "含有宏",
    ),
    "activex": ("汇报.pptx", lambda: with_members(pptx(), {"ppt/activeX/activeX1.xml": b"<ax/>"}), "ActiveX"),
    "macro-in-embedded-workbook": (
        "纪要.docx",
        lambda: with_members(
            docx(),
            {
                "word/embeddings/Workbook1.xlsx": with_members(
                    xlsx(), {"xl/vbaProject.bin": ole2("_VBA_PROJECT")}
                )
            },
        ),
        "含有宏",
    ),
    "legacy-doc-with-macros": ("通知.doc", lambda: ole2("WordDocument", "Macros", "_VBA_PROJECT"), "含有宏"),
    "legacy-xls-with-package": ("台账.xls", lambda: ole2("Workbook", "\x01Ole10Native"), "程序包"),
}


@pytest.mark.parametrize("case", list(ACTIVE_CONTENT))
def test_office_files_carrying_programs_or_macros_are_refused(bob, media, case):
    name, make, says = ACTIVE_CONTENT[case]
    sent = bob.send([("正常.pdf", PDF), (name, make())])
    assert_refused(sent, media, says)
    assert f"文件“{name}”" in sent.said and "另存为 PDF 后上传" in sent.said


CLEAN = {  # case: (name, the file, the content type it is stored with)
    "pdf": ("方案.pdf", lambda: PDF, "application/pdf"),
    "png": ("照片.png", png, "image/png"),
    "jpeg": ("照片.jpg", lambda: jpeg(b"Exif"), "image/jpeg"),
    "docx": ("纪要.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "docx-with-a-chart's-workbook": (
        "纪要.docx",
        lambda: with_members(docx(), {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx()}),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ("台账.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("汇报.pptx", pptx, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "ofd": (
        "通知.ofd",
        lambda: zipped({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<d/>"}),
        "application/ofd",
    ),
    "legacy-doc": ("通知.doc", lambda: ole2("WordDocument", "1Table"), "application/octet-stream"),
}


@pytest.mark.parametrize("case", list(CLEAN))
def test_ordinary_evidence_is_accepted(bob, media, case):
    name, make, content_type = CLEAN[case]
    assert accepted(bob.send([(name, make())]))
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.content_type) == (name, content_type)
