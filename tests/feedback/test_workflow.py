"""Routing, replies, approval, return and closing: the rules, the refusals, and the audit trail."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.db import transaction

from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit
from rectify.feedback.models import CloseReason, FeedbackItem, FeedbackReply, FeedbackStatus
from rectify.feedback.services import (
    approve_reply,
    close_item,
    get_item,
    item_timeline,
    return_reply,
    route_item,
    save_reply,
)
from rectify.org.access import VIEW
from rectify.supervision.models import Notification

# Who sees which item: the office, leader and supervisors of A (and the city's supervisor) see all
# of A's; A1's head and liaison only what is routed to A1; A2's liaison only A2's; B's office only B's.
EXPECTED = {
    "alice": {"fresh", "routed", "pending", "other_unit"},
    "larry": {"fresh", "routed", "pending", "other_unit"},
    "vera": {"fresh", "routed", "pending", "other_unit"},
    "sam": {"fresh", "routed", "pending", "other_unit", "foreign"},
    "hana": {"routed", "pending"},
    "bob": {"routed", "pending"},
    "lisa": {"other_unit"},
    "charlie": {"foreign"},
    "nobody": set(),
}


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_visibility_matrix(world, fb, person, django_assert_num_queries):
    names = {getattr(fb, name).pk: name for name in ("fresh", "routed", "pending", "other_unit", "foreign")}
    user = type(world.people[person]).objects.get(pk=world.people[person].pk)  # roles not yet read
    with django_assert_num_queries(1 if person == "nobody" else 2):  # the roles, then the items
        seen = {names[pk] for pk in FeedbackItem.objects.restrict(user, VIEW).values_list("pk", flat=True)}
    assert seen == EXPECTED[person]


def test_units_under_the_unit_see_nothing_above_and_the_unit_sees_its_subunits(world, fb):
    from rectify.org.models import Membership, Role, User

    squad_liaison = User.objects.create_user("squad", full_name="队员")
    Membership.objects.create(user=squad_liaison, organisation=world.orgs["a1squad"], role=Role.LIAISON)
    assert not FeedbackItem.objects.restrict(squad_liaison, VIEW).exists()
    route_item(world.alice, fb.fresh, unit=world.orgs["a1squad"], version=fb.fresh.version)
    assert set(FeedbackItem.objects.restrict(squad_liaison, VIEW)) == {fb.fresh}
    assert fb.fresh in FeedbackItem.objects.restrict(world.bob, VIEW)  # A1 sees its squad's items


def test_get_item_hides_what_the_user_may_not_see(world, fb):
    with pytest.raises(NotFound):
        get_item(world.lisa, fb.routed.pk)
    with pytest.raises(NotFound):
        get_item(world.charlie, fb.fresh.pk)
    assert get_item(world.bob, fb.routed.pk) == fb.routed


def test_routing_links_the_problem_and_tells_the_unit(world, ledger, fb):
    problem = ledger.measures[(1, 1)].problem
    item = route_item(world.alice, fb.fresh, unit=world.orgs["a1"], problem=problem, version=fb.fresh.version)
    item.refresh_from_db()
    assert (item.status, item.unit, item.problem, item.inspection) == (
        FeedbackStatus.ROUTED,
        world.orgs["a1"],
        problem,
        ledger.inspection,
    )
    assert item.routed_by == world.alice and item.version == 2
    told = set(
        Notification.objects.filter(kind="feedback_routed").values_list("recipient__username", flat=True)
    )
    assert {"hana", "bob"} <= told


@pytest.mark.parametrize("person", ["larry", "vera", "hana", "bob", "charlie"])
def test_only_the_office_routes(world, fb, person):
    with pytest.raises((AccessDenied, NotFound)):
        route_item(world.people[person], fb.fresh, unit=world.orgs["a1"], version=fb.fresh.version)
    fb.fresh.refresh_from_db()
    assert fb.fresh.status == FeedbackStatus.RECEIVED


def test_routing_refuses_units_outside_the_organisation_and_foreign_problems(world, ledger, fb):
    for unit in (world.orgs["b1"], world.orgs["a"], world.orgs["city"]):
        with pytest.raises(InvalidInput, match="承办单位须为甲局的下属单位"):
            route_item(world.alice, fb.fresh, unit=unit, version=fb.fresh.version)
    with pytest.raises(InvalidInput, match="不属于甲局"):
        route_item(
            world.alice, fb.fresh, unit=world.orgs["a1"], problem=ledger.other.problems.first(), version=1
        )
    fb.fresh.refresh_from_db()
    assert (fb.fresh.status, fb.fresh.version) == (FeedbackStatus.RECEIVED, 1)


def test_stale_routing_is_refused_with_the_current_state(world, fb):
    with pytest.raises(StaleEdit, match=r"第 1 版，当前为第 2 版.*办理中.*甲局执法支队"):
        route_item(world.alice, fb.routed, unit=world.orgs["a2"], version=1)
    fb.routed.refresh_from_db()
    assert fb.routed.unit == world.orgs["a1"]


def test_rerouting_retires_the_former_units_draft(world, fb):
    save_reply(world.bob, fb.routed, text="草稿")
    item = route_item(world.alice, fb.routed, unit=world.orgs["a2"], version=fb.routed.version)
    draft = FeedbackReply.objects.get(item=item)
    assert draft.status == FeedbackReply.Status.RETURNED and "已改派至甲局法规处" in draft.return_reason
    assert item not in FeedbackItem.objects.restrict(world.bob, VIEW)
    save_reply(world.lisa, item, text="法规处的答复", submit=True)  # the new unit writes its own


def test_routing_again_to_the_same_unit_changes_nothing(world, fb):
    item = route_item(world.alice, fb.routed, unit=world.orgs["a1"], version=fb.routed.version)
    assert item.version == fb.routed.version


def test_a_pending_reply_is_decided_before_rerouting(world, fb):
    with pytest.raises(InvalidInput, match=r"答复待审核.*不能分办或改派"):
        route_item(world.alice, fb.pending, unit=world.orgs["a2"], version=fb.pending.version)


def test_reply_draft_edit_submit(world, fb):
    reply = save_reply(world.hana, fb.routed, text="初稿")
    reply = save_reply(world.bob, fb.routed, text="<b>修改稿</b>")
    assert FeedbackReply.objects.filter(item=fb.routed).count() == 1
    assert reply.text == "修改稿" and reply.status == FeedbackReply.Status.DRAFT
    save_reply(world.bob, fb.routed, text="定稿", submit=True)
    item = FeedbackItem.objects.get(pk=fb.routed.pk)
    assert item.status == FeedbackStatus.REPLY_PENDING
    assert Notification.objects.filter(recipient=world.alice, kind="feedback_reply_submitted").exists()
    with pytest.raises(InvalidInput, match=r"答复待审核.*不能拟写答复"):
        save_reply(world.bob, item, text="再改")


@pytest.mark.parametrize("person", ["alice", "lisa", "larry", "vera"])
def test_only_the_routed_unit_replies(world, fb, person):
    with pytest.raises((AccessDenied, NotFound)):
        save_reply(world.people[person], fb.routed, text="答复")
    assert not FeedbackReply.objects.filter(item=fb.routed).exists()


def test_an_empty_or_oversized_reply_is_refused(world, fb):
    with pytest.raises(InvalidInput, match="请填写答复内容"):
        save_reply(world.bob, fb.routed, text="  ")
    with pytest.raises(InvalidInput, match="答复内容不能超过 5000 个字"):
        save_reply(world.bob, fb.routed, text="字" * 5001)


def test_approval_publishes_and_emails_the_sender_who_agreed(world, fb, django_capture_on_commit_callbacks):
    item = route_item(world.alice, fb.fresh, unit=world.orgs["a1"], version=fb.fresh.version)
    save_reply(world.bob, item, text="已安排执法支队在早晚高峰驻点巡查。", submit=True)
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes once the approval commits
        approval = approve_reply(world.alice, item)
    item.refresh_from_db()
    assert (item.status, item.close_reason, item.closed_by) == (
        FeedbackStatus.REPLIED,
        CloseReason.REPLIED,
        world.alice,
    )
    assert item.closed_at is not None
    assert approval.emailed and approval.reply.emailed_at is not None
    [message] = mail.outbox
    assert message.to == ["zhang@example.com"]
    assert item.code in message.subject and "驻点巡查" in message.body


class RolledBack(Exception):
    """Raised inside an outer transaction to roll it back."""


def test_an_approval_rolled_back_by_an_outer_transaction_emails_nobody(
    world, fb, django_capture_on_commit_callbacks
):
    item = route_item(world.alice, fb.fresh, unit=world.orgs["a1"], version=fb.fresh.version)
    save_reply(world.bob, item, text="已安排执法支队在早晚高峰驻点巡查。", submit=True)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RolledBack),
        transaction.atomic(),
    ):
        approval = approve_reply(world.alice, item)
        assert approval.email_pending and "保存完成后" in approval.message
        raise RolledBack
    assert callbacks == [] and mail.outbox == []
    assert FeedbackItem.objects.get(pk=item.pk).status == FeedbackStatus.REPLY_PENDING
    assert not FeedbackReply.objects.filter(item=item, status="approved").exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        approval = approve_reply(world.alice, item)
    assert len(callbacks) == 1 and approval.emailed and not approval.email_pending
    assert [message.to for message in mail.outbox] == [["zhang@example.com"]]


def test_no_email_without_consent_or_address(world, fb):
    approval = approve_reply(world.alice, fb.pending)  # registered by phone: no e-mail address
    assert not approval.emailed and not approval.email_error
    assert not mail.outbox
    assert "凭查询码查看" in approval.message


def test_a_mail_failure_does_not_undo_the_approval(world, fb, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    item = route_item(world.alice, fb.fresh, unit=world.orgs["a1"], version=fb.fresh.version)
    save_reply(world.bob, item, text="答复", submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        approval = approve_reply(world.alice, item)
    item.refresh_from_db()
    assert item.status == FeedbackStatus.REPLIED
    assert not approval.emailed and approval.email_error
    assert "电子邮件未能发出" in approval.message
    assert FeedbackReply.objects.get(item=item, status="approved").emailed_at is None


def test_return_keeps_the_draft_and_the_unit_writes_anew(world, fb):
    returned = return_reply(world.alice, fb.pending, reason="请写明整改时限")
    item = FeedbackItem.objects.get(pk=fb.pending.pk)
    assert item.status == FeedbackStatus.ROUTED
    assert returned.status == FeedbackReply.Status.RETURNED and returned.return_reason == "请写明整改时限"
    assert Notification.objects.filter(recipient=world.bob, kind="feedback_reply_returned").exists()
    new = save_reply(world.bob, item, text="已于 3 月底前完成培训", submit=True)
    assert new.pk != returned.pk
    assert list(item.replies.values_list("status", flat=True).order_by("id")) == ["returned", "submitted"]


def test_return_needs_a_reason_and_the_office(world, fb):
    with pytest.raises(InvalidInput, match="须写明理由"):
        return_reply(world.alice, fb.pending, reason=" ")
    for person in ("bob", "hana", "larry"):
        with pytest.raises(AccessDenied):
            return_reply(world.people[person], fb.pending, reason="x")
        with pytest.raises(AccessDenied):
            approve_reply(world.people[person], fb.pending)
    with pytest.raises(InvalidInput, match="不能审核答复"):
        approve_reply(world.alice, fb.routed)
    assert FeedbackItem.objects.get(pk=fb.pending.pk).status == FeedbackStatus.REPLY_PENDING


def test_stale_approval_is_refused(world, fb):
    with pytest.raises(StaleEdit):
        approve_reply(world.alice, fb.pending, version=fb.pending.version - 1)
    assert FeedbackItem.objects.get(pk=fb.pending.pk).status == FeedbackStatus.REPLY_PENDING


def test_close_as_duplicate_names_the_original(world, fb):
    with pytest.raises(InvalidInput, match="须指明与哪一件"):
        close_item(world.alice, fb.fresh, reason="duplicate", note="同一事项")
    with pytest.raises(InvalidInput, match="不能标记为与自身重复"):
        close_item(world.alice, fb.fresh, reason="duplicate", note="同一事项", duplicate_of=fb.fresh)
    with pytest.raises(InvalidInput, match="须是本单位受理的"):
        close_item(world.alice, fb.fresh, reason="duplicate", note="同一事项", duplicate_of=fb.foreign)
    item = close_item(
        world.alice, fb.fresh, reason="duplicate", note="与前件同一事项", duplicate_of=fb.routed
    )
    item.refresh_from_db()
    assert (item.status, item.close_reason, item.duplicate_of, item.closed_by) == (
        FeedbackStatus.CLOSED,
        CloseReason.DUPLICATE,
        fb.routed,
        world.alice,
    )


def test_close_needs_a_note_and_a_reason_other_than_a_reply(world, fb):
    with pytest.raises(InvalidInput, match="请填写办结说明"):
        close_item(world.alice, fb.routed, reason="out_of_scope", note="")
    with pytest.raises(InvalidInput, match="办结理由无效"):
        close_item(world.alice, fb.routed, reason="replied", note="x")
    assert FeedbackItem.objects.get(pk=fb.routed.pk).status == FeedbackStatus.ROUTED


def test_unanswerable_only_without_any_contact(world, fb):
    with pytest.raises(InvalidInput, match="留有联系方式"):
        close_item(world.alice, fb.fresh, reason="unanswerable", note="匿名")
    item = close_item(world.alice, fb.routed, reason="unanswerable", note="匿名且内容不明，无法答复")
    assert item.close_reason == CloseReason.UNANSWERABLE


def test_closing_retires_an_unfinished_reply_and_finished_items_stay_closed(world, fb):
    item = close_item(world.alice, fb.pending, reason="out_of_scope", note="属市交通执法局职责")
    assert FeedbackReply.objects.get(item=item).status == FeedbackReply.Status.RETURNED
    with pytest.raises(InvalidInput, match="不能办结"):
        close_item(world.alice, item, reason="out_of_scope", note="again")
    with pytest.raises(InvalidInput, match="不能分办或改派"):
        route_item(world.alice, item, unit=world.orgs["a1"], version=item.version)


@pytest.mark.parametrize("person", ["larry", "vera", "hana", "bob", "charlie"])
def test_only_the_office_closes(world, fb, person):
    with pytest.raises((AccessDenied, NotFound)):
        close_item(world.people[person], fb.routed, reason="out_of_scope", note="x")


def test_every_state_change_is_in_the_audit_trail_and_the_timeline(world, fb):
    item = fb.pending
    return_reply(world.alice, item, reason="请补充时限")
    save_reply(world.bob, item, text="三月底前完成", submit=True)
    approve_reply(world.alice, item)
    statuses = [
        entry.changes_dict.get("status")
        for entry in LogEntry.objects.get_for_object(FeedbackItem.objects.get(pk=item.pk)).order_by("id")
    ]
    assert [s[1] for s in statuses if s] == [
        "received",
        "routed",
        "reply_pending",
        "routed",
        "reply_pending",
        "replied",
    ]
    texts = [entry.text for entry in item_timeline(item)]
    assert texts[0] == "登记来电" and texts[1] == "分办至甲局执法支队"
    assert "退回答复：请补充时限" in texts and texts[-1] == "审核通过答复，答复已发布"
    for entry in LogEntry.objects.filter(additional_data__feedback_id=item.pk):
        assert entry.additional_data["org_path"] == world.orgs["a"].path
