"""Reading an uploaded notice and importing it, for the web page and the API alike."""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from rectify.errors import AccessDenied, InvalidInput
from rectify.ledger.models import Inspection
from rectify.org.access import Access, path_q
from rectify.org.models import Organisation, Role, User

from .document import NoticeDocument, NoticeParseError
from .importer import import_notice
from .parser import parse_bytes
from .readers import extract_paragraphs


def read_upload(upload: UploadedFile) -> tuple[NoticeDocument, bytes]:
    """Parse an uploaded notice; bad files raise InvalidInput with the parser's Chinese message."""
    if upload.size is not None and upload.size > settings.RECTIFY_NOTICE_MAX_BYTES:
        raise InvalidInput(
            f"文件过大（{upload.size} 字节），上限为 {settings.RECTIFY_NOTICE_MAX_BYTES} 字节。"
        )
    data = upload.read()
    try:
        return parse_bytes(data, filename=upload.name), data
    except NoticeParseError as error:
        raise InvalidInput(str(error)) from error


def importable_organisations(user: User):
    """Organisations whose notices the user may import: those where the user is the office, and below."""
    access = Access.of(user)
    if access.is_superuser:
        return Organisation.objects.all()
    condition = path_q("path", access.paths([Role.OFFICE]))
    return Organisation.objects.filter(condition) if condition is not None else Organisation.objects.none()


def _check_office(user: User, organisation: Organisation) -> None:
    if not Access.of(user).is_office_for(organisation):
        raise AccessDenied(f"只有“{organisation.name}”的整改办可以导入该组织的巡察通报。")


def import_upload(user: User, upload: UploadedFile, organisation: Organisation, *, dry_run: bool = False):
    """Parse and (unless dry_run) import an uploaded notice for `organisation`."""
    _check_office(user, organisation)
    document, data = read_upload(upload)
    if dry_run:
        return document, None
    return document, _import(user, document, organisation, upload.name or "", data)


def _import(
    user: User, document: NoticeDocument, organisation: Organisation, name: str, data: bytes
) -> Inspection:
    return import_notice(
        document, organisation=organisation, user=user, source_name=name, source_text=source_text(data, name)
    )


# The web import is two steps (preview, then confirm); the file waits between them on disk so the
# user never has to choose it again.
STASH_TOKEN = re.compile(r"^[0-9a-f]{32}$")
STASH_LIFETIME_SECONDS = 24 * 3600


def _stash_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "notice-uploads"


def stash_upload(user: User, upload: UploadedFile) -> tuple[NoticeDocument, str]:
    """Parse an upload and keep it for the confirm step; returns the document and a token."""
    document, data = read_upload(upload)
    token = uuid.uuid4().hex
    folder = _stash_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_abandoned(folder)
    (folder / f"{token}.bin").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"user": user.pk, "name": upload.name or ""}))
    return document, token


def _forget_abandoned(folder: Path) -> None:
    """Remove uploads whose preview was never confirmed, a day after they were made."""
    expiry = time.time() - STASH_LIFETIME_SECONDS
    for path in folder.glob("*.*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < expiry:
                path.unlink()


def import_stashed(user: User, token: str, organisation: Organisation) -> Inspection:
    """Import a file kept by stash_upload, for the user who uploaded it."""
    _check_office(user, organisation)
    if not STASH_TOKEN.match(token or ""):
        raise InvalidInput("导入凭据无效，请重新上传通报文件。")
    folder = _stash_dir()
    try:
        info = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        raise InvalidInput("上传的文件已过期或不存在，请重新上传通报文件。") from None
    if info.get("user") != user.pk:
        raise AccessDenied("该文件由其他用户上传，不能由您导入。")
    try:
        document = parse_bytes(data, filename=info.get("name"))
    except NoticeParseError as error:
        raise InvalidInput(str(error)) from error
    inspection = _import(user, document, organisation, info.get("name", ""), data)
    for suffix in (".bin", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)
    return inspection


def source_text(data: bytes, filename: str | None = None) -> str:
    """The notice as text, kept with the inspection for the record."""
    return "\n".join(extract_paragraphs(data, filename))
