"""Meeting endpoints (会议). Thin: the rules are in meetings.services."""

from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from rectify.attachments import file_response
from rectify.schemas import (
    Id,
    MeasureLabel,
    Message,
    NamedRef,
    Paging,
    ProblemRef,
    errors,
    label_of,
    person_ref,
)

from . import services
from .models import Meeting, MeetingDecision, MeetingKind

router = Router(tags=["整改会议"])


class MeetingDecisionOut(Schema):
    id: int
    meeting_id: int
    order: int
    text: str
    problems: list[ProblemRef]
    measures: list[MeasureLabel]
    owner_unit: NamedRef | None
    owner_person: NamedRef | None
    due_on: date | None = Field(None, description="完成时限；有时限的决定事项即为交办任务")
    done_at: datetime | None
    done_note: str

    @staticmethod
    def resolve_problems(obj: MeetingDecision) -> list:
        return sorted(obj.problems.all(), key=lambda problem: problem.number)

    @staticmethod
    def resolve_measures(obj: MeetingDecision) -> list:
        measures = sorted(obj.measures.all(), key=lambda m: (m.problem.number, m.order))
        return [{"id": m.pk, "label": f"{m.problem.number}.{m.order}"} for m in measures]

    @staticmethod
    def resolve_owner_person(obj: MeetingDecision) -> dict | None:
        return person_ref(obj.owner_person)


class MeetingSummary(Schema):
    id: int
    inspection_id: int
    kind: str
    kind_label: str
    held_on: date
    title: str
    chair: NamedRef | None
    has_minutes: bool

    resolve_kind_label = label_of("kind")

    @staticmethod
    def resolve_chair(obj: Meeting) -> dict | None:
        return person_ref(obj.chair)

    @staticmethod
    def resolve_has_minutes(obj: Meeting) -> bool:
        return bool(obj.minutes)


class MeetingOut(MeetingSummary):
    attendees: list[NamedRef]
    other_attendees: str
    minutes_name: str
    minutes_url: str | None
    decisions: list[MeetingDecisionOut]

    @staticmethod
    def resolve_attendees(obj: Meeting) -> list:
        return [person_ref(person) for person in obj.attendees.all()]

    @staticmethod
    def resolve_minutes_url(obj: Meeting) -> str | None:
        return reverse("api:download_minutes", args=[obj.pk]) if obj.minutes else None

    @staticmethod
    def resolve_decisions(obj: Meeting) -> list:
        return list(obj.decisions.all())


class MeetingPage(Schema):
    count: int
    items: list[MeetingSummary]


class MeetingFilters(Paging):
    inspection: Id | None = Field(None, description="巡察编号")
    kind: MeetingKind | None = Field(None, description="会议类型")


class MeetingIn(Schema):
    inspection: Id = Field(..., description="巡察编号")
    kind: MeetingKind
    held_on: date = Field(..., description="会议日期，不晚于今天")
    title: str = Field(..., max_length=255, description="会议名称")
    chair: Id | None = Field(None, description="主持人（用户编号）")
    attendees: list[Id] = Field(default_factory=list, description="参会人员（用户编号）")
    other_attendees: str = Field("", max_length=2000, description="未在平台开设账号的参会人员")


class MeetingPatch(Schema):
    kind: MeetingKind | None = None
    held_on: date | None = None
    title: str | None = Field(None, max_length=255)
    chair: Id | None = None
    attendees: list[Id] | None = None
    other_attendees: str | None = Field(None, max_length=2000)


class MeetingDecisionIn(Schema):
    text: str = Field(..., max_length=4000, description="决定事项")
    problems: list[Id] = Field(default_factory=list, description="相关问题（problem id）")
    measures: list[Id] = Field(default_factory=list, description="相关措施（measure id）")
    owner_unit: Id | None = Field(None, description="承办单位（组织编号）")
    owner_person: Id | None = Field(None, description="承办人（用户编号）")
    due_on: date | None = Field(None, description="完成时限；交办任务时必填，并须明确承办单位或承办人")


class MeetingTaskDoneIn(Schema):
    note: str = Field(..., max_length=2000, description="完成情况")


class MeetingTaskPage(Schema):
    count: int
    items: list[MeetingDecisionOut]


def _meeting_out(user, meeting_id: int) -> Meeting:
    return services.get_meeting(user, meeting_id)


@router.get("/meetings", summary="会议列表", response=MeetingPage)
def list_meetings(request, filters: Query[MeetingFilters]):
    """您有权查看的会议：整改办和纪检监察机构看全部，领导看本人主持或参加的会议。"""
    meetings = services.meeting_list(request.user, filters.inspection, filters.kind or "")
    return filters.listing(meetings)


@router.get("/meetings/{int:meeting_id}", summary="查看会议", response={200: MeetingOut, 404: Message})
def get_meeting(request, meeting_id: Id):
    return _meeting_out(request.user, meeting_id)


@router.post("/meetings", summary="登记会议", response={201: MeetingOut, **errors(400, 403, 404)})
def create_meeting(request, payload: MeetingIn):
    """整改办登记会议（类型、日期、名称、主持人和参会人员）。会议纪要另行上传。"""
    meeting = services.save_meeting(
        request.user,
        inspection_id=payload.inspection,
        kind=payload.kind,
        held_on=payload.held_on,
        title=payload.title,
        chair_id=payload.chair,
        attendee_ids=payload.attendees,
        other_attendees=payload.other_attendees,
    )
    return Status(201, _meeting_out(request.user, meeting.pk))


@router.patch(
    "/meetings/{int:meeting_id}", summary="修改会议", response={200: MeetingOut, **errors(400, 403, 404)}
)
def patch_meeting(request, meeting_id: Id, payload: MeetingPatch):
    """整改办修改会议；只改给出的字段。`attendees` 给出时整体替换参会人员。"""
    current = _meeting_out(request.user, meeting_id)
    sent = payload.model_fields_set

    def value(field: str, default):
        return getattr(payload, field) if field in sent else default

    meeting = services.save_meeting(
        request.user,
        meeting_id=current.pk,
        inspection_id=current.inspection_id,
        kind=value("kind", current.kind),
        held_on=value("held_on", current.held_on),
        title=value("title", current.title),
        chair_id=value("chair", current.chair_id),
        attendee_ids=value("attendees", [person.pk for person in current.attendees.all()]) or [],
        other_attendees=value("other_attendees", current.other_attendees) or "",
    )
    return _meeting_out(request.user, meeting.pk)


@router.post(
    "/meetings/{int:meeting_id}/minutes",
    summary="上传会议纪要",
    response={200: MeetingOut, **errors(400, 403, 404, 413)},
)
def upload_minutes(request, meeting_id: Id, file: File[UploadedFile]):
    """整改办上传会议纪要（与佐证材料同样检查文件类型和大小）；再次上传将替换原纪要。"""
    services.attach_minutes(request.user, meeting_id, file)
    return _meeting_out(request.user, meeting_id)


@router.get(
    "/meetings/{int:meeting_id}/minutes",
    summary="下载会议纪要",
    url_name="download_minutes",
    response={200: None, 404: Message},
)
def download_minutes(request, meeting_id: Id):
    """下载会议纪要（以原文件名作为附件），限有权查看该会议者。"""
    meeting = services.minutes_of(request.user, meeting_id)
    return file_response(meeting.minutes, meeting.minutes_name, meeting.minutes_type)


@router.post(
    "/meetings/{int:meeting_id}/decisions",
    summary="记录会议决定事项",
    response={201: MeetingDecisionOut, **errors(400, 403, 404)},
)
def create_decision(request, meeting_id: Id, payload: MeetingDecisionIn):
    """整改办记录会议决定事项，可关联问题或措施；明确承办方和完成时限即为交办任务。"""
    decision = services.save_decision(request.user, meeting_id, **_decision_arguments(payload))
    return Status(201, services.get_decision(request.user, decision.pk))


@router.put(
    "/meeting-decisions/{int:decision_id}",
    summary="修改会议决定事项",
    response={200: MeetingDecisionOut, **errors(400, 403, 404)},
)
def put_decision(request, decision_id: Id, payload: MeetingDecisionIn):
    """整改办修改决定事项（整体替换）。"""
    current = services.get_decision(request.user, decision_id)
    services.save_decision(
        request.user, current.meeting_id, decision_id=current.pk, **_decision_arguments(payload)
    )
    return services.get_decision(request.user, decision_id)


def _decision_arguments(payload: MeetingDecisionIn) -> dict:
    return {
        "text": payload.text,
        "problem_ids": payload.problems,
        "measure_ids": payload.measures,
        "owner_unit_id": payload.owner_unit,
        "owner_person_id": payload.owner_person,
        "due_on": payload.due_on,
    }


@router.get("/meeting-tasks", summary="我的会议交办任务", response=MeetingTaskPage)
def my_tasks(request, paging: Query[Paging]):
    """交给本人或本人所在单位（及下属单位）的会议任务，未完成的在前。"""
    return paging.listing(services.tasks_of(request.user).prefetch_related("problems", "measures__problem"))


@router.post(
    "/meeting-decisions/{int:decision_id}/done",
    summary="报告会议任务完成",
    response={200: MeetingDecisionOut, **errors(400, 403, 404, 409)},
)
def complete_task(request, decision_id: Id, payload: MeetingTaskDoneIn):
    """任务的承办单位、承办人或整改办报告任务完成，并说明完成情况。"""
    services.complete_task(request.user, decision_id, note=payload.note)
    return services.get_decision(request.user, decision_id)
