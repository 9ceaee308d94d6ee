"""The measure's life, in one place: its states and the events that move it between them.

    not started ─report─▶ in progress ─request sign-off─▶ sign-off requested ─approve─▶ signed off
         │                     ▲   ▲                            │                      │
         │                     │   └──────────return────────────┘                  relapse
         │                     └──────────────report────────────── reopened ◀──────────┘
         └─report (long-term)─▶ ongoing (reported every period, never finishes)

Every service that changes a measure's status calls `advance`, which locks the row, checks that
the measure is still where the caller saw it, and refuses anything else with a Chinese message, so
two people acting at once cannot both win and an illegal move changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rectify.errors import RectifyError

from .choices import MeasureCategory, MeasureStatus
from .extensions import measures_changed
from .models import Measure

S = MeasureStatus


class Event(StrEnum):
    REPORT = "report"
    REQUEST_SIGNOFF = "request_signoff"
    RETURN_SIGNOFF = "return_signoff"
    APPROVE_SIGNOFF = "approve_signoff"
    RELAPSE = "relapse"


EVENT_LABELS = {
    Event.REPORT: "报送整改进展",
    Event.REQUEST_SIGNOFF: "申请销号",
    Event.RETURN_SIGNOFF: "退回销号申请",
    Event.APPROVE_SIGNOFF: "批准销号",
    Event.RELAPSE: "回头看发现反弹",
}


@dataclass(frozen=True)
class Transition:
    event: Event
    source: MeasureStatus
    target: MeasureStatus
    long_term: bool | None = None  # None: any category; True/False: only long-term / only others


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Event.REPORT, S.NOT_STARTED, S.IN_PROGRESS, long_term=False),
    Transition(Event.REPORT, S.NOT_STARTED, S.ONGOING, long_term=True),
    Transition(Event.REPORT, S.IN_PROGRESS, S.IN_PROGRESS),
    Transition(Event.REPORT, S.ONGOING, S.ONGOING),
    Transition(Event.REPORT, S.REOPENED, S.IN_PROGRESS),
    Transition(Event.REQUEST_SIGNOFF, S.IN_PROGRESS, S.SIGNOFF_REQUESTED, long_term=False),
    Transition(Event.RETURN_SIGNOFF, S.SIGNOFF_REQUESTED, S.IN_PROGRESS),
    Transition(Event.APPROVE_SIGNOFF, S.SIGNOFF_REQUESTED, S.SIGNED_OFF),
    Transition(Event.RELAPSE, S.SIGNED_OFF, S.REOPENED),
)


class IllegalTransition(RectifyError):
    status = 409


def target_of(measure: Measure, event: Event) -> MeasureStatus:
    """Where `event` takes the measure from its current status; IllegalTransition if it cannot."""
    long_term = measure.category == MeasureCategory.LONG_TERM
    for transition in TRANSITIONS:
        if (
            transition.event == event
            and transition.source == measure.status
            and transition.long_term in (None, long_term)
        ):
            return transition.target
    current = MeasureStatus(measure.status).label
    if event == Event.REQUEST_SIGNOFF and long_term:
        raise IllegalTransition("长期坚持的整改措施按期报送进展，不申请销号。")
    raise IllegalTransition(f"整改措施当前状态为“{current}”，不能{EVENT_LABELS[event]}。")


def allowed_events(measure: Measure) -> list[Event]:
    """The events the measure's status allows now (for showing the right buttons)."""
    allowed = []
    for event in Event:
        try:
            target_of(measure, event)
        except IllegalTransition:
            continue
        allowed.append(event)
    return allowed


def lock(measure_id: int) -> Measure:
    """The measure, locked until the caller's transaction ends (call inside transaction.atomic)."""
    return (
        Measure.objects.select_for_update(of=("self",))
        .select_related("problem__inspection")
        .get(pk=measure_id)
    )


def advance(measure: Measure, event: Event, *, expected_version: int | None = None) -> Measure:
    """Move a locked measure (see `lock`) by `event` and save it with a new version.

    `expected_version` is the version the user saw; a different one means someone acted first.
    """
    if expected_version is not None and measure.version != expected_version:
        raise IllegalTransition(
            f"整改措施已被他人更新（您看到的是第 {expected_version} 版，当前为第 {measure.version} 版），"
            "本次操作未执行。请刷新后重试。"
        )
    measure.status = target_of(measure, event)
    measure.version += 1
    measure.save(update_fields=["status", "version", "updated_at", "reopen_reason"])
    measures_changed([measure.problem.inspection_id])
    return measure
