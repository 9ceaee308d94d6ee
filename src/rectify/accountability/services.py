"""The rules of accountability records (问责), called alike by the pages, the API and the reports.

Only the office of the inspected organisation (or one above it) records and edits them; the office and
the supervisors read them (models.AccountabilityQuerySet); `counts_by_form` is the one count the
dispatch report (and the 整改情况报告) give.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput, NotFound, filled
from rectify.ledger.models import Inspection, Problem
from rectify.ledger.services import get_inspection
from rectify.org.access import VIEW, Access
from rectify.org.models import Role, User

from .models import AccountabilityForm, AccountabilityRecord

CHANGE_DENIED = "只有整改办可以登记和修改问责记录。"
READ_DENIED = "问责记录只有整改办和纪检监察（巡察）机构可以查看。"
NOT_FOUND = "问责记录不存在，或您无权查看。"


def may_read(user: User) -> bool:
    """Whether the user holds a role that reads accountability records anywhere (the list is theirs)."""
    access = Access.of(user)
    return access.is_superuser or bool(access.paths({Role.OFFICE, Role.SUPERVISOR}))


def record_list(
    user: User, inspection_id: int | None = None, form: str = ""
) -> QuerySet[AccountabilityRecord]:
    """The records the user may read, latest first, with their problems."""
    if not may_read(user):
        raise AccessDenied(READ_DENIED)
    return (
        AccountabilityRecord.objects.restrict(user, VIEW)
        .filter_given(inspection_id=inspection_id, form=form)
        .select_related("inspection__inspected")
        .prefetch_related(Prefetch("problems", queryset=Problem.objects.order_by("number")))
        .order_by("-dealt_on", "-id")
    )


def get_record(user: User, record_id: int) -> AccountabilityRecord:
    """A record the user may read: NotFound when the user may not even see its inspection, AccessDenied
    when the user sees the inspection but reads no accountability (a unit, a leader)."""
    inspection_id = (
        AccountabilityRecord.objects.filter(pk=record_id).values_list("inspection", flat=True).first()
    )
    if inspection_id is None:
        raise NotFound(NOT_FOUND)
    readable_inspection(user, inspection_id)
    return record_list(user).get_or_not_found(NOT_FOUND, pk=record_id)


def readable_inspection(user: User, inspection_id: int) -> Inspection:
    """The inspection whose records the user may count: NotFound for outsiders, AccessDenied for those
    who see it but read no accountability (a unit, a leader)."""
    inspection = get_inspection(user, inspection_id)
    if not AccountabilityRecord.objects.roles_for(VIEW) & _roles_over(user, inspection):
        raise AccessDenied(READ_DENIED)
    return inspection


def _roles_over(user: User, inspection: Inspection) -> set[str]:
    access = Access.of(user)
    if access.is_superuser:
        return set(AccountabilityRecord.objects.roles_for(VIEW))
    return {role for role in access.roles if access.has_role(role, inspection.inspected)}


def today() -> date:
    return timezone.localdate()


def may_change(user: User, inspection: Inspection) -> bool:
    return Access.of(user).is_office_for(inspection.inspected)


@dataclass(frozen=True)
class FormCount:
    form: str
    label: str
    count: int


def counts_by_form(inspection: Inspection, start: date | None, end: date) -> list[FormCount]:
    """How many people were dealt with in each form from `start` (None: from the first) to `end`, every
    form listed (zero included), in the order of severity. One query."""
    records = AccountabilityRecord.objects.filter(inspection=inspection, dealt_on__lte=end)
    if start is not None:
        records = records.filter(dealt_on__gte=start)
    counts = dict(records.values_list("form").annotate(n=Count("id")).values_list("form", "n"))
    return [FormCount(form.value, str(form.label), counts.get(form.value, 0)) for form in AccountabilityForm]


def counts_sentence(counts: list[FormCount]) -> str:
    """“问责3人次，其中批评教育1人次、诫勉谈话2人次”; “未问责” when there is none."""
    total = sum(item.count for item in counts)
    if not total:
        return "未问责"
    parts = "、".join(f"{item.label}{item.count}人次" for item in counts if item.count)
    return f"问责{total}人次，其中{parts}"


def save_record(
    user: User,
    *,
    inspection_id: int,
    person_name: str,
    position: str = "",
    unit_name: str = "",
    dealt_on: date | None,
    form: str,
    reason: str,
    problem_ids: list[int] = (),
    record_id: int | None = None,
) -> AccountabilityRecord:
    """The office records a person dealt with (new or edited) and the problems it answers."""
    inspection = get_inspection(user, inspection_id)  # NotFound for outsiders
    if record_id is not None:
        record = AccountabilityRecord.objects.restrict(user, VIEW).filter(pk=record_id).first()
        if record is None:
            raise NotFound(NOT_FOUND)
        if record.inspection_id != inspection.pk:
            raise InvalidInput("问责记录不能改到其他巡察名下。")
    else:
        record = AccountabilityRecord(inspection=inspection, created_by=user)
    if not may_change(user, inspection):
        raise AccessDenied(CHANGE_DENIED)
    person_name = filled(person_name, "被问责人姓名")
    reason = filled(reason, "问责事由")
    if form not in AccountabilityForm.values:
        raise InvalidInput("问责方式应为批评教育、诫勉谈话、组织处理或党纪政务处分。")
    if dealt_on is None:
        raise InvalidInput("请填写处理日期。")
    if dealt_on > timezone.localdate():
        raise InvalidInput("处理日期不能晚于今天。")
    problems = list(Problem.objects.filter(inspection=inspection, pk__in=problem_ids))
    if len(problems) != len(set(problem_ids)):
        raise InvalidInput("所选问题不属于本次巡察。")
    with transaction.atomic():
        record.person_name = person_name[:64]
        record.position = (position or "").strip()[:128]
        record.unit_name = (unit_name or "").strip()[:128]
        record.dealt_on = dealt_on
        record.form = form
        record.reason = reason
        record.save()
        record.problems.set(problems)
    return record
