"""Time node endpoints (时间节点). Thin: every rule (dates in order and within the deadline, who may
plan, done only with a report carrying evidence) is in progress.milestones."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from rectify.schemas import Id, NamedRef, errors, label_of, person_of

from . import milestones
from .models import Milestone

router = Router(tags=["整改进展与销号"])


class MilestoneOut(Schema):
    id: int
    measure_id: int
    due_on: date = Field(..., description="节点日期")
    deliverable: str = Field(..., description="节点任务：到期应完成、应交付的内容")
    state: str = Field(..., description="open 未完成 / done 已完成")
    state_label: str
    overdue: bool = Field(..., description="未完成且节点日期已过")
    report_id: int | None = Field(None, description="作为佐证的整改进展报告编号（已完成时）")
    done_by: NamedRef | None
    done_at: datetime | None

    resolve_state_label = label_of("state")
    resolve_done_by = person_of("done_by")

    @staticmethod
    def resolve_overdue(obj: Milestone) -> bool:
        return obj.state == Milestone.State.OPEN and obj.due_on < timezone.localdate()


class MilestoneIn(Schema):
    due_on: date = Field(..., description="节点日期，不晚于措施的整改时限、不早于巡察反馈日期")
    deliverable: str = Field(..., max_length=200, description="节点任务，必填，不含分号")


class MilestoneDoneIn(Schema):
    report_id: Id = Field(..., description="该措施未被退回且附有佐证材料的整改进展报告编号")


@router.get(
    "/measures/{int:measure_id}/milestones",
    summary="整改措施的时间节点",
    response={200: list[MilestoneOut], **errors(404)},
)
def list_milestones(request, measure_id: Id):
    """该措施的时间节点，按日期先后：节点日期、节点任务、是否完成（及佐证报告）、是否已超期。"""
    return milestones.milestones_of(request.user, measure_id)


@router.post(
    "/measures/{int:measure_id}/milestones",
    summary="增加时间节点",
    response={201: MilestoneOut, **errors(400, 403, 404)},
)
def add_milestone(request, measure_id: Id, payload: MilestoneIn):
    """整改办为措施增加一个时间节点；日期不能晚于整改时限，同一措施的节点任务不能重复。"""
    milestone = milestones.add_milestone(
        request.user, measure_id, due_on=payload.due_on, deliverable=payload.deliverable
    )
    return Status(201, milestone)


@router.get(
    "/milestones/{int:milestone_id}",
    summary="查看时间节点",
    response={200: MilestoneOut, **errors(404)},
)
def get_milestone(request, milestone_id: Id):
    """一个时间节点；看得到措施的人才看得到。"""
    return milestones.get_milestone(request.user, milestone_id)


@router.put(
    "/milestones/{int:milestone_id}",
    summary="修改时间节点",
    response={200: MilestoneOut, **errors(400, 403, 404)},
)
def change_milestone(request, milestone_id: Id, payload: MilestoneIn):
    """整改办修改未完成节点的日期和任务；已完成的节点须先改回未完成。"""
    return milestones.change_milestone(
        request.user, milestone_id, due_on=payload.due_on, deliverable=payload.deliverable
    )


@router.delete(
    "/milestones/{int:milestone_id}",
    summary="删除时间节点",
    response={204: None, **errors(400, 403, 404)},
)
def delete_milestone(request, milestone_id: Id):
    """整改办删除未完成的时间节点；已完成的节点不能删除。"""
    milestones.delete_milestone(request.user, milestone_id)
    return Status(204, None)


@router.post(
    "/milestones/{int:milestone_id}/complete",
    summary="标记时间节点完成",
    response={200: MilestoneOut, **errors(400, 403, 404)},
)
def complete_milestone(request, milestone_id: Id, payload: MilestoneDoneIn):
    """责任单位或整改办以一份附有佐证材料的整改进展报告标记节点完成；没有佐证材料的不算完成。"""
    return milestones.complete_milestone(request.user, milestone_id, report_id=payload.report_id)


@router.post(
    "/milestones/{int:milestone_id}/reopen",
    summary="时间节点改回未完成",
    response={200: MilestoneOut, **errors(400, 403, 404)},
)
def reopen_milestone(request, milestone_id: Id):
    """整改办认为佐证不足时，把已完成的节点改回未完成。"""
    return milestones.reopen_milestone(request.user, milestone_id)
