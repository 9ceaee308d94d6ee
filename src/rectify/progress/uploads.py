"""Evidence uploads: the type is decided by the file's content, and must agree with its name.

An .exe renamed .pdf, an empty or oversized file, or a name carrying a path (as the client sent it,
see rectify.multipart) is refused before anything is written.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import unquote

from django.conf import settings

from rectify.errors import InvalidInput

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc/.xls/.ppt) and WPS files


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


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: Kind
    size: int
    sha256: str


def check_evidence(name: str, stream: BinaryIO, size: int) -> CheckedFile:
    """Validate one uploaded file; InvalidInput in Chinese when it must be refused. `name` is the
    name as sent (rectify.multipart.sent_name)."""
    name = _checked_name(name)
    limit = settings.RECTIFY_EVIDENCE_MAX_BYTES
    if size <= 0:
        raise InvalidInput(f"文件“{name}”是空文件，请上传有内容的佐证材料。")
    if size > limit:
        raise InvalidInput(f"文件“{name}”大小为 {_human(size)}，超过上限 {_human(limit)}。")
    stream.seek(0)
    kind = _sniff(stream)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None:
        raise InvalidInput(f"文件“{name}”的内容不是可接受的佐证材料类型（可上传：{ACCEPTED}）。")
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


def _checked_name(name: str) -> str:
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


def _sniff(stream: BinaryIO) -> Kind | None:
    head = stream.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(OLE2):
        return LEGACY_OFFICE
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(stream)
    return None


def _sniff_zip(stream: BinaryIO) -> Kind | None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
        if any(item.startswith(prefix) for item in names):
            return kind
    return None


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1048576:.2f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} 字节"
