"""Files people attach (evidence of progress, minutes of meetings) and send back to those who may read
them: one set of checks and one way of sending, for every app that keeps such files.

Refused before anything is written: a name carrying a path (as the client sent it, see
rectify.multipart); an empty file; more than RECTIFY_EVIDENCE_MAX_BYTES; content that is no accepted
type or does not match the extension (an .exe renamed .pdf); HTML or script where a browser would sniff
the type (a PDF/HTML polyglot); a zip bomb; Office files carrying macros, ActiveX controls or programs
(see rectify.office).

A file goes out as an attachment, never rendered inline, marked `Cache-Control: private`, which makes
the security middleware record the download. By default it is streamed from the storage
(FileResponse: gunicorn hands it to the kernel with sendfile, nginx buffers it). With
RECTIFY_ACCEL_REDIRECT set, the view checks permission and answers with X-Accel-Redirect and no body:
nginx sends the file from its `internal` location over MEDIA_ROOT, and no web worker is held while a
20 MB file goes out.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote, unquote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from rectify.errors import InvalidInput, NotFound, TooLarge
from rectify.office import OLE2, UnsafePackage, active_content, ole_active_content, open_zip, size_text

GONE = "文件已不在存储中，请联系整改办。"


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF 文档", "application/pdf", ("pdf",))
PNG = Kind("PNG 图片", "image/png", ("png",))
JPEG = Kind("JPEG 图片", "image/jpeg", ("jpg", "jpeg"))
DOCX = Kind("Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLSX = Kind("Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
PPTX = Kind(
    "PowerPoint 演示文稿",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
)
OFD = Kind("OFD 版式文件", "application/ofd", ("ofd",))
LEGACY_OFFICE = Kind("Office/WPS 文档", "application/octet-stream", ("doc", "xls", "ppt", "wps", "et", "dps"))

ACCEPTED = "PDF、OFD、Word、Excel、PowerPoint、WPS 文档和 PNG、JPEG 图片"
# A path as sent ("../x.pdf", "C:\a\x.pdf", "dir/x.pdf"), also percent-encoded or after a drive letter.
_PATH = re.compile(r"[/\\]|^[A-Za-z]:")
# Control characters, and a leading dot (".", "..", hidden files). Dots elsewhere are ordinary:
# "report..final.pdf", "v1.2.final.pdf".
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]|^\.")
# How much of a file a browser reads to sniff its type (WHATWG MIME Sniffing, "resource header").
SNIFF_BYTES = 1445
_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed)[\s/>]|javascript:", re.IGNORECASE
)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: Kind
    size: int
    sha256: str


def check_file(name: str, stream: BinaryIO, size: int, *, what: str = "佐证材料") -> CheckedFile:
    """Validate one uploaded file; InvalidInput (TooLarge for its size) in Chinese when it must be
    refused, naming the file as `what` it was sent as (佐证材料, 会议纪要). `name` is the name as sent
    (rectify.multipart.sent_name)."""
    name = checked_name(name)
    check_size(name, size, what)
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    if _MARKUP.search(head):
        raise InvalidInput(
            f"文件“{name}”的开头含有网页代码（HTML 或脚本），可能是伪装成文档的网页，不能作为{what}上传。"
        )
    kind = _sniff(name, head, stream, what)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None:
        raise InvalidInput(f"文件“{name}”的内容不是可接受的{what}类型（可上传：{ACCEPTED}）。")
    if extension not in kind.extensions:
        raise InvalidInput(
            f"文件“{name}”的扩展名与内容不符：内容是{kind.label}，请使用 .{kind.extensions[0]} 扩展名。"
        )
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(name=name, kind=kind, size=size, sha256=digest.hexdigest())


def checked_name(name: str) -> str:
    name = (name or "").strip()
    if _PATH.search(name) or _PATH.search(unquote(name)):
        raise InvalidInput(
            f"文件名“{name[:60]}”包含路径（/、\\ 或盘符）。请只选择文件本身上传，文件名中不要带文件夹。"
        )
    if not name or _UNSAFE_NAME.search(name) or len(name) > 200:
        raise InvalidInput(
            f"文件名“{name[:60]}”不合规（不能为空、不能以“.”开头、不能包含控制字符，长度不超过 200 字）。"
        )
    return name


def check_size(name: str, size: int, what: str = "佐证材料") -> None:
    limit = settings.RECTIFY_EVIDENCE_MAX_BYTES
    if size <= 0:
        raise InvalidInput(f"文件“{name}”是空文件，请上传有内容的{what}。")
    if size > limit:
        raise TooLarge(f"文件“{name}”大小为 {size_text(size)}，超过上限 {size_text(limit)}。")


def _sniff(name: str, head: bytes, stream: BinaryIO, what: str) -> Kind | None:
    """The file's kind by its content; InvalidInput when it is a kind we take but carries what could
    run on a reader's computer."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(OLE2):
        stream.seek(0)
        _refuse_active(name, ole_active_content(stream), what)
        return LEGACY_OFFICE
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(name, stream, what)
    return None


def _sniff_zip(name: str, stream: BinaryIO, what: str) -> Kind | None:
    try:
        archive = open_zip(stream)
    except zipfile.BadZipFile:
        return None
    except UnsafePackage as error:
        raise InvalidInput(f"文件“{name}”{error.message}") from None
    with archive:
        names = set(archive.namelist())
        kind = OFD if "OFD.xml" in names else _office_kind(names)
        if kind is None:
            return None
        try:
            _refuse_active(name, active_content(archive), what)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
            return None  # a part that cannot be read: no document anyone could open
        except UnsafePackage as error:
            raise InvalidInput(f"文件“{name}”中嵌入的文件{error.message}") from None
    return kind


def _office_kind(names: set[str]) -> Kind | None:
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
        if any(item.startswith(prefix) for item in names):
            return kind
    return None


def _refuse_active(name: str, found: str | None, what: str) -> None:
    if found:
        raise InvalidInput(
            f"文件“{name}”{found}，打开时可能在他人电脑上运行程序，不能作为{what}上传。"
            "请删除后重新保存，或另存为 PDF 后上传。"
        )


def file_response(file: FieldFile, name: str, content_type: str) -> HttpResponse:
    """The stored `file` as an attachment under `name`; never rendered inline by the browser."""
    storage, stored = file.storage, file.name
    if settings.RECTIFY_ACCEL_REDIRECT:
        if not storage.exists(stored):
            raise NotFound(GONE)
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.RECTIFY_ACCEL_REDIRECT + quote(stored)
        response["Content-Disposition"] = content_disposition_header(True, name)
    else:
        try:
            handle = storage.open(stored, "rb")
        except OSError:
            raise NotFound(GONE) from None
        response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    # nginx passes Content-Type, Content-Disposition and Cache-Control on from an X-Accel-Redirect
    # answer; its internal location adds the other two itself (deploy/nginx/rectify.conf).
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
