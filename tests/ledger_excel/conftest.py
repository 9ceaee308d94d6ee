"""Real .xlsx files built with openpyxl, a ledger that has lived (reports, evidence, a sign-off), and
the counts of every ledger table, for the Excel ledger tests."""

from __future__ import annotations

import struct
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HEADERS = [
    "序号",
    "问题类别",
    "问题表现",
    "整改措施",
    "责任领导",
    "责任单位",
    "配合单位",
    "整改时限",
    "整改类型",
]


def workbook(rows: list[list], *, merges: tuple[str, ...] = (), sheet: str = "台账") -> bytes:
    """An .xlsx whose first sheet holds `rows` from A1, with the cell ranges in `merges` merged."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "整改台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_TYPE)


def read(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(BytesIO(data)).active


def encrypted_workbook() -> bytes:
    """What Excel writes for a workbook with an open password: an OLE2 compound file holding the
    streams EncryptionInfo and EncryptedPackage (the contents here are random, the container real)."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD  # 512-byte sectors: 0 FAT, 1 directory
    info, package = b"\x04\x00\x04\x00" + bytes(4092), bytes(range(256)) * 16  # 4096 bytes each
    fat = [fat_sector, end, *range(3, 10), end, *range(11, 18), end]  # streams in sectors 2-9, 10-17
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, right: int = free, child: int = free) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", free, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    directory = (
        entry("Root Entry", 5, end, 0, child=1)
        + entry("EncryptionInfo", 2, 2, len(info), right=2)
        + entry("EncryptedPackage", 2, 10, len(package))
        + bytes(128)
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    return header + struct.pack("<128I", *fat) + directory + info + package


def signed_in(username: str) -> Client:
    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def ledger_counts() -> dict[str, int]:
    """Rows in every table an import writes to, to show a refused import wrote nothing."""
    from auditlog.models import LogEntry

    from rectify.ledger.models import Area, Inspection, Measure, MeasureUnit, Mechanism, Problem
    from rectify.org.models import Organisation, User

    models = (Inspection, Area, Problem, Measure, MeasureUnit, Mechanism, Organisation, User, LogEntry)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lived(ledger, world, media):
    """The shared ledger with deadlines, categories and descriptions, measure 1.1 signed off after an
    accepted report with evidence, and 3.1 with an accepted report in progress."""
    from rectify.ledger.models import Measure, Problem
    from rectify.progress import services

    Problem.objects.filter(inspection=ledger.inspection, number=1).update(
        description="部分执法人员程序意识不强。\n个别案件超期办理。"
    )
    plan = {
        (1, 1): (date(2025, 6, 30), "immediate"),
        (1, 2): (date(2025, 12, 31), "deadline"),
        (2, 1): (None, "long_term"),
        (3, 1): (date(2026, 3, 31), "deadline"),
        (3, 2): (date(2025, 9, 30), "long_term"),
    }
    for key, (deadline, category) in plan.items():
        Measure.objects.filter(pk=ledger.measures[key].pk).update(deadline=deadline, category=category)
    first = ledger.measures[(1, 1)]
    report = services.submit_report(
        world.bob,
        first.pk,
        text="已制定执法程序规范，并完成全员培训。",
        files=[SimpleUploadedFile("执法规范.pdf", PDF, content_type="application/pdf")],
    )
    services.review_report(world.alice, report.pk, decision="accept")
    signoff = services.request_signoff(world.bob, first.pk, note="已完成。")
    for person in (world.hana, world.alice, world.larry):
        services.decide_signoff(person, signoff.pk, decision="approve")
    third = services.submit_report(
        world.bob,
        ledger.measures[(3, 1)].pk,
        text="审批时限已压缩三成，" + "继续推进。" * 40,
        files=[
            SimpleUploadedFile("压缩时限方案.pdf", PDF, content_type="application/pdf"),
            SimpleUploadedFile("会议纪要.pdf", PDF, content_type="application/pdf"),
        ],
    )
    services.review_report(world.alice, third.pk, decision="accept")
    return ledger
