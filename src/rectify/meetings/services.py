"""The rules of meetings (会议), their decisions and the tasks decided, called alike by the pages, the
API and the notice and dispatch counts (`meeting_counts`, `meeting_sentence`).

Only the office of the inspected organisation (or one above it) records and edits meetings; a task is
reported done by its owner (the person named, or the head or liaison of the unit named) or the office.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from rectify.attachments import CheckedFile, check_file
from rectify.errors import AccessDenied, InvalidInput, NotFound, filled
from rectify.ledger.models import Inspection, Measure, Problem
from rectify.ledger.services import get_inspection
from rectify.ledger.workflow import IllegalTransition
from rectify.multipart import sent_name
from rectify.org.access import CHANGE, VIEW, Access
from rectify.org.models import User, units_within

from . import extensions
from .models import Meeting, MeetingDecision, MeetingKind

CHANGE_DENIED = "只有整改办可以登记和修改会议。"
MEETING_NOT_FOUND = "会议不存在，或您无权查看。"
TASK_NOT_FOUND = "会议决定事项不存在，或您无权查看。"


# ------------------------------------------------------------------ reading


def meeting_list(user: User, inspection_id: int | None = None, kind: str = "") -> QuerySet[Meeting]:
    """The meetings the user may read, latest first."""
    meetings = Meeting.objects.restrict(user, VIEW).filter_given(inspection_id=inspection_id, kind=kind)
    return meetings.select_related("inspection__inspected", "chair").order_by("-held_on", "-id")


def get_meeting(user: User, meeting_id: int) -> Meeting:
    """One meeting with its attendees and decisions (and what each links to)."""
    decisions = MeetingDecision.objects.select_related(
        "owner_unit", "owner_person", "done_by"
    ).prefetch_related(
        Prefetch("problems", queryset=Problem.objects.order_by("number")),
        Prefetch(
            "measures",
            queryset=Measure.objects.select_related("problem").order_by("problem__number", "order"),
        ),
    )
    return (
        meeting_list(user)
        .prefetch_related("attendees", Prefetch("decisions", queryset=decisions))
        .get_or_not_found(MEETING_NOT_FOUND, pk=meeting_id)
    )


def may_change(user: User, inspection: Inspection) -> bool:
    return Access.of(user).is_office_for(inspection.inspected)


def people_of(inspection: Inspection) -> QuerySet[User]:
    """Who may chair, attend or own a task: the users holding a role in the inspected organisation or
    under it."""
    return (
        User.objects.filter(
            memberships__organisation__path__startswith=inspection.inspected.path, is_active=True
        )
        .distinct()
        .order_by("full_name", "username")
    )


def tasks_of(user: User) -> QuerySet[MeetingDecision]:
    """The tasks given to the user or to the user's unit (我的整改)."""
    return MeetingDecision.objects.tasks_of(user).select_related("meeting__inspection__inspected")


def decisions_for_measure(user: User, measure: Measure) -> QuerySet[MeetingDecision]:
    """The decisions linked to a measure (or to its problem) that the user may see (the measure page)."""
    linked = MeetingDecision.objects.filter(Q(measures=measure) | Q(problems=measure.problem_id))
    return (
        MeetingDecision.objects.restrict(user, VIEW)
        .filter(pk__in=linked.values("pk"))
        .select_related("meeting__inspection__inspected", "owner_unit", "owner_person")
        .order_by("meeting__held_on", "order")
    )


def with_completion(user: User, decisions) -> list[MeetingDecision]:
    """The decisions, each marked `may_complete` for the user (the pages show the form by it)."""
    decisions = list(decisions)
    for decision in decisions:
        decision.may_complete = may_complete(user, decision)
    return decisions


def may_complete(user: User, decision: MeetingDecision) -> bool:
    """The owner of the task (the person, or a head or liaison of the unit) or the office."""
    if decision.done_at is not None or decision.due_on is None:
        return False
    access = Access.of(user)
    if decision.owner_person_id == user.pk or access.is_office_for(decision.meeting.inspection.inspected):
        return True
    unit = decision.owner_unit
    return unit is not None and any(unit.path.startswith(path) for path in access.unit_paths)


# ------------------------------------------------------------------ counting (notice and dispatch)


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


def meeting_counts(inspection: Inspection, start: date | None, end: date) -> list[KindCount]:
    """How many meetings of each kind the inspection held from `start` (None: from the first) to `end`,
    kinds held at least once, in the order of the kinds; consultation meetings recorded as consultations
    count as 座谈会 (extensions.counters). The notice and the dispatch report both say this."""
    held = Meeting.objects.filter(inspection=inspection, held_on__lte=end)
    if start is not None:
        held = held.filter(held_on__gte=start)
    counts = dict(held.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    for kind, count in extensions.counted_elsewhere(inspection, start, end).items():
        counts[kind] = counts.get(kind, 0) + count
    return [
        KindCount(kind.value, str(kind.label), counts[kind.value])
        for kind in MeetingKind
        if counts.get(kind.value)
    ]


def meeting_sentence(counts: list[KindCount]) -> str:
    """“召开党组会议2次、专题会3次”; empty when no meeting was held."""
    if not counts:
        return ""
    return "召开" + "、".join(f"{item.label}{item.count}次" for item in counts)


# ------------------------------------------------------------------ writing


def _office_inspection(user: User, inspection_id: int) -> Inspection:
    inspection = get_inspection(user, inspection_id)  # NotFound for outsiders
    if not may_change(user, inspection):
        raise AccessDenied(CHANGE_DENIED)
    return inspection


def _changeable_meeting(user: User, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.restrict(user, CHANGE)
        .select_related("inspection__inspected")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        Meeting.objects.restrict(user, VIEW).get_or_not_found(MEETING_NOT_FOUND, pk=meeting_id)
        raise AccessDenied(CHANGE_DENIED)
    return meeting


def save_meeting(
    user: User,
    *,
    inspection_id: int,
    kind: str,
    held_on: date | None,
    title: str,
    chair_id: int | None = None,
    attendee_ids: list[int] = (),
    other_attendees: str = "",
    minutes: UploadedFile | None = None,
    meeting_id: int | None = None,
) -> Meeting:
    """The office records a meeting, new or edited: its kind, date, title, chair and attendees, and
    its minutes when given (refused, the meeting is not saved either)."""
    if meeting_id is not None:
        meeting = _changeable_meeting(user, meeting_id)
        if meeting.inspection_id != inspection_id:
            raise InvalidInput("会议不能改到其他巡察名下。")
        inspection = meeting.inspection
    else:
        inspection = _office_inspection(user, inspection_id)
        meeting = Meeting(inspection=inspection, created_by=user)
    if kind not in MeetingKind.values:
        raise InvalidInput("会议类型应为党组会议、领导小组会议、专题会、调度会或座谈会。")
    if held_on is None:
        raise InvalidInput("请填写会议日期。")
    if held_on > timezone.localdate():
        raise InvalidInput("会议日期不能晚于今天：请在会议召开后登记。")
    title = filled(title, "会议名称")
    people = people_of(inspection)
    wanted = set(attendee_ids) | ({chair_id} if chair_id else set())
    found = {person.pk: person for person in people.filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise InvalidInput(
            "主持人和参会人员须为本单位（或下属单位）在平台上的用户；其他人员请填在“其他参会人员”中。"
        )
    checked = check_file(sent_name(minutes), minutes, minutes.size, what="会议纪要") if minutes else None
    with transaction.atomic():
        meeting.kind = kind
        meeting.held_on = held_on
        meeting.title = title[:255]
        meeting.chair = found.get(chair_id) if chair_id else None
        meeting.other_attendees = (other_attendees or "").strip()
        meeting.save()
        meeting.attendees.set([found[pk] for pk in set(attendee_ids)])
        if checked is not None:
            meeting = _store_minutes(meeting.pk, minutes, checked)
    return meeting


def attach_minutes(user: User, meeting_id: int, upload: UploadedFile) -> Meeting:
    """The office attaches the minutes (会议纪要), checked as evidence is; a new file replaces the old."""
    meeting = _changeable_meeting(user, meeting_id)
    checked = check_file(sent_name(upload), upload, upload.size, what="会议纪要")
    with transaction.atomic():
        return _store_minutes(meeting.pk, upload, checked)


def _store_minutes(meeting_id: int, upload: UploadedFile, checked: CheckedFile) -> Meeting:
    """Keep the checked file as the meeting's minutes, inside the caller's transaction, as its last
    write: should saving fail, the new file goes; once it commits, the file it replaced goes."""
    locked = Meeting.objects.select_for_update().get(pk=meeting_id)
    storage, old = locked.minutes.storage, locked.minutes.name
    extension = checked.name.rsplit(".", 1)[-1].lower()
    locked.minutes.save(f"{checked.sha256[:16]}.{extension}", upload, save=False)
    stored = locked.minutes.name
    try:
        locked.minutes_name = checked.name
        locked.minutes_type = checked.kind.content_type
        locked.minutes_size = checked.size
        locked.minutes_sha256 = checked.sha256
        locked.save()
    except BaseException:
        with contextlib.suppress(OSError):
            storage.delete(stored)
        raise
    if old and old != stored:
        transaction.on_commit(lambda: storage.delete(old))
    return locked


def minutes_of(user: User, meeting_id: int) -> Meeting:
    """The meeting whose minutes the user may download: whoever reads the meeting."""
    meeting = meeting_list(user).get_or_not_found(MEETING_NOT_FOUND, pk=meeting_id)
    if not meeting.minutes:
        raise NotFound("该会议尚未上传会议纪要。")
    return meeting


def save_decision(
    user: User,
    meeting_id: int,
    *,
    text: str,
    problem_ids: list[int] = (),
    measure_ids: list[int] = (),
    owner_unit_id: int | None = None,
    owner_person_id: int | None = None,
    due_on: date | None = None,
    decision_id: int | None = None,
) -> MeetingDecision:
    """The office records a decision of the meeting, linked to problems or measures; with an owner and
    a due date it becomes a task to be reported done."""
    meeting = _changeable_meeting(user, meeting_id)
    inspection = meeting.inspection
    text = filled(text, "决定事项")
    problems = list(Problem.objects.filter(inspection=inspection, pk__in=problem_ids))
    measures = list(Measure.objects.filter(problem__inspection=inspection, pk__in=measure_ids))
    if len(problems) != len(set(problem_ids)) or len(measures) != len(set(measure_ids)):
        raise InvalidInput("所选问题或措施不属于本次巡察。")
    owner_unit = None
    if owner_unit_id:
        owner_unit = units_within(inspection.inspected).filter(pk=owner_unit_id).first()
        if owner_unit is None:
            raise InvalidInput("承办单位须为被巡察单位本身或其下属单位。")
    owner_person = None
    if owner_person_id:
        owner_person = people_of(inspection).filter(pk=owner_person_id).first()
        if owner_person is None:
            raise InvalidInput("承办人须为本单位（或下属单位）在平台上的用户。")
    if due_on is not None and owner_unit is None and owner_person is None:
        raise InvalidInput("定了完成时限的任务须明确承办单位或承办人。")
    if due_on is None and (owner_unit or owner_person):
        raise InvalidInput("明确了承办单位或承办人的任务须填写完成时限。")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if decision_id is None:
            last = locked.decisions.order_by("-order").values_list("order", flat=True).first() or 0
            decision = MeetingDecision(meeting=locked, order=last + 1)
        else:
            decision = locked.decisions.filter(pk=decision_id).first()
            if decision is None:
                raise NotFound(TASK_NOT_FOUND)
            if decision.done_at is not None and due_on is None:
                raise InvalidInput("该任务已完成，不能取消其完成时限。")
        decision.text = text
        decision.owner_unit = owner_unit
        decision.owner_person = owner_person
        decision.due_on = due_on
        decision.save()
        decision.problems.set(problems)
        decision.measures.set(measures)
    return decision


def get_decision(user: User, decision_id: int) -> MeetingDecision:
    return (
        MeetingDecision.objects.restrict(user, VIEW)
        .select_related("meeting__inspection__inspected", "owner_unit", "owner_person", "done_by")
        .get_or_not_found(TASK_NOT_FOUND, pk=decision_id)
    )


def complete_task(user: User, decision_id: int, *, note: str) -> MeetingDecision:
    """The owner of a task (or the office) reports it done, saying what was done. Once only."""
    decision = get_decision(user, decision_id)
    if decision.due_on is None:
        raise InvalidInput("该决定事项没有交办任务，无需报告完成。")
    if decision.done_at is None and not may_complete(user, decision):
        raise AccessDenied("只有任务的承办单位、承办人或整改办可以报告任务完成。")
    note = filled(note, "完成情况")
    with transaction.atomic():
        locked = MeetingDecision.objects.select_for_update().get(pk=decision.pk)
        if locked.done_at is not None:
            raise IllegalTransition("该任务已报告完成，不能重复报告。")
        locked.done_at = timezone.now()
        locked.done_by = user
        locked.done_note = note
        locked.save(update_fields=["done_at", "done_by", "done_note"])
    return locked
