"""Meetings (会议): the office records them with their decisions and tasks; supervisors read them all,
a leader those he or she chaired or attended, a unit only the tasks given to it, which it reports done
from 我的整改 or the measure page. Minutes are checked and sent as evidence is."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput, NotFound
from rectify.ledger.workflow import IllegalTransition
from rectify.meetings import services
from rectify.meetings.models import Meeting, MeetingDecision
from rectify.record import describe
from rectify.security.models import SecurityEvent
from tests.api.test_api import token_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def meeting(world, ledger):
    """A 专题会 of bureau A chaired by Larry (the leader), with one task for unit A1 on measure 1.1."""
    meeting = services.save_meeting(
        world.alice,
        inspection_id=ledger.inspection.pk,
        kind="special",
        held_on=today() - timedelta(days=3),
        title="巡察整改专题会",
        chair_id=world.larry.pk,
        attendee_ids=[world.hana.pk],
        other_attendees="王五、赵六",
    )
    services.save_decision(
        world.alice,
        meeting.pk,
        text="执法支队月底前完成执法规范修订。",
        measure_ids=[ledger.measures[(1, 1)].pk],
        owner_unit_id=world.orgs["a1"].pk,
        due_on=today() + timedelta(days=20),
    )
    return meeting


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ------------------------------------------------------------------ who sees what


def test_the_office_and_supervisors_read_every_meeting_a_leader_those_chaired_or_attended(world, meeting):
    for person in (world.alice, world.vera, world.sam, world.larry, world.hana):
        assert services.meeting_list(person).filter(pk=meeting.pk).exists(), person
    # Bob (A1's liaison) did not attend, and the other bureau's office is outside.
    for person in (world.bob, world.charlie, world.lisa):
        assert not services.meeting_list(person).exists(), person
        with pytest.raises(NotFound):
            services.get_meeting(person, meeting.pk)


def test_a_leader_who_neither_chaired_nor_attended_does_not_see_it(world, ledger, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(chair=None)
    assert not services.meeting_list(world.larry).exists()
    assert client_of(world.larry).get(f"/meetings/{meeting.pk}/").status_code == 404


def test_only_the_office_records_and_edits_meetings(world, ledger, meeting):
    for person in (world.vera, world.larry, world.bob):
        with pytest.raises((AccessDenied, NotFound)):
            services.save_meeting(
                person,
                inspection_id=ledger.inspection.pk,
                kind="special",
                held_on=today(),
                title="越权登记",
            )
    with pytest.raises(NotFound):
        services.save_decision(world.charlie, meeting.pk, text="越权")
    with pytest.raises(AccessDenied):
        services.save_decision(world.vera, meeting.pk, text="越权")
    assert Meeting.objects.count() == 1 and MeetingDecision.objects.count() == 1


def test_bad_input_is_refused_in_chinese_and_changes_nothing(world, ledger, meeting):
    base = {"inspection_id": ledger.inspection.pk, "kind": "special", "title": "会议"}
    cases = [
        ({**base, "held_on": today() + timedelta(days=1)}, "不能晚于今天"),
        ({**base, "held_on": today(), "kind": "party"}, "会议类型"),
        ({**base, "held_on": today(), "title": "  "}, "请填写会议名称"),
        ({**base, "held_on": today(), "chair_id": world.charlie.pk}, "主持人和参会人员"),
    ]
    for arguments, message in cases:
        with pytest.raises(InvalidInput, match=message):
            services.save_meeting(world.alice, **arguments)
    with pytest.raises(InvalidInput, match="须明确承办单位或承办人"):
        services.save_decision(world.alice, meeting.pk, text="无人承办", due_on=today())
    with pytest.raises(InvalidInput, match="须填写完成时限"):
        services.save_decision(world.alice, meeting.pk, text="无时限", owner_unit_id=world.orgs["a2"].pk)
    with pytest.raises(InvalidInput, match="承办单位"):
        services.save_decision(
            world.alice, meeting.pk, text="他局承办", owner_unit_id=world.orgs["b1"].pk, due_on=today()
        )
    other_problem = ledger.other.problems.first()
    with pytest.raises(InvalidInput, match="不属于本次巡察"):
        services.save_decision(world.alice, meeting.pk, text="他局问题", problem_ids=[other_problem.pk])
    assert Meeting.objects.count() == 1 and MeetingDecision.objects.count() == 1


# ------------------------------------------------------------------ tasks


def test_the_unit_sees_its_task_on_my_measures_and_the_measure_page_and_reports_it_done(
    world, ledger, meeting
):
    task = MeetingDecision.objects.get()
    bob = client_of(world.bob)
    page = bob.get("/my/").content.decode()
    assert "执法支队月底前完成执法规范修订" in page and "报告完成" in page
    measure_page = bob.get(f"/measures/{ledger.measures[(1, 1)].pk}/").content.decode()
    assert "会议决定事项" in measure_page and "执法规范修订" in measure_page
    # The unit does not open the meeting itself.
    assert bob.get(f"/meetings/{meeting.pk}/").status_code == 404

    refused = bob.post(f"/meeting-decisions/{task.pk}/done/", {"note": "  ", "next": "/my/"})
    assert refused.status_code == 400 and "请填写完成情况" in refused.content.decode()
    done = bob.post(f"/meeting-decisions/{task.pk}/done/", {"note": "已印发修订稿。", "next": "/my/"})
    assert done.status_code == 302 and done["Location"] == "/my/"
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == world.bob and task.done_note == "已印发修订稿。"
    with pytest.raises(IllegalTransition):
        services.complete_task(world.bob, task.pk, note="再次报告")
    assert "已完成" in bob.get("/my/").content.decode()


def test_someone_else_cannot_report_the_task_done(world, ledger, meeting):
    task = MeetingDecision.objects.get()
    with pytest.raises(NotFound):
        services.complete_task(world.lisa, task.pk, note="不是我的")  # A2 neither sees nor owns it
    with pytest.raises(AccessDenied):
        services.complete_task(world.vera, task.pk, note="监督者不办理")
    assert client_of(world.lisa).post(f"/meeting-decisions/{task.pk}/done/", {"note": "x"}).status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_a_task_given_to_a_person_reaches_that_person(world, ledger, meeting):
    decision = services.save_decision(
        world.alice, meeting.pk, text="李瑞牵头协调。", owner_person_id=world.larry.pk, due_on=today()
    )
    assert list(services.tasks_of(world.larry)) == [decision]
    assert services.complete_task(world.larry, decision.pk, note="已协调。").done_by == world.larry


# ------------------------------------------------------------------ pages


def test_the_office_records_a_meeting_with_minutes_and_a_decision_through_the_pages(world, ledger):
    alice = client_of(world.alice)
    assert "整改会议" in alice.get("/inspections/").content.decode()
    form = alice.get(f"/inspections/{ledger.inspection.pk}/meetings/new/")
    assert form.status_code == 200 and "会议纪要" in form.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = alice.post(
        f"/inspections/{ledger.inspection.pk}/meetings/new/",
        {
            "kind": "party_group",
            "held_on": today().isoformat(),
            "title": "局党组会议研究巡察整改",
            "chair": world.larry.pk,
            "attendees": [world.larry.pk, world.vera.pk],
            "minutes": SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()
    assert meeting.minutes_name == "纪要.pdf" and meeting.minutes_type == "application/pdf"
    detail = alice.get(response["Location"]).content.decode()
    assert "局党组会议研究巡察整改" in detail and "纪要.pdf" in detail

    decision = alice.post(
        f"/meetings/{meeting.pk}/decisions/new/",
        {
            "text": "成立专班推进问题 1 整改。",
            "problems": [ledger.measures[(1, 1)].problem_id],
            "owner_unit": world.orgs["a1"].pk,
            "due_on": (today() + timedelta(days=10)).isoformat(),
        },
    )
    assert decision.status_code == 302
    assert MeetingDecision.objects.get().problems.count() == 1

    # What the office typed stays when the service refuses it.
    refused = alice.post(
        f"/meetings/{meeting.pk}/decisions/new/", {"text": "没有承办方的任务", "due_on": today().isoformat()}
    )
    assert refused.status_code == 400
    assert (
        "须明确承办单位或承办人" in refused.content.decode()
        and "没有承办方的任务" in refused.content.decode()
    )
    assert MeetingDecision.objects.count() == 1


def test_minutes_are_refused_as_evidence_is_and_nothing_is_recorded(world, ledger):
    from django.core.files.uploadedfile import SimpleUploadedFile

    alice = client_of(world.alice)
    response = alice.post(
        f"/inspections/{ledger.inspection.pk}/meetings/new/",
        {
            "kind": "special",
            "held_on": today().isoformat(),
            "title": "专题会",
            "minutes": SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00 an exe", content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "不是可接受的会议纪要类型" in page and "专题会" in page
    assert not Meeting.objects.exists()


def test_the_minutes_download_is_private_and_recorded(
    world, ledger, meeting, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.attach_minutes(world.alice, meeting.pk, SimpleUploadedFile("会议纪要.pdf", PDF))
    response = client_of(world.vera).get(f"/meetings/{meeting.pk}/minutes/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert SecurityEvent.objects.filter(kind="export", user=world.vera).exists()
    assert client_of(world.bob).get(f"/meetings/{meeting.pk}/minutes/").status_code == 404
    # A new file replaces the old one, which leaves the storage.
    old = Meeting.objects.get().minutes.name
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_minutes(world.alice, meeting.pk, SimpleUploadedFile("修订纪要.pdf", PDF + b" "))
    assert not Meeting.objects.get().minutes.storage.exists(old)


def test_the_list_counts_by_kind_and_filters(world, ledger, meeting):
    services.save_meeting(
        world.alice, inspection_id=ledger.inspection.pk, kind="party_group", held_on=today(), title="党组会"
    )
    alice = client_of(world.alice)
    page = alice.get("/meetings/").content.decode()
    assert "巡察整改专题会" in page and "党组会" in page and "登记会议" in page
    only = alice.get("/meetings/", {"kind": "party_group"}).content.decode()
    assert "巡察整改专题会" not in only and "党组会" in only
    assert alice.get("/meetings/", {"inspection": ledger.other.pk}).status_code == 400
    # A supervisor reads, never records.
    assert "登记会议" not in client_of(world.vera).get("/meetings/").content.decode()


# ------------------------------------------------------------------ counts, notice, dispatch, record


def test_one_count_says_the_meetings_of_a_period(world, ledger, meeting):
    services.save_meeting(
        world.alice, inspection_id=ledger.inspection.pk, kind="party_group", held_on=today(), title="党组会"
    )
    services.save_meeting(
        world.alice, inspection_id=ledger.inspection.pk, kind="special", held_on=today(), title="专题会二"
    )
    counts = services.meeting_counts(ledger.inspection, None, today())
    assert services.meeting_sentence(counts) == "召开党组会议1次、专题会2次"
    assert services.meeting_sentence(services.meeting_counts(ledger.inspection, today(), today())) == (
        "召开党组会议1次、专题会1次"
    )
    assert services.meeting_counts(ledger.other, None, today()) == []


def test_the_generated_notice_and_the_dispatch_report_say_the_meetings(world, ledger, meeting):
    from rectify.notices.generate import document_from_ledger
    from rectify.supervision.dispatch import build_dispatch
    from rectify.supervision.dispatch_render import document

    notice = document_from_ledger(ledger.inspection)
    assert "反馈以来，共召开专题会1次，研究部署、调度推进整改工作。" in notice.opening
    assert "召开" not in document_from_ledger(ledger.other).opening
    dispatch = build_dispatch(world.alice, ledger.inspection.pk, today() - timedelta(days=7), today())
    assert dispatch.data["meetings"] == [{"kind": "special", "label": "专题会", "count": 1}]
    paragraphs = [p for section in document(dispatch).sections for p in section.paragraphs]
    assert any("召开专题会1次；未问责。" in p for p in paragraphs)


def test_the_record_reads_as_sentences(world, ledger, meeting):
    from auditlog.models import LogEntry

    entries = LogEntry.objects.filter(content_type__app_label="meetings").order_by("pk")
    sentences = [sentence.text for sentence in describe(entries) if sentence]
    assert any("登记专题会“巡察整改专题会”" in text for text in sentences), sentences
    assert any(
        "记录会议决定事项“执法支队月底前完成执法规范修订。”，交甲局执法支队办理" in t for t in sentences
    ), sentences


# ------------------------------------------------------------------ API


def test_the_api_records_reads_and_completes(world, ledger, client):
    office = token_for(client, "alice")
    created = client.post(
        "/api/v1/meetings",
        {
            "inspection": ledger.inspection.pk,
            "kind": "dispatch",
            "held_on": today().isoformat(),
            "title": "整改调度会",
            "attendees": [world.larry.pk],
        },
        content_type="application/json",
        headers=office,
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    assert created.json()["kind_label"] == "调度会"
    decision = client.post(
        f"/api/v1/meetings/{meeting_id}/decisions",
        {"text": "法规处两周内报送方案。", "owner_unit": world.orgs["a2"].pk, "due_on": today().isoformat()},
        content_type="application/json",
        headers=office,
    )
    assert decision.status_code == 201, decision.content
    lisa = token_for(client, "lisa")
    mine = client.get("/api/v1/meeting-tasks", headers=lisa).json()
    assert [item["text"] for item in mine["items"]] == ["法规处两周内报送方案。"]
    done = client.post(
        f"/api/v1/meeting-decisions/{decision.json()['id']}/done",
        {"note": "已报送。"},
        content_type="application/json",
        headers=lisa,
    )
    assert done.status_code == 200 and done.json()["done_note"] == "已报送。"
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=lisa).status_code == 404
    larry = token_for(client, "larry")
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=larry).json()["title"] == "整改调度会"
    refused = client.post(
        "/api/v1/meetings",
        {"inspection": ledger.inspection.pk, "kind": "special", "held_on": today().isoformat(), "title": "x"},
        content_type="application/json",
        headers=larry,
    )
    assert refused.status_code == 403 and "只有整改办" in refused.json()["detail"]


def test_a_consultation_meeting_is_listed_and_counted_as_a_symposium_not_recorded_twice(world, ledger):
    from rectify.feedback.consultations.models import Consultation

    day = timezone.localdate() - timedelta(days=1)
    fields = {
        "organisation": world.orgs["a"],
        "kind": "meeting",
        "draft_text": "草案",
        "created_by": world.alice,
    }
    held = Consultation.objects.create(
        title="停车场条例修订企业座谈会", opens_on=day, closes_on=day, status="closed", **fields
    )
    Consultation.objects.create(
        title="尚未召开的座谈会", opens_on=day, closes_on=day, status="draft", **fields
    )
    page = client_of(world.alice).get("/meetings/").content.decode()
    assert "停车场条例修订企业座谈会" in page and f"/consultations/{held.pk}/" in page
    assert "尚未召开的座谈会" not in page
    assert (
        "停车场条例修订企业座谈会"
        not in client_of(world.alice).get("/meetings/", {"kind": "special"}).content.decode()
    )
    assert (
        services.meeting_sentence(services.meeting_counts(ledger.inspection, None, today()))
        == "召开座谈会1次"
    )
    assert services.meeting_counts(ledger.other, None, today()) == []
    assert not Meeting.objects.exists()
