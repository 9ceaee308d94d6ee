"""The people dealt with over the special inspection's problems (问责), recorded by the office through
rectify.accountability: read by the office and the supervisors, never by a unit nor on the portal.
The names are invented."""

from __future__ import annotations

from datetime import date, timedelta

from auditlog.context import set_actor

from rectify.accountability import services as accountability
from rectify.accountability.models import AccountabilityForm
from rectify.ledger.models import Inspection
from rectify.org.models import User

# (name, position, unit, days after the feedback (None: 20 days before today), form, reason, problems)
RECORDS = [
    (
        "梁志远",
        "第三大队副大队长",
        "市交通运输综合行政执法支队",
        90,
        AccountabilityForm.CRITICISM,
        "南站地区非法营运问题经上轮巡察整改后再次出现，所在大队重点时段巡查打击不到位，对问题反弹负有直接责任。",
        [10],
    ),
    (
        "罗建华",
        "货运物流处副处长",
        "市交通运输局",
        111,
        AccountabilityForm.ADMONITION,
        "危险货物运输部门协同监管推进不力，未按要求向生态环境、卫生健康部门抄送运输企业和车辆信息。",
        [9],
    ),
    (
        "邹文",
        "行政审批处一级主任科员",
        "市交通运输局",
        153,
        AccountabilityForm.ORGANISATIONAL,
        "办理备案事项时变相设置许可条件，加重企业负担，造成不良影响，予以调离岗位。",
        [14],
    ),
    (
        "黎淑仪",
        "财务处四级调研员",
        "市交通运输局",
        None,
        AccountabilityForm.CRITICISM,
        "民营企业保证金退还工作拖延，未在规定时限内完成支付。",
        [4],
    ),
]


def deal_with(inspection: Inspection, office: User, today: date) -> None:
    problems = dict(inspection.problems.values_list("number", "pk"))
    feedback = inspection.feedback_date or today - timedelta(days=400)
    with set_actor(office):
        for name, position, unit, days, form, reason, numbers in RECORDS:
            accountability.save_record(
                office,
                inspection_id=inspection.pk,
                person_name=name,
                position=position,
                unit_name=unit,
                dealt_on=feedback + timedelta(days=days) if days is not None else today - timedelta(days=20),
                form=form,
                reason=reason,
                problem_ids=[problems[n] for n in numbers],
            )
