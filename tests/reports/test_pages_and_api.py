"""整改文书 pages and API: the office drafts, edits and decides on the pages; leaders open them;
supervisors read approved ones; units and the other bureau are refused; the Word file opens; the
API lists, creates, reads, edits, decides and downloads."""

from __future__ import annotations

import io
import json
import re

import docx
import pytest
from django.test import Client

from rectify.org.models import Membership, Role, User
from rectify.reports import services
from rectify.reports.models import RectificationDocument

from ..api.test_api import token_for


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reviewer(world):
    user = User.objects.create_user("olga", password="x", full_name="欧佳")
    Membership.objects.create(user=user, organisation=world.orgs["a"], role=Role.OFFICE)
    return user


def test_the_office_drafts_edits_and_submits_on_the_pages(world, ledger):
    office = _client(world.alice)
    page = office.get(f"/rectification-documents/inspection/{ledger.inspection.pk}/")
    assert page.status_code == 200 and "根据台账起草" in page.content.decode()
    bad = office.post(
        f"/rectification-documents/inspection/{ledger.inspection.pk}/draft/", {"kind": "interim"}
    )
    assert bad.status_code == 400 and "截至日期" in bad.content.decode()
    assert not RectificationDocument.objects.exists()
    created = office.post(
        f"/rectification-documents/inspection/{ledger.inspection.pk}/draft/", {"kind": "situation"}
    )
    document = RectificationDocument.objects.get()
    assert (
        created.status_code == 302 and created["Location"] == f"/rectification-documents/{document.pk}/edit/"
    )
    form = office.get(created["Location"])
    assert form.status_code == 200 and "二、巡察反馈问题整改落实情况" in form.content.decode()
    parts = {key: text for key, _label, text in services.editable_parts(document)}
    parts["opening"] = "我局党组高度重视。"
    saved = office.post(created["Location"], parts)
    assert saved.status_code == 302
    detail = office.get(f"/rectification-documents/{document.pk}/").content.decode()
    assert "我局党组高度重视。" in detail and "市委第一巡察组、市委巡察办：" in detail
    submitted = office.post(f"/rectification-documents/{document.pk}/decide/", {"decision": "submit"})
    assert submitted.status_code == 302
    again = office.post(f"/rectification-documents/{document.pk}/decide/", {"decision": "accept"})
    assert again.status_code == 403 and "起草人不能审核" in again.content.decode()
    refused_edit = office.get(f"/rectification-documents/{document.pk}/edit/")
    assert refused_edit.status_code == 302  # no longer a draft: back to the document
    word = office.get(f"/rectification-documents/{document.pk}/docx/")
    assert word.status_code == 200 and word["Cache-Control"] == "private, no-store"
    assert "一、整改工作总体情况" in "\n".join(
        p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs
    )


def test_who_opens_the_pages(world, ledger, reviewer):
    document = services.create_draft(world.alice, ledger.inspection.pk, "situation")
    detail = f"/rectification-documents/{document.pk}/"
    inspection = f"/rectification-documents/inspection/{ledger.inspection.pk}/"
    assert _client(world.larry).get(detail).status_code == 200
    for user in (world.bob, world.hana, world.charlie, world.vera, world.sam):
        assert _client(user).get(detail).status_code == 404, user
    for user in (world.bob, world.charlie):
        assert _client(user).get(inspection).status_code == 404, user
        assert _client(user).get(f"{detail}docx/").status_code == 404
    assert _client(world.bob).get("/rectification-documents/").status_code == 403
    services.decide(world.alice, document.pk, "submit")
    services.decide(reviewer, document.pk, "accept")
    services.decide(world.larry, document.pk, "approve")
    for user in (world.vera, world.sam):
        page = _client(user).get(detail)
        assert page.status_code == 200 and "审核与审批" not in page.content.decode()
        listing = _client(user).get("/rectification-documents/").content.decode()
        assert document.title in listing
    sam = _client(world.sam).get(inspection).content.decode()
    assert "根据台账起草" not in sam and document.title in sam
    assert _client(world.alice).post(f"{detail}decide/", {"decision": "send"}).status_code == 302
    assert (
        "逾期报送（逾期" in _client(world.sam).get("/rectification-documents/").content.decode()
    )  # due 2024-08-01


def test_the_menu_leads_the_office_leaders_and_supervisors_there_not_the_units(world, ledger):
    for user in (world.alice, world.larry, world.vera, world.sam):
        page = _client(user).get("/inspections/").content.decode()
        assert re.search(r'<a href="/rectification-documents/"[^>]*>整改文书</a>', page), user
    assert "整改文书" not in _client(world.bob).get("/inspections/").content.decode()
    page = _client(world.alice).get(f"/inspections/{ledger.inspection.pk}/").content.decode()
    assert f"/rectification-documents/inspection/{ledger.inspection.pk}/" in page


def test_the_api_drafts_reads_edits_decides_and_downloads(world, ledger, reviewer):
    api = Client()
    alice = token_for(api, "alice")
    created = api.post(
        "/api/v1/rectification-documents",
        json.dumps({"inspection": ledger.inspection.pk, "kind": "work_plan"}),
        content_type="application/json",
        headers=alice,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind_label"] == "整改工作方案" and body["state"] == "draft" and "submit" in body["decisions"]
    assert [table["title"] for table in body["content"]["attachments"]] == [
        "问题清单",
        "任务清单",
        "责任清单",
    ]
    url = f"/api/v1/rectification-documents/{body['id']}"
    twice = api.post(
        "/api/v1/rectification-documents",
        json.dumps({"inspection": ledger.inspection.pk, "kind": "work_plan"}),
        content_type="application/json",
        headers=alice,
    )
    assert twice.status_code == 409
    patched = api.patch(
        url,
        json.dumps({"parts": {"part1": "总体要求改写。"}}),
        content_type="application/json",
        headers=alice,
    )
    assert patched.status_code == 200 and patched.json()["parts"]["part1"] == "总体要求改写。"
    unknown = api.patch(
        url, json.dumps({"parts": {"nothing": "x"}}), content_type="application/json", headers=alice
    )
    assert unknown.status_code == 400
    listed = api.get("/api/v1/rectification-documents?kind=work_plan", headers=alice).json()
    assert listed["count"] == 1
    decided = api.post(
        f"{url}/decide", json.dumps({"decision": "submit"}), content_type="application/json", headers=alice
    )
    assert decided.status_code == 200 and decided.json()["state"] == "in_review"
    wrong = api.post(
        f"{url}/decide", json.dumps({"decision": "approve"}), content_type="application/json", headers=alice
    )
    assert wrong.status_code == 409
    assert (
        api.patch(
            url, json.dumps({"parts": {"part1": "x"}}), content_type="application/json", headers=alice
        ).status_code
        == 409
    )
    word = api.get(f"{url}/docx", headers=alice)
    assert word.status_code == 200 and len(docx.Document(io.BytesIO(word.content)).tables) == 3
    assert api.get(url, headers=token_for(api, "bob")).status_code == 404
    assert api.get(url, headers=token_for(api, "charlie")).status_code == 404
    assert api.get(url).status_code == 401
    assert api.get("/api/v1/rectification-documents", headers=token_for(api, "bob")).json()["count"] == 0
