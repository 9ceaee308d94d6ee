"""The rectification documents, written from the ledger as it stands on a day.

Each is a `NoticeDocument` (title, opening, numbered parts, the problems with their measures, issuer
and date), so it is rendered by rectify.notices.render and read back by the notice parser, plus what
a notice has not: the addressee (主送) and, for the work plan, its attached lists:

* 整改工作方案: 一、总体要求 二、组织领导 三、整改任务 (each measure with its 牵头领导, 责任单位 and 时限)
  四、工作要求; 附件1 问题清单, 附件2 任务清单, 附件3 责任清单.
* 整改情况报告 / 阶段性整改报告, to the inspection body: 一、整改工作总体情况 二、反馈问题整改落实情况 (each
  measure worded by notices.generate.progress_wording, never better than the ledger on the day, with
  its latest accepted progress) 三、建章立制 四、问责情况 五、下一步工作.

Figures and wording are the ledger's on `on`: a measure counts as done when its sign-off was
approved by then, progress reports count when accepted by then, meetings, accountability and rules
when held, dealt with or issued by then.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from copy import copy
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from rectify.accountability.services import counts_by_form, counts_sentence
from rectify.documents import date_label
from rectify.ledger.choices import (
    MeasureCategory,
    MeasureStatus,
    MechanismKind,
    MechanismStatus,
)
from rectify.ledger.models import Area, Inspection, Measure, Mechanism, Problem
from rectify.notices import extensions as notice_extensions
from rectify.notices.document import NoticeArea, NoticeDocument, NoticeMeasure, NoticeProblem, NoticeSection
from rectify.notices.generate import (
    default_issuer,
    kind_label,
    measure_with_progress,
    meetings_paragraph,
    progress_wording,
)
from rectify.notices.render import punctuated
from rectify.org.models import Membership, Role
from rectify.progress.models import ProgressReport, ReportState, SignOff, SignOffState

from .models import DocumentKind

SUPERIOR_RE = re.compile(r"^(中央|省委|市委|区委|县委|州委|盟委|旗委)")


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, or the month's last day when it has none
    (1月31日 + 2 months → 3月31日; 12月31日 + 2 → 2月28日 or 29日)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def situation_due(inspection: Inspection) -> date | None:
    """When the 整改情况报告 is due to the inspection body: two months after the feedback."""
    return add_months(inspection.feedback_date, 2) if inspection.feedback_date else None


@dataclass
class Figures:
    problems: int = 0
    measures: int = 0
    done: int = 0
    ongoing: int = 0  # long-term measures carried on
    overdue: int = 0

    @property
    def remaining(self) -> int:
        return self.measures - self.done - self.ongoing

    def sentence(self) -> str:
        """“共3个问题、5项措施，已完成2项，长期坚持1项，正在推进2项（其中超期1项）”."""
        text = f"共{self.problems}个问题、{self.measures}项措施，已完成{self.done}项"
        if self.ongoing:
            text += f"，长期坚持{self.ongoing}项"
        if self.remaining:
            text += f"，正在推进{self.remaining}项"
            if self.overdue:
                text += f"（其中超期{self.overdue}项）"
        return text


@dataclass
class Generated:
    document: NoticeDocument
    addressee: str
    attachments: list[dict]
    figures: Figures

    def to_content(self) -> dict:
        return {
            "document": self.document.to_dict(),
            "addressee": self.addressee,
            "attachments": self.attachments,
            "figures": vars(self.figures),
        }


def issuer_of(inspection: Inspection) -> str:
    return inspection.notice_issuer or default_issuer(inspection.inspected.name)


def addressee_of(inspection: Inspection) -> str:
    """主送: the inspection body and, for a committee's group, the committee's inspection office
    (市委第一巡察组、市委巡察办：)."""
    kind = kind_label(inspection)
    body = inspection.inspecting_body.strip() or f"{kind}组"
    names = [body]
    if kind in ("巡察", "巡视") and (superior := SUPERIOR_RE.match(body)):
        names.append(f"{superior.group()}{kind}办")
    return "、".join(names) + "："


def title_of(inspection: Inspection, kind: str) -> str:
    issuer, label = issuer_of(inspection), kind_label(inspection)
    inspection_name = inspection.round_name or inspection.inspecting_body
    if kind == DocumentKind.WORK_PLAN:
        return f"{issuer}关于落实{inspection_name}{label}反馈意见的整改工作方案"
    if kind == DocumentKind.INTERIM:
        return f"{issuer}关于{inspection_name}{label}整改阶段性进展情况的报告"
    return f"{issuer}关于{inspection_name}{label}整改情况的报告"


# ------------------------------------------------------------------ the ledger on a day


@dataclass
class LedgerDay:
    """The inspection's areas, problems and measures, each measure with its status on the day, its
    latest accepted report by then and whether its deadline was extended."""

    areas: list[Area]
    status: dict[int, str]
    reports: dict[int, str]
    extended: set[int]
    figures: Figures


def ledger_on(inspection: Inspection, on: date) -> LedgerDay:
    measures = Prefetch(
        "measures",
        queryset=Measure.objects.order_by("order")
        .select_related("lead_leader", "responsible_unit")
        .prefetch_related("unit_links__unit"),
    )
    problems = Prefetch("problems", queryset=Problem.objects.order_by("number").prefetch_related(measures))
    areas = list(Area.objects.filter(inspection=inspection).order_by("order").prefetch_related(problems))
    all_measures = [m for area in areas for problem in area.problems.all() for m in problem.measures.all()]
    ids = [measure.pk for measure in all_measures]
    today = timezone.localdate()
    signed: dict[int, date] = {}
    asked: dict[int, date] = {}
    if on < today:  # the ledger as it was: sign-offs approved and asked for by then
        for measure_id, state, requested, closed in SignOff.objects.filter(measure_id__in=ids).values_list(
            "measure_id", "state", "requested_at", "closed_at"
        ):
            if state == SignOffState.APPROVED and closed and timezone.localdate(closed) <= on:
                signed[measure_id] = timezone.localdate(closed)
            if timezone.localdate(requested) <= on and (closed is None or timezone.localdate(closed) > on):
                asked[measure_id] = timezone.localdate(requested)
    status = {}
    for measure in all_measures:
        value = measure.status
        if on < today and value in (MeasureStatus.SIGNED_OFF, MeasureStatus.SIGNOFF_REQUESTED):
            if measure.pk in signed:
                value = MeasureStatus.SIGNED_OFF
            elif measure.pk in asked:
                value = MeasureStatus.SIGNOFF_REQUESTED
            else:
                value = MeasureStatus.IN_PROGRESS
        status[measure.pk] = value
    reports: dict[int, str] = {}
    accepted = ProgressReport.objects.filter(
        measure_id__in=ids, state=ReportState.ACCEPTED, reviewed_at__date__lte=on
    ).order_by("measure_id", "-reviewed_at", "-id")
    for measure_id, text in accepted.values_list("measure_id", "text"):
        reports.setdefault(measure_id, _one_line(text))
    figures = Figures(problems=sum(len(area.problems.all()) for area in areas), measures=len(all_measures))
    for measure in all_measures:
        value = status[measure.pk]
        if value == MeasureStatus.SIGNED_OFF:
            figures.done += 1
        elif value == MeasureStatus.ONGOING or measure.category == MeasureCategory.LONG_TERM:
            figures.ongoing += 1
        elif measure.deadline and measure.deadline < on and value != MeasureStatus.SIGNOFF_REQUESTED:
            figures.overdue += 1
    return LedgerDay(areas, status, reports, notice_extensions.extended_measures(ids), figures)


def _one_line(text: str) -> str:
    return "".join(line.strip() for line in (text or "").splitlines()).strip()


def _on_day(measure: Measure, status: str) -> Measure:
    """The measure as it stood: a copy with the day's status (the ledger's row is not touched)."""
    shown = copy(measure)
    shown.status = status
    return shown


# ------------------------------------------------------------------ the people


def _leaders(inspection: Inspection) -> tuple[str, list[str]]:
    """(head, members): the leading group, from the organisation's leaders (the party head first)."""
    organisation = inspection.inspected
    head_id = notice_extensions.party_head_id(organisation)
    people = []
    for membership in (
        Membership.objects.filter(organisation=organisation, role=Role.LEADER)
        .select_related("user")
        .order_by("user__username")
    ):
        name = membership.user.display_name
        named = f"{name}（{membership.title}）" if membership.title else name
        people.append((membership.user_id != head_id, named))
    people.sort(key=lambda item: item[0])
    names = [named for _not_head, named in people]
    return (names[0], names[1:]) if names else ("", [])


def _office_head(inspection: Inspection) -> str:
    membership = (
        Membership.objects.filter(organisation=inspection.inspected, role=Role.OFFICE)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return membership.user.display_name if membership else ""


def organisation_paragraph(inspection: Inspection, *, plan: bool) -> str:
    head, members = _leaders(inspection)
    kind = kind_label(inspection)
    if not head:
        return (
            f"成立{kind}整改工作领导小组，统筹推进整改工作；"
            "领导小组下设办公室，负责日常协调、台账管理和督办调度。"
        )
    text = f"成立以{head}为组长的{kind}整改工作领导小组"
    if members:
        text += f"，{'、'.join(members)}为成员"
    text += "，统筹推进整改工作"
    office = _office_head(inspection)
    text += "。领导小组下设办公室" + (f"（{office}负责日常工作）" if office else "")
    text += "，承担日常协调、台账管理和督办调度"
    return text + ("，定期调度整改进展。" if plan else "，按月调度整改进展。")


# ------------------------------------------------------------------ 整改工作方案


def _units(measure: Measure) -> str:
    names = [unit.name for unit in measure.responsible_units] or [measure.responsible_unit.name]
    if measure.outside_units:
        names.append(measure.outside_units)
    return "、".join(names)


def _time_limit(measure: Measure) -> str:
    if measure.category == MeasureCategory.LONG_TERM:
        return "长期坚持"
    if measure.deadline:
        return date_label(measure.deadline)
    return "立行立改" if measure.category == MeasureCategory.IMMEDIATE else "—"


def work_plan(inspection: Inspection, on: date) -> Generated:
    day = ledger_on(inspection, on)
    kind = kind_label(inspection)
    body = inspection.inspecting_body or f"{kind}组"
    issuer = issuer_of(inspection)
    figures = day.figures
    opening = f"为认真贯彻落实{body}反馈意见，切实抓好{kind}整改工作，结合实际，制定本方案。"
    if inspection.feedback_date:
        opening = f"{date_label(inspection.feedback_date)}，{body}向{issuer}反馈了{kind}意见。" + opening
    general = (
        f"坚持以习近平新时代中国特色社会主义思想为指导，把{kind}整改作为重要政治任务，"
        f"对{body}反馈的{figures.problems}个问题逐项制定整改措施{figures.measures}项，"
        "明确牵头领导、责任单位和整改时限，做到条条改到位、件件有着落、事事有回音。"
    )
    paragraphs = [general]
    if inspection.deadline:
        paragraphs.append(
            f"整改工作原则上于{date_label(inspection.deadline)}前完成，需长期坚持的持续推进、久久为功。"
        )
    areas = []
    problem_rows, task_rows, duty_rows = [], [], []
    for area in day.areas:
        notice_area = NoticeArea(title=area.title)
        for problem in area.problems.all():
            measures = []
            problem_rows.append(
                [str(len(problem_rows) + 1), area.title or "—", problem.title, problem.description or "—"]
            )
            for measure in problem.measures.all():
                leader = measure.lead_leader.display_name if measure.lead_leader else "—"
                units, limit = _units(measure), _time_limit(measure)
                text = measure_with_progress(measure.text, "").rstrip("。")
                duty = f"牵头领导：{leader}；责任单位：{units}" + (
                    f"；完成时限：{limit}" if limit != "—" else ""
                )
                measures.append(NoticeMeasure(f"{text}（{duty}）。"))
                label = f"{problem.number}.{measure.order}"
                category = str(MeasureCategory(measure.category).label)
                task_rows.append([label, problem.title, _one_line(measure.text), category, limit])
                supporting = "、".join(unit.name for unit in measure.supporting_units) or "—"
                duty_rows.append([label, _one_line(measure.text), leader, units, supporting, limit])
            notice_area.problems.append(NoticeProblem(problem.number, _one_line(problem.title), measures))
        if notice_area.problems:
            areas.append(notice_area)
    sections = [
        NoticeSection(1, "总体要求", paragraphs),
        NoticeSection(2, "组织领导", [organisation_paragraph(inspection, plan=True)]),
        NoticeSection(
            3,
            "整改任务",
            [f"{kind}反馈的问题和整改措施如下，问题清单、任务清单和责任清单见附件。"],
            holds_problems=True,
        ),
        NoticeSection(
            4,
            "工作要求",
            [
                "压实整改责任。领导小组组长履行第一责任人职责，牵头领导一岗双责，责任单位主要负责人亲自抓、负总责，"
                "逐项对照措施抓好落实。",
                "强化督查督办。整改办建立整改台账，按期调度进展，对临近时限和超期的措施及时预警、督办，"
                "整改完成的严格审核销号，防止反弹回潮。",
                f"注重建章立制。针对{kind}反馈问题举一反三，完善制度机制，把整改成果固化为长效机制；"
                "按规定报送整改情况、公开整改进展，接受监督。",
            ],
        ),
    ]
    document = NoticeDocument(
        title=title_of(inspection, DocumentKind.WORK_PLAN),
        issuer=issuer,
        date=on,
        opening=opening,
        sections=sections,
        areas=areas,
    )
    attachments = [
        {"title": "问题清单", "headers": ["序号", "问题类别", "问题", "问题表现"], "rows": problem_rows},
        {
            "title": "任务清单",
            "headers": ["编号", "问题", "整改措施", "整改类型", "完成时限"],
            "rows": task_rows,
        },
        {
            "title": "责任清单",
            "headers": ["编号", "整改措施", "牵头领导", "责任单位", "配合单位", "完成时限"],
            "rows": duty_rows,
        },
    ]
    return Generated(punctuated(document), "", attachments, figures)


# ------------------------------------------------------------------ 整改情况报告 / 阶段性整改报告


def mechanisms_paragraph(inspection: Inspection, on: date) -> str:
    """三、建章立制: the rules made and revised (recorded by `on`), those issued by then named."""
    kind = kind_label(inspection)
    rules = list(
        Mechanism.objects.filter(inspection=inspection, created_at__date__lte=on).order_by("issued_on", "pk")
    )
    if not rules:
        return f"针对{kind}反馈问题，目前正在研究完善相关制度，尚未形成新的制度成果。"
    kinds = Counter(rule.kind for rule in rules)
    issued = [
        rule
        for rule in rules
        if rule.status == MechanismStatus.ISSUED and rule.issued_on and rule.issued_on <= on
    ]
    made, revised = kinds[MechanismKind.MADE], kinds[MechanismKind.REVISED]
    text = f"针对{kind}反馈问题举一反三、建章立制，共制定制度{made}项、修订制度{revised}项"
    if issued:
        names = "、".join(
            f"{rule.title}" + (f"（{rule.document_number}）" if rule.document_number else "")
            for rule in issued
        )
        text += f"，其中已印发{len(issued)}项：{names}"
    pending = len(rules) - len(issued)
    if pending:
        text += f"；另有{pending}项正在起草或审议"
    return text + "。"


def accountability_paragraph(inspection: Inspection, on: date) -> str:
    """四、问责情况: counted by accountability.services (internal: this report goes to the inspection
    body, never to the portal)."""
    kind = kind_label(inspection)
    sentence = counts_sentence(counts_by_form(inspection, inspection.feedback_date, on))
    if sentence == "未问责":
        return f"{kind}反馈以来，对反馈问题涉及的责任人员暂未作出问责处理。"
    return f"{kind}反馈以来，对反馈问题涉及的责任人员严肃问责，{sentence}。"


def situation_report(inspection: Inspection, on: date, kind: str = DocumentKind.SITUATION) -> Generated:
    day = ledger_on(inspection, on)
    label = kind_label(inspection)
    body = inspection.inspecting_body or f"{label}组"
    issuer = issuer_of(inspection)
    figures = day.figures
    opening = ""
    if inspection.feedback_date:
        opening = f"{date_label(inspection.feedback_date)}，{body}向{issuer}反馈了{label}意见。"
    opening += f"{issuer}高度重视，把{label}整改作为重要政治任务，逐项研究部署、推动落实。"
    opening += (
        f"现将截至{date_label(on)}的整改{'阶段性进展' if kind == DocumentKind.INTERIM else ''}情况报告如下。"
    )
    overall = [organisation_paragraph(inspection, plan=False)]
    if held := meetings_paragraph(inspection, on, label):
        overall.append(held)
    overall.append(f"截至{date_label(on)}，{label}反馈{figures.sentence()}。")
    areas = []
    for area in day.areas:
        notice_area = NoticeArea(title=area.title)
        for problem in area.problems.all():
            measures = []
            for measure in problem.measures.all():
                shown = _on_day(measure, day.status[measure.pk])
                text = measure_with_progress(
                    measure.text, progress_wording(shown, on, extended=measure.pk in day.extended)
                )
                if report := day.reports.get(measure.pk):
                    text += f"整改进展：{report.rstrip('。；;，,')}。"
                measures.append(NoticeMeasure(text))
            notice_area.problems.append(NoticeProblem(problem.number, _one_line(problem.title), measures))
        if notice_area.problems:
            areas.append(notice_area)
    next_steps = [
        f"对尚未完成的{figures.remaining}项整改措施，逐项盯紧时限、压实责任，加强调度督办，确保按期整改到位。"
        if figures.remaining
        else "对已完成的整改事项，适时开展回头看，巩固整改成果，防止反弹回潮。",
        "对需长期坚持的整改事项，持续推进、定期评估，把整改成果转化为长效机制。",
    ]
    sections = [
        NoticeSection(1, "整改工作总体情况", overall),
        NoticeSection(2, f"{label}反馈问题整改落实情况", [], holds_problems=True),
        NoticeSection(3, "建章立制情况", [mechanisms_paragraph(inspection, on)]),
        NoticeSection(4, "问责情况", [accountability_paragraph(inspection, on)]),
        NoticeSection(5, "下一步工作安排", next_steps),
    ]
    document = NoticeDocument(
        title=title_of(inspection, kind),
        issuer=issuer,
        date=on,
        opening=opening,
        sections=sections,
        areas=areas,
    )
    return Generated(punctuated(document), addressee_of(inspection), [], figures)


def generate(inspection: Inspection, kind: str, on: date) -> Generated:
    if kind == DocumentKind.WORK_PLAN:
        return work_plan(inspection, on)
    return situation_report(inspection, on, kind)
