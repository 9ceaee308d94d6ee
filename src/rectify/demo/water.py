"""A second organisation inspected in the same round as the Transport Bureau's special inspection:
广州市水务局, under the same inspection office, with its own office (`water`), a leader, three
departments and a small ledger (an invented notice, data/water-2025.txt) imported and assigned by
its office: one measure signed off, some in progress and one overdue. The inspection office (`xcb`)
thus follows two organisations in the round; neither bureau sees the other's ledger."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from auditlog.context import set_actor

from rectify.ledger.choices import MeasureCategory
from rectify.ledger.models import Inspection, Measure
from rectify.ledger.services import update_measure_assignment
from rectify.notices.importer import import_notice
from rectify.notices.parser import parse_file
from rectify.notices.services import source_text
from rectify.org.models import Organisation, OrganisationKind, Role, User

from .earlier import as_it_happened
from .life import Life, member

WATER_NOTICE = Path(__file__).resolve().parent / "data" / "water-2025.txt"
WATER_CODE = "gz-swj"

# (code, name, liaison, head)
WATER_DEPARTMENTS = [
    ("gz-swj-spc", "行政审批处", "邝嘉欣", "温国栋"),
    ("gz-swj-gsc", "供水管理处", "麦晓彤", "区永健"),
    ("gz-swj-jsc", "建设管理处", "谭思敏", "卢志明"),
]
LEADER = ("water-leader", "苏文杰", "局党组成员、副局长")

# (problem, order) → (unit, stage of life (demo.life), deadline in days from today or a date)
WATER_PLAN: dict[tuple[int, int], tuple[str, str, int | date]] = {
    (1, 1): ("gz-swj-spc", "signed_off", date(2024, 6, 30)),
    (1, 2): ("gz-swj-spc", "report_accepted", 40),
    (2, 1): ("gz-swj-gsc", "report_returned", -25),  # overdue
    (3, 1): ("gz-swj-jsc", "report_submitted", 20),
    (3, 2): ("gz-swj-jsc", "not_started", 75),
}


def water_organisation(city: Organisation) -> Organisation:
    return Organisation.objects.create(
        name="广州市水务局",
        short_name="市水务局",
        code=WATER_CODE,
        kind=OrganisationKind.PARTY_ORGAN,
        parent=city,
    )


def water_bureau(water: Organisation, users: dict[str, User], hashed: str, today: date) -> Inspection:
    office = users["water"]
    username, name, title = LEADER
    leader = member(username, name, water, Role.LEADER, title, hashed)
    units, people = {}, {}
    for code, unit_name, liaison, head in WATER_DEPARTMENTS:
        unit = Organisation.objects.create(
            name=unit_name, code=code, kind=OrganisationKind.DEPARTMENT, parent=water
        )
        units[code] = unit
        people[code] = (
            member(f"{code}-ll", liaison, unit, Role.LIAISON, "整改联络员", hashed),
            member(f"{code}-head", head, unit, Role.UNIT_HEAD, "负责人", hashed),
        )
    with set_actor(office):
        inspection = import_notice(
            parse_file(WATER_NOTICE),
            organisation=water,
            user=office,
            source_name=WATER_NOTICE.name,
            source_text=source_text(WATER_NOTICE.read_bytes(), WATER_NOTICE.name),
        )
    measures = Measure.objects.filter(problem__inspection=inspection).select_related("problem")
    for index, measure in enumerate(measures.order_by("problem__number", "order")):
        code, stage, due = WATER_PLAN[(measure.problem.number, measure.order)]
        deadline = due if isinstance(due, date) else today + timedelta(days=due)
        with set_actor(office):
            measure = update_measure_assignment(
                office,
                measure.pk,
                version=measure.version,
                lead_leader=leader,
                units=[units[code]],
                deadline=deadline,
                category=MeasureCategory.DEADLINE,
            )
        liaison, head = people[code]
        # A measure signed off long ago was reported before its deadline (Life reports 45 days before).
        day = deadline - timedelta(days=5) if stage == "signed_off" else today
        Life(measure, liaison, head, office, leader, day, index).reach(stage)
        if stage == "signed_off":
            as_it_happened(measure, day - timedelta(days=45))
    return inspection
