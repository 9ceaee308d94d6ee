"""The working-day calendar loaded from the holidays library: `rectify load-holidays`, the tick, the
administrator's corrections, and a year whose arrangement is not yet announced."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from rectify.feedback.services import submit_public
from rectify.org.models import User
from rectify.supervision.holiday_calendar import ANNOUNCED_YEARS, calendar_warnings
from rectify.supervision.models import WorkCalendarDay
from rectify.supervision.workdays import add_workdays, is_workday, workdays_between
from tests.conftest import PASSWORD

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIBRARY = WorkCalendarDay.Source.LIBRARY
MANUAL = WorkCalendarDay.Source.MANUAL
UNPUBLISHED_2027 = "2027 年的节假日安排尚未发布，工作日暂按周一至周五计算"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def load(*years: int) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_holidays", *[f"--year={year}" for year in years], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def row(day: date) -> WorkCalendarDay:
    return WorkCalendarDay.objects.get(date=day)


@pytest.mark.django_db
def test_2026_is_loaded_as_the_state_council_announced_it():
    out, err = load(2026)
    assert "2026 年节假日安排已载入（新增 25 天）" in out and not err
    # 国庆节、中秋节 2026: 1–7 October off; Sunday 20 September and Saturday 10 October worked.
    assert (row(date(2026, 10, 1)).is_workday, row(date(2026, 10, 1)).note) == (False, "国庆节")
    assert row(date(2026, 10, 1)).source == LIBRARY
    assert row(date(2026, 10, 7)).note == "国庆节调休放假" and not row(date(2026, 10, 7)).is_workday
    for worked in (date(2026, 9, 20), date(2026, 10, 10), date(2026, 2, 14), date(2026, 2, 28)):
        assert worked.weekday() >= 5 and row(worked).is_workday and is_workday(worked)
    assert row(date(2026, 10, 10)).note == "国庆节调休上班"
    assert row(date(2026, 2, 14)).note == "春节调休上班"
    # Only the exceptions to the weekday rule are stored: a weekend holiday is no exception.
    assert not WorkCalendarDay.objects.filter(date=date(2026, 10, 3)).exists()
    assert not is_workday(date(2026, 10, 3))
    # The 春节 holiday: 16–23 February off (weekdays stored), back to work on the 24th.
    assert [is_workday(date(2026, 2, day)) for day in range(13, 25)] == [
        True,  # Fri 13
        True,  # Sat 14, 调休
        False,  # Sun 15
        *[False] * 8,  # 16–23
        True,  # Tue 24
    ]

    out, _ = load(2026)  # again: nothing changes
    assert "2026 年节假日安排已是最新（共 25 天节假日和调休上班日）" in out
    assert WorkCalendarDay.objects.count() == 25


@pytest.mark.django_db
def test_a_reply_deadline_across_national_day_skips_the_holidays(world):
    load(2026)
    # Wednesday 30 September: the next working day is Thursday 8 October.
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # 1–11 October holds 3 working days: the 8th, the 9th and Saturday the 10th (调休).
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 11)) == 3
    # A message received on Tuesday 29 September gets 15 working days (the default policy):
    # 30 Sep, then 8, 9, 10 (Sat), 12–16, 19–23, 26 October: the 15th working day is 26 October.
    with time_machine.travel(at(date(2026, 9, 29)), tick=False):
        item = submit_public(organisation=world.orgs["a"], kind="opinion", content="国庆期间公交加班")
    assert item.due_date == date(2026, 10, 26)


@pytest.mark.django_db
def test_a_day_corrected_by_hand_survives_reloading(world):
    load(2026)
    root = User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(root)
    # The organisation works on 7 October (a local arrangement): the administrator corrects the day.
    day = row(date(2026, 10, 7))
    response = client.post(
        f"/admin/supervision/workcalendarday/{day.pk}/change/",
        {"date": "2026-10-07", "is_workday": "on", "note": "本单位安排上班"},
    )
    assert response.status_code == 302, response.content.decode()
    assert (row(date(2026, 10, 7)).is_workday, row(date(2026, 10, 7)).source) == (True, MANUAL)
    # A day added by hand, too.
    client.post(
        "/admin/supervision/workcalendarday/add/",
        {"date": "2026-12-31", "note": "本单位年终盘点放假"},
    )
    assert row(date(2026, 12, 31)).source == MANUAL and not row(date(2026, 12, 31)).is_workday
    # A loaded row gone wrong is put right, one the library no longer has is removed.
    WorkCalendarDay.objects.filter(date=date(2026, 10, 1)).update(note="错误")
    WorkCalendarDay.objects.create(date=date(2026, 3, 2), is_workday=False, source=LIBRARY)

    out, _ = load(2026)
    assert "更新 1 天" in out and "删除 1 天" in out and "1 天保留人工修正" in out
    assert row(date(2026, 10, 7)).is_workday and row(date(2026, 10, 7)).note == "本单位安排上班"
    assert row(date(2026, 12, 31)).source == MANUAL
    assert row(date(2026, 10, 1)).note == "国庆节"
    assert not WorkCalendarDay.objects.filter(date=date(2026, 3, 2)).exists()
    assert add_workdays(date(2026, 10, 6), 1) == date(2026, 10, 7)


@pytest.mark.django_db
def test_a_year_not_yet_announced_is_reported_not_counted_silently(world):
    assert 2027 not in ANNOUNCED_YEARS  # holidays 0.109: the State Council's 2027 notice not yet in
    out, err = load(2027)
    assert UNPUBLISHED_2027 in err and not out
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()
    assert add_workdays(date(2027, 9, 30), 1) == date(2027, 10, 1)  # Monday to Friday meanwhile

    # The daily tick loads this year and the next and says which is missing.
    out = io.StringIO()
    call_command("tick", "--date=2026-12-01", stdout=out)
    said = out.getvalue()
    assert "2026 年节假日安排已载入（新增 25 天）" in said and f"注意：{UNPUBLISHED_2027}。" in said
    assert calendar_warnings(date(2026, 12, 1)) == [UNPUBLISHED_2027]
    # Before November next year does not matter yet.
    assert calendar_warnings(date(2026, 6, 1)) == []

    # The office sees it on the dashboard and the warnings page; a liaison is not troubled with it.
    office, liaison = Client(), Client()
    office.force_login(world.alice)
    liaison.force_login(world.bob)
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        for url in ("/dashboard/", "/warnings/"):
            assert UNPUBLISHED_2027 in office.get(url).content.decode()
            assert UNPUBLISHED_2027 not in liaison.get(url).content.decode()
        # Once the office enters the year by hand, the warning goes.
        WorkCalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, note="元旦")
        assert UNPUBLISHED_2027 not in office.get("/warnings/").content.decode()


@pytest.mark.django_db
def test_a_bad_year_is_refused():
    for value in ("20x", "1900"):
        with pytest.raises(CommandError, match="年份"):
            call_command("load_holidays", f"--year={value}")
    assert not WorkCalendarDay.objects.exists()
