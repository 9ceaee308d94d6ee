"""The summary rows of public feedback (feedback.tallies) stay exact: random operations through the
real services (submissions from the portal and a QR code, items registered by the office, routed,
replied, replies approved and returned, items closed), and after each one every role's figures (read
from the rows where they answer) are compared with a count by hand over every item the person may see,
today and on other days; a correction of the working-day calendar and the daily tick count the rows
again."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from rectify.errors import RectifyError
from rectify.feedback import services, tallies
from rectify.feedback.models import (
    OPEN_STATUSES,
    Channel,
    CloseReason,
    FeedbackItem,
    FeedbackKind,
    FeedbackStatus,
    FeedbackTally,
    QrCode,
)
from rectify.feedback.stats import feedback_figures
from rectify.org.models import User
from rectify.supervision.workdays import workdays_between

PEOPLE = ("alice", "larry", "hana", "bob", "lisa", "vera", "sam", "charlie")


def by_hand(user, on: date, organisation=None) -> dict:
    """Every figure counted item by item, from the definitions."""
    items = list(FeedbackItem.objects.restrict(user).select_related("unit", "qr", "organisation"))
    if organisation is not None:
        items = [item for item in items if item.organisation.path.startswith(organisation.path)]
    replied = [item for item in items if item.status == FeedbackStatus.REPLIED]

    def day(moment: datetime) -> date:
        return timezone.localtime(moment).date()

    on_time = [item for item in replied if day(item.closed_at) <= item.due_date]
    by_unit: dict[str, int] = {}
    by_qr: dict[str, int] = {}
    for item in items:
        if item.unit is not None:
            by_unit[item.unit.name] = by_unit.get(item.unit.name, 0) + 1
        if item.qr is not None:
            by_qr[item.qr.label] = by_qr.get(item.qr.label, 0) + 1
    taken = [max(workdays_between(day(item.received_at), day(item.closed_at)), 0) for item in replied]
    return {
        "total": len(items),
        "open": sum(item.status in OPEN_STATUSES for item in items),
        "overdue": sum(item.status in OPEN_STATUSES and item.due_date < on for item in items),
        "replied": len(replied),
        "replied_on_time": len(on_time),
        "closed_without_reply": sum(item.status == FeedbackStatus.CLOSED for item in items),
        "average_reply_workdays": round(sum(taken) / len(taken), 1) if taken else None,
        "by_channel": {c: sum(item.channel == c for item in items) for c in Channel.values},
        "by_kind": {k: sum(item.kind == k for item in items) for k in FeedbackKind.values},
        "by_status": {s: sum(item.status == s for item in items) for s in FeedbackStatus.values},
        "by_unit": by_unit,
        "by_qr": by_qr,
    }


def figures_of(user, on: date, organisation=None) -> dict:
    figures = feedback_figures(user, organisation=organisation, on=on)
    return {key: getattr(figures, key) for key in by_hand(user, on, organisation)}


def assert_exact(world, today: date) -> None:
    for day, names in ((today, PEOPLE), (today + timedelta(days=30), ("alice", "sam"))):
        for name in names:
            person = world.people[name]
            assert figures_of(person, day) == by_hand(person, day), (name, day)
    assert figures_of(world.sam, today, world.orgs["a"]) == by_hand(world.sam, today, world.orgs["a"])


class Operations:
    def __init__(self, world, rng: random.Random):
        self.world, self.rng = world, rng
        self.qr = QrCode.objects.create(
            organisation=world.orgs["a"], token="tally-qr", label="施工围挡公示牌", created_by=world.alice
        )

    def pick(self, *statuses: str) -> FeedbackItem | None:
        found = list(FeedbackItem.objects.filter(status__in=statuses).order_by("pk"))
        return self.rng.choice(found) if found else None

    def submit(self):
        organisation = self.world.orgs[self.rng.choice(["a", "a", "b"])]
        qr = self.qr if organisation == self.world.orgs["a"] and self.rng.random() < 0.5 else None
        services.submit_public(
            organisation=organisation,
            kind=self.rng.choice(FeedbackKind.values),
            content=f"意见{self.rng.randint(1, 10**6)}",
            qr=qr,
        )

    def register(self):
        days_ago = self.rng.randint(0, 60)
        services.register_item(
            self.world.alice,
            organisation=self.world.orgs["a"],
            channel=self.rng.choice(["phone", "letter", "visit"]),
            kind=self.rng.choice(FeedbackKind.values),
            content="来电反映",
            received_at=timezone.now() - timedelta(days=days_ago),
        )

    def route(self):
        item = self.pick(FeedbackStatus.RECEIVED)
        if item is not None:
            unit = self.world.orgs[self.rng.choice(["a1", "a2"])]
            office = self.world.charlie if item.organisation == self.world.orgs["b"] else self.world.alice
            services.route_item(office, item, unit=unit, version=item.version)

    def reply(self):
        item = self.pick(FeedbackStatus.ROUTED)
        if item is not None:
            liaison = self.world.bob if item.unit == self.world.orgs["a1"] else self.world.lisa
            services.save_reply(liaison, item, text="已核实并整改。", submit=True)

    def approve(self):
        item = self.pick(FeedbackStatus.REPLY_PENDING)
        if item is not None:
            services.approve_reply(self.world.alice, item)

    def send_back(self):
        item = self.pick(FeedbackStatus.REPLY_PENDING)
        if item is not None:
            services.return_reply(self.world.alice, item, reason="答复不完整。")

    def close(self):
        item = self.pick(*OPEN_STATUSES)
        if item is not None and item.organisation == self.world.orgs["a"]:
            services.close_item(
                self.world.alice, item, reason=CloseReason.OUT_OF_SCOPE, note="不属于本单位职责。"
            )


@pytest.mark.parametrize("seed", [1, 2])
def test_the_figures_from_the_rows_stay_exact_under_random_operations(world, seed):
    today = timezone.localdate()
    rng = random.Random(seed)
    ops = Operations(world, rng)
    choices = [ops.submit, ops.submit, ops.register, ops.route, ops.route, ops.reply, ops.approve]
    choices += [ops.approve, ops.send_back, ops.close]
    done = set()
    for _ in range(30):
        operation = rng.choice(choices)
        try:
            operation()
        except RectifyError:
            pass  # refused: nothing changed, and the figures must still agree
        else:
            done.add(operation.__name__)
        assert_exact(world, today)
    assert len(done) >= 6, done
    assert FeedbackTally.objects.filter(counted_on=today).exists()  # the rows did the answering


def test_rows_of_another_day_are_not_used_and_the_tick_counts_them_again(world, fb):
    """Rows counted yesterday are not read today (the items are counted directly); the tick counts
    every organisation for the new day."""
    today = timezone.localdate()
    tallies.refresh(on=today - timedelta(days=1))
    FeedbackTally.objects.update(items=99)  # stale, and wrong: never read today
    assert figures_of(world.alice, today) == by_hand(world.alice, today)
    call_command("tick", verbosity=0)
    assert set(FeedbackTally.objects.values_list("counted_on", flat=True)) == {today}
    assert figures_of(world.alice, today) == by_hand(world.alice, today)


def test_a_calendar_correction_counts_the_replies_working_days_again(world, fb, settings):
    """A holiday entered by hand changes how many working days a reply took: the rows follow."""
    today = timezone.localdate()
    received = timezone.now() - timedelta(days=14)
    item = services.register_item(
        world.alice,
        organisation=world.orgs["a"],
        channel="phone",
        kind="opinion",
        content="来电",
        received_at=received,
    )
    item = services.route_item(world.alice, item, unit=world.orgs["a1"], version=item.version)
    services.save_reply(world.bob, item, text="已处理。", submit=True)
    services.approve_reply(world.alice, item)
    before = figures_of(world.alice, today)["average_reply_workdays"]
    admin = User.objects.create_superuser("root", password=None, full_name="管理员")
    client = Client()
    client.force_login(admin)
    weekday = next(
        day
        for day in (timezone.localtime(received).date() + timedelta(days=n) for n in range(1, 10))
        if day.weekday() < 5
    )
    response = client.post(
        "/admin/supervision/workcalendarday/add/",
        {"date": weekday.isoformat(), "note": "临时放假", "is_workday": ""},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    after = figures_of(world.alice, today)
    assert after == by_hand(world.alice, today)
    assert after["average_reply_workdays"] != before


def test_a_hotline_workbook_is_counted_once_at_the_end_of_its_import(world, settings, tmp_path):
    """A thousand orders registered in one import: the organisation's rows are counted once, in the
    import's transaction, and they are exact (with each order's own deadline where it is earlier)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rectify.feedback.hotline import services as hotline
    from tests.hotline.test_import import order, workbook

    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    tallies.refresh()
    rows = [
        order(f"GZ-{n}", deadline=date(2025, 3, 5) if n % 2 else date(2025, 3, 30), content=f"诉求{n}")
        for n in range(40)
    ]
    with CaptureQueriesContext(connection) as queries:
        hotline.import_workbook(world.alice, world.orgs["a"], workbook(rows), "12345工单.xlsx")
    recounts = [q for q in queries.captured_queries if 'DELETE FROM "feedback_feedbacktally"' in q["sql"]]
    assert len(recounts) == 1
    assert figures_of(world.alice, today) == by_hand(world.alice, today)
    assert figures_of(world.alice, today)["total"] == 40
