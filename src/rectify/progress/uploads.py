"""Evidence uploads: the type is decided by the file's content, and must agree with its name.

Refused before anything is written: a name carrying a path (as the client sent it, see
rectify.multipart); an empty file; more than the limits allow for one file, one report's files (count
and total size) or a responsible unit's uploads of the day (settings RECTIFY_EVIDENCE_*); content that
is no accepted type or does not match the extension (an .exe renamed .pdf); HTML or script where a
browser would sniff the type (a PDF/HTML polyglot); a zip bomb; Office files carrying macros, ActiveX
controls or programs (see rectify.office).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import BinaryIO
from urllib.parse import unquote

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.utils import timezone

from rectify.errors import InvalidInput, TooLarge
from rectify.ledger.models import Measure, MeasureUnit
from rectify.multipart import sent_name
from rectify.office import OLE2, UnsafePackage, active_content, ole_active_content, open_zip, size_text
from rectify.org.models import Organisation


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


def check_report_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    """Check one report's files against the limits on count and size, then each file's name and
    content; InvalidInput (TooLarge for a size) in Chinese for the first that must be refused."""
    limit = settings.RECTIFY_EVIDENCE_MAX_FILES
    if len(files) > limit:
        raise InvalidInput(
            f"每份报告最多上传 {limit} 个佐证材料，本次选择了 {len(files)} 个，请精简或分次报送。"
        )
    for upload in files:  # the cheap checks first: nothing is read of a file while another is too big
        _check_size(_checked_name(sent_name(upload)), upload.size)
    total = sum(upload.size for upload in files)
    limit = settings.RECTIFY_EVIDENCE_MAX_REPORT_BYTES
    if total > limit:
        raise TooLarge(
            f"本次上传的佐证材料合计 {size_text(total)}，超过每份报告合计 {size_text(limit)} 的上限。"
            "请压缩图片、删去重复的材料，或分次报送。"
        )
    return [check_evidence(sent_name(upload), upload, upload.size) for upload in files]


def check_unit_day(measure: Measure, adding: int) -> None:
    """TooLarge when `adding` bytes of evidence would take a responsible unit of the measure past its
    allowance for today (settings.RECTIFY_EVIDENCE_MAX_UNIT_DAY_BYTES).

    Call inside the transaction that stores the evidence: the units are locked until it ends, so two
    reports sent at once cannot both count on the same remainder."""
    if adding <= 0:
        return
    limit = settings.RECTIFY_EVIDENCE_MAX_UNIT_DAY_BYTES
    responsible = MeasureUnit.objects.filter(measure=measure, role=MeasureUnit.Role.RESPONSIBLE)
    units = list(
        Organisation.objects.select_for_update()
        .filter(pk__in=responsible.values("unit"))
        .order_by("pk")  # locked in one order, so that two reports never deadlock
    )
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    used = dict(
        MeasureUnit.objects.filter(
            unit__in=units,
            role=MeasureUnit.Role.RESPONSIBLE,
            measure__reports__evidence__uploaded_at__gte=today,
        )
        .values("unit")
        .annotate(total=Sum("measure__reports__evidence__size"))  # of the evidence the filter kept
        .values_list("unit", "total")
    )
    for unit in units:
        so_far = used.get(unit.pk) or 0
        if so_far + adding > limit:
            raise TooLarge(
                f"“{unit.name}”今天已上传佐证材料 {size_text(so_far)}，加上本次的 {size_text(adding)}，"
                f"将超过每个单位每天 {size_text(limit)} 的上限。请明天再报送，或请整改办协助。"
            )


def check_evidence(name: str, stream: BinaryIO, size: int) -> CheckedFile:
    """Validate one uploaded file; InvalidInput (TooLarge for its size) in Chinese when it must be
    refused. `name` is the name as sent (rectify.multipart.sent_name)."""
    name = _checked_name(name)
    _check_size(name, size)
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    if _MARKUP.search(head):
        raise InvalidInput(
            f"文件“{name}”的开头含有网页代码（HTML 或脚本），可能是伪装成文档的网页，不能作为佐证材料上传。"
        )
    kind = _sniff(name, head, stream)
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


def _check_size(name: str, size: int) -> None:
    limit = settings.RECTIFY_EVIDENCE_MAX_BYTES
    if size <= 0:
        raise InvalidInput(f"文件“{name}”是空文件，请上传有内容的佐证材料。")
    if size > limit:
        raise TooLarge(f"文件“{name}”大小为 {size_text(size)}，超过上限 {size_text(limit)}。")


def _sniff(name: str, head: bytes, stream: BinaryIO) -> Kind | None:
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
        _refuse_active(name, ole_active_content(stream))
        return LEGACY_OFFICE
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(name, stream)
    return None


def _sniff_zip(name: str, stream: BinaryIO) -> Kind | None:
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
            _refuse_active(name, active_content(archive))
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


def _refuse_active(name: str, found: str | None) -> None:
    if found:
        raise InvalidInput(
            f"文件“{name}”{found}，打开时可能在他人电脑上运行程序，不能作为佐证材料上传。"
            "请删除后重新保存，或另存为 PDF 后上传。"
        )
