"""The meetings that deploy and drive the special inspection's rectification, recorded by the office
through rectify.meetings: the party group's meeting that deploys it, the leading group's first
meeting, a 专题会 on the South Station, and two 调度会 in the last two months (so both of the demo's
dispatch reports count one). Each has its minutes (a small DOCX or PDF made here), decisions linked
to problems or measures, and tasks: some reported done by their owners, some still open in the
owning unit's 我的整改."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from auditlog.context import set_actor
from django.core.files.uploadedfile import SimpleUploadedFile
from docx.enum.text import WD_ALIGN_PARAGRAPH

from rectify.attachments import DOCX
from rectify.documents import (
    ER_HAO,
    TITLE_FONT,
    date_label,
    off_grid,
    official_document,
    official_paragraph,
    official_run,
)
from rectify.ledger.choices import OPEN_STATUSES
from rectify.ledger.models import Inspection, Measure
from rectify.meetings import services as meetings
from rectify.meetings.models import MeetingKind
from rectify.org.models import Organisation, User

from .life import evidence_pdf


@dataclass
class Decision:
    text: str
    problems: list[int] = field(default_factory=list)  # problem numbers
    measures: list[tuple[int, int]] = field(default_factory=list)  # (problem number, order)
    unit: str = ""  # owning unit's code: with `due`, a task
    person: str = ""  # owning person's username
    due: date | None = None
    done: str = ""  # what the owner reports done; empty: still open


@dataclass
class Held:
    kind: str
    held_on: date
    title: str
    chair: str
    attendees: list[str]
    other_attendees: str
    decisions: list[Decision]
    pdf: bool = False  # minutes as a scanned PDF rather than the Word file


def _agenda(inspection: Inspection, today: date) -> list[Held]:
    feedback = inspection.feedback_date or today - timedelta(days=400)
    leaders = ["secretary", "leader", "leader2", "leader3", "leader4"]
    late = list(
        Measure.objects.filter(problem__inspection=inspection, status__in=OPEN_STATUSES, deadline__lt=today)
        .order_by("deadline", "pk")
        .values_list("problem__number", "order")[:3]
    )
    squad_late = list(
        Measure.objects.filter(
            problem__inspection=inspection,
            status__in=OPEN_STATUSES,
            deadline__lt=today,
            unit_links__unit__code="gz-jtj-zfzd",
            unit_links__role="responsible",
        )
        .order_by("deadline", "pk")
        .values_list("problem__number", "order")[:1]
    )
    return [
        Held(
            MeetingKind.PARTY_GROUP,
            feedback + timedelta(days=3),
            "局党组会议传达学习巡察反馈意见、研究部署巡察整改工作",
            "secretary",
            [*leaders, "office", "supervisor"],
            "",
            [
                Decision(
                    "成立以党组书记为组长、局领导班子成员为副组长的专项巡察整改工作领导小组及其办公室。"
                ),
                Decision(
                    "领导小组办公室牵头制定整改工作方案，建立问题、任务、责任三个清单，报局党组审定。",
                    person="office",
                    due=feedback + timedelta(days=17),
                    done="整改工作方案和三个清单已经领导小组第一次会议审议通过，印发各责任单位。",
                ),
            ],
        ),
        Held(
            MeetingKind.LEADING_GROUP,
            feedback + timedelta(days=14),
            "巡察整改工作领导小组第一次会议",
            "secretary",
            [*leaders, "office", "unithead", "unithead2"],
            "各处室、直属单位主要负责同志",
            [
                Decision("审议通过整改工作方案和三个清单，明确每项措施的牵头领导、责任单位和完成时限。"),
                Decision(
                    "政策法规处牵头启动《广州市停车场条例》修订工作，停车场管理处配合，按立法程序报送修订草案。",
                    problems=[1],
                    unit="gz-jtj-fgc",
                    due=feedback + timedelta(days=160),
                    done="修订草案已按程序报送市司法局审查，同步开展立法调研。",
                ),
            ],
        ),
        Held(
            MeetingKind.SPECIAL,
            feedback + timedelta(days=56),
            "南站地区非法营运整治专题会",
            "leader2",
            ["leader2", "office", "unithead", "unit"],
            "南站地区公安部门、白云区交通运输局有关负责同志",
            [
                Decision(
                    "执法支队会同南站地区公安部门建立每周联合行动机制，常态化开展联合整治。",
                    problems=[10],
                    measures=[(10, 3)],
                    unit="gz-jtj-zfzd",
                    due=feedback + timedelta(days=100),
                    done="已与南站地区公安部门建立每周联合行动机制，每周开展联合行动并通报战果。",
                ),
                Decision(
                    "信息中心为执法支队开通卡口数据和视频监控调阅权限，支撑非现场执法。",
                    measures=[(10, 2)],
                    unit="gz-jtj-xxzx",
                    due=feedback + timedelta(days=80),
                    done="已开通卡口数据和视频监控调阅权限，执法支队可在线调取证据。",
                ),
            ],
            pdf=True,
        ),
        Held(
            MeetingKind.DISPATCH,
            today - timedelta(days=40),
            "巡察整改工作调度会（超期措施专题调度）",
            "secretary",
            [*leaders, "office", "unithead", "unithead2"],
            "",
            [
                Decision(
                    "对超期未完成的整改措施逐项分析原因，重新明确完成时限，责任单位每周报送进展。",
                    measures=late,
                ),
                Decision(
                    "执法支队报送超期措施的整改进展、超期原因和佐证材料。",
                    measures=squad_late,
                    unit="gz-jtj-zfzd",
                    due=today + timedelta(days=10),
                ),
            ],
        ),
        Held(
            MeetingKind.DISPATCH,
            today - timedelta(days=12),
            "巡察整改工作调度会（部署整改总结）",
            "leader",
            ["leader", "leader2", "office", "unithead", "unithead2"],
            "",
            [
                Decision(
                    "各责任单位对照整改情况报告的要求，报送本单位整改总结和佐证材料。",
                    unit="gz-jtj-bgs",
                    due=today + timedelta(days=18),
                ),
            ],
        ),
    ]


def hold_meetings(
    inspection: Inspection,
    users: dict[str, User],
    units: dict[str, Organisation],
    people: dict[str, tuple[User, User]],
    today: date,
) -> None:
    office = users["office"]
    problems = dict(inspection.problems.values_list("number", "pk"))
    measures = {
        (number, order): pk
        for number, order, pk in Measure.objects.filter(problem__inspection=inspection).values_list(
            "problem__number", "order", "pk"
        )
    }
    for held in _agenda(inspection, today):
        with set_actor(office):
            meeting = meetings.save_meeting(
                office,
                inspection_id=inspection.pk,
                kind=held.kind,
                held_on=held.held_on,
                title=held.title,
                chair_id=users[held.chair].pk,
                attendee_ids=[users[name].pk for name in held.attendees if name != held.chair],
                other_attendees=held.other_attendees,
                minutes=_minutes(held, users),
            )
            tasks = [
                (
                    meetings.save_decision(
                        office,
                        meeting.pk,
                        text=decision.text,
                        problem_ids=[problems[n] for n in decision.problems],
                        measure_ids=[measures[key] for key in decision.measures],
                        owner_unit_id=units[decision.unit].pk if decision.unit else None,
                        owner_person_id=users[decision.person].pk if decision.person else None,
                        due_on=decision.due,
                    ),
                    decision,
                )
                for decision in held.decisions
            ]
        for task, decision in tasks:
            if decision.done:
                # The owner reports it: the person named, else the unit's liaison.
                owner = users[decision.person] if decision.person else people[decision.unit][0]
                with set_actor(owner):
                    meetings.complete_task(owner, task.pk, note=decision.done)


def _minutes(held: Held, users: dict[str, User]) -> SimpleUploadedFile:
    """The meeting's minutes (会议纪要): a short Word file in the official style, or a scanned PDF."""
    name = f"{held.title}纪要"
    if held.pdf:
        return evidence_pdf(f"{name}.pdf")
    document = official_document()
    title = official_paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    official_run(title, name, TITLE_FONT, ER_HAO)
    off_grid(title)
    attendees = "、".join(users[username].display_name for username in held.attendees)
    if held.other_attendees:
        attendees += f"，{held.other_attendees}"
    official_paragraph(
        document, f"{date_label(held.held_on)}，{users[held.chair].display_name}主持召开{held.title}。"
    )
    official_paragraph(document, f"参会人员：{attendees}。")
    official_paragraph(document, "会议议定事项如下：")
    for number, decision in enumerate(held.decisions, start=1):
        official_paragraph(document, f"{number}.{decision.text}")
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(f"{name}.docx", out.getvalue(), content_type=DOCX.content_type)
