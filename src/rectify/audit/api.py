"""Audit endpoints: searching the audit trail, and one measure's timeline. Thin: the scope and the
filters are in audit.services.search_audit and ledger.services.measure_history."""

from __future__ import annotations

from datetime import UTC, datetime

from auditlog.models import LogEntry
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from rectify.errors import InvalidInput
from rectify.ledger.services import get_measure, measure_history
from rectify.schemas import Id, Message, NamedRef, Paging, person_of

from . import services

router = Router(tags=["审计日志"])

ACTIONS = {
    LogEntry.Action.CREATE: ("create", "创建"),
    LogEntry.Action.UPDATE: ("update", "修改"),
    LogEntry.Action.DELETE: ("delete", "删除"),
    LogEntry.Action.ACCESS: ("access", "查看"),
}


class AuditFilters(Paging):
    model: str = Field("", max_length=64, description="记录类型，如 ledger.measure、progress.signoff")
    object_id: Id | None = Field(None, description="记录编号（须同时给出 model）")
    measure: Id | None = Field(
        None, description="整改措施编号：该措施及其进展、销号、回头看、指标等的全部记录"
    )
    measure_number: str = Field(
        "", max_length=12, description="整改措施序号，如 10.1；多次巡察都有该序号时须同时给出 inspection"
    )
    inspection: Id | None = Field(None, description="巡察编号（与 measure_number 一起使用）")
    actor: Id | None = Field(None, description="操作人的用户编号")
    since: datetime | None = Field(None, description="起始时间（ISO 8601；不带时区按北京时间）")
    until: datetime | None = Field(None, description="截止时间（ISO 8601；不带时区按北京时间）")
    q: str = Field("", max_length=100, description="在记录名称中检索")

    def as_filter(self) -> services.AuditFilter:
        since, until = _aware(self.since, "起始时间"), _aware(self.until, "截止时间")
        if since and until and since > until:
            raise InvalidInput("起始时间不能晚于截止时间。")
        return services.AuditFilter(
            model=self.model.strip(),
            object_id=self.object_id,
            measure=self.measure,
            measure_number=self.measure_number,
            inspection=self.inspection,
            actor=self.actor,
            since=since,
            until=until,
            q=self.q,
        )


def _aware(moment: datetime | None, label: str) -> datetime | None:
    """The moment in UTC (Beijing time when it names no zone); a moment that UTC cannot hold (year 1
    with a positive offset, year 9999 with a negative one) is refused in Chinese, not a server error."""
    if moment is None:
        return None
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidInput(f"{label}超出可用的范围。") from None


class AuditEntryOut(Schema):
    id: int
    timestamp: datetime
    actor: NamedRef | None
    action: str = Field(..., description="create / update / delete")
    action_label: str
    model: str = Field(..., description="app_label.model，如 ledger.measure")
    object_id: int | None
    object_repr: str
    changes: dict[str, list] = Field(
        ...,
        description="字段名 → [修改前, 修改后]（按审计记录保存的文本，空值为 null）；"
        "多对多字段为 [移除的对象, 增加的对象]",
    )

    resolve_actor = person_of("actor")

    @staticmethod
    def resolve_action(obj: LogEntry) -> str:
        return ACTIONS.get(obj.action, ("update", "修改"))[0]

    @staticmethod
    def resolve_action_label(obj: LogEntry) -> str:
        return ACTIONS.get(obj.action, ("update", "修改"))[1]

    @staticmethod
    def resolve_model(obj: LogEntry) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    @staticmethod
    def resolve_changes(obj: LogEntry) -> dict[str, list]:
        return {field: _change(values) for field, values in (obj.changes_dict or {}).items()}


def _change(values) -> list:
    if isinstance(values, dict) and values.get("type") == "m2m":
        objects = list(values.get("objects", []))
        return [objects, []] if values.get("operation") == "delete" else [[], objects]
    if isinstance(values, list | tuple) and len(values) == 2:
        return [None if value == "None" else value for value in values]
    return [None, values]


class AuditPage(Schema):
    count: int
    items: list[AuditEntryOut]


class ChangeOut(Schema):
    field: str
    before: str
    after: str


class HistoryOut(Schema):
    timestamp: datetime
    actor: str
    sentence: str = Field(..., description="所做的事，按公文习惯写成的一句话（前面加上 actor 即为完整记录）")
    action: str
    changes: list[ChangeOut]

    @staticmethod
    def resolve_changes(obj) -> list[dict]:
        return [{"field": field, "before": before, "after": after} for field, before, after in obj.changes]


@router.get("/audit", summary="查询审计日志", response={200: AuditPage, 400: Message, 403: Message})
def search_audit(request, filters: Query[AuditFilters]):
    """审计日志（纪检监察组、巡察办、整改办可查，范围为本组织及下级）。新的在前，每页最多 200 条。"""
    return filters.listing(services.search_audit(request.user, filters.as_filter()))


@router.get(
    "/measures/{int:measure_id}/history",
    summary="整改措施全过程记录",
    response={200: list[HistoryOut], 404: Message},
)
def history(request, measure_id: Id):
    """整改措施的全过程记录（措施本身、分工、进展、审核、销号、回头看、指标），新的在前，中文表述。"""
    return measure_history(get_measure(request.user, measure_id))
