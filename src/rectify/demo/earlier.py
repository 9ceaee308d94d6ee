"""The bureau's earlier round (十二届市委第三轮, a routine inspection with feedback in January 2023),
rectified in full before the special inspection arrives: the office assigns each measure, the units
report with evidence, the office accepts, and each measure is signed off through unit head, office
and lead leader; rules are issued and two measures pass a 回头看. Its notice (data/) is written for
the demo. When the special inspection is imported, its problems resembling these signed-off ones are
flagged (举一反三), and the office decides the flags (`decide_flags`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from auditlog.context import set_actor
from django.utils import timezone

from rectify.ledger.choices import MeasureCategory, MechanismKind, MechanismStatus
from rectify.ledger.models import Inspection, Measure
from rectify.ledger.services import save_mechanism, update_measure_assignment
from rectify.notices.importer import import_notice
from rectify.notices.parser import parse_file
from rectify.notices.services import source_text
from rectify.org.models import Organisation, User
from rectify.progress.models import FollowUp, ProgressReport, SignOff, SignOffDecision
from rectify.recurrence import services as recurrence
from rectify.recurrence.models import FlagKind, RecurrenceFlag

from .life import Life

EARLIER_NOTICE = Path(__file__).resolve().parent / "data" / "transport-round3-2023.txt"

# Problem number → (responsible unit, supporting units, lead leader, deadline).
EARLIER_UNITS: dict[int, tuple[str, list[str], str, date]] = {
    1: ("gz-jtj-bgs", ["gz-jtj-fgc"], "leader", date(2023, 6, 30)),
    2: ("gz-jtj-zfzd", ["gz-jtj-ysc"], "leader", date(2023, 5, 31)),
    3: ("gz-jtj-jsc", [], "leader", date(2023, 4, 30)),
    4: ("gz-jtj-spc", ["gz-jtj-xxzx"], "leader", date(2023, 9, 30)),
    5: ("gz-jtj-fgc", ["gz-jtj-zfzd"], "leader2", date(2023, 8, 31)),
    6: ("gz-jtj-jgdw", [], "leader2", date(2023, 3, 31)),
    7: ("gz-jtj-bgs", [], "leader2", date(2023, 6, 30)),
    8: ("gz-jtj-jgdw", ["gz-jtj-zfzd"], "leader3", date(2023, 10, 31)),
    9: ("gz-jtj-rsc", [], "leader3", date(2023, 12, 31)),
}
# (problem, measure order): a 回头看 found the rectification holding.
FOLLOWED_UP = {(1, 1), (8, 1)}

EARLIER_MECHANISMS = [
    (
        "广州市交通运输局政策解读工作实施办法",
        MechanismKind.MADE,
        date(2023, 5, 20),
        "穗交运办〔2023〕21号",
        [1],
    ),
    ("南站地区交通秩序联合整治工作机制", MechanismKind.MADE, date(2023, 5, 12), "穗交运〔2023〕88号", [2]),
    ("局党组意识形态工作责任制实施细则", MechanismKind.REVISED, date(2023, 6, 8), "穗交运党〔2023〕9号", [7]),
    ("干部交流轮岗工作办法", MechanismKind.MADE, date(2023, 11, 20), "穗交运党〔2023〕15号", [9]),
]


def earlier_round(
    bureau: Organisation,
    users: dict[str, User],
    units: dict[str, Organisation],
    people: dict[str, tuple[User, User]],
) -> Inspection:
    office = users["office"]
    inspection = import_notice(
        parse_file(EARLIER_NOTICE),
        organisation=bureau,
        source_name=EARLIER_NOTICE.name,
        source_text=source_text(EARLIER_NOTICE.read_bytes(), EARLIER_NOTICE.name),
    )
    measures = Measure.objects.filter(problem__inspection=inspection).select_related("problem")
    for index, measure in enumerate(measures.order_by("problem__number", "order")):
        code, supporting, leader, deadline = EARLIER_UNITS[measure.problem.number]
        with set_actor(office):
            measure = update_measure_assignment(
                office,
                measure.pk,
                version=measure.version,
                lead_leader=users[leader],
                units=[units[code]],
                supporting_units=[units[other] for other in supporting],
                deadline=deadline,
                category=MeasureCategory.IMMEDIATE if deadline.month <= 4 else MeasureCategory.DEADLINE,
            )
        liaison, head = people[code]
        followed = (measure.problem.number, measure.order) in FOLLOWED_UP
        # The unit reports some six weeks before the deadline (Life reports 45 days before its day).
        life = Life(measure, liaison, head, office, users[leader], deadline - timedelta(days=5), index)
        life.reach("followed_up" if followed else "signed_off")
        as_it_happened(measure, deadline - timedelta(days=50))
    problems = dict(inspection.problems.values_list("number", "pk"))
    with set_actor(office):
        for title, kind, issued_on, number, linked in EARLIER_MECHANISMS:
            save_mechanism(
                office,
                inspection_id=inspection.pk,
                title=f"《{title}》",
                kind=kind,
                status=MechanismStatus.ISSUED,
                issued_on=issued_on,
                document_number=number,
                problem_ids=[problems[n] for n in linked],
            )
    return inspection


def as_it_happened(measure: Measure, reported_on: date) -> None:
    """Date the review, the sign-off and the 回头看 after the report, in 2023 and 2024, as they
    happened: built today, they would all read as done today, and the dashboard's months with them."""

    def at(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(15, 0)))

    ProgressReport.objects.filter(measure=measure).update(reviewed_at=at(reported_on + timedelta(days=3)))
    signoffs = SignOff.objects.filter(measure=measure)
    signoffs.update(
        requested_at=at(reported_on + timedelta(days=7)), closed_at=at(reported_on + timedelta(days=20))
    )
    for level, days in (("unit_head", 9), ("office", 14), ("leader", 20)):
        SignOffDecision.objects.filter(signoff__in=signoffs, level=level).update(
            decided_at=at(reported_on + timedelta(days=days))
        )
    FollowUp.objects.filter(measure=measure, checked_at__isnull=False).update(
        checked_at=at(reported_on + timedelta(days=300))
    )


# Current problem number → (earlier problem number, kind or "" to dismiss, note).
DECISIONS = {
    10: (
        2,
        FlagKind.RELAPSE,
        "十二届市委第三轮巡察指出的南站地区非法营运问题整改销号后再次出现，认定为问题反弹。"
        "纳入本次第10个问题一并整改，由执法支队牵头，对原联合整治机制的执行情况开展回头看。",
    ),
    7: (
        5,
        FlagKind.COMMON,
        "两次巡察均指出行政执法程序不规范，属共性问题。本次整改中同步完善办案程序审核制度，"
        "执法人员轮训纳入年度计划。",
    ),
    17: (
        6,
        FlagKind.COMMON,
        "违反中央八项规定精神、干部作风问题两次巡察均有指出，属共性问题，纳入干部作风建设常态化整治。",
    ),
    16: (4, "", "前者为行政处罚案件线上办理，后者为政务服务事项网上办理，仅用词相近，不属同类问题。"),
}


def decide_flags(current: Inspection, earlier: Inspection, office: User) -> None:
    """The office confirms a relapse and two common weaknesses and dismisses one flag; the rest wait."""
    flags = RecurrenceFlag.objects.filter(problem__inspection=current, earlier__inspection=earlier)
    with set_actor(office):
        for number, (earlier_number, kind, note) in DECISIONS.items():
            flag = flags.filter(problem__number=number, earlier__number=earlier_number).first()
            if flag is not None:
                recurrence.decide_flag(office, flag.pk, confirm=bool(kind), kind=kind, note=note)
