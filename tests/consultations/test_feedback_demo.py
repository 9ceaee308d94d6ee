"""The demo's feedback and consultations: every state across every channel, enterprise demands
through associations, QR submissions, the hotline import, and the three consultations."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from rectify.feedback.consultations import services as consultations
from rectify.feedback.models import (
    Channel,
    CloseReason,
    Consultation,
    FeedbackItem,
    FeedbackReply,
    FeedbackStatus,
    HotlineBatch,
)

from ..conftest import PASSWORD
from ..demo_copy import demo as demo_copy


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return demo_copy(PASSWORD)


def test_the_demo_has_feedback_in_every_state_across_every_channel(demo):
    items = FeedbackItem.objects.all()
    assert set(items.values_list("status", flat=True)) == set(FeedbackStatus.values)
    assert set(items.values_list("channel", flat=True)) == set(Channel.values)
    assert set(items.values_list("kind", flat=True)) == {"opinion", "demand"}
    closed = set(items.filter(status=FeedbackStatus.CLOSED).values_list("close_reason", flat=True))
    assert closed == {CloseReason.DUPLICATE, CloseReason.OUT_OF_SCOPE, CloseReason.UNANSWERABLE}
    duplicate = items.get(close_reason=CloseReason.DUPLICATE)
    assert duplicate.duplicate_of is not None and duplicate.duplicate_of.code in duplicate.close_note
    # Replied on time and late, each with its approved reply; a reply returned with its reason.
    replied = items.filter(status=FeedbackStatus.REPLIED)
    on_time = [item for item in replied if item.closed_at.date() <= item.due_date]
    late = [item for item in replied if item.closed_at.date() > item.due_date]
    assert on_time and late
    assert all(item.replies.filter(status=FeedbackReply.Status.APPROVED).exists() for item in replied)
    returned = FeedbackReply.objects.filter(status=FeedbackReply.Status.RETURNED)
    assert returned.exists() and all(reply.return_reason for reply in returned)
    assert items.filter(status=FeedbackStatus.ROUTED, replies__status=FeedbackReply.Status.RETURNED).exists()
    # Open items past their reply date feed the warnings.
    assert items.filter(status=FeedbackStatus.ROUTED, due_date__lt=date.today()).exists()
    # Every routed item is linked to the problem it truly concerns.
    assert (
        not items.exclude(status=FeedbackStatus.RECEIVED)
        .filter(unit__isnull=True, status__in=["routed"])
        .exists()
    )


def test_associations_forward_demands_qr_codes_bring_messages_and_the_hotline_is_imported(demo):
    forwarded = FeedbackItem.objects.filter(channel=Channel.ASSOCIATION, kind="demand")
    assert forwarded.filter(association="广州市道路运输协会").count() >= 2
    assert all(item.association for item in forwarded)
    scanned = FeedbackItem.objects.filter(qr__isnull=False)
    assert scanned.count() >= 3 and {item.qr.measure.problem.number for item in scanned} == {13}
    assert all("二维码" in item.qr.measure.text for item in scanned)
    batch = HotlineBatch.objects.get()
    assert (batch.row_count, batch.skipped_count) == (6, 1) and batch.imported_by.username == "office"
    assert set(batch.items.values_list("channel", flat=True)) == {Channel.HOTLINE}
    assert all(item.external_ref.startswith("GZ12345-") for item in batch.items.all())


def test_the_demo_has_an_open_a_published_and_a_meeting_consultation(demo):
    online_open = Consultation.objects.get(status="open")
    assert consultations.accepts_public_comments(online_open) and online_open.comments.count() == 3
    assert online_open.mechanism.title == "《广州市停车场条例》"
    published = Consultation.objects.get(kind="online", status="published")
    decisions = set(published.comments.values_list("decision", flat=True))
    assert decisions == {"adopted", "partly", "not_adopted"}
    assert "部分采纳和未采纳意见的理由如下" in published.summary
    meeting = Consultation.objects.get(kind="meeting")
    assert meeting.status == "published" and "广州市道路运输协会" in meeting.participants
    assert set(meeting.comments.values_list("channel", flat=True)) == {"association", "visit"}
    portal = Client().get("/portal/consultations/").content.decode()
    for consultation in (online_open, published, meeting):
        assert consultation.title in portal
    page = Client().get(f"/portal/consultations/{published.pk}/").content.decode()
    assert "意见采纳情况" in page and 'name="content"' not in page
    assert 'name="content"' in Client().get(f"/portal/consultations/{online_open.pk}/").content.decode()
