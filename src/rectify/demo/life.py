"""The demo's measures live their lives through the real services, by the people who would act,
so every status has the reports, evidence, decisions and audit trail behind it."""

from __future__ import annotations

import struct
import zlib
from datetime import date, datetime, time, timedelta

from auditlog.context import set_actor
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rectify.ledger.models import Measure, MeasureUnit
from rectify.org.models import Membership, Organisation, Role, User
from rectify.progress import milestones, services
from rectify.progress.models import ProgressReport

# Liaison and head names for the departments without a named demo account.
GIVEN_NAMES = [
    "陈静",
    "杨帆",
    "黄磊",
    "周婷",
    "徐刚",
    "朱丹",
    "胡军",
    "郭颖",
    "何涛",
    "高敏",
    "林峰",
    "罗娟",
    "梁伟",
    "宋佳",
    "谢斌",
    "韩雪",
    "唐亮",
    "冯瑶",
    "董明",
    "萧然",
    "程勇",
    "曹雯",
    "袁浩",
    "邓琳",
    "许凯",
    "傅玲",
    "沈洋",
    "曾红",
    "彭飞",
    "吕萍",
]
# Departments whose people are the named demo accounts: code → (liaison, head).
NAMED = {"gz-jtj-zfzd": ("unit", "unithead"), "gz-jtj-fgc": ("unit2", "unithead2")}


def unit_people(
    units: dict[str, Organisation], users: dict[str, User], hashed: str
) -> dict[str, tuple[User, User]]:
    """A liaison and a head for every unit that can carry measures (`hashed`: their password's hash)."""
    people = {}
    names = iter(GIVEN_NAMES)
    for code, unit in units.items():
        if unit.parent_id is None or unit.kind not in ("department", "affiliated", "district"):
            continue
        if code in NAMED:
            liaison, head = (users[name] for name in NAMED[code])
        else:
            liaison = member(f"{code}-ll", next(names), unit, Role.LIAISON, "整改联络员", hashed)
            head = member(f"{code}-head", next(names), unit, Role.UNIT_HEAD, "负责人", hashed)
        people[code] = (liaison, head)
    return people


def member(username: str, name: str, unit: Organisation, role: str, title: str, hashed: str) -> User:
    user = User.objects.create(username=username, password=hashed, full_name=name)
    Membership.objects.create(user=user, organisation=unit, role=role, title=title)
    return user


def live(
    plan: list[tuple[Measure, str]], users: dict[str, User], people: dict[str, tuple[User, User]], today: date
) -> None:
    office = users["office"]
    for index, (measure, stage) in enumerate(plan):
        code = MeasureUnit.objects.filter(measure=measure, role="responsible").values_list(
            "unit__code", flat=True
        )[0]
        liaison, head = people[code]
        leader = measure.lead_leader
        Life(measure, liaison, head, office, leader, today, index).reach(stage)
    _indicators(plan, office, today)
    _milestones(plan, people, office, today)


class Life:
    def __init__(self, measure, liaison, head, office, leader, today: date, index: int):
        self.measure, self.liaison, self.head, self.office, self.leader = (
            measure,
            liaison,
            head,
            office,
            leader,
        )
        self.today = today
        self.index = index

    def reach(self, stage: str) -> None:
        if stage == "not_started":
            return
        if stage == "ongoing":
            for months_ago in (2, 1, 0):
                self.accepted_report(
                    self.today - timedelta(days=30 * months_ago), "本期持续推进，常态化开展。"
                )
            return
        if stage == "report_submitted":
            self.report(self.today - timedelta(days=3), "已完成部分工作，正在推进中。")
            return
        if stage == "report_returned":
            report = self.report(self.today - timedelta(days=20), "已开展相关工作。")
            self.act(
                self.office,
                services.review_report,
                report.pk,
                decision="return",
                comment="进展描述过于笼统，请补充具体数据和佐证材料。",
            )
            return
        self.accepted_report(self.today - timedelta(days=45), "已按计划完成主要整改任务，附佐证材料。")
        if stage == "report_accepted":
            return
        signoff = self.act(
            self.liaison, services.request_signoff, self.measure.pk, note="整改任务已完成，申请销号。"
        )
        levels = {
            "signoff_unit_head": [],
            "signoff_office": [self.head],
            "signoff_leader": [self.head, self.office],
            "signoff_returned": [self.head],
        }.get(stage, [self.head, self.office, self.leader])
        for person in levels:
            self.act(person, services.decide_signoff, signoff.pk, decision="approve", comment="同意。")
        if stage == "signoff_returned":
            self.act(
                self.office,
                services.decide_signoff,
                signoff.pk,
                decision="return",
                comment="佐证材料未体现长效机制，请补充制度文件后重新申请。",
            )
        if stage == "followed_up":
            self.act(
                self.office,
                services.record_check,
                self.measure.pk,
                outcome="stable",
                note="回头看未发现反弹。",
            )
            self.act(
                self.office,
                services.schedule_followup,
                self.measure.pk,
                # Planned from the real day: a demo built for a past date still plans its check ahead.
                due_on=max(self.today, timezone.localdate()) + timedelta(days=60),
            )
        if stage == "relapse":
            self.act(
                self.office,
                services.record_check,
                self.measure.pk,
                outcome="relapse",
                note="回头看抽查发现同类问题再次出现，需重新整改。",
                new_deadline=max(self.today, timezone.localdate()) + timedelta(days=90),
            )

    def act(self, user: User, action, *args, **kwargs):
        with set_actor(user):  # the audit trail names who acted, as it does for a web request
            return action(user, *args, **kwargs)

    def report(self, on: date, text: str) -> ProgressReport:
        files = [evidence_pdf(f"整改佐证材料-{self.measure.problem.number}-{self.measure.order}.pdf")]
        if self.index % 2 == 0:
            files.append(SimpleUploadedFile("现场照片.png", _tiny_png(), content_type="image/png"))
        report = self.act(
            self.liaison,
            services.submit_report,
            self.measure.pk,
            text=text,
            files=files,
            percent=min(100, 40 + self.index * 7 % 60),
            on=on,
        )
        # Put the report at the day it speaks of, so periods and ages in the demo look lived.
        moment = timezone.make_aware(datetime.combine(on, time(10, 30)))
        ProgressReport.objects.filter(pk=report.pk).update(submitted_at=moment)
        return report

    def accepted_report(self, on: date, text: str) -> ProgressReport:
        report = self.report(on, text)
        self.act(
            self.office, services.review_report, report.pk, decision="accept", comment="材料齐全，予以采纳。"
        )
        return report


def _indicators(plan: list[tuple[Measure, str]], office: User, today: date) -> None:
    by_problem = {(measure.problem.number, measure.order): measure for measure, _ in plan}
    targets = [
        ((16, 1), "行政处罚案件线上办理率", "%", 35, 80, [38, 45, 52, 60, 66, 72]),  # short of target
        ((8, 1), "减免责事项占执法事项比例", "%", 12, 30, [15, 19, 24, 28, 31]),  # reached
    ]
    for key, name, unit, baseline, target, values in targets:
        measure = by_problem.get(key)
        if measure is None:
            continue
        with set_actor(office):
            indicator = services.add_indicator(
                office,
                measure.pk,
                name=name,
                unit=unit,
                baseline=baseline,
                target=target,
                direction="increase",
            )
            for months_ago, value in zip(range(len(values) - 1, -1, -1), values, strict=True):
                services.add_observation(
                    office, indicator.pk, observed_on=today - timedelta(days=30 * months_ago), value=value
                )


# Stage of life → how many of its measures get time nodes (时间节点).
MILESTONE_STAGES = {"report_accepted": 2, "report_submitted": 1, "not_started": 1}
PLANNING = "完成问题排查，制定整改工作方案"


def _milestones(
    plan: list[tuple[Measure, str]], people: dict[str, tuple[User, User]], office: User, today: date
) -> None:
    """A few measures get time nodes, planned by the office. Where the unit has reported, the first node
    is marked done by its liaison with the report's evidence and the next one falls on the deadline;
    one measure not started, due months ahead, has its first node passed and open, so its warning
    follows the node (措施 x.y 的时间节点“…”已于…到期)."""
    left = dict(MILESTONE_STAGES)
    for measure, stage in plan:
        far = measure.deadline is not None and measure.deadline >= today + timedelta(days=45)
        if left.get(stage, 0) <= 0 or measure.deadline is None or (stage == "not_started" and not far):
            continue
        left[stage] -= 1
        if stage == "not_started":
            nodes = [
                (today - timedelta(days=6), PLANNING),
                (measure.deadline - timedelta(days=10), "出台或修订相关制度"),
            ]
        else:
            nodes = [
                (measure.deadline - timedelta(days=40), PLANNING),
                (measure.deadline, "完成整改并报送佐证材料"),
            ]
        feedback = measure.problem.inspection.feedback_date
        with set_actor(office):
            added = [
                milestones.add_milestone(office, measure.pk, due_on=day, deliverable=text)
                for day, text in nodes
                if feedback is None or day >= feedback
            ]
        reports = milestones.evidence_reports(measure)
        if stage != "not_started" and added and reports:
            code = MeasureUnit.objects.filter(measure=measure, role="responsible").values_list(
                "unit__code", flat=True
            )[0]
            liaison = people[code][0]
            with set_actor(liaison):
                milestones.complete_milestone(liaison, added[0].pk, report_id=reports[0].pk)


def evidence_pdf(name: str) -> SimpleUploadedFile:
    """A small, valid one-page PDF (the content is a placeholder line; real users upload scans)."""
    stream = b"BT /F1 18 Tf 72 720 Td (Rectify evidence) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    width, height = 4, 3
    rows = b"".join(b"\x00" + b"\xa6\x1b\x1b" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
