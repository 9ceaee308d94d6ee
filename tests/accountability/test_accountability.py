"""Accountability (问责): the office records the people dealt with; the office and supervisors read them;
leaders, units and the other bureau do not; nothing of them reaches the portal; the dispatch report
counts them by form with the one function the 整改情况报告 will use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rectify.accountability import services
from rectify.accountability.models import AccountabilityRecord
from rectify.errors import AccessDenied, InvalidInput, NotFound
from rectify.record import describe
from tests.api.test_api import token_for
from tests.publications.test_publishing import publish_through, staff  # noqa: F401  (fixture)

NAME = "钱问责"
REASON = "对执法不规范问题负有领导责任"


@pytest.fixture
def record(world, ledger):
    return services.save_record(
        world.alice,
        inspection_id=ledger.inspection.pk,
        person_name=NAME,
        position="副支队长",
        unit_name="甲局执法支队",
        dealt_on=timezone.localdate() - timedelta(days=2),
        form="admonition",
        reason=REASON,
        problem_ids=[ledger.measures[(1, 1)].problem_id],
    )


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_the_office_and_supervisors_read_them(world, record):
    for person in (world.alice, world.vera, world.sam):
        assert services.get_record(person, record.pk) == record
        page = client_of(person).get("/accountability/")
        assert page.status_code == 200 and NAME in page.content.decode()
    for person in (world.larry, world.hana, world.bob):
        with pytest.raises(AccessDenied):
            services.record_list(person)
        assert client_of(person).get("/accountability/").status_code == 403
        assert "问责情况" not in client_of(person).get("/inspections/").content.decode()
    with pytest.raises(NotFound):
        services.get_record(world.charlie, record.pk)
    assert "问责情况" in client_of(world.vera).get("/inspections/").content.decode()


def test_only_the_office_records_and_bad_input_changes_nothing(world, ledger, record):
    base = {
        "inspection_id": ledger.inspection.pk,
        "person_name": "孙某",
        "dealt_on": timezone.localdate(),
        "form": "criticism",
        "reason": "履职不力",
    }
    with pytest.raises(AccessDenied):
        services.save_record(world.vera, **base)
    with pytest.raises(NotFound):
        services.save_record(world.charlie, **base)
    cases = [
        ({"person_name": " "}, "请填写被问责人姓名"),
        ({"reason": ""}, "请填写问责事由"),
        ({"form": "dismissal"}, "问责方式应为"),
        ({"dealt_on": timezone.localdate() + timedelta(days=1)}, "不能晚于今天"),
        ({"problem_ids": [ledger.other.problems.first().pk]}, "不属于本次巡察"),
    ]
    for change, message in cases:
        with pytest.raises(InvalidInput, match=message):
            services.save_record(world.alice, **{**base, **change})
    assert AccountabilityRecord.objects.count() == 1


def test_the_office_records_through_the_page_and_keeps_what_was_typed(world, ledger):
    alice = client_of(world.alice)
    url = f"/accountability/inspections/{ledger.inspection.pk}/new/"
    assert alice.get(url).status_code == 200
    refused = alice.post(
        url, {"person_name": "孙某", "dealt_on": "", "form": "criticism", "reason": "履职不力"}
    )
    assert refused.status_code == 400 and "请填写处理日期" in refused.content.decode()
    assert "孙某" in refused.content.decode() and not AccountabilityRecord.objects.exists()
    saved = alice.post(
        url,
        {
            "person_name": "孙某",
            "dealt_on": timezone.localdate().isoformat(),
            "form": "criticism",
            "reason": "履职不力",
        },
    )
    assert saved.status_code == 302
    assert AccountabilityRecord.objects.get().get_form_display() == "批评教育"
    assert client_of(world.vera).get(url).status_code == 403


def test_counts_by_form_and_the_dispatch_report(world, ledger, record):
    from rectify.supervision.dispatch import build_dispatch
    from rectify.supervision.dispatch_render import document

    today = timezone.localdate()
    counts = services.counts_by_form(ledger.inspection, None, today)
    assert [(item.label, item.count) for item in counts] == [
        ("批评教育", 0),
        ("诫勉谈话", 1),
        ("组织处理", 0),
        ("党纪政务处分", 0),
    ]
    assert services.counts_sentence(counts) == "问责1人次，其中诫勉谈话1人次"
    assert services.counts_by_form(ledger.inspection, today, today)[1].count == 0
    dispatch = build_dispatch(world.vera, ledger.inspection.pk, today - timedelta(days=7), today)
    paragraphs = [p for section in document(dispatch).sections for p in section.paragraphs]
    assert any("未召开整改相关会议；问责1人次，其中诫勉谈话1人次。" in p for p in paragraphs), paragraphs


def test_nothing_of_them_reaches_the_portal(world, ledger, record, staff, client):  # noqa: F811
    publication = publish_through(ledger.inspection, staff)
    pages = [
        "/portal/",
        f"/portal/notices/{publication.pk}/",
        "/portal/feed/",
        "/api/v1/public/notices",
        f"/api/v1/public/notices/{publication.pk}",
    ]
    anonymous = Client()
    for url in pages:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert NAME not in body and REASON not in body and "问责" not in body and "诫勉" not in body, url


def test_the_api_for_the_office_and_supervisors_only(world, ledger, record, client):
    office = token_for(client, "alice")
    listed = client.get("/api/v1/accountability", headers=office).json()
    assert [item["person_name"] for item in listed["items"]] == [NAME]
    counts = client.get(
        "/api/v1/accountability/counts",
        {"inspection": ledger.inspection.pk},
        headers=token_for(client, "vera"),
    )
    assert counts.status_code == 200 and counts.json()[1] == {
        "form": "admonition",
        "label": "诫勉谈话",
        "count": 1,
    }
    for username in ("larry", "bob"):
        headers = token_for(client, username)
        assert client.get("/api/v1/accountability", headers=headers).status_code == 403
        assert client.get(f"/api/v1/accountability/{record.pk}", headers=headers).status_code == 403
        denied = client.get(
            "/api/v1/accountability/counts", {"inspection": ledger.inspection.pk}, headers=headers
        )
        assert denied.status_code == 403
    created = client.post(
        "/api/v1/accountability",
        {
            "inspection": ledger.inspection.pk,
            "person_name": "周某",
            "dealt_on": timezone.localdate().isoformat(),
            "form": "disciplinary",
            "reason": "违规收受礼品",
        },
        content_type="application/json",
        headers=office,
    )
    assert created.status_code == 201 and created.json()["form_label"] == "党纪政务处分"


def test_the_record_reads_as_sentences(world, record):
    from auditlog.models import LogEntry

    entries = LogEntry.objects.filter(content_type__app_label="accountability")
    sentences = [sentence.text for sentence in describe(entries) if sentence]
    assert any(f"登记问责：{NAME}（副支队长），诫勉谈话" in text for text in sentences), sentences
