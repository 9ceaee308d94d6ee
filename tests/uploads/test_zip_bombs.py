"""Zip bombs against every reader of an uploaded Office file: notice import (.docx: page, API, command),
the Excel ledger (.xlsx: page, API), hotline work orders (.xlsx: page) and evidence (page, API). Each is
refused from the zip's central directory (rectify.office.open_zip) before python-docx or openpyxl
inflate a byte: the bombs below hold 200 MB of zeros in some 200 KB."""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rectify import office
from rectify.attachments import check_file
from rectify.errors import InvalidInput
from rectify.feedback.hotline import services as hotline
from rectify.feedback.models import FeedbackItem
from rectify.ledger import excel_import
from rectify.ledger.models import Inspection
from rectify.notices.document import NoticeParseError
from rectify.notices.readers import extract_paragraphs
from tests.api.test_api import token_for

from .conftest import MB, assert_refused, bomb, docx, xlsx, zipped

BOMB_SAYS = "疑似“压缩炸弹”"


# ------------------------------------------------------------------ the rule, in one place


def test_a_bomb_is_told_by_its_central_directory_alone():
    data = bomb("docx")
    assert len(data) < 1 * MB
    with pytest.raises(office.UnsafePackage, match=r"解压后共 200\.\d MB，超过 128 MB 的上限"):
        office.open_zip(data)


def test_a_member_that_inflates_too_far_is_refused_under_the_total():
    data = bomb("xlsx", megabytes=8)  # 8 MB of zeros: within the total, but some 1000 to 1
    with pytest.raises(office.UnsafePackage, match=r"压缩比达 \d+∶1，超过 100∶1 的上限"):
        office.open_zip(data)


def test_too_many_members_are_refused():
    data = zipped({f"word/media/{number}.xml": b"" for number in range(office.MAX_MEMBERS + 1)})
    with pytest.raises(office.UnsafePackage, match=f"超过 {office.MAX_MEMBERS} 个的上限"):
        office.open_zip(io.BytesIO(data))


def test_real_office_files_and_damaged_zips():
    for data in (docx(), xlsx()):
        with office.open_zip(data) as archive:
            assert "[Content_Types].xml" in archive.namelist()
    for damaged in (b"PK\x03\x04" + bytes(64), docx()[: len(docx()) // 2], b"not a zip"):
        with pytest.raises(zipfile.BadZipFile):
            office.open_zip(damaged)


READERS = {
    "notice": lambda data: extract_paragraphs(data, "通报.docx"),
    "ledger": excel_import.read_workbook,
    "hotline": lambda data: hotline.read_workbook(data, "工单.xlsx"),
    "evidence": lambda data: check_file("纪要.docx", io.BytesIO(data), len(data)),
}


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_refuses_a_bomb_without_inflating_it(db, reader):
    data = bomb("docx" if reader in ("notice", "evidence") else "xlsx")
    tracemalloc.start()
    try:
        with pytest.raises((InvalidInput, NoticeParseError), match=BOMB_SAYS):
            READERS[reader](data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * MB  # the 200 MB were never unpacked


# ------------------------------------------------------------------ through each entry point


def signed_in(username: str) -> Client:
    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_evidence_bomb_through_the_page_and_the_api(bob, media):
    assert_refused(bob.send([("纪要.docx", bomb("docx"))]), media, "文件“纪要.docx”解压后共 200.")


def refused_by_page_and_api(world, page_url: str, api_url: str, upload: SimpleUploadedFile) -> None:
    """The office's import page and the API both refuse the bomb, naming it, and import nothing."""
    page = signed_in("alice").post(page_url, {"organisation": world.orgs["a"].pk, "file": upload})
    assert page.status_code == 400 and BOMB_SAYS in page.content.decode()
    api = Client(enforce_csrf_checks=True)
    upload.seek(0)
    response = api.post(
        api_url, {"organisation": "bureau-a", "file": upload}, headers=token_for(api, "alice")
    )
    assert response.status_code == 400 and BOMB_SAYS in response.json()["detail"]
    assert not Inspection.objects.filter(inspected=world.orgs["a"]).exists()


def test_notice_bomb_through_the_page_the_api_and_the_command(world, tmp_path):
    upload = SimpleUploadedFile("通报.docx", bomb("docx"))
    refused_by_page_and_api(world, "/notices/import/", "/api/v1/inspections/import", upload)

    path = tmp_path / "通报.docx"
    path.write_bytes(bomb("docx"))
    result = subprocess.run(
        [sys.executable, "-m", "rectify.cli", "import-notice", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and BOMB_SAYS in result.stderr
    assert not Inspection.objects.filter(inspected=world.orgs["a"]).exists()


def test_ledger_bomb_through_the_page_and_the_api(world):
    upload = SimpleUploadedFile("整改台账.xlsx", bomb("xlsx"))
    refused_by_page_and_api(world, "/ledgers/import/", "/api/v1/inspections/import-ledger", upload)


def test_hotline_bomb_through_the_page(world):
    upload = SimpleUploadedFile("工单.xlsx", bomb("xlsx"))
    page = signed_in("alice").post("/feedback/hotline/", {"organisation": world.orgs["a"].pk, "file": upload})
    assert page.status_code == 400 and BOMB_SAYS in page.content.decode()
    assert not FeedbackItem.objects.exists()
