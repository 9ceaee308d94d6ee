"""The demo: the Guangzhou Transport Bureau's 2023 special inspection, imported from its public
notice (notices/data/guangzhou-transport-2025.txt) and brought to life with departments, leaders,
one account per role, assignments, deadlines and statuses across the whole range.

Around it, so that every part has something to show: the bureau's earlier round, signed off, whose
problems the special inspection's import finds again (举一反三, demo.earlier); the meetings that
deploy and drive the work (demo.meetings) and the people dealt with (demo.accountability); a second
organisation inspected in the same round (广州市水务局, demo.water); and the inspection office's
整改评估 of both rounds (demo.evaluation)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from auditlog.context import set_actor
from django.contrib.auth.hashers import make_password
from django.db import transaction

from rectify.feedback import tallies as feedback_tallies
from rectify.feedback.demo import build_feedback_demo
from rectify.ledger.choices import MeasureCategory, MechanismKind, MechanismStatus
from rectify.ledger.models import Inspection, Measure, MeasureUnit
from rectify.ledger.services import save_mechanism
from rectify.notices.demo import publish_demo_notices
from rectify.notices.importer import import_notice
from rectify.notices.parser import parse_file
from rectify.notices.services import source_text
from rectify.org.models import Membership, Organisation, OrganisationKind, Role, User
from rectify.reports.demo import demo_documents
from rectify.supervision import tallies

from .accountability import deal_with
from .earlier import decide_flags, earlier_round
from .evaluation import evaluate
from .life import live, unit_people
from .meetings import hold_meetings
from .oversight import oversee
from .water import WATER_CODE, water_bureau, water_organisation

DEMO_NOTICE = Path(__file__).resolve().parent.parent / "notices" / "data" / "guangzhou-transport-2025.txt"
DEFAULT_PASSWORD = "Rectify-demo-2025"

BUREAU_CODE = "gz-jtj"

# (code, name, short name, kind)
DEPARTMENTS = [
    ("gz-jtj-bgs", "办公室", "办公室", OrganisationKind.DEPARTMENT),
    ("gz-jtj-fgc", "政策法规处", "法规处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-ghc", "综合规划处", "规划处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-ysc", "道路运输管理处", "运输处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-hyc", "货运物流处", "物流处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-gjc", "公共交通处", "公交处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-tcc", "停车场管理处", "停车处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-jsc", "建设管理处", "建设处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-spc", "行政审批处", "审批处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-cwc", "财务处", "财务处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-rsc", "人事处", "人事处", OrganisationKind.DEPARTMENT),
    ("gz-jtj-jgdw", "机关党委", "机关党委", OrganisationKind.DEPARTMENT),
    ("gz-jtj-zfzd", "市交通运输综合行政执法支队", "执法支队", OrganisationKind.AFFILIATED),
    ("gz-jtj-xxzx", "市交通运输信息中心", "信息中心", OrganisationKind.AFFILIATED),
    ("gz-jtj-gq", "各区交通运输局", "各区交通局", OrganisationKind.DISTRICT),
]


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    role: str
    organisation: str  # code
    title: str


PEOPLE = [
    Person("office", "周敏", Role.OFFICE, BUREAU_CODE, "巡察整改领导小组办公室主任"),
    Person("secretary", "黄志刚", Role.LEADER, BUREAU_CODE, "局党组书记、局长（领导小组组长）"),
    Person("leader", "李明", Role.LEADER, BUREAU_CODE, "局党组成员、副局长"),
    Person("leader2", "王强", Role.LEADER, BUREAU_CODE, "局党组成员、副局长"),
    Person("leader3", "陈晓", Role.LEADER, BUREAU_CODE, "局党组成员、副局长"),
    Person("leader4", "刘芳", Role.LEADER, BUREAU_CODE, "局党组成员、副局长"),
    Person("unithead", "赵建国", Role.UNIT_HEAD, "gz-jtj-zfzd", "支队长"),
    Person("unit", "孙丽", Role.LIAISON, "gz-jtj-zfzd", "整改联络员"),
    Person("unithead2", "吴海", Role.UNIT_HEAD, "gz-jtj-fgc", "处长"),
    Person("unit2", "郑洁", Role.LIAISON, "gz-jtj-fgc", "整改联络员"),
    Person("supervisor", "马骏", Role.SUPERVISOR, BUREAU_CODE, "驻局纪检监察组组长"),
    Person("xcb", "林蕾", Role.SUPERVISOR, "gz-xcb", "市委巡察办督查科科长"),
    Person("water", "冯志强", Role.OFFICE, WATER_CODE, "巡察整改领导小组办公室主任"),
]

# Lead leader per area (in notice order) and units per problem number: (responsible, supporting).
AREA_LEADERS = ["leader", "leader2", "leader3", "leader4"]
PROBLEM_UNITS: dict[int, tuple[list[str], list[str]]] = {
    1: (["gz-jtj-tcc", "gz-jtj-fgc"], []),
    2: (["gz-jtj-bgs"], ["gz-jtj-fgc"]),
    3: (["gz-jtj-hyc"], ["gz-jtj-xxzx"]),
    4: (["gz-jtj-gjc"], ["gz-jtj-cwc", "gz-jtj-gq"]),
    5: (["gz-jtj-ysc"], []),
    6: (["gz-jtj-ysc"], ["gz-jtj-gjc", "gz-jtj-gq"]),
    7: (["gz-jtj-zfzd"], ["gz-jtj-fgc"]),
    8: (["gz-jtj-fgc"], ["gz-jtj-zfzd"]),
    9: (["gz-jtj-hyc"], ["gz-jtj-zfzd"]),
    10: (["gz-jtj-zfzd"], []),
    11: (["gz-jtj-jsc"], ["gz-jtj-cwc"]),
    12: (["gz-jtj-ghc", "gz-jtj-gq"], []),
    13: (["gz-jtj-jsc"], ["gz-jtj-zfzd"]),
    14: (["gz-jtj-spc"], []),
    15: (["gz-jtj-spc"], ["gz-jtj-xxzx"]),
    16: (["gz-jtj-zfzd"], ["gz-jtj-xxzx"]),
    17: (["gz-jtj-jgdw"], ["gz-jtj-rsc"]),
}
# Measures whose wording says they never finish (持续, 常态化, 定期…) are long-term.
LONG_TERM_WORDS = ("常态化", "持续", "定期", "长效", "每周")

MECHANISMS = [
    ("《广州市停车场条例》", MechanismKind.REVISED, MechanismStatus.IN_REVIEW, None, "", [1]),
    (
        "行政处罚裁量权基准和行政执法减免责清单",
        MechanismKind.REVISED,
        MechanismStatus.ISSUED,
        -400,
        "穗交运规字〔2024〕5号",
        [8],
    ),
    (
        "占道施工标识设置工作指引",
        MechanismKind.MADE,
        MechanismStatus.ISSUED,
        -520,
        "穗交运〔2024〕112号",
        [13],
    ),
    ("综合货运枢纽补链强链服务措施", MechanismKind.MADE, MechanismStatus.DRAFTING, None, "", [3]),
    (
        "信用修复证明材料内部审批工作规则",
        MechanismKind.MADE,
        MechanismStatus.ISSUED,
        -300,
        "穗交运办〔2024〕37号",
        [15],
    ),
]


@dataclass
class DemoResult:
    inspection: Inspection  # the special inspection: the demo's main one
    accounts: list[Person]
    password: str
    earlier: Inspection | None = None  # the bureau's earlier round, signed off
    water: Inspection | None = None  # the second organisation's, in the same round


@transaction.atomic
def build_demo(password: str = DEFAULT_PASSWORD, today: date | None = None) -> DemoResult:
    """Fill an empty database with the demo. Deterministic: the same day gives the same demo."""
    today = today or date.today()
    city = Organisation.objects.create(
        name="中共广州市委巡察工作领导小组办公室",
        short_name="市委巡察办",
        code="gz-xcb",
        kind=OrganisationKind.INSPECTION_OFFICE,
    )
    bureau = Organisation.objects.create(
        name="广州市交通运输局",
        short_name="市交通运输局",
        code=BUREAU_CODE,
        kind=OrganisationKind.PARTY_ORGAN,
        parent=city,
        credit_code="11440100MB2C91373B",
    )
    units = {BUREAU_CODE: bureau, "gz-xcb": city}
    for code, name, short, kind in DEPARTMENTS:
        units[code] = Organisation.objects.create(
            name=name, short_name=short, code=code, kind=kind, parent=bureau
        )
    Organisation.objects.create(
        name="广州市纪委监委驻市交通运输局纪检监察组",
        short_name="驻局纪检监察组",
        code="gz-jtj-jjz",
        kind=OrganisationKind.DISCIPLINE,
        parent=bureau,
    )

    water = water_organisation(city)
    units[WATER_CODE] = water

    # Every account has the same password: hashed once, not once per account (a real hash takes a
    # good part of a second, and the demo makes some fifty accounts).
    hashed = make_password(password)
    users: dict[str, User] = {}
    for person in PEOPLE:
        user = User.objects.create(username=person.username, password=hashed, full_name=person.full_name)
        Membership.objects.create(
            user=user, organisation=units[person.organisation], role=person.role, title=person.title
        )
        users[person.username] = user
    users["admin"] = User.objects.create(
        username="admin", password=hashed, full_name="系统管理员", is_staff=True, is_superuser=True
    )

    people = unit_people(units, users, hashed)
    # The earlier round is signed off before the special inspection is imported, so that the import
    # compares the new problems with its problems (举一反三).
    earlier = earlier_round(bureau, users, units, people)
    document = parse_file(DEMO_NOTICE)
    inspection = import_notice(
        document,
        organisation=bureau,
        source_name=DEMO_NOTICE.name,
        source_text=source_text(DEMO_NOTICE.read_bytes(), DEMO_NOTICE.name),
    )
    inspection.deadline = date(2024, 12, 31)
    inspection.save(update_fields=["deadline"])
    decide_flags(inspection, earlier, users["office"])
    plan = _assign(inspection, users, units, today)
    _mechanisms(inspection, users["office"], today)
    live(plan, users, people, today)
    # Meetings and accountability before the notice and the dispatch reports, which count them.
    hold_meetings(inspection, users, units, people, today)
    deal_with(inspection, users["office"], today)
    water_inspection = water_bureau(water, users, hashed, today)
    oversee(inspection, bureau, users, today)
    publish_demo_notices(inspection, users, today)
    demo_documents(inspection, users)
    build_feedback_demo(inspection, bureau, users, today)
    evaluate(users["xcb"], earlier=earlier, current=inspection)
    # The demo dates reports, reviews and sign-offs as they happened, past the services that keep the
    # summary rows: they are counted again, as the daily tick would.
    tallies.refresh()
    feedback_tallies.refresh()
    return DemoResult(
        inspection=inspection, accounts=PEOPLE, password=password, earlier=earlier, water=water_inspection
    )


def _assign(
    inspection: Inspection, users: dict[str, User], units: dict[str, Organisation], today: date
) -> list[tuple[Measure, str]]:
    """Leaders, units, categories and deadlines for every measure; returns each measure with the
    stage of life the demo takes it to (see demo.life)."""
    rng = random.Random(20240119)
    area_orders = {area.pk: area.order for area in inspection.areas.all()}
    measures = (
        Measure.objects.filter(problem__inspection=inspection)
        .select_related("problem")
        .order_by("problem__number", "order")
    )
    plan = []
    # The import made the bureau itself answer for every measure; the office's assignment replaces it.
    MeasureUnit.objects.filter(measure__problem__inspection=inspection).delete()
    for index, measure in enumerate(measures):
        number = measure.problem.number
        measure.lead_leader = users[
            AREA_LEADERS[(area_orders[measure.problem.area_id] - 1) % len(AREA_LEADERS)]
        ]
        responsible, supporting = PROBLEM_UNITS.get(number, (["gz-jtj-bgs"], []))
        measure.responsible_unit = units[responsible[0]]
        for code in responsible:
            MeasureUnit.objects.create(measure=measure, unit=units[code], role=MeasureUnit.Role.RESPONSIBLE)
        for code in supporting:
            MeasureUnit.objects.create(measure=measure, unit=units[code], role=MeasureUnit.Role.SUPPORTING)
        if any(word in measure.text for word in LONG_TERM_WORDS) and index % 3 == 0:
            measure.category = MeasureCategory.LONG_TERM
            measure.deadline = None
            stage = "ongoing"
        else:
            measure.category = MeasureCategory.IMMEDIATE if index % 7 == 0 else MeasureCategory.DEADLINE
            stage, measure.deadline = _stage_and_deadline(index, rng, today)
        measure.save()
        plan.append((measure, stage))
    return plan


RELAPSE_INDEX = 11  # one measure (7.2, the enforcement squad: the named unit account) relapses after sign-off


def _stage_and_deadline(index: int, rng: random.Random, today: date) -> tuple[str, date]:
    """A spread over the whole range: done long ago, waiting for sign-off, late, due soon, not started."""
    bucket = index % 10
    if bucket in (0, 1, 2):
        stage = "relapse" if index == RELAPSE_INDEX else ("signed_off", "followed_up")[index % 2]
        return stage, today - timedelta(days=rng.randint(60, 400))
    if bucket == 3:
        return ("signoff_unit_head", "signoff_office", "signoff_leader", "signoff_returned")[
            index // 10 % 4
        ], today + timedelta(days=rng.randint(3, 30))
    if bucket in (4, 5):
        stage = "report_returned" if bucket == 4 else "report_submitted"
        return stage, today - timedelta(days=rng.randint(5, 90))  # overdue
    if bucket == 6:
        return "report_accepted", today + timedelta(days=rng.randint(3, 9))  # due soon: yellow
    if bucket == 7:
        return "report_accepted", today + timedelta(days=rng.randint(12, 19))  # coming up: green
    if bucket == 8:
        return "not_started", today + timedelta(days=rng.randint(30, 120))
    return "not_started", today - timedelta(days=rng.randint(1, 20))  # overdue, never started


def _mechanisms(inspection: Inspection, office: User, today: date) -> None:
    problems = dict(inspection.problems.values_list("number", "pk"))
    with set_actor(office):
        for title, kind, status, days, number, linked in MECHANISMS:
            save_mechanism(
                office,
                inspection_id=inspection.pk,
                title=title,
                kind=kind,
                status=status,
                document_number=number,
                issued_on=today + timedelta(days=days) if days is not None else None,
                problem_ids=[problems[n] for n in linked],
            )
