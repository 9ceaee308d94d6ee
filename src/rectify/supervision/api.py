"""Warning and notification endpoints: the three-colour warnings of the measures the caller may
see, the caller's notifications, and marking them read. Thin: levels come from
supervision.deadlines, visibility from the ledger's access rules, marking from supervision.services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from rectify.errors import InvalidInput
from rectify.ledger.models import Measure
from rectify.org.access import VIEW
from rectify.schemas import Id, Message, NamedRef, Paging, person_ref

from . import services
from .forms import LEVEL_SLUGS, SLUG_OF_LEVEL
from .models import Notification, WarningLevel
from .warning_helpers import days_left, filtered_warnings

router = Router(tags=["预警与通知"])

LevelSlug = Literal["escalated", "red", "yellow", "green"]


class WarningOut(Schema):
    measure_id: int
    inspection_id: int
    problem_id: int
    problem_number: int
    problem_title: str
    order: int
    text: str
    level: LevelSlug = Field(..., description="escalated 红色（已升级）、red 红色、yellow 黄色、green 绿色")
    level_label: str
    deadline: date | None = Field(..., description="整改时限")
    due_on: date = Field(..., description="预警所依据的日期：下一个未完成时间节点的日期，没有时为整改时限")
    milestone: str | None = Field(None, description="预警所依据的时间节点（节点任务）；依据整改时限时为空")
    days: int = Field(..., description="距预警所依据日期的天数；负数为已超期的天数")
    status: str
    status_label: str
    units: list[NamedRef] = Field(..., description="责任单位")
    lead_leader: NamedRef | None


class WarningPage(Schema):
    count: int
    items: list[WarningOut]


class WarningFilters(Paging):
    level: LevelSlug | None = Field(None, description="只看某一级预警")
    inspection: Id | None = Field(None, description="巡察编号")
    mine: bool = Field(False, description="只看我牵头的措施")


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None
    unread: bool


class NotificationPage(Schema):
    count: int
    unread_count: int
    items: list[NotificationOut]


class NotificationFilters(Paging):
    unread: bool | None = Field(None, description="true 只看未读，false 只看已读")


class ReadIn(Schema):
    ids: list[Id] | None = Field(None, description="要标为已读的通知编号（只会标记您自己的通知）")
    all: bool = Field(False, description="true 将您的全部未读通知标为已读")


class ReadOut(Schema):
    marked: int = Field(..., description="本次标为已读的条数")
    unread_count: int


def _warning(measure: Measure, today: date) -> dict:
    level = WarningLevel(measure.warning_level)
    return {
        "measure_id": measure.pk,
        "inspection_id": measure.problem.inspection_id,
        "problem_id": measure.problem_id,
        "problem_number": measure.problem.number,
        "problem_title": measure.problem.title,
        "order": measure.order,
        "text": measure.text,
        "level": SLUG_OF_LEVEL[level],
        "level_label": str(level.label),
        "deadline": measure.deadline,
        "due_on": measure.warning_due,
        "milestone": measure.next_milestone_deliverable,
        "days": days_left(measure.warning_due, today),
        "status": measure.status,
        "status_label": measure.get_status_display(),
        "units": [{"id": unit.pk, "name": unit.name} for unit in measure.responsible_units],
        "lead_leader": person_ref(measure.lead_leader),
    }


@router.get("/warnings", summary="预警列表", response=WarningPage)
def list_warnings(request, filters: Query[WarningFilters]):
    """您有权查看的整改措施中正处于预警的，按预警等级从重到轻、整改时限从早到晚排列。
    预警按各单位的预警规则于请求时计算。"""
    today = timezone.localdate()
    measures = filtered_warnings(request.user, inspection=filters.inspection, mine=filters.mine, today=today)
    if filters.level:
        measures = measures.filter(warning_level=LEVEL_SLUGS[filters.level])
    count, items = filters.window(measures)
    return {"count": count, "items": [_warning(measure, today) for measure in items]}


@router.get("/notifications", summary="通知列表", response=NotificationPage)
def list_notifications(request, filters: Query[NotificationFilters]):
    """您的通知，新的在前。"""
    notifications = Notification.objects.restrict(request.user, VIEW)
    if filters.unread is not None:
        notifications = notifications.filter(read_at__isnull=filters.unread)
    count, items = filters.window(notifications.order_by("-created_at", "-id"))
    for item in items:
        item.unread = item.read_at is None
    return {"count": count, "unread_count": services.unread_count(request.user), "items": items}


@router.post("/notifications/read", summary="标记通知已读", response={200: ReadOut, 400: Message})
def read_notifications(request, payload: ReadIn):
    """将通知标为已读：`{"ids": [1, 2]}` 标记指定的几条，`{"all": true}` 标记全部。
    他人的通知编号会被忽略。"""
    if payload.all and payload.ids:
        raise InvalidInput("ids 与 all 只能二选一。")
    if payload.all:
        marked = services.mark_read(request.user)
    elif payload.ids:
        marked = services.mark_read(request.user, payload.ids)
    else:
        raise InvalidInput("请给出要标为已读的通知编号 ids，或以 all=true 标记全部。")
    return {"marked": marked, "unread_count": services.unread_count(request.user)}
