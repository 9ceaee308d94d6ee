"""Senders' contacts: encrypted at rest, masked in every list, the API and exports, shown in full
only to the office with an audit entry for each view, exported only with a reason that is audited."""

from __future__ import annotations

import io

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from rectify.errors import AccessDenied, InvalidInput, RectifyError
from rectify.feedback.export import export_xlsx
from rectify.feedback.models import Consultation, ConsultationComment, FeedbackItem
from rectify.feedback.services import (
    FeedbackFilter,
    mask_email,
    mask_name,
    mask_phone,
    reveal_contacts,
    submit_public,
)

PLAIN = ("张三", "13812345678", "zhang@example.com")


def _raw_contacts(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sender_name, sender_phone, sender_email FROM feedback_feedbackitem WHERE id = %s", [pk]
        )
        return cursor.fetchone()


def test_contacts_are_ciphertext_in_the_database(fb):
    raw = _raw_contacts(fb.fresh.pk)
    for stored, plain in zip(raw, PLAIN, strict=True):
        assert stored.startswith("gAAAAA") and plain not in stored
    item = FeedbackItem.objects.get(pk=fb.fresh.pk)
    assert (item.sender_name, item.sender_phone, item.sender_email) == PLAIN
    assert _raw_contacts(fb.routed.pk) == ("", "", "")  # nothing given, nothing stored


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("020-12345678", "020-****5678"),
        ("0755-8765432-12", "0755-***5432-12"),
    ],
)
def test_phone_masks(value, masked):
    assert mask_phone(value) == masked


def test_name_and_email_masks():
    assert (mask_name("张三"), mask_name("张三丰"), mask_name("张"), mask_name("")) == (
        "张*",
        "张**",
        "*",
        "",
    )
    assert mask_email("zhang@example.com") == "z***@example.com"


def test_the_list_page_masks_contacts(client, world, fb):
    client.force_login(world.alice)
    page = client.get("/feedback/").content.decode()
    assert "138****5678" in page and "z***@example.com" in page and "张*" in page
    assert "13812345678" not in page and "zhang@example.com" not in page and "张三" not in page


def test_the_detail_page_masks_until_the_office_asks(client, world, fb):
    client.force_login(world.alice)
    page = client.get(f"/feedback/{fb.fresh.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "查看完整联系方式" in page
    assert client.get(f"/feedback/{fb.fresh.pk}/contacts/").status_code == 405  # a view is a POST
    revealed = client.post(f"/feedback/{fb.fresh.pk}/contacts/")
    assert revealed.status_code == 200
    assert "13812345678" in revealed.content.decode() and "zhang@example.com" in revealed.content.decode()


def test_each_full_view_is_audited(world, fb):
    assert reveal_contacts(world.alice, fb.fresh)["phone"] == "13812345678"
    reveal_contacts(world.alice, fb.fresh)
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(fb.fresh.pk))
    assert entries.count() == 2
    entry = entries.first()
    assert entry.actor == world.alice
    assert entry.additional_data["org_path"] == world.orgs["a"].path
    assert entry.additional_data["feedback_id"] == fb.fresh.pk
    assert "13812345678" not in str(entry.changes) + str(entry.serialized_data) + entry.object_repr


@pytest.mark.parametrize("person", ["larry", "vera", "sam", "hana", "bob", "charlie"])
def test_only_the_office_sees_contacts_in_full(client, world, fb, person):
    item = fb.routed if person in ("hana", "bob") else fb.fresh
    with pytest.raises(RectifyError) as refused:
        reveal_contacts(world.people[person], item)
    assert refused.value.status in (403, 404)
    client.force_login(world.people[person])
    response = client.post(f"/feedback/{item.pk}/contacts/")
    assert response.status_code in (403, 404)
    assert "13812345678" not in response.content.decode()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_api_masks_and_reveals_only_for_the_office(client, world, fb):
    client.force_login(world.alice)
    listing = client.get("/api/v1/feedback").json()
    fresh = next(row for row in listing["items"] if row["id"] == fb.fresh.pk)
    assert fresh["sender"] == {"name": "张*", "phone": "138****5678", "email": "z***@example.com"}
    assert "13812345678" not in str(listing)
    assert "13812345678" not in client.get(f"/api/v1/feedback/{fb.fresh.pk}").content.decode()
    shown = client.post(f"/api/v1/feedback/{fb.fresh.pk}/contacts", content_type="application/json")
    assert shown.status_code == 200 and shown.json()["phone"] == "13812345678"
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=world.alice).count() == 1
    client.force_login(world.vera)
    refused = client.post(f"/api/v1/feedback/{fb.fresh.pk}/contacts", content_type="application/json")
    assert refused.status_code == 403 and "整改办" in refused.json()["detail"]


def _sheet_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_exports_mask_contacts_by_default(client, world, fb):
    content, rows = export_xlsx(world.alice, FeedbackFilter())
    table = _sheet_rows(content)
    header, data = table[0], table[1:]
    assert rows == len(data) == 4
    fresh = next(row for row in data if row[0] == fb.fresh.code)
    named = dict(zip(header, fresh, strict=True))
    assert (named["姓名"], named["联系电话"], named["电子邮箱"]) == ("张*", "138****5678", "z***@example.com")
    assert "13812345678" not in str(table)
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()
    client.force_login(world.vera)  # the supervisor may export what she sees, masked
    response = client.get("/feedback/export/?status=routed")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(_sheet_rows(response.content)) == 1 + 2


def test_an_export_with_contacts_needs_the_office_and_a_reason_and_is_audited(client, world, fb):
    with pytest.raises(InvalidInput, match="须填写理由"):
        export_xlsx(world.alice, FeedbackFilter(), include_contacts=True, reason=" ")
    for person in ("vera", "larry", "bob"):
        with pytest.raises(AccessDenied):
            export_xlsx(world.people[person], FeedbackFilter(), include_contacts=True, reason="核实")
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()

    client.force_login(world.alice)
    response = client.post(
        "/feedback/export/",
        {"include_contacts": "on", "reason": "电话回访核实办理情况", "status": "received"},
    )
    assert response.status_code == 200
    table = _sheet_rows(response.content)
    assert len(table) == 2 and "13812345678" in table[1] and "zhang@example.com" in table[1]
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == world.alice and entry.timestamp is not None
    assert entry.additional_data["feedback_export"] == {
        "rows": 1,
        "reason": "电话回访核实办理情况",
        "with_contacts": True,
    }
    assert entry.additional_data["org_path"] == world.orgs["a"].path


def test_export_keeps_formulas_as_text(world):
    submit_public(organisation=world.orgs["a"], kind="opinion", content='=HYPERLINK("http://evil","点我")')
    content, _ = export_xlsx(world.alice, FeedbackFilter())
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.cell(row=2, column=5).data_type == "s"


def test_rotate_field_keys_reencrypts_under_the_first_key(world, settings, capsys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.RECTIFY_FIELD_KEYS = [old]
    items = [
        submit_public(
            organisation=world.orgs["a"], kind="opinion", content=f"第{n}件", phone=f"1391234567{n}"
        )
        for n in range(5)
    ]
    anonymous = submit_public(organisation=world.orgs["a"], kind="opinion", content="匿名")
    consultation = Consultation.objects.create(
        organisation=world.orgs["a"],
        title="征求意见",
        draft_text="草案",
        opens_on="2025-01-01",
        closes_on="2025-01-31",
        created_by=world.alice,
    )
    comment = ConsultationComment.objects.create(
        consultation=consultation, content="意见", sender_name="李四", sender_contact="13900001111"
    )
    before = [_raw_contacts(item.pk)[1] for item in items]

    settings.RECTIFY_FIELD_KEYS = [new, old]
    call_command("rotate_field_keys", batch_size=2)
    out = capsys.readouterr().out
    assert "意见诉求：已重新加密 5 条记录" in out and "征求意见反馈：已重新加密 1 条记录" in out
    assert "共重新加密 6 条记录" in out

    only_new = Fernet(new.encode())
    for item, token in zip(items, before, strict=True):
        raw = _raw_contacts(item.pk)[1]
        assert raw != token and only_new.decrypt(raw.encode()).decode().startswith("139")
    assert _raw_contacts(anonymous.pk) == ("", "", "")
    settings.RECTIFY_FIELD_KEYS = [new]  # the old key removed: everything still reads
    assert FeedbackItem.objects.get(pk=items[3].pk).sender_phone == "13912345673"
    assert ConsultationComment.objects.get(pk=comment.pk).sender_contact == "13900001111"
