"""One number per figure, wherever it is shown: the 预警 badge, the warnings page, the ledger's filtered
lists, the dashboard, the dispatch report and the API agree on the overdue measures, the warnings by
level, the measures signed off (in all and in a period) and the replies overdue; on the demo and on a
random ledger (seeded, so a failure replays), for every role."""

from __future__ import annotations

import dataclasses
import random
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rectify.feedback.models import OPEN_STATUSES as FEEDBACK_OPEN
from rectify.insights import services as insights
from rectify.ledger.choices import MeasureCategory, MeasureStatus
from rectify.ledger.models import Inspection, Measure, MeasureUnit
from rectify.ledger.services import summarise
from rectify.notices.document import NoticeArea, NoticeDocument, NoticeMeasure, NoticeProblem
from rectify.notices.importer import import_notice
from rectify.org.models import User
from rectify.progress.models import SignOff, SignOffLevel, SignOffState
from rectify.progress.services import signed_off_between
from rectify.supervision import dispatch, tallies
from rectify.supervision.forms import SLUG_OF_LEVEL
from rectify.supervision.models import WarningPolicy

from .conftest import PASSWORD, small_notice
from .demo_copy import demo as demo_copy

SEEDS = (7, 2025, 31337)


def _get(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _listed(client: Client, url: str) -> int:
    """How many rows a list page says it has (共 N 条), or an API list its `count`."""
    response = _get(client, url)
    if url.startswith("/api/"):
        return response.json()["count"]
    return response.context["page"].paginator.count


def _badge(html: str) -> int:
    found = re.search(r'aria-label="(\d+) 条预警"', html)
    return int(found.group(1)) if found else 0


def assert_figures_agree(user: User, today: date) -> dict[str, int]:
    """Every place that shows a figure shows the same number for `user`. Returns the figures."""
    client = Client()
    client.force_login(user)
    board = insights.dashboard(user, on=today)
    stats = _get(client, "/api/v1/stats").json()
    warnings_page = _get(client, "/warnings/")
    page_levels = {level["value"]: level["count"] for level in warnings_page.context["levels"]}

    # Warnings, in all and by level.
    total = warnings_page.context["total"]
    assert _badge(warnings_page.content.decode()) == total, "badge"
    assert _listed(client, "/api/v1/warnings") == total, "API warnings"
    assert sum(row.count for row in board.warnings) == total, "dashboard warnings"
    assert sum(row["count"] for row in stats["warnings"]) == total, "API stats warnings"
    for row in board.warnings:
        slug = SLUG_OF_LEVEL[row.level]
        assert page_levels[row.level] == row.count, slug
        assert _listed(client, f"/api/v1/warnings?level={slug}") == row.count, slug
        assert _get(client, row.url).context["page"].paginator.count == row.count, slug

    # Overdue and signed off, in all and per responsible unit.
    overdue, signed_off = board.totals.overdue, board.totals.signed_off
    assert stats["totals"]["overdue"] == overdue and stats["totals"]["signed_off"] == signed_off
    assert _listed(client, "/measures/?overdue=1") == overdue, "ledger overdue"
    assert _listed(client, "/api/v1/measures?overdue=true") == overdue, "API overdue"
    assert _listed(client, "/measures/?status=signed_off") == signed_off, "ledger signed off"
    assert _listed(client, "/api/v1/measures?status=signed_off") == signed_off, "API signed off"
    inspections = Inspection.objects.restrict(user)
    assert sum(summarise(user, inspection, on=today).overdue for inspection in inspections) == overdue
    for row in board.by_unit:
        if row.url:
            assert _listed(client, row.url) == row.figures.total, row.name
            assert _listed(client, row.overdue_url) == row.figures.overdue, row.name
    for row in board.behind:
        assert _listed(client, row.overdue_url) == row.figures.overdue, row.name

    # Signed off in a period: the dispatch report, the dashboard's month, never more than 已销号.
    month_start = today.replace(day=1)
    timeline = {point.month: point for point in board.timeline}
    in_month = timeline[f"{today:%Y-%m}"].signed_off_in_month if f"{today:%Y-%m}" in timeline else 0
    visible = Measure.objects.restrict(user)
    assert signed_off_between(visible, month_start, today).count() == in_month
    for inspection in inspections:
        if dispatch.may_build(user, inspection):
            data = dispatch.compute(user, inspection, month_start, today)
            one = insights.dashboard(user, inspection.pk, on=today)
            assert data["totals"]["overdue"] == one.totals.overdue
            assert data["totals"]["signed_off"] == one.totals.signed_off
            assert data["totals"]["red_warnings"] == one.totals.red + one.totals.escalated
            point = {p.month: p for p in one.timeline}.get(f"{today:%Y-%m}")
            period = data["period"]["signed_off_count"]
            assert period == (point.signed_off_in_month if point else 0)
            assert period <= data["totals"]["signed_off"]

    # Replies overdue and open (public feedback).
    feedback = board.feedback.figures
    if board.feedback.overdue_url:
        assert _listed(client, board.feedback.overdue_url) == feedback.overdue, "feedback overdue"
    assert sum(_listed(client, f"/feedback/?status={status}") for status in FEEDBACK_OPEN) == feedback.open
    return {"warnings": total, "overdue": overdue, "signed_off": signed_off, "in_month": in_month}


# ------------------------------------------------------------------ the demo


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return demo_copy(PASSWORD)


def test_the_demo_shows_one_number_per_figure_for_every_role(demo):
    today = timezone.localdate()
    seen = {}
    for username in ("office", "leader", "unithead", "unit", "supervisor", "xcb"):
        seen[username] = assert_figures_agree(User.objects.get(username=username), today)
    assert (
        seen["office"]["warnings"] > 0 and seen["office"]["overdue"] > 0 and seen["office"]["signed_off"] > 0
    )


# ------------------------------------------------------------------ a random ledger


def _random_notice(rng: random.Random, title: str) -> NoticeDocument:
    """small_notice() (tests/conftest.py) with areas, problems and measures of random number."""
    areas = []
    number = 0
    for area in range(rng.randint(1, 3)):
        problems = []
        for _ in range(rng.randint(2, 6)):
            number += 1
            measures = [NoticeMeasure(f"措施{number}-{order}。") for order in range(1, rng.randint(2, 5))]
            problems.append(NoticeProblem(number, f"问题{number}的整改", measures))
        areas.append(NoticeArea(title=f"关于第{area + 1}方面", problems=problems))
    return dataclasses.replace(small_notice(title), areas=areas)


def _random_ledger(rng: random.Random, world, today: date) -> None:
    """Two inspections (bureau A's and B's) of random size; each measure with a random deadline
    (or none), status, category, leader, responsible and supporting units, and for those signed off
    or reopened the approvals they went through (a reopened one was approved once, then relapsed)."""
    units = {"a": ["a1", "a1squad", "a2"], "b": ["b1"]}
    if rng.random() < 0.7:
        WarningPolicy.objects.create(
            organisation=world.orgs["a"],
            green_days=rng.randint(11, 40),
            yellow_days=rng.randint(1, 10),
            escalate_days=rng.randint(1, 30),
        )
    for org, office in (("a", world.alice), ("b", world.charlie)):
        inspection = import_notice(
            _random_notice(rng, f"{org}的整改通报"), organisation=world.orgs[org], user=office
        )
        for measure in Measure.objects.filter(problem__inspection=inspection):
            status = rng.choice(MeasureStatus.values)
            deadline = None if rng.random() < 0.1 else today + timedelta(days=rng.randint(-60, 45))
            Measure.objects.filter(pk=measure.pk).update(
                status=status,
                deadline=deadline,
                category=rng.choice(MeasureCategory.values),
                lead_leader=world.larry if org == "a" and rng.random() < 0.8 else None,
            )
            responsible = rng.sample(units[org], k=rng.randint(0, min(2, len(units[org]))))
            others = [unit for unit in units[org] if unit not in responsible]
            supporting = rng.sample(others, k=rng.randint(0, len(others)))
            for role, chosen in ((MeasureUnit.Role.RESPONSIBLE, responsible), ("supporting", supporting)):
                for unit in chosen:
                    MeasureUnit.objects.create(measure=measure, unit=world.orgs[unit], role=role)
            approvals = {MeasureStatus.SIGNED_OFF: rng.randint(1, 2), MeasureStatus.REOPENED: 1}.get(
                status, 0
            )
            for _ in range(approvals):
                closed_on = today - timedelta(days=rng.randint(0, 70))
                closed_at = timezone.make_aware(datetime.combine(closed_on, time(rng.randint(0, 23), 30)))
                SignOff.objects.create(
                    measure=measure,
                    requested_by=office,
                    state=SignOffState.APPROVED,
                    level=SignOffLevel.LEADER,
                    closed_at=closed_at,
                )
    # The ledger above is written directly, not through the services that keep the summary rows up to
    # date: count them again, as the daily tick does after such a write.
    tallies.refresh()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_random_ledger_shows_one_number_per_figure_for_every_role(seed, world):
    rng = random.Random(seed)
    today = timezone.localdate()
    _random_ledger(rng, world, today)
    for user in (
        world.alice,
        world.larry,
        world.hana,
        world.bob,
        world.lisa,
        world.vera,
        world.sam,
        world.charlie,
    ):
        assert_figures_agree(user, today)
