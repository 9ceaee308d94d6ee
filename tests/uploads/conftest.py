"""Uploads as an attacker sends them: files built in the test (real Word and Excel files from
python-docx and openpyxl, with members added), sent as hand-written multipart bodies so that every
name arrives exactly as given, through the report page and the API alike."""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from rectify.progress.models import Evidence, ProgressReport
from tests.api.test_api import token_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = "本期完成执法规范修订，附佐证材料。"
BOUNDARY = "RectifyUploadsBoundary42"
MB = 1024 * 1024


def multipart(fields: dict, files: list[tuple[str, bytes]], field: str = "files") -> bytes:
    """A multipart body written by hand: the test client would cut a path off a file name first."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    for name, content in files:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


@dataclass
class Sent:
    status: int
    said: str  # the page's HTML, or the API's `detail`
    way: str


class Reporter:
    """Sends a progress report on one measure through the report page or the API."""

    def __init__(self, way: str, measure, username: str):
        self.way = way
        self.measure = measure
        self.client = Client(enforce_csrf_checks=way == "api")
        if way == "api":
            self.headers = token_for(self.client, username)
        else:
            from rectify.org.models import User

            self.client.force_login(User.objects.get(username=username))
            self.headers = {}

    def send(self, files: list[tuple[str, bytes]], text: str = TEXT) -> Sent:
        url = (
            f"/api/v1/measures/{self.measure.pk}/reports"
            if self.way == "api"
            else f"/measures/{self.measure.pk}/report/"
        )
        response = self.client.post(
            url, multipart({"text": text}, files), content_type=CONTENT_TYPE, headers=self.headers
        )
        said = response.json().get("detail", "") if self.way == "api" else response.content.decode()
        if response.status_code in (201, 302):
            said = ""
        return Sent(response.status_code, said, self.way)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture(params=["page", "api"])
def bob(request, ledger, media) -> Reporter:
    """Bob, liaison of unit A1, reporting on measure 1.1 through the page, then through the API."""
    return Reporter(request.param, ledger.measures[(1, 1)], "bob")


def accepted(sent: Sent) -> bool:
    return sent.status == (201 if sent.way == "api" else 302)


def assert_refused(sent: Sent, media: Path, says: str, status: int = 400) -> None:
    """Refused with the Chinese reason, the user's text kept on the page, and nothing stored."""
    assert sent.status == status, sent.said[:2000]
    assert says in sent.said, sent.said[:2000]
    if sent.way == "page":
        assert 'role="alert"' in sent.said and TEXT in sent.said and "需要重新选择" in sent.said
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert stored_files(media) == []


# ------------------------------------------------------------------ files


def docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("整改工作会议纪要")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["序号", "整改措施"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pptx() -> bytes:
    """The parts of a presentation that tell its kind (no pptx writer is installed)."""
    return zipped(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types"><Override PartName="/ppt/presentation.xml" ContentType="'
            b'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>',
            "ppt/presentation.xml": b"<p:presentation/>",
        }
    )


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_members(package: bytes, added: dict[str, bytes], content_types: bytes | None = None) -> bytes:
    """The package with `added` members, and its [Content_Types].xml extended by `content_types`."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if content_types:
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            b"</Types>", content_types + b"</Types>"
        )
    return zipped({**members, **added})


# The part each reader parses, and XML that repeats one element: every copy becomes an object in
# memory (a style for python-docx, a cell for openpyxl), and deflate packs it about a thousand to one.
BOMB_PARTS = {
    "docx": (
        "word/styles.xml",
        b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">',
        b'<w:style w:type="paragraph" w:styleId="a"/>',
        b"</w:styles>",
    ),
    "xlsx": (
        "xl/worksheets/sheet1.xml",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
        b'<row><c t="inlineStr"><is><t>x</t></is></c></row>',
        b"</sheetData></worksheet>",
    ),
}


@functools.cache
def bomb(kind: str, megabytes: int = 200) -> bytes:
    """A real .docx or .xlsx whose main styles or sheet part inflates to `megabytes` of valid XML,
    from some 200 KB for 200 MB. Made once per test run."""
    part, opening, element, closing = BOMB_PARTS[kind]
    with zipfile.ZipFile(io.BytesIO(docx() if kind == "docx" else xlsx())) as real:
        members = {name: real.read(name) for name in real.namelist() if name != part}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        with archive.open(part, "w") as member:
            member.write(opening)
            chunk = element * (MB // len(element))
            for _ in range(megabytes):
                member.write(chunk)
            member.write(closing)
    return buffer.getvalue()


def ole2(*names: str) -> bytes:
    """A legacy Office (OLE2) file whose directory names the given streams (UTF-16, as OLE2 stores them).
    Only what the check reads is real: the signature and the directory names."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\0") for name in ("Root Entry", *names))
    return header + directory + bytes(1024)


# A Windows program's first bytes: the MZ header and the DOS stub every one of them carries.
PROGRAM = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + bytes(48)
    + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + bytes(256)
)
