"""Reading an uploaded notice and importing it, for the web page and the API alike."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from rectify import stash
from rectify.errors import AccessDenied, InvalidInput
from rectify.ledger.models import Inspection
from rectify.org.access import Access
from rectify.org.models import Organisation, User

from .document import NoticeDocument, NoticeParseError
from .importer import import_notice, refuse_if_imported
from .parser import parse_bytes
from .readers import extract_paragraphs


def read_upload(upload: UploadedFile) -> tuple[NoticeDocument, bytes]:
    """Parse an uploaded notice; bad files raise InvalidInput with the parser's Chinese message."""
    if upload.size is not None and upload.size > settings.RECTIFY_NOTICE_MAX_BYTES:
        raise InvalidInput(
            f"文件过大（{upload.size} 字节），上限为 {settings.RECTIFY_NOTICE_MAX_BYTES} 字节。"
        )
    data = upload.read()
    return _parsed(data, upload.name), data


def _parsed(data: bytes, filename: str | None) -> NoticeDocument:
    """The notice in the file; InvalidInput with the parser's Chinese message when it is none."""
    try:
        return parse_bytes(data, filename=filename)
    except NoticeParseError as error:
        raise InvalidInput(str(error)) from error


def _check_office(user: User, organisation: Organisation) -> None:
    if not Access.of(user).is_office_for(organisation):
        raise AccessDenied(f"只有“{organisation.name}”的整改办可以导入该组织的巡察通报。")


def import_upload(user: User, upload: UploadedFile, organisation: Organisation, *, dry_run: bool = False):
    """Parse and (unless dry_run) import an uploaded notice for `organisation`. A dry run is refused as
    the import would be when the notice was already imported."""
    _check_office(user, organisation)
    document, data = read_upload(upload)
    if dry_run:
        refuse_if_imported(document, organisation)
        return document, None
    return document, _import(user, document, organisation, upload.name or "", data)


def _import(
    user: User, document: NoticeDocument, organisation: Organisation, name: str, data: bytes
) -> Inspection:
    return import_notice(
        document, organisation=organisation, user=user, source_name=name, source_text=source_text(data, name)
    )


# The web import is two steps (preview, then confirm); the file waits on disk between them.
STASH_KIND = "notice"


def stash_upload(user: User, upload: UploadedFile, organisation: Organisation) -> tuple[NoticeDocument, str]:
    """Parse an upload meant for `organisation` and keep it for the confirm step; returns the document
    and a token. A notice already imported for the organisation is refused here, before the preview."""
    _check_office(user, organisation)
    document, data = read_upload(upload)
    refuse_if_imported(document, organisation)
    return document, stash.keep(user, STASH_KIND, upload.name or "", data)


def import_stashed(user: User, token: str, organisation: Organisation) -> Inspection:
    """Import a file kept by stash_upload, for the user who uploaded it."""
    _check_office(user, organisation)
    kept = stash.fetch(user, STASH_KIND, token, what="通报文件")
    inspection = _import(user, _parsed(kept.data, kept.name), organisation, kept.name, kept.data)
    stash.forget(STASH_KIND, token)
    return inspection


def source_text(data: bytes, filename: str | None = None) -> str:
    """The notice as text, kept with the inspection for the record."""
    return "\n".join(extract_paragraphs(data, filename))
