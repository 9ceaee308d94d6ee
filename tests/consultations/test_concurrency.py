"""Two people acting on one consultation, or importing one hotline export, at the same moment on two
real database connections: exactly one wins, the other is refused, nothing is recorded twice."""

from __future__ import annotations

from rectify.feedback.consultations import services as consultations
from rectify.feedback.hotline import services as hotline
from rectify.feedback.models import Consultation, FeedbackItem, HotlineBatch
from rectify.org.models import Membership, Role, User
from tests.progress.test_concurrency import race

from ..hotline.test_import import order, workbook


def test_two_publications_of_one_summary_at_once_publish_one(transactional_db, world, lapsed_consultation):
    second_office = User.objects.create_user("alice2", full_name="艾丽二")
    Membership.objects.create(user=second_office, organisation=world.orgs["a"], role=Role.OFFICE)
    consultations.close_consultation(world.alice, lapsed_consultation.pk)
    for comment in lapsed_consultation.comments.all():
        consultations.decide_comment(world.alice, comment.pk, decision="adopted")
    outcomes = race(
        lambda: consultations.publish_summary(
            world.alice, lapsed_consultation.pk, "甲稿", expected_status="closed"
        ),
        lambda: consultations.publish_summary(
            second_office, lapsed_consultation.pk, "乙稿", expected_status="closed"
        ),
    )
    assert outcomes == ["StaleEdit", "done"]
    published = Consultation.objects.get(pk=lapsed_consultation.pk)
    assert published.status == "published" and published.summary in ("甲稿", "乙稿")


def test_one_export_imported_twice_at_once_is_imported_once(transactional_db, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    second_office = User.objects.create_user("alice2", full_name="艾丽二")
    Membership.objects.create(user=second_office, organisation=world.orgs["a"], role=Role.OFFICE)
    data = workbook([order(f"R-{number}") for number in range(5)])
    outcomes = race(
        lambda: hotline.import_workbook(world.alice, world.orgs["a"], data, "一.xlsx"),
        lambda: hotline.import_workbook(second_office, world.orgs["a"], data, "二.xlsx"),
    )
    assert outcomes == ["InvalidInput", "done"]
    assert HotlineBatch.objects.count() == 1 and FeedbackItem.objects.count() == 5
