"""The warning, notification, notification-preference and policy pages, through the full stack, for
every role; and the warning lights of the ledger and the counts of the navigation."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from rectify.ledger.models import Measure
from rectify.org.models import User
from rectify.progress.models import ProgressReport, SignOff
from rectify.supervision.models import Notification, NotificationPreference, WarningPolicy
from rectify.supervision.services import run_warnings

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2025, 7, 15, 9, tzinfo=SHANGHAI)  # when the ledger is imported
TODAY = date(2025, 9, 1)  # when the pages are looked at


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def text(response) -> str:
    return response.content.decode()


def labels() -> dict[int, str]:
    """Measure id → "1.1" for bureau A's measures, "乙1.1" for bureau B's (their numbers are the same)."""
    return {
        pk: ("乙" if code == "bureau-b" else "") + f"{number}.{order}"
        for pk, number, order, code in Measure.objects.values_list(
            "pk", "problem__number", "order", "problem__inspection__inspected__code"
        )
    }


def listed(page: str, start: str = 'id="warnings-title"', end: str = 'id="stuck-title"') -> set[str]:
    """The measures linked in one section of the page (by default the warning groups)."""
    section = page.split(start)[1].split(end)[0] if end else page.split(start)[1]
    names = labels()
    return {names[int(pk)] for pk in re.findall(r'href="/measures/(\d+)/"', section)}


def rows_of(page: str) -> set[str]:
    return listed(page)


@pytest.fixture
def clock():
    with time_machine.travel(CREATED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def warned(clock, ledger, world):
    """On TODAY: 1.1 green (A1), 1.2 yellow (A1), 2.1 red (A2), 3.1 escalated (A1, A2 supports),
    3.2 (A1) has no warning but a sign-off waiting at the unit head for 10 days. Nobody has reported
    for August, so every open measure misses last period's report, except 1.1."""
    deadlines = {
        (1, 1): TODAY + timedelta(days=15),
        (1, 2): TODAY + timedelta(days=5),
        (2, 1): TODAY - timedelta(days=2),
        (3, 1): TODAY - timedelta(days=40),
        (3, 2): TODAY + timedelta(days=60),
    }
    for key, deadline in deadlines.items():
        Measure.objects.filter(pk=ledger.measures[key].pk).update(deadline=deadline)
    clock.move_to(datetime(2025, 8, 22, 9, tzinfo=SHANGHAI))
    Measure.objects.filter(pk=ledger.measures[(3, 2)].pk).update(status="signoff_requested")
    SignOff.objects.create(measure=ledger.measures[(3, 2)], requested_by=world.bob, note="已完成")
    ProgressReport.objects.create(
        measure=ledger.measures[(1, 1)],
        period_start=date(2025, 8, 1),
        period_label="2025年8月",
        text="已制定方案。",
        author=world.bob,
    )
    clock.move_to(datetime(TODAY.year, TODAY.month, TODAY.day, 9, tzinfo=SHANGHAI))
    return ledger


def test_pages_need_a_login(warned):
    for url in ("/warnings/", "/warnings/policy/", "/notifications/", "/notifications/preferences/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_office_sees_every_level_with_counts_details_and_policy_link(warned):
    response = signed_in("alice").get("/warnings/")
    page = text(response)
    assert response.status_code == 200
    assert rows_of(page) == {"1.1", "1.2", "2.1", "3.1"}
    levels = {level["slug"]: level["count"] for level in response.context["levels"]}
    assert levels == {"escalated": 1, "red": 1, "yellow": 1, "green": 1}
    # Worst first, each row with its units, leader, deadline and days.
    order = [page.index(label) for label in ("措施 3.1", "措施 2.1", "措施 1.2", "措施 1.1")]
    assert order == sorted(order)
    for fragment in (
        "超期 40 天",
        "超期 2 天",
        "还有 5 天",
        "还有 15 天",
        "2025-09-06",
        "甲局执法支队",
        "李瑞",
    ):
        assert fragment in page
    for label in ("红色预警（已升级）", "红色预警", "黄色预警", "绿色预警"):
        assert f'<span class="light-dot" aria-hidden="true"></span>{label}</span>' in page
    assert "/warnings/policy/" in page


def test_filters_by_level_and_inspection(warned):
    alice = signed_in("alice")
    assert rows_of(text(alice.get("/warnings/?level=red"))) == {"2.1"}
    assert rows_of(text(alice.get("/warnings/?level=escalated"))) == {"3.1"}
    response = alice.get(f"/warnings/?inspection={warned.inspection.pk}&level=yellow")
    assert rows_of(text(response)) == {"1.2"}
    # An inspection the user may not see, or a nonsense filter, is ignored, not an error.
    assert rows_of(text(alice.get(f"/warnings/?inspection={warned.other.pk}"))) == {
        "1.1",
        "1.2",
        "2.1",
        "3.1",
    }
    assert rows_of(text(alice.get("/warnings/?level=purple&inspection=x"))) == {"1.1", "1.2", "2.1", "3.1"}


@pytest.mark.parametrize(
    "username, expected",
    [
        ("bob", {"1.1", "1.2", "3.1"}),  # unit A1: its own measures
        ("hana", {"1.1", "1.2", "3.1"}),
        ("lisa", {"2.1", "3.1"}),  # unit A2: responsible for 2.1, supports 3.1
        ("larry", {"1.1", "1.2", "2.1", "3.1"}),
        ("vera", {"1.1", "1.2", "2.1", "3.1"}),
        ("sam", {"1.1", "1.2", "2.1", "3.1"}),
        ("charlie", set()),  # bureau B's office: nothing of A
        ("nobody", set()),
    ],
)
def test_each_role_sees_the_warnings_of_what_it_may_see(warned, username, expected):
    response = signed_in(username).get("/warnings/")
    assert response.status_code == 200
    assert rows_of(text(response)) == expected
    assert ("设置预警规则" in text(response)) == (username in ("charlie",))


def test_outsider_sees_nothing_of_bureau_a_anywhere_on_the_page(warned):
    page = text(signed_in("charlie").get("/warnings/"))
    everything = listed(page, start="<main", end="")
    assert everything and all(name.startswith("乙") for name in everything)  # B's own missing reports
    assert "目前没有需要预警的整改措施" in page and "没有滞留的销号申请" in page


def test_a_leader_can_narrow_to_the_measures_he_leads(warned, world):
    Measure.objects.filter(pk=warned.measures[(2, 1)].pk).update(lead_leader=None)
    larry = signed_in("larry")
    page = text(larry.get("/warnings/"))
    assert "只看我牵头的" in page and rows_of(page) == {"1.1", "1.2", "2.1", "3.1"}
    assert rows_of(text(larry.get("/warnings/?mine=on"))) == {"1.1", "1.2", "3.1"}
    # Not offered to others, and ignored if sent.
    assert "只看我牵头的" not in text(signed_in("alice").get("/warnings/"))
    assert rows_of(text(signed_in("alice").get("/warnings/?mine=on"))) == {"1.1", "1.2", "2.1", "3.1"}


def test_stuck_signoffs_and_missing_reports_of_what_the_user_may_see(warned):
    page = text(signed_in("alice").get("/warnings/"))
    stuck = page.split('id="stuck-title"')[1].split('id="missing-title"')[0]
    assert "措施 3.2" in stuck and "责任单位负责人" in stuck and "10 天" in stuck
    assert listed(page, 'id="missing-title"', "") == {"1.2", "2.1", "3.1"}
    assert "2025年8月" in page.split('id="missing-title"')[1]
    # Lisa (A2) does not see measure 3.2's sign-off, nor measure 1.2.
    lisa = text(signed_in("lisa").get("/warnings/"))
    assert "没有滞留的销号申请" in lisa
    assert listed(lisa, 'id="missing-title"', "") == {"2.1", "3.1"}


def test_ledger_rows_carry_a_light_with_words(warned):
    page = text(signed_in("alice").get("/measures/"))
    assert '<th scope="col" class="col-warning">预警</th>' in page
    for label in ("红色预警（已升级）", "红色预警", "黄色预警", "绿色预警"):
        assert f'<span class="light-dot" aria-hidden="true"></span>{label}</span>' in page
    assert page.count('class="light light-') == 4
    # The htmx fragment carries the lights too.
    fragment = text(signed_in("alice").get("/measures/?overdue=1", headers={"HX-Request": "true"}))
    assert fragment.count('class="light light-') == 2 and "<html" not in fragment


def test_navigation_counts_every_warning_the_page_lists_and_unread(warned, world):
    run_warnings()
    page = text(signed_in("bob").get("/inspections/"))
    # Bob sees 1.1 (green), 1.2 (yellow), 3.1 (escalated): the badge counts all three, as the page does.
    assert 'aria-label="3 条预警"' in page
    assert "共 <strong>3</strong> 条预警" in text(signed_in("bob").get("/warnings/"))
    unread = Notification.objects.filter(recipient=world.bob).count()
    assert unread == 3 and f'aria-label="{unread} 条未读"' in page
    charlie = text(signed_in("charlie").get("/inspections/"))
    assert "条预警" not in charlie and "条未读" not in charlie


def test_notifications_unread_first_mark_one_and_all(warned, world):
    run_warnings()
    bob = signed_in("bob")
    mine = list(Notification.objects.filter(recipient=world.bob).order_by("id"))
    response = bob.get("/notifications/")
    page = text(response)
    assert response.status_code == 200 and page.count('class="badge badge-unread"') == 3
    assert f'href="/measures/{warned.measures[(1, 1)].pk}/"' in page
    # Mark the oldest read: it moves below the unread ones.
    response = bob.post("/notifications/read/", {"ids": [mine[0].pk], "next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    page = text(bob.get("/notifications/"))
    assert page.count('class="badge badge-unread"') == 2
    positions = [page.index(f'id="notification-{item.pk}"') for item in (mine[1], mine[2], mine[0])]
    assert positions[2] > max(positions[:2])
    assert text(bob.get("/notifications/?unread=1")).count('class="notification ') == 2
    # Someone else's notification cannot be marked through Bob.
    larrys = Notification.objects.filter(recipient=world.larry).first()
    bob.post("/notifications/read/", {"ids": [larrys.pk]})
    larrys.refresh_from_db()
    assert larrys.read_at is None
    # All at once; an outside `next` is not followed.
    response = bob.post("/notifications/read/", {"all": "1", "next": "https://example.com/"})
    assert response["Location"] == "/notifications/"
    assert not Notification.objects.filter(recipient=world.bob, read_at__isnull=True).exists()
    assert "没有未读通知" in text(bob.get("/notifications/?unread=1"))
    assert bob.get("/notifications/read/").status_code == 405


def test_a_notification_link_leaving_the_site_is_not_a_link(world):
    Notification.objects.create(
        recipient=world.bob, kind="x", fact_key="x", title="外部链接", url="https://evil.example/"
    )
    page = text(signed_in("bob").get("/notifications/"))
    assert "外部链接" in page and "evil.example" not in page


def test_preferences_email_and_allowed_robots(world, settings):
    settings.RECTIFY_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
    bob = signed_in("bob")
    page = text(bob.get("/notifications/preferences/"))
    assert "qyapi.weixin.qq.com" in page and "oapi.dingtalk.com" in page and "管理员允许" in page
    assert 'name="email" id="id_email" checked' in page  # e-mail is on by default
    wecom = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123"
    response = bob.post("/notifications/preferences/", {"wecom_webhook": wecom, "dingtalk_webhook": ""})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=world.bob)
    assert (preference.email, preference.wecom_webhook, preference.dingtalk_webhook) == (False, wecom, "")
    assert "已保存通知方式" in text(bob.get("/notifications/preferences/"))


@pytest.mark.parametrize(
    "field, url, message",
    [
        ("wecom_webhook", "https://192.168.1.10/hook?key=1", "不在其中"),
        ("dingtalk_webhook", "http://internal.example/robot/send?access_token=1", "不在其中"),
        ("wecom_webhook", "https://oapi.dingtalk.com/robot/send?access_token=1", "这是钉钉机器人的地址"),
        ("wecom_webhook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "缺少 key 参数"),
        ("dingtalk_webhook", "oapi.dingtalk.com/robot/send", "请填写完整的机器人地址"),
        ("dingtalk_webhook", "https://oapi.dingtalk.com:99999/robot/send?access_token=1", "端口号无效"),
    ],
)
def test_preferences_refuse_robots_that_are_not_allowed(world, settings, field, url, message):
    settings.RECTIFY_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
    response = signed_in("bob").post("/notifications/preferences/", {"email": "on", field: url})
    assert response.status_code == 400 and message in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert not NotificationPreference.objects.filter(user=world.bob).exists()


def test_office_sets_its_policy_with_chinese_errors(warned, world):
    alice = signed_in("alice")
    page = text(alice.get("/warnings/policy/"))
    assert "甲局预警规则" in page and "正在使用默认规则" in page and 'value="20"' in page
    assert "李瑞" in page and "包博" not in page  # the Party head is one of A's leaders
    form = {
        "organisation": world.orgs["a"].pk,
        "green_days": "10",
        "yellow_days": "10",
        "escalate_days": "0",
        "signoff_stuck_days": "7",
        "order_escalate_days": "3",
        "feedback_reply_workdays": "10",
        "party_head": "",
    }
    response = alice.post("/warnings/policy/", form)
    page = text(response)
    assert response.status_code == 400
    assert "绿色预警应早于黄色预警" in page and "请填写 1 到 365 之间的整数天数" in page
    assert "Constraint" not in page and not WarningPolicy.objects.exists()
    response = alice.post("/warnings/policy/", {**form, "party_head": world.bob.pk, "green_days": "30"})
    assert response.status_code == 400 and "不是本单位的领导小组成员" in text(response)
    response = alice.post(
        "/warnings/policy/",
        {**form, "green_days": "30", "yellow_days": "7", "escalate_days": "5", "party_head": world.larry.pk},
    )
    assert response.status_code == 302
    policy = WarningPolicy.objects.get(organisation=world.orgs["a"])
    assert policy.feedback_reply_workdays == 10  # new items of A are due 10 working days after receipt
    assert (policy.green_days, policy.yellow_days, policy.escalate_days, policy.party_head) == (
        30,
        7,
        5,
        world.larry,
    )
    page = text(alice.get(response["Location"]))
    assert "已保存甲局的预警规则" in page and "本单位已设置自己的预警规则" in page
    # The levels follow the new policy at once: 1.1 (15 days ahead) is now green, 3.2 (60) nothing.
    levels = {level["slug"]: level["count"] for level in alice.get("/warnings/").context["levels"]}
    assert levels == {"escalated": 1, "red": 1, "yellow": 1, "green": 1}


@pytest.mark.parametrize("username", ["bob", "hana", "lisa", "larry", "vera", "sam", "nobody"])
def test_only_the_office_may_set_a_policy(warned, world, username):
    client = signed_in(username)
    response = client.get("/warnings/policy/")
    assert response.status_code == 403 and "只有整改办可以设置预警规则" in text(response)
    response = client.post(
        "/warnings/policy/",
        {"organisation": world.orgs["a"].pk, "green_days": "30", "yellow_days": "5", "escalate_days": "5"},
    )
    assert response.status_code == 403 and not WarningPolicy.objects.exists()


def test_an_office_cannot_set_another_organisations_policy(warned, world):
    charlie = signed_in("charlie")
    assert "乙局预警规则" in text(charlie.get("/warnings/policy/"))
    response = charlie.get(f"/warnings/policy/?organisation={world.orgs['a'].pk}")
    assert response.status_code == 403
    response = charlie.post(
        "/warnings/policy/",
        {
            "organisation": world.orgs["a"].pk,
            "green_days": "30",
            "yellow_days": "5",
            "escalate_days": "5",
            "signoff_stuck_days": "7",
            "order_escalate_days": "3",
        },
    )
    assert response.status_code == 403 and not WarningPolicy.objects.exists()
