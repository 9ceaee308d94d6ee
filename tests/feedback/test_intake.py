"""Intake: tracking codes, working-day deadlines, public submissions and staff entry."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput
from rectify.feedback.models import Channel, FeedbackItem, FeedbackStatus
from rectify.feedback.services import (
    CODE_ALPHABET,
    due_date_for,
    find_by_code,
    new_tracking_code,
    normalise_code,
    register_item,
    submit_public,
)
from rectify.supervision.models import WarningPolicy, WorkCalendarDay
from rectify.supervision.workdays import add_workdays, workdays_between


def test_tracking_codes_are_random_grouped_and_unambiguous():
    codes = {new_tracking_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4]
        assert all(c in CODE_ALPHABET for c in "".join(groups))
    assert not set("01IO") & set(CODE_ALPHABET)


def test_codes_are_normalised_from_what_people_type():
    assert normalise_code("k7qd 9xtm f3hb") == "K7QD-9XTM-F3HB"
    assert normalise_code(" K7QD—9XTM—F3HB ") == "K7QD-9XTM-F3HB"
    assert normalise_code("ｋ７ＱＤ９ＸＴＭＦ３ＨＢ") == "K7QD-9XTM-F3HB"  # full-width input
    assert normalise_code("K7QD-9XTM-F3H") is None
    assert normalise_code("K7QD-9XTM-F3H0") is None  # 0 is never in a code
    assert normalise_code("") is None


def test_find_by_code(world):
    item = submit_public(organisation=world.orgs["a"], kind="opinion", content="路面破损")
    assert find_by_code(item.code.lower().replace("-", " ")) == item
    assert find_by_code("AAAA-AAAA-AAAA") is None
    assert find_by_code("not a code") is None


@pytest.mark.django_db
def test_working_days_skip_weekends_and_holidays_and_count_adjusted_weekends():
    friday = date(2025, 9, 26)
    assert add_workdays(friday, 1) == date(2025, 9, 29)  # over the weekend to Monday
    assert add_workdays(friday, 5) == date(2025, 10, 3)
    assert add_workdays(friday, 0) == friday
    # 国庆: 1–8 October off, Sunday 28 September and Saturday 11 October worked (调休).
    for day in range(1, 9):
        WorkCalendarDay.objects.create(date=date(2025, 10, day), is_workday=False, note="国庆节")
    WorkCalendarDay.objects.create(date=date(2025, 9, 28), is_workday=True, note="国庆调休上班")
    WorkCalendarDay.objects.create(date=date(2025, 10, 11), is_workday=True, note="国庆调休上班")
    assert add_workdays(friday, 1) == date(2025, 9, 28)
    assert add_workdays(friday, 3) == date(2025, 9, 30)
    assert add_workdays(friday, 4) == date(2025, 10, 9)
    assert add_workdays(friday, 6) == date(2025, 10, 11)
    assert add_workdays(friday, 7) == date(2025, 10, 13)
    assert workdays_between(friday, date(2025, 10, 13)) == 7
    assert workdays_between(friday, friday) == 0


def test_due_date_uses_nearest_policy_default_fifteen(world):
    received = date(2025, 3, 3)  # a Monday
    assert due_date_for(world.orgs["a1"], received) == date(2025, 3, 24)  # 15 working days
    WarningPolicy.objects.create(organisation=world.orgs["city"], feedback_reply_workdays=10)
    assert due_date_for(world.orgs["a1"], received) == date(2025, 3, 17)
    WarningPolicy.objects.create(organisation=world.orgs["a"], feedback_reply_workdays=5)
    assert due_date_for(world.orgs["a1"], received) == date(2025, 3, 10)
    assert due_date_for(world.orgs["b"], received) == date(2025, 3, 17)


def test_public_submission_is_normalised(world, ledger):
    problem = ledger.measures[(1, 1)].problem
    item = submit_public(
        organisation=world.orgs["a"],
        kind="demand",
        content="  <script>alert(1)</script><b>施工围挡</b>占道  ",
        name=" 张三 ",
        phone="138 1234 5678",
        email="Zhang@Example.com",
        enterprise="某某物流有限公司",
        credit_code="91350100m000100y43",
        consent_to_contact=True,
        problem=problem,
    )
    item.refresh_from_db()
    assert item.content == "alert(1)施工围挡占道"
    assert (item.sender_name, item.sender_phone, item.sender_email) == (
        "张三",
        "13812345678",
        "zhang@example.com",
    )
    assert item.credit_code == "91350100M000100Y43"
    assert item.channel == Channel.PORTAL
    assert item.status == FeedbackStatus.RECEIVED
    assert item.inspection == ledger.inspection  # derived from the problem
    assert item.created_by is None
    assert item.due_date == due_date_for(world.orgs["a"], timezone.localdate(item.received_at))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("content", "   ", "请填写内容"),
        ("content", "<p></p>", "请填写内容"),
        ("content", "字" * 2001, "内容不能超过 2000 个字"),
        ("phone", "12345", "联系电话格式不正确"),
        ("phone", "12812345678", "联系电话格式不正确"),
        ("email", "not-an-email", "电子邮箱格式不正确"),
        ("credit_code", "91350100M000100Y44", "校验位不正确"),
        ("credit_code", "9135010OM000100Y43", "18 位"),
        ("name", "名" * 65, "姓名不能超过 64 个字"),
        ("enterprise", "企" * 256, "企业名称不能超过 255 个字"),
        ("kind", "complaint", "类别无效"),
    ],
)
def test_public_submission_refuses_bad_input(world, field, value, message):
    values = {"kind": "opinion", "content": "有意见", field: value}
    with pytest.raises(InvalidInput, match=message):
        submit_public(organisation=world.orgs["a"], **values)
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("020-12345678", "020-12345678"),
        ("02012345678", "020-12345678"),
        ("(0755) 8765 4321", "0755-87654321"),
        ("0755-87654321-123", "0755-87654321-123"),
        ("０２０－１２３４５６７８", "020-12345678"),
    ],
)
def test_phone_numbers_accepted(world, typed, stored):
    item = submit_public(organisation=world.orgs["a"], kind="opinion", content="x", phone=typed)
    assert FeedbackItem.objects.get(pk=item.pk).sender_phone == stored


def test_links_must_belong_to_the_organisation(world, ledger):
    other_problem = ledger.other.problems.first()
    with pytest.raises(InvalidInput, match="所选问题不属于甲局"):
        submit_public(organisation=world.orgs["a"], kind="opinion", content="x", problem=other_problem)
    measure = ledger.measures[(1, 1)]
    with pytest.raises(InvalidInput, match="所选整改措施不属于所选问题"):
        submit_public(
            organisation=world.orgs["a"],
            kind="opinion",
            content="x",
            measure=measure,
            problem=ledger.measures[(2, 1)].problem,
        )
    with pytest.raises(InvalidInput, match="所选巡察不属于乙局"):
        submit_public(organisation=world.orgs["b"], kind="opinion", content="x", inspection=ledger.inspection)
    item = submit_public(organisation=world.orgs["a"], kind="opinion", content="x", measure=measure)
    assert (item.problem, item.inspection) == (measure.problem, ledger.inspection)


def test_staff_entry_by_the_office_only(world):
    received = timezone.make_aware(datetime(2025, 3, 7, 10, 0))  # a Friday
    item = register_item(
        world.alice,
        organisation=world.orgs["a"],
        channel=Channel.ASSOCIATION,
        kind="demand",
        content="会员企业反映审批材料重复提交",
        received_at=received,
        association="市道路运输协会",
        external_ref="XH-2025-001",
    )
    assert item.created_by == world.alice
    assert item.due_date == date(2025, 3, 28)
    assert item.association == "市道路运输协会"
    for outsider in (world.charlie, world.hana, world.larry, world.vera, world.nobody):
        with pytest.raises(AccessDenied):
            register_item(
                outsider, organisation=world.orgs["a"], channel="phone", kind="opinion", content="x"
            )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": "portal"}, "来源渠道无效"),
        ({"channel": "association"}, "须填写转达的行业协会名称"),
        ({"received_at": timezone.now() + timezone.timedelta(days=1)}, "收到时间不能晚于现在"),
        ({"content": ""}, "请填写内容"),
    ],
)
def test_staff_entry_refuses_bad_input(world, changes, message):
    values = {"organisation": world.orgs["a"], "channel": "phone", "kind": "opinion", "content": "来电反映"}
    with pytest.raises(InvalidInput, match=message):
        register_item(world.alice, **(values | changes))
    assert not FeedbackItem.objects.exists()


def test_external_reference_registered_once_per_channel(world):
    values = {
        "organisation": world.orgs["a"],
        "kind": "opinion",
        "content": "热线工单",
        "external_ref": "GD001",
    }
    register_item(world.alice, channel="hotline", **values)
    with pytest.raises(InvalidInput, match="GD001”已登记过"):
        register_item(world.alice, channel="hotline", **values)
    register_item(world.alice, channel="letter", **values)  # another channel's numbering


def test_content_keeps_chinese_punctuation_while_numbers_are_folded(world):
    item = submit_public(
        organisation=world.orgs["a"],
        kind="opinion",
        content="建议：延长（早晚）高峰时段，好吗？１２３",
        phone="１３８１２３４５６７８",
        email="ｚｈａｎｇ＠example.com",
        credit_code="９１３５０１００Ｍ０００１００Ｙ４３",
    )
    item = FeedbackItem.objects.get(pk=item.pk)
    assert item.content == "建议：延长（早晚）高峰时段，好吗？１２３"
    assert (item.sender_phone, item.sender_email, item.credit_code) == (
        "13812345678",
        "zhang@example.com",
        "91350100M000100Y43",
    )
