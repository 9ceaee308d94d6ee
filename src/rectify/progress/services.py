"""The daily work on a measure, as actions: report, review, request and decide sign-off, follow
up, track indicators. Each action checks who may take it, changes everything in one transaction
(locking the measure where its status moves, see ledger.workflow), or changes nothing."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput, NotFound, filled
from rectify.ledger.choices import MeasureStatus, ReportPeriod
from rectify.ledger.extensions import measures_changed
from rectify.ledger.models import DeadlineChange, Inspection, Measure, MeasureUnit
from rectify.ledger.services import get_measure, move_deadline
from rectify.ledger.workflow import Event, IllegalTransition, advance, lock, target_of
from rectify.org.access import CHANGE, DECIDE, VIEW, Access, is_office, path_q
from rectify.org.models import UNIT_ROLES, Role, User

from .models import (
    SIGNOFF_LEVELS,
    Evidence,
    FollowUp,
    FollowUpOutcome,
    Indicator,
    Observation,
    ProgressReport,
    ReportState,
    SignOff,
    SignOffDecision,
    SignOffLevel,
    SignOffState,
)
from .uploads import check_report_files, check_unit_day

# ------------------------------------------------------------------ who may act on a measure


def is_responsible(user: User, measure: Measure, roles=UNIT_ROLES) -> bool:
    """The user acts (in one of `roles`) for a unit responsible for the measure, or a unit above it."""
    condition = path_q("unit__path", Access.of(user).paths(roles))
    if condition is None:
        return False
    return MeasureUnit.objects.filter(condition, measure=measure, role=MeasureUnit.Role.RESPONSIBLE).exists()


def signoffs_to_decide(user: User) -> QuerySet[SignOff]:
    """Pending sign-off requests at a level this user decides, never the user's own request: the one
    rule behind both the queue and `may_decide` (SignOff.objects.restrict(user, DECIDE))."""
    return (
        SignOff.objects.restrict(user, DECIDE).filter(state=SignOffState.PENDING).exclude(requested_by=user)
    )


def may_decide(user: User, signoff: SignOff) -> bool:
    """Whether the user decides the sign-off request at the level it waits at now."""
    return signoffs_to_decide(user).filter(pk=signoff.pk).exists()


def _visible_measure(user: User, measure_id: int) -> Measure:
    return get_measure(user, measure_id)  # NotFound when the user may not see it


def _get_visible(records: QuerySet, pk: int, user: User, message: str):
    """A record hanging from a measure, if the user may see that measure; NotFound with `message`
    otherwise, so nothing tells others it exists."""
    try:
        return records.restrict(user, VIEW).get(pk=pk)
    except records.model.DoesNotExist:
        raise NotFound(message) from None


@dataclass(frozen=True)
class TwoWay:
    """A decision between two choices, the second of which (return, relapse) must say why."""

    choices: tuple[str, str]
    invalid: str  # the refusal of another choice
    unreasoned: str  # the refusal of the second choice without a reason

    def check(self, decision: str, reason: str | None) -> str:
        """The reason, stripped, once the decision is one of the choices and reasoned if need be."""
        reason = (reason or "").strip()
        if decision not in self.choices:
            raise InvalidInput(self.invalid)
        if decision == self.choices[1] and not reason:
            raise InvalidInput(self.unreasoned)
        return reason


REVIEW_DECISION = TwoWay(("accept", "return"), "审核意见应为“采纳”或“退回”。", "退回报告时必须写明退回理由。")
SIGNOFF_DECISION = TwoWay(
    ("approve", "return"), "审批意见应为“同意”或“退回”。", "退回销号申请时必须写明理由。"
)
CHECK_OUTCOME = TwoWay(
    (FollowUpOutcome.STABLE, FollowUpOutcome.RELAPSE),
    "检查结果应为“巩固”或“反弹”。",
    "发现反弹时必须写明反弹情况，措施将据此重新整改。",
)


# ------------------------------------------------------------------ report periods


def period_of(inspection: Inspection, day: date) -> tuple[date, str]:
    """The report period containing `day` under the inspection's rhythm: (start, Chinese label)."""
    if inspection.report_period == ReportPeriod.QUARTERLY:
        quarter = (day.month - 1) // 3
        return date(day.year, quarter * 3 + 1, 1), f"{day.year}年第{'一二三四'[quarter]}季度"
    if inspection.report_period == ReportPeriod.HALF_YEARLY:
        first = day.month <= 6
        return date(day.year, 1 if first else 7, 1), f"{day.year}年{'上' if first else '下'}半年"
    return date(day.year, day.month, 1), f"{day.year}年{day.month}月"


# ------------------------------------------------------------------ progress reports


def submit_report(
    user: User,
    measure_id: int,
    *,
    text: str,
    files: list[UploadedFile] = (),
    percent: int | None = None,
    stage: str = "",
    answers: int | None = None,
    on: date | None = None,
) -> ProgressReport:
    """A responsible unit reports progress, with evidence files. `answers` names the returned
    report this one answers (it becomes its next version)."""
    measure = _visible_measure(user, measure_id)
    if not is_responsible(user, measure):
        raise AccessDenied("只有该措施的责任单位可以报送整改进展。")
    text = filled(text, "整改进展情况")
    if percent is not None and not 0 <= percent <= 100:
        raise InvalidInput("完成比例应在 0 到 100 之间。")
    checked = check_report_files(files)  # all before any write
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            locked = lock(measure.pk)
            check_unit_day(locked, sum(info.size for info in checked))
            previous = _returned_report(locked, answers) if answers else None
            start, label = period_of(locked.problem.inspection, on or timezone.localdate())
            report = ProgressReport.objects.create(
                measure=locked,
                period_start=start,
                period_label=label,
                text=text,
                percent=percent,
                stage=stage.strip()[:64],
                author=user,
                supersedes=previous,
                revision=previous.revision + 1 if previous else 1,
            )
            for upload, info in zip(files, checked, strict=True):
                evidence = Evidence(
                    report=report,
                    original_name=info.name,
                    content_type=info.kind.content_type,
                    size=info.size,
                    sha256=info.sha256,
                    uploaded_by=user,
                )
                evidence.file.save(
                    f"{info.sha256[:16]}.{info.name.rsplit('.', 1)[-1].lower()}", upload, save=False
                )
                stored.append(evidence)
                evidence.save()
            advance(locked, Event.REPORT)
    except BaseException:
        for evidence in stored:  # the transaction rolled back: leave no file behind
            with contextlib.suppress(OSError):
                evidence.file.storage.delete(evidence.file.name)
        raise
    return report


def _returned_report(measure: Measure, report_id: int) -> ProgressReport:
    try:
        previous = ProgressReport.objects.get(pk=report_id, measure=measure)
    except ProgressReport.DoesNotExist:
        raise InvalidInput("要答复的报告不存在或不属于该措施。") from None
    if previous.state != ReportState.RETURNED:
        raise InvalidInput("只能针对已退回的报告重新报送。")
    if ProgressReport.objects.filter(supersedes=previous).exists():
        raise InvalidInput("该退回报告已经答复过，请在最新版本上继续。")
    return previous


def get_report(user: User, report_id: int) -> ProgressReport:
    records = ProgressReport.objects.select_related("measure__problem__inspection", "author", "reviewer")
    return _get_visible(records, report_id, user, "整改进展报告不存在，或您无权查看。")


def get_evidence(user: User, evidence_id: int) -> Evidence:
    """An evidence file's record, if the user may see the measure it supports."""
    records = Evidence.objects.select_related("report")
    return _get_visible(records, evidence_id, user, "佐证材料不存在，或您无权查看。")


def review_report(user: User, report_id: int, *, decision: str, comment: str = "") -> ProgressReport:
    """The office accepts a report or returns it with a reason."""
    report = get_report(user, report_id)
    if not is_office(user, report.measure.problem.inspection.inspected):
        raise AccessDenied("只有整改办可以审核整改进展。")
    comment = REVIEW_DECISION.check(decision, comment)
    inspection_id = report.measure.problem.inspection_id
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if report.state != ReportState.SUBMITTED:
            raise IllegalTransition(f"该报告{report.get_state_display()}，不能重复审核。")
        report.state = ReportState.ACCEPTED if decision == "accept" else ReportState.RETURNED
        report.reviewer = user
        report.reviewed_at = timezone.now()
        report.review_comment = comment
        report.save()
        measures_changed([inspection_id])  # the summary rows count the accepted reports per month
    return report


# ------------------------------------------------------------------ sign-off


def request_signoff(
    user: User, measure_id: int, *, note: str = "", expected_version: int | None = None
) -> SignOff:
    """A responsible unit asks for the measure to be signed off; it needs accepted evidence."""
    measure = _visible_measure(user, measure_id)
    if not is_responsible(user, measure):
        raise AccessDenied("只有该措施的责任单位可以申请销号。")
    with transaction.atomic():
        locked = lock(measure.pk)
        target_of(locked, Event.REQUEST_SIGNOFF)  # a state that cannot ask is told so first
        evidence_since = _last_relapse(locked)
        accepted = ProgressReport.objects.filter(
            measure=locked, state=ReportState.ACCEPTED, evidence__isnull=False
        )
        if evidence_since:
            accepted = accepted.filter(submitted_at__gt=evidence_since)
        if not accepted.exists():
            raise InvalidInput("申请销号前，至少要有一份已采纳且附有佐证材料的整改进展报告。")
        advance(locked, Event.REQUEST_SIGNOFF, expected_version=expected_version)
        try:
            return SignOff.objects.create(measure=locked, requested_by=user, note=(note or "").strip())
        except IntegrityError:
            raise IllegalTransition("该措施已有进行中的销号申请。") from None


def _last_relapse(measure: Measure):
    relapse = measure.followups.filter(outcome=FollowUpOutcome.RELAPSE).order_by("-checked_at").first()
    return relapse.checked_at if relapse else None


# A report at one of these stages says the work is done (progress.forms.STAGE_SUGGESTIONS).
FINISHED_STAGES = ("已完成", "持续巩固")


def latest_accepted_reports(*, shown: bool = False) -> Prefetch:
    """Prefetch, on a sign-off's measure, its latest accepted report as `latest_accepted` (a list of at
    most one), so a queue of sign-offs reads them in one query; `shown`: with what a page shows of
    the report (author, reviewer, evidence)."""
    accepted = ProgressReport.objects.filter(state=ReportState.ACCEPTED).order_by("-submitted_at", "-id")
    if shown:
        accepted = accepted.select_related("author", "reviewer").prefetch_related("evidence")
    accepted = accepted[:1]
    return Prefetch("measure__reports", queryset=accepted, to_attr="latest_accepted")


def completion_warning(report: ProgressReport | None) -> str:
    """What the deciders of a sign-off are told when the latest accepted report says the work is not
    finished: a completion below 100%, or a stage other than a finishing one; "" otherwise. A report
    that states neither is judged by its text and evidence, as before, and raises no warning."""
    if report is None:
        return ""
    said = []
    if report.percent is not None and report.percent < 100:
        said.append(f"完成比例为 {report.percent}%")
    if report.stage and report.stage not in FINISHED_STAGES:
        said.append(f"所处阶段为“{report.stage}”")
    if not said:
        return ""
    return f"最近一次采纳的进展报告{'，'.join(said)}，尚未达到完成阶段"


def signoff_warning(signoff: SignOff) -> str:
    """The completion warning of a sign-off request, from `latest_accepted` when prefetched."""
    reports = getattr(signoff.measure, "latest_accepted", None)
    if reports is None:
        reports = list(
            signoff.measure.reports.filter(state=ReportState.ACCEPTED).order_by("-submitted_at", "-id")[:1]
        )
    return completion_warning(reports[0] if reports else None)


def get_signoff(user: User, signoff_id: int) -> SignOff:
    records = SignOff.objects.select_related("measure__problem__inspection", "requested_by")
    return _get_visible(records, signoff_id, user, "销号申请不存在，或您无权查看。")


def decide_signoff(user: User, signoff_id: int, *, decision: str, comment: str = "") -> SignOff:
    """The current level approves (passing it on, or signing off at the last level) or returns it."""
    signoff = get_signoff(user, signoff_id)
    comment = SIGNOFF_DECISION.check(decision, comment)
    with transaction.atomic():
        locked_measure = lock(signoff.measure_id)
        signoff = SignOff.objects.select_for_update().get(pk=signoff.pk)
        if signoff.state != SignOffState.PENDING:
            raise IllegalTransition(f"该销号申请{signoff.get_state_display()}，不能再审批。")
        level = SignOffLevel(signoff.level)
        if signoff.requested_by_id == user.pk:
            raise AccessDenied("不能审批自己提出的销号申请。")
        if not may_decide(user, signoff):
            raise AccessDenied(f"当前环节为“{level.label}”，您无权审批。")
        warning = signoff_warning(signoff)
        if warning and not comment:
            raise InvalidInput(f"{warning}。如仍作出审批，须填写审批意见说明理由；本次审批未执行。")
        SignOffDecision.objects.create(
            signoff=signoff, level=level, decision=decision, comment=comment, actor=user
        )
        if decision == "return":
            signoff.state = SignOffState.RETURNED
            signoff.closed_at = timezone.now()
            advance(locked_measure, Event.RETURN_SIGNOFF)
        elif level == SIGNOFF_LEVELS[-1]:
            signoff.state = SignOffState.APPROVED
            signoff.closed_at = timezone.now()
            locked_measure.reopen_reason = ""
            advance(locked_measure, Event.APPROVE_SIGNOFF)
        else:
            signoff.level = SIGNOFF_LEVELS[SIGNOFF_LEVELS.index(level) + 1]
        signoff.save()
    return signoff


# ------------------------------------------------------------------ follow-up (回头看)


def schedule_followup(user: User, measure_id: int, *, due_on: date) -> FollowUp:
    measure = _visible_measure(user, measure_id)
    if not is_office(user, measure.problem.inspection.inspected):
        raise AccessDenied("只有整改办可以安排回头看。")
    if measure.status != MeasureStatus.SIGNED_OFF:
        raise IllegalTransition("只有已销号的整改措施才能安排回头看。")
    if due_on < timezone.localdate():
        raise InvalidInput("回头看的计划检查日期不能早于今天。")
    return FollowUp.objects.create(measure=measure, due_on=due_on, scheduled_by=user)


NO_NEW_DEADLINE = "发现反弹的，须确定新的整改时限，措施将按新时限重新整改、预警；本次结果未记录。"


def _relapse_deadline(measure: Measure, new_deadline: date | None) -> date:
    """The new deadline a relapse must set: later than today, and than the deadline it replaces."""
    if new_deadline is None:
        raise InvalidInput(NO_NEW_DEADLINE)
    today = timezone.localdate()
    if new_deadline <= today:
        raise InvalidInput(f"新的整改时限应晚于今天（{today.isoformat()}）；本次结果未记录。")
    if measure.deadline is not None and new_deadline <= measure.deadline:
        raise InvalidInput(
            f"新的整改时限应晚于原整改时限（{measure.deadline.isoformat()}）；本次结果未记录。"
        )
    return new_deadline


def record_followup(
    user: User, followup_id: int, *, outcome: str, note: str = "", new_deadline: date | None = None
) -> FollowUp:
    """Record a check: stable, or relapse, which reopens the measure with the reason and a new deadline
    (later than today), recorded in the measure's history of deadlines (old → new, the relapse's
    reason), so the warnings follow it."""
    records = FollowUp.objects.select_related("measure__problem__inspection")
    followup = _get_visible(records, followup_id, user, "回头看记录不存在，或您无权查看。")
    if not is_office(user, followup.measure.problem.inspection.inspected):
        raise AccessDenied("只有整改办可以记录回头看结果。")
    note = CHECK_OUTCOME.check(outcome, note)
    with transaction.atomic():
        measure = lock(followup.measure_id)
        followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if followup.outcome != FollowUpOutcome.PENDING:
            raise IllegalTransition("该回头看已记录结果，不能重复记录。")
        if outcome == FollowUpOutcome.RELAPSE:
            new_deadline = _relapse_deadline(measure, new_deadline)
        followup.outcome = outcome
        followup.note = note
        followup.checked_by = user
        followup.checked_at = timezone.now()
        followup.save()
        if outcome == FollowUpOutcome.RELAPSE:
            measure.reopen_reason = note
            advance(measure, Event.RELAPSE)
            moved = move_deadline(
                measure.pk, new_deadline, kind=DeadlineChange.Kind.RELAPSE, reason=note, by=user
            )
            followup.measure = moved.measure  # with its new deadline
    return followup


def record_check(
    user: User, measure_id: int, *, outcome: str, note: str = "", new_deadline: date | None = None
) -> FollowUp:
    """A follow-up check done today without an earlier schedule: the pending one due first if
    there is one, else a new one, recorded in the same transaction."""
    with transaction.atomic():
        measure = _visible_measure(user, measure_id)
        pending = measure.followups.filter(outcome=FollowUpOutcome.PENDING).order_by("due_on").first()
        followup = pending or schedule_followup(user, measure_id, due_on=timezone.localdate())
        return record_followup(user, followup.pk, outcome=outcome, note=note, new_deadline=new_deadline)


# ------------------------------------------------------------------ indicators


def _may_track(user: User, measure: Measure) -> bool:
    return is_office(user, measure.problem.inspection.inspected) or is_responsible(user, measure)


def add_indicator(
    user: User,
    measure_id: int,
    *,
    name: str,
    unit: str = "",
    baseline: Decimal,
    target: Decimal,
    direction: str,
) -> Indicator:
    measure = _visible_measure(user, measure_id)
    if not _may_track(user, measure):
        raise AccessDenied("只有整改办或责任单位可以设置指标。")
    name = filled(name, "指标名称")
    if direction not in Indicator.Direction.values:
        raise InvalidInput("指标方向应为“越高越好”或“越低越好”。")
    if (direction == Indicator.Direction.INCREASE and target < baseline) or (
        direction == Indicator.Direction.DECREASE and target > baseline
    ):
        raise InvalidInput("目标值与指标方向不一致：越高越好的指标，目标不能低于基线；越低越好的反之。")
    if Indicator.objects.filter(measure=measure, name=name).exists():
        raise InvalidInput(f"该措施已有名为“{name}”的指标。")
    return Indicator.objects.create(
        measure=measure,
        name=name,
        unit=(unit or "").strip(),
        baseline=baseline,
        target=target,
        direction=direction,
    )


def add_observation(
    user: User, indicator_id: int, *, observed_on: date, value: Decimal, note: str = ""
) -> Observation:
    records = Indicator.objects.select_related("measure__problem__inspection")
    indicator = _get_visible(records, indicator_id, user, "指标不存在，或您无权查看。")
    if not _may_track(user, indicator.measure):
        raise AccessDenied("只有整改办或责任单位可以填报指标数值。")
    if observed_on > timezone.localdate():
        raise InvalidInput("观测日期不能晚于今天。")
    if Observation.objects.filter(indicator=indicator, observed_on=observed_on).exists():
        raise InvalidInput(f"{observed_on.isoformat()} 已填报过该指标，不能重复填报。")
    return Observation.objects.create(
        indicator=indicator,
        observed_on=observed_on,
        value=value,
        note=(note or "").strip()[:255],
        recorded_by=user,
    )


@dataclass(frozen=True)
class IndicatorStatus:
    indicator: Indicator
    observations: list[Observation]

    @property
    def latest(self) -> Observation | None:
        return self.observations[-1] if self.observations else None

    @property
    def short_of_target(self) -> bool:
        """A warning, never a block: the latest value has not reached the target."""
        return self.latest is not None and not self.indicator.meets_target(self.latest.value)


def indicator_statuses(measure: Measure) -> list[IndicatorStatus]:
    indicators = measure.indicators.prefetch_related("observations")
    return [IndicatorStatus(indicator, list(indicator.observations.all())) for indicator in indicators]


# ------------------------------------------------------------------ signed off in a period

# An approval that stands: its measure is 已销号 now and it is the measure's last approval (a measure
# signed off, reopened and signed off again counts once, at the last approval; one reopened since
# counts nowhere). A condition on approved_signoffs().
STANDING = Q(measure__status=MeasureStatus.SIGNED_OFF, superseded=False)


def approved_signoffs(measures: QuerySet[Measure]) -> QuerySet[SignOff]:
    """The approved sign-offs of `measures` (every event), each with the alias `superseded`: a later
    approval of the same measure exists. Filter with STANDING for the measures signed off."""
    later = SignOff.objects.filter(measure=OuterRef("measure"), state=SignOffState.APPROVED).filter(
        Q(closed_at__gt=OuterRef("closed_at")) | Q(closed_at=OuterRef("closed_at"), pk__gt=OuterRef("pk"))
    )
    # EXISTS, not IN: SQLite listed every measure of a province's office first, even for no sign-off.
    of_measures = Exists(measures.filter(pk=OuterRef("measure_id")))
    return SignOff.objects.filter(of_measures, state=SignOffState.APPROVED).alias(superseded=Exists(later))


def signed_off_between(measures: QuerySet[Measure], start: date, end: date) -> QuerySet[SignOff]:
    """Signed off in the period (本期销号): the standing approvals closed between `start` and `end`
    (dates in Asia/Shanghai), one per measure. Never more than the measures 已销号 now, so a report
    that shows both figures side by side cannot contradict itself."""
    return approved_signoffs(measures).filter(STANDING, closed_at__date__gte=start, closed_at__date__lte=end)


# ------------------------------------------------------------------ queues


def review_queue(user: User) -> QuerySet[ProgressReport]:
    """Reports waiting for the office's review, in the organisations where the user is the office."""
    return (
        ProgressReport.objects.restrict(user, CHANGE)
        .filter(state=ReportState.SUBMITTED)
        .select_related("measure__problem__inspection", "author")
        .prefetch_related("evidence")
        .order_by("submitted_at")
    )


def with_waiting_since(signoffs: QuerySet[SignOff]) -> QuerySet[SignOff]:
    """Annotate `waiting_since`: when each request reached the level it waits at (its last decision, or
    the request itself). The one measure of how long a sign-off has waited: the office's list of
    requests in flight and the reminder of stuck ones (supervision.deadlines) both count from it."""
    last_step = Coalesce(Max("decisions__decided_at"), "requested_at")
    return signoffs.annotate(waiting_since=Greatest("requested_at", last_step, output_field=DateTimeField()))


def signoffs_in_flight(user: User) -> QuerySet[SignOff]:
    """Every pending sign-off request of the organisations whose office (整改办) the user is, at whatever
    level, the longest waiting first; nothing for anyone else."""
    if Role.OFFICE not in Access.of(user).roles and not Access.of(user).is_superuser:
        return SignOff.objects.none()
    pending = SignOff.objects.restrict(user, VIEW).filter(state=SignOffState.PENDING)
    return (
        with_waiting_since(pending)
        .select_related("measure__problem__inspection", "requested_by")
        .order_by("waiting_since", "pk")
    )


def signoff_queue(user: User) -> QuerySet[SignOff]:
    """Sign-off requests waiting at a level this user decides, found in one query."""
    return (
        signoffs_to_decide(user)
        .select_related("measure__problem__inspection", "measure__lead_leader", "requested_by")
        .order_by("requested_at")
    )


def my_measures(user: User) -> QuerySet[Measure]:
    """The measures the user's unit is responsible for, each with what it needs now."""
    condition = path_q("unit__path", Access.of(user).paths(UNIT_ROLES))
    if condition is None:
        return Measure.objects.none()
    today = timezone.localdate()
    mine = MeasureUnit.objects.filter(condition, role=MeasureUnit.Role.RESPONSIBLE).values("measure_id")
    returned = ProgressReport.objects.filter(
        measure=OuterRef("pk"), state=ReportState.RETURNED, superseded_by__isnull=True
    )
    return (
        Measure.objects.filter(pk__in=mine)
        .with_overdue(today)
        .annotate(has_returned_report=Exists(returned))
        .select_related("problem__inspection", "lead_leader")
        .prefetch_related("unit_links__unit")
        .order_by("deadline", "problem__number", "order")
    )


def with_reported_this_period(measures: QuerySet[Measure], today: date) -> QuerySet[Measure]:
    """Annotate `reported_this_period`: whether the measure has a report (not returned) for the
    period containing `today`, under each inspection's own rhythm, in the same query."""
    reported = ProgressReport.objects.filter(measure=OuterRef("pk")).exclude(state=ReportState.RETURNED)
    whens = [
        When(
            problem__inspection__report_period=period,
            then=Exists(reported.filter(period_start=period_of(Inspection(report_period=period), today)[0])),
        )
        for period in ReportPeriod.values
    ]
    return measures.annotate(
        reported_this_period=Case(*whens, default=Value(False), output_field=BooleanField())
    )


def reported_this_period(measure: Measure, today: date | None = None) -> bool:
    one = Measure.objects.filter(pk=measure.pk)
    return (
        with_reported_this_period(one, today or timezone.localdate())
        .values_list("reported_this_period", flat=True)
        .get()
    )
