"""The consultation's life through feedback.consultations: who may act, in which state, and what is
refused (with nothing changed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection

from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit
from rectify.feedback.consultations import services as consultations
from rectify.feedback.models import Consultation, ConsultationComment

from .conftest import meeting, online

pytestmark = pytest.mark.django_db


def test_online_consultation_lives_from_draft_to_published_summary(world, mechanism, today):
    draft = consultations.create_consultation(
        world.alice, online(today - timedelta(days=20), today - timedelta(days=2)), mechanism_id=mechanism.pk
    )
    assert draft.status == "draft" and draft.organisation == world.orgs["a"] and draft.mechanism == mechanism
    opened = consultations.open_consultation(world.alice, draft.pk, today=today - timedelta(days=20))
    assert opened.status == "open"
    first = consultations.submit_public_comment(
        opened.pk, content="建议第三条增加收费标准。", today=today - timedelta(days=10)
    )
    second = consultations.submit_public_comment(
        opened.pk, content="建议删除第三条<b>内部停车场</b>不宜开放。", today=today - timedelta(days=9)
    )
    assert second.content == "建议删除第三条内部停车场不宜开放。"  # markup stripped
    heard = consultations.record_comment(
        world.alice, opened.pk, content="建议明确事故责任。", channel="letter", name="李四"
    )
    closed = consultations.close_consultation(world.alice, opened.pk, expected_status="open")
    assert closed.status == "closed"
    consultations.decide_comment(world.alice, first.pk, decision="adopted")
    consultations.decide_comment(
        world.alice, second.pk, decision="not_adopted", reason="错时共享是条例修订的方向。"
    )
    consultations.decide_comment(world.alice, heard.pk, decision="partly", reason="责任划分另行规定。")

    drafted = consultations.drafted_summary(closed)
    assert "共收到意见建议 3 条" in drafted and "采纳 1 条，部分采纳 1 条，未采纳 1 条" in drafted
    assert "错时共享是条例修订的方向。" in drafted and "责任划分另行规定。" in drafted
    assert "《甲市停车场条例》" in drafted and "《《" not in drafted

    saved = consultations.save_summary(world.alice, closed.pk, drafted + "\n修改后的结语。")
    assert saved.status == "closed" and saved.summary.endswith("修改后的结语。")
    published = consultations.publish_summary(world.alice, closed.pk, saved.summary, expected_status="closed")
    assert published.status == "published" and published.summary_published_at is not None
    rows = consultations.public_comments(published)
    assert [row["decision"] for row in rows] == ["adopted", "not_adopted", "partly"]
    assert rows[1]["reason"] == "错时共享是条例修订的方向。"
    assert all(
        set(row) == {"number", "gist", "channel", "decision", "decision_label", "reason"} for row in rows
    )


def test_a_meeting_is_recorded_after_it_takes_place_and_never_takes_portal_comments(world, mechanism, today):
    record = consultations.create_consultation(
        world.alice, meeting(today + timedelta(days=3)), mechanism_id=mechanism.pk
    )
    assert record.opens_on == record.closes_on == today + timedelta(days=3)
    with pytest.raises(InvalidInput, match="召开后再登记"):
        consultations.record_comment(
            world.alice, record.pk, content="会前意见", channel="association", enterprise="甲市道路运输协会"
        )
    with pytest.raises(InvalidInput, match="座谈会不在门户上公开征求意见"):
        consultations.open_consultation(world.alice, record.pk)
    with pytest.raises(InvalidInput, match="召开后才能结束"):
        consultations.close_consultation(world.alice, record.pk)

    held = today + timedelta(days=3)
    with pytest.raises(InvalidInput, match="请填写协会名称"):
        consultations.record_comment(
            world.alice, record.pk, content="意见", channel="association", today=held
        )
    heard = consultations.record_comment(
        world.alice,
        record.pk,
        content="建议给会员企业留出过渡期。",
        channel="association",
        enterprise="甲市道路运输协会",
        today=held,
    )
    assert heard.channel == "association" and heard.created_by == world.alice
    closed = consultations.close_consultation(world.alice, record.pk, today=held)
    assert "甲局三楼会议室召开征求意见座谈会" in consultations.drafted_summary(closed)
    assert "甲市道路运输协会、甲市停车场行业协会" in consultations.drafted_summary(closed)
    with pytest.raises(NotFound):
        consultations.submit_public_comment(record.pk, content="门户意见", today=held)
    consultations.decide_comment(world.alice, heard.pk, decision="adopted")
    published = consultations.publish_summary(world.alice, record.pk, "已采纳过渡期的意见。")
    assert consultations.public_consultations(today).filter(pk=published.pk).exists()


def test_only_the_office_of_the_organisation_acts_and_the_wide_roles_read(world, open_consultation):
    assert consultations.get_consultation(world.larry, open_consultation.pk)  # leader reads
    assert consultations.get_consultation(world.vera, open_consultation.pk)  # supervisor reads
    assert consultations.get_consultation(world.sam, open_consultation.pk)  # city supervisor reads
    for outsider in (world.charlie, world.bob, world.hana, world.nobody):
        with pytest.raises(NotFound):
            consultations.get_consultation(outsider, open_consultation.pk)
    with pytest.raises(AccessDenied):
        consultations.record_comment(world.larry, open_consultation.pk, content="意见", channel="letter")
    with pytest.raises(AccessDenied):
        consultations.close_consultation(world.vera, open_consultation.pk)
    comment = consultations.submit_public_comment(open_consultation.pk, content="意见", contact="13812341234")
    with pytest.raises(AccessDenied):
        consultations.reveal_contact(world.larry, comment.pk)
    with pytest.raises(NotFound):
        consultations.reveal_contact(world.charlie, comment.pk)


def test_creating_is_for_the_office_of_the_rule_or_of_the_organisation(world, mechanism, today):
    fields = online(today, today + timedelta(days=10))
    with pytest.raises(NotFound):
        consultations.create_consultation(world.charlie, fields, mechanism_id=mechanism.pk)
    with pytest.raises(AccessDenied):
        consultations.create_consultation(world.larry, fields, mechanism_id=mechanism.pk)
    with pytest.raises(AccessDenied):
        consultations.create_consultation(world.charlie, fields, organisation_id=world.orgs["a"].pk)
    with pytest.raises(InvalidInput, match="请选择征求意见的组织"):
        consultations.create_consultation(world.alice, fields)
    standalone = consultations.create_consultation(world.alice, fields, organisation_id=world.orgs["a"].pk)
    assert standalone.mechanism is None and standalone.organisation == world.orgs["a"]
    assert Consultation.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "  "}, "请填写标题"),
        ({"draft_text": ""}, "请填写征求意见稿"),
        ({"closes_on": None}, "开始日期和截止日期"),
        ({"swap": True}, "截止日期不能早于开始日期"),
        ({"kind": "poll"}, "征求意见方式"),
        ({"title": "题" * 256}, "标题不能超过 255 字"),
    ],
)
def test_bad_fields_are_refused_in_chinese_and_nothing_is_saved(world, mechanism, today, change, message):
    values = online(today, today + timedelta(days=10)).__dict__ | change
    if values.pop("swap", False):
        values["opens_on"], values["closes_on"] = values["closes_on"], values["opens_on"]
    with pytest.raises(InvalidInput, match=message):
        consultations.create_consultation(
            world.alice, consultations.ConsultationFields(**values), mechanism_id=mechanism.pk
        )
    assert not Consultation.objects.exists()


def test_a_meeting_needs_its_day_place_and_participants(world, mechanism, today):
    for change, message in (
        ({"opens_on": None}, "座谈会日期"),
        ({"meeting_place": ""}, "座谈地点"),
        ({"participants": " "}, "参加单位"),
    ):
        fields = consultations.ConsultationFields(**(meeting(today).__dict__ | change))
        with pytest.raises(InvalidInput, match=message):
            consultations.create_consultation(world.alice, fields, mechanism_id=mechanism.pk)


def test_publishing_needs_a_closing_date_ahead_and_the_text_is_frozen_once_out(world, mechanism, today):
    past = consultations.create_consultation(
        world.alice, online(today - timedelta(days=10), today - timedelta(days=1)), mechanism_id=mechanism.pk
    )
    with pytest.raises(InvalidInput, match=r"截止日期.*已过"):
        consultations.open_consultation(world.alice, past.pk)
    assert Consultation.objects.get(pk=past.pk).status == "draft"
    fields = online(today, today + timedelta(days=5))
    edited = consultations.update_consultation(world.alice, past.pk, fields, expected_status="draft")
    opened = consultations.open_consultation(world.alice, edited.pk)
    with pytest.raises(StaleEdit, match="不能再修改"):
        consultations.update_consultation(world.alice, opened.pk, online(today, today + timedelta(days=9)))
    with pytest.raises(StaleEdit, match="已变为“征求中”"):
        consultations.open_consultation(world.alice, opened.pk, expected_status="draft")


def test_a_stale_page_is_refused_and_changes_nothing(world, open_consultation, today):
    with pytest.raises(StaleEdit, match="请刷新页面"):
        consultations.close_consultation(
            world.alice, open_consultation.pk, expected_status="draft", today=today + timedelta(days=8)
        )
    assert Consultation.objects.get(pk=open_consultation.pk).status == "open"


def test_the_period_is_kept_to_the_day_in_shanghai(world, open_consultation, today):
    closes = open_consultation.closes_on
    assert consultations.accepts_public_comments(open_consultation, closes)  # the closing day counts
    assert not consultations.accepts_public_comments(open_consultation, closes + timedelta(days=1))
    with pytest.raises(InvalidInput, match="征求意见已截止"):
        consultations.submit_public_comment(
            open_consultation.pk, content="迟到的意见", today=closes + timedelta(days=1)
        )
    with pytest.raises(InvalidInput, match="期满后才能结束"):
        consultations.close_consultation(world.alice, open_consultation.pk, today=closes)
    with pytest.raises(InvalidInput, match="将于"):
        consultations.submit_public_comment(
            open_consultation.pk, content="早到的意见", today=open_consultation.opens_on - timedelta(days=1)
        )
    assert not ConsultationComment.objects.exists()


def test_decisions_come_after_closing_need_reasons_and_block_publishing_until_complete(
    world, lapsed_consultation
):
    comment = lapsed_consultation.comments.first()
    with pytest.raises(StaleEdit, match="征求意见结束后"):
        consultations.decide_comment(world.alice, comment.pk, decision="adopted")
    closed = consultations.close_consultation(world.alice, lapsed_consultation.pk)
    for decision in ("partly", "not_adopted"):
        with pytest.raises(InvalidInput, match="请填写理由"):
            consultations.decide_comment(world.alice, comment.pk, decision=decision, reason="  ")
    with pytest.raises(InvalidInput, match="采纳情况应为"):
        consultations.decide_comment(world.alice, comment.pk, decision="pending")
    consultations.decide_comment(world.alice, comment.pk, decision="adopted")
    with pytest.raises(InvalidInput, match="还有 1 条意见未研究"):
        consultations.publish_summary(world.alice, closed.pk, "采纳情况。")
    with pytest.raises(InvalidInput, match="请填写采纳情况说明"):
        consultations.save_summary(world.alice, closed.pk, "")
    assert Consultation.objects.get(pk=closed.pk).status == "closed"


def test_a_published_summary_never_changes(world, lapsed_consultation):
    consultations.close_consultation(world.alice, lapsed_consultation.pk)
    for comment in lapsed_consultation.comments.all():
        consultations.decide_comment(world.alice, comment.pk, decision="adopted")
    published = consultations.publish_summary(world.alice, lapsed_consultation.pk, "全部采纳。")
    refusals = [
        lambda: consultations.save_summary(world.alice, published.pk, "改写"),
        lambda: consultations.publish_summary(world.alice, published.pk, "改写"),
        lambda: consultations.decide_comment(
            world.alice, published.comments.first().pk, decision="not_adopted", reason="改主意"
        ),
        lambda: consultations.record_comment(world.alice, published.pk, content="补录", channel="letter"),
        lambda: consultations.close_consultation(world.alice, published.pk),
    ]
    for refuse in refusals:
        with pytest.raises(StaleEdit, match="采纳情况已公布，不能再修改"):
            refuse()
    assert Consultation.objects.get(pk=published.pk).summary == "全部采纳。"


def test_contacts_are_checked_encrypted_at_rest_masked_and_revealed_with_an_audit_entry(
    world, open_consultation
):
    with pytest.raises(InvalidInput, match="联系电话格式不正确"):
        consultations.submit_public_comment(open_consultation.pk, content="意见", contact="12345")
    with pytest.raises(InvalidInput, match="电子邮箱格式不正确"):
        consultations.submit_public_comment(open_consultation.pk, content="意见", contact="zhang@")
    comment = consultations.submit_public_comment(
        open_consultation.pk, content="意见", name="张三丰", contact="138 1234 1234"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sender_name, sender_contact FROM feedback_consultationcomment WHERE id = %s", [comment.pk]
        )
        raw_name, raw_contact = cursor.fetchone()
    assert "张三丰" not in raw_name and "1234" not in raw_contact
    stored = ConsultationComment.objects.get(pk=comment.pk)
    assert stored.sender_contact == "13812341234"
    assert consultations.masked_contact(stored.sender_contact) == "138****1234"
    assert consultations.masked_contact("zhang.san@example.com") == "z***@example.com"

    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    assert consultations.reveal_contact(world.alice, comment.pk) == ("张三丰", "13812341234")
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("timestamp")
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1
    assert entry.actor == world.alice and entry.object_pk == str(comment.pk)
    assert entry.additional_data["org_path"] == world.orgs["a"].path
    # The trail never holds the contact itself.
    assert not LogEntry.objects.filter(changes_text__contains="13812341234").exists()
    assert "13812341234" not in str(list(LogEntry.objects.values_list("changes", flat=True)))


def test_a_comment_keeps_its_chinese_punctuation(world, open_consultation):
    text = "建议第三条改为：“鼓励（而非要求）错时开放”；另外，收费标准呢？请明确！"
    assert consultations.submit_public_comment(open_consultation.pk, content=text).content == text


def test_sizes_are_limited(world, open_consultation):
    with pytest.raises(InvalidInput, match="意见内容不能超过 5000 字"):
        consultations.submit_public_comment(open_consultation.pk, content="长" * 5001)
    with pytest.raises(InvalidInput, match="请填写意见内容"):
        consultations.submit_public_comment(open_consultation.pk, content="<p> </p>")
    with pytest.raises(InvalidInput, match="姓名不能超过"):
        consultations.submit_public_comment(open_consultation.pk, content="意见", name="名" * 65)


def test_the_portal_lists_taking_comments_first_then_upcoming_then_the_rest(world, mechanism, today):
    def make(opens, closes, title, open_on=None):
        draft = consultations.create_consultation(
            world.alice, online(opens, closes, title=title), mechanism_id=mechanism.pk
        )
        return consultations.open_consultation(world.alice, draft.pk, today=open_on or opens)

    old = make(today - timedelta(days=60), today - timedelta(days=30), "旧的")
    soon = make(today + timedelta(days=5), today + timedelta(days=20), "即将开始", open_on=today)
    late = make(today - timedelta(days=3), today + timedelta(days=30), "晚截止")
    early = make(today - timedelta(days=3), today + timedelta(days=2), "早截止")
    consultations.create_consultation(
        world.alice, online(today, today + timedelta(days=9), title="草稿"), mechanism_id=mechanism.pk
    )
    consultations.create_consultation(world.alice, meeting(today), mechanism_id=mechanism.pk)  # unpublished
    listed = list(consultations.public_consultations(today))
    assert listed == [early, late, soon, old]
    assert [consultations.public_phase(c, today) for c in listed] == ["open", "open", "upcoming", "closed"]
    with pytest.raises(NotFound):
        consultations.get_public(Consultation.objects.get(title="草稿").pk)
