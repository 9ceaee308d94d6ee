"""The summary rows (supervision.tallies) stay exact: random operations through the real services
(reports, reviews, sign-off at every level, follow-up relapses, deadlines set and moved, lead leaders,
responsible units and categories changed, time nodes added, done, reopened and deleted, warning
policies changed, notices imported), and after each one every row is compared with a direct count
(those per unit, leader and category, and the problems' rows, with each measure's own fields), the
navigation's 预警 badge with the warning light of every visible measure, for every role, today and on
other days, and the dashboard (also GET /api/v1/stats: the same function), whose status, overdue,
per-inspection, per-unit, per-leader and per-category figures come from the rows, with the same
figures counted by hand for every role."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.errors import RectifyError
from rectify.insights import services as insights
from rectify.ledger import services as ledger_services
from rectify.ledger.choices import (
    COMPLETED_STATUSES,
    OPEN_STATUSES,
    MeasureCategory,
    MeasureStatus,
    UnitRole,
)
from rectify.ledger.models import DeadlineChange, Measure, Problem
from rectify.ledger.querysets import overdue_q
from rectify.notices.importer import import_notice
from rectify.progress import milestones
from rectify.progress import services as progress
from rectify.progress.models import (
    Milestone,
    MilestoneState,
    ProgressReport,
    ReportState,
    SignOff,
    SignOffState,
)
from rectify.supervision import tallies
from rectify.supervision.deadlines import with_warning_level
from rectify.supervision.models import (
    CategoryTally,
    InspectionTally,
    LeaderTally,
    ProblemTally,
    ReportTally,
    UnitTally,
    WarningLevel,
)
from rectify.supervision.warning_helpers import nav_counts, warning_count
from tests.conftest import small_notice
from tests.insights import direct

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PEOPLE = ("alice", "larry", "hana", "bob", "lisa", "vera", "sam", "charlie")


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("整改材料.pdf", PDF, content_type="application/pdf")


def assert_exact(world, today: date) -> None:
    """Every summary row against a direct count, and the badge of every role against the warning light
    (the definition: with_warning_level) of every measure the person may see, today and on other days."""
    expected = {}
    rows = (
        with_warning_level(Measure.objects.all(), today)
        .values("problem__inspection_id", "status")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=overdue_q(today)),
            lit=Count("pk", filter=Q(warning_level__gt=WarningLevel.NONE)),
            green=Count("pk", filter=Q(warning_level=WarningLevel.GREEN)),
            yellow=Count("pk", filter=Q(warning_level=WarningLevel.YELLOW)),
            red=Count("pk", filter=Q(warning_level=WarningLevel.RED)),
            escalated=Count("pk", filter=Q(warning_level=WarningLevel.ESCALATED)),
        )
        .order_by()
    )
    for row in rows:
        expected[(row["problem__inspection_id"], row["status"])] = (
            row["n"],
            row["late"],
            row["lit"],
            (row["green"], row["yellow"], row["red"], row["escalated"]),
        )
    kept = {
        (tally.inspection_id, tally.status): (
            tally.measures,
            tally.overdue,
            tally.warned,
            (tally.green, tally.yellow, tally.red, tally.escalated),
        )
        for tally in InspectionTally.objects.filter(counted_on=today)
    }
    assert kept == expected
    # The reports' rows, against every report's own local month (submitted; accepted by its review).
    months: dict[tuple[int, date], list[int]] = {}
    for report in ProgressReport.objects.select_related("measure__problem"):
        inspection_id = report.measure.problem.inspection_id
        sent = timezone.localtime(report.submitted_at).date().replace(day=1)
        months.setdefault((inspection_id, sent), [0, 0])[0] += 1
        if report.state == ReportState.ACCEPTED:
            taken = timezone.localtime(report.reviewed_at).date().replace(day=1)
            months.setdefault((inspection_id, taken), [0, 0])[1] += 1
    assert {
        (tally.inspection_id, tally.month): [tally.submitted, tally.accepted]
        for tally in ReportTally.objects.filter(counted_on=today)
    } == months
    assert_group_rows_exact(today)
    other_days = ((today + timedelta(days=1), ("alice", "bob")), (today - timedelta(days=9), ("sam",)))
    for day, names in ((today, PEOPLE), *other_days):
        for name in names:
            person = world.people[name]
            lit = (
                with_warning_level(Measure.objects.restrict(person), day)
                .filter(warning_level__gt=WarningLevel.NONE)
                .count()
            )
            assert nav_counts(person, today=day)[0] == lit == warning_count(person, day), (name, day)
    assert_dashboards_exact(world, today)


def assert_group_rows_exact(today: date) -> None:
    """The rows per responsible unit, lead leader and category, and the problems' rows, against every
    measure's and problem's own fields."""
    expected: dict = {UnitTally: {}, LeaderTally: {}, CategoryTally: {}}
    for measure in Measure.objects.select_related("problem").prefetch_related("unit_links"):
        late = int(
            measure.status in OPEN_STATUSES and measure.deadline is not None and measure.deadline < today
        )
        units = [link.unit_id for link in measure.unit_links.all() if link.role == UnitRole.RESPONSIBLE]
        for model, keys in (
            (UnitTally, units or [None]),
            (LeaderTally, [measure.lead_leader_id]),
            (CategoryTally, [measure.category]),
        ):
            for key in keys:
                counts = expected[model].setdefault(
                    (measure.problem.inspection_id, key, measure.status), [0, 0]
                )
                counts[0] += 1
                counts[1] += late
    for model, rows in expected.items():
        kept = {
            (row.inspection_id, getattr(row, model.KEY), row.status): [row.measures, row.overdue]
            for row in model.objects.filter(counted_on=today)
        }
        assert kept == rows, model.__name__
    problems: dict[int, list[int]] = {}
    for problem in Problem.objects.prefetch_related("measures"):
        statuses = [measure.status for measure in problem.measures.all()]
        counts = problems.setdefault(problem.inspection_id, [0, 0])
        counts[0] += 1
        counts[1] += int(bool(statuses) and all(status in COMPLETED_STATUSES for status in statuses))
    kept = {
        row.inspection_id: [row.problems, row.rectified]
        for row in ProblemTally.objects.filter(counted_on=today)
    }
    assert kept == problems


def assert_dashboards_exact(world, today: date) -> None:
    """Every role's dashboard over all its inspections, and over one, against the count by hand."""
    for name in PEOPLE:
        person = world.people[name]
        if insights.may_view(person):
            direct.assert_matches(insights.dashboard(person, on=today), direct.count(person, on=today))
    inspection = Measure.objects.order_by("pk").first().problem.inspection
    board = insights.dashboard(world.alice, inspection.pk, on=today)
    direct.assert_matches(board, direct.count(world.alice, inspection, on=today))


class Operations:
    """The operations the random loop picks from; each goes through the services (or, for the warning
    policy, the page) and may be refused, which must change nothing."""

    def __init__(self, world, ledger, rng: random.Random, today: date):
        self.world, self.ledger, self.rng, self.today = world, ledger, rng, today
        self.client = Client()
        self.client.force_login(world.alice)

    def measure(self) -> Measure:
        return self.rng.choice(
            list(Measure.objects.filter(problem__inspection__inspected=self.world.orgs["a"]))
        )

    def liaison_for(self, measure: Measure):
        return self.world.lisa if measure.responsible_unit_id == self.world.orgs["a2"].pk else self.world.bob

    def report(self):
        measure = self.measure()
        progress.submit_report(self.liaison_for(measure), measure.pk, text="已按计划推进。", files=[pdf()])

    def review(self):
        waiting = ProgressReport.objects.filter(state=ReportState.SUBMITTED).order_by("pk")
        if waiting:
            report = self.rng.choice(list(waiting))
            decision = self.rng.choice(["accept", "accept", "return"])
            progress.review_report(self.world.alice, report.pk, decision=decision, comment="材料不全。")

    def request_signoff(self):
        measure = self.measure()
        progress.request_signoff(self.liaison_for(measure), measure.pk, note="已完成。")

    def decide_signoff(self):
        pending = SignOff.objects.filter(state=SignOffState.PENDING).order_by("pk")
        if pending:
            signoff = self.rng.choice(list(pending))
            decision = self.rng.choice(["approve", "approve", "approve", "return"])
            for person in (self.world.hana, self.world.alice, self.world.larry):
                try:
                    progress.decide_signoff(person, signoff.pk, decision=decision, comment="请补充材料。")
                except RectifyError:
                    continue
                return

    def relapse(self):
        signed = list(Measure.objects.filter(status=MeasureStatus.SIGNED_OFF))
        if signed:
            measure = self.rng.choice(signed)
            followup = progress.schedule_followup(self.world.alice, measure.pk, due_on=self.today)
            new_deadline = self.today + timedelta(days=self.rng.randint(1, 30))
            progress.record_followup(
                self.world.alice,
                followup.pk,
                outcome="relapse",
                note="问题再次出现。",
                new_deadline=new_deadline,
            )

    def set_deadline(self):
        measure = self.measure()
        deadline = self.today + timedelta(days=self.rng.randint(-40, 40))
        if measure.deadline is None:
            ledger_services.update_measure_assignment(
                self.world.alice, measure.pk, version=measure.version, deadline=deadline
            )
        else:
            later = measure.deadline + timedelta(days=self.rng.randint(1, 30))  # only ever later
            ledger_services.move_deadline(
                measure.pk,
                later,
                kind=DeadlineChange.Kind.EXTENSION,
                reason="经批准延期。",
                by=self.world.alice,
            )

    def reassign(self):
        """Another lead leader (or none), other responsible units and another category, as the ledger's
        edit makes them."""
        measure = self.measure()
        units = [self.world.orgs["a1"], self.world.orgs["a2"]]
        ledger_services.update_measure_assignment(
            self.world.alice,
            measure.pk,
            version=measure.version,
            lead_leader=self.rng.choice([self.world.larry, None]),
            units=self.rng.sample(units, self.rng.randint(1, 2)),
            category=self.rng.choice(MeasureCategory.values),
            reason="工作分工调整。",
        )

    def add_milestone(self):
        measure = self.measure()
        if measure.deadline is not None:
            due = measure.deadline - timedelta(days=self.rng.randint(0, 40))
            milestones.add_milestone(
                self.world.alice, measure.pk, due_on=due, deliverable=f"节点{self.rng.randint(1, 10**6)}"
            )

    def complete_milestone(self):
        open_ones = list(Milestone.objects.filter(state=MilestoneState.OPEN).select_related("measure"))
        if open_ones:
            milestone = self.rng.choice(open_ones)
            report = milestone.measure.reports.exclude(state=ReportState.RETURNED).first()
            milestones.complete_milestone(
                self.world.alice, milestone.pk, report_id=report.pk if report else None
            )

    def reopen_milestone(self):
        done = list(Milestone.objects.filter(state=MilestoneState.DONE))
        if done:
            milestones.reopen_milestone(self.world.alice, self.rng.choice(done).pk)

    def delete_milestone(self):
        open_ones = list(Milestone.objects.filter(state=MilestoneState.OPEN))
        if open_ones:
            milestones.delete_milestone(self.world.alice, self.rng.choice(open_ones).pk)

    def change_policy(self):
        yellow = self.rng.randint(1, 15)
        response = self.client.post(
            reverse("warnings:policy"),
            {
                "organisation": self.world.orgs["a"].pk,
                "green_days": yellow + self.rng.randint(1, 20),
                "yellow_days": yellow,
                "escalate_days": self.rng.randint(1, 30),
                "signoff_stuck_days": 7,
                "order_escalate_days": 3,
                "feedback_reply_workdays": 15,
            },
        )
        assert response.status_code == 302, response.content.decode()[:500]

    def import_notice(self):
        title = f"中共甲局党组关于第{self.rng.randint(1, 10**6)}轮巡察整改进展情况的通报"
        import_notice(small_notice(title), organisation=self.world.orgs["a"], user=self.world.alice)


@pytest.mark.parametrize("seed", [1, 2])
def test_summary_rows_stay_exact_under_random_operations(world, ledger, settings, tmp_path, seed):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    rng = random.Random(seed)
    tallies.refresh()  # the fixture's import ran before; its later .update() calls bypass nothing counted
    ops = Operations(world, ledger, rng, today)
    choices = [
        ops.report,
        ops.report,
        ops.review,
        ops.review,
        ops.request_signoff,
        ops.decide_signoff,
        ops.decide_signoff,
        ops.relapse,
        ops.set_deadline,
        ops.set_deadline,
        ops.reassign,
        ops.reassign,
        ops.add_milestone,
        ops.complete_milestone,
        ops.reopen_milestone,
        ops.delete_milestone,
        ops.change_policy,
        ops.import_notice,
    ]
    done = set()
    for _ in range(30):
        operation = rng.choice(choices)
        try:
            operation()
        except RectifyError:
            pass  # refused: nothing changed, and the rows must still agree
        else:
            done.add(operation.__name__)
        assert_exact(world, today)
    assert len(done) >= 8, done  # the loop reached most kinds of change


def test_a_tally_of_another_day_is_not_used(world, ledger):
    """Rows counted yesterday are not read today: the badge counts those inspections directly."""
    today = timezone.localdate()
    measure = ledger.measures[(1, 1)]
    ledger_services.update_measure_assignment(
        world.alice, measure.pk, version=measure.version, deadline=today + timedelta(days=3)
    )
    tallies.refresh(on=today - timedelta(days=30))  # counted when the deadline was far away
    assert InspectionTally.objects.filter(warned__gt=0).count() == 0
    InspectionTally.objects.filter(inspection=measure.problem.inspection).update(overdue=1)  # stale
    assert nav_counts(world.alice)[0] == 1
    assert_dashboards_exact(world, today)
    tallies.refresh()
    assert nav_counts(world.alice)[0] == 1 and InspectionTally.objects.filter(warned=1).count() == 1
    assert_dashboards_exact(world, today)


def test_the_tick_counts_every_inspection_for_the_day(world, ledger):
    from django.core.management import call_command

    InspectionTally.objects.all().delete()
    call_command("tick", verbosity=0)
    counted = set(
        InspectionTally.objects.filter(counted_on=timezone.localdate()).values_list(
            "inspection_id", flat=True
        )
    )
    assert counted == {ledger.inspection.pk, ledger.other.pk}


def test_the_admin_deleting_a_measure_counts_its_inspection_again(world, ledger):
    """The admin deletes past the services; it tells the summary rows as they do."""
    from rectify.org.models import User

    tallies.refresh()
    admin = User.objects.create_superuser("root", password=None, full_name="管理员")
    client = Client()
    client.force_login(admin)
    measure = ledger.measures[(2, 1)]
    response = client.post(f"/admin/ledger/measure/{measure.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Measure.objects.filter(pk=measure.pk).exists()
    assert_exact(world, timezone.localdate())
