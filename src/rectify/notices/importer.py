"""Writing a parsed notice to the ledger: one inspection with its areas, problems and measures."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.timezone import localdate

from rectify.documents import date_label
from rectify.errors import AccessDenied, InvalidInput
from rectify.ledger.choices import InspectionKind, InspectionScope, MeasureCategory, MeasureStatus
from rectify.ledger.extensions import measures_changed
from rectify.ledger.models import Area, Inspection, Measure, MeasureUnit, Problem
from rectify.ledger.signals import inspection_imported
from rectify.org.access import Access
from rectify.org.models import Organisation, OrganisationKind, User

from .document import PARTY_ORGAN_RE, NoticeDocument


def inspection_title(document: NoticeDocument) -> str:
    facts = document.inspection
    title = f"{facts.body}{facts.theme}".strip()
    return title or document.title or "未命名巡察"


def organisation_name_from(document: NoticeDocument) -> str:
    """The inspected organisation's plain name, from the signature.

    中共广州市交通运输局党组 → 广州市交通运输局."""
    name = document.issuer or document.meta.publisher or document.inspection.inspected
    name = re.sub(r"^中共", "", name)
    name = PARTY_ORGAN_RE.sub("", name)
    return name.strip()


def resolve_organisation(document: NoticeDocument, code: str | None) -> tuple[Organisation | None, str]:
    """The organisation the notice is about: the one named by `code`, else the one whose name the
    notice's signature gives. Returns (organisation or None when it would be created, its name)."""
    if code:
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            raise InvalidInput(f"组织代码“{code}”不存在。请先在管理后台创建该组织，或省略 --organisation。")
        return organisation, organisation.name
    name = organisation_name_from(document)
    if not name:
        raise InvalidInput("通报未写明发文机关，无法确定被巡察组织。请用 --organisation 指定组织代码。")
    return Organisation.objects.filter(name=name).first(), name


def already_imported(document: NoticeDocument, organisation: Organisation) -> Inspection | None:
    """The inspection this notice was already imported as for `organisation`: same notice title, same
    feedback date. The one rule the preview, the API's dry run and the import itself apply."""
    if not document.title:
        return None
    same = {"notice_title": document.title, "feedback_date": document.inspection.feedback_date}
    return Inspection.objects.filter(inspected=organisation, **same).order_by("pk").first()


def scope_of(*texts: str) -> str:
    """The kind of inspection the notice names: a “回头看” or a 专项 inspection, else a 常规 one."""
    text = "".join(texts)
    if "回头看" in text:
        return InspectionScope.FOLLOW_UP
    if "专项" in text:
        return InspectionScope.SPECIAL
    return InspectionScope.ROUTINE


def refuse_if_imported(document: NoticeDocument, organisation: Organisation) -> None:
    """InvalidInput naming the inspection when the notice was already imported for `organisation`."""
    duplicate = already_imported(document, organisation)
    if duplicate is not None:
        day = date_label(localdate(duplicate.created_at))
        raise InvalidInput(f"该通报已于{day}导入为“{duplicate.title}”，不能重复导入。")


@transaction.atomic
def import_notice(
    document: NoticeDocument,
    *,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    user: User | None = None,
    source_name: str = "",
    source_text: str = "",
) -> Inspection:
    """Write the notice as a new inspection in one transaction: all of it, or nothing.

    `user` is None only for administrators at the command line; otherwise the user must be the
    office (整改办) of the organisation. Without an organisation, one named `organisation_name` is
    created (only from the command line).
    """
    if not document.problems:
        raise InvalidInput("通报中没有识别到整改问题，未导入任何内容。")
    if organisation is None:
        if user is not None:
            raise AccessDenied("请选择被巡察组织。")
        organisation = _create_organisation(organisation_name or organisation_name_from(document))
    if user is not None and not Access.of(user).is_office_for(organisation):
        raise AccessDenied(f"只有“{organisation.name}”的整改办可以导入该组织的巡察通报。")
    facts = document.inspection
    data = document.to_dict()
    refuse_if_imported(document, organisation)
    try:
        inspection = Inspection.objects.create(
            title=inspection_title(document)[:255],
            kind=facts.kind if facts.kind in InspectionKind.values else InspectionKind.PATROL,
            inspecting_body=facts.body,
            inspected=organisation,
            inspected_name=facts.inspected,
            theme=facts.theme,
            round_name=facts.round,
            scope=scope_of(document.title, facts.body, facts.theme),
            onsite_start=facts.start,
            onsite_end=facts.end,
            feedback_date=facts.feedback_date,
            notice_title=document.title,
            notice_issuer=document.issuer,
            notice_date=document.date,
            opening=document.opening,
            sections=data["sections"],
            contact=data["contact"],
            source_name=source_name[:255],
            source_text=source_text,
            created_by=user,
        )
        for area_order, notice_area in enumerate(document.areas, start=1):
            area = Area.objects.create(inspection=inspection, order=area_order, title=notice_area.title)
            for notice_problem in notice_area.problems:
                problem = Problem.objects.create(
                    inspection=inspection,
                    area=area,
                    number=notice_problem.number,
                    title=notice_problem.title[:255],
                    description=notice_problem.source_text,
                    source_text=notice_problem.source_text,
                )
                # A notice names no units: the inspected organisation answers for each measure
                # (主责单位) until the office assigns it to its units.
                measures = Measure.objects.bulk_create(
                    Measure(
                        problem=problem,
                        order=order,
                        text=notice_measure.text,
                        responsible_unit=organisation,
                        category=MeasureCategory.DEADLINE,
                        status=MeasureStatus.NOT_STARTED,
                    )
                    for order, notice_measure in enumerate(notice_problem.measures, start=1)
                )
                MeasureUnit.objects.bulk_create(
                    MeasureUnit(measure=measure, unit=organisation, role=MeasureUnit.Role.RESPONSIBLE)
                    for measure in measures
                )
    except IntegrityError as error:
        raise InvalidInput(f"通报内容与台账约束冲突（如问题编号重复），未导入任何内容：{error}") from error
    measures_changed([inspection.pk])
    inspection_imported.send(sender=Inspection, inspection=inspection)
    return inspection


def _create_organisation(name: str) -> Organisation:
    # Chinese names have no ASCII slug; a numbered code is stable and can be renamed in the admin.
    number = Organisation.objects.count() + 1
    while Organisation.objects.filter(code=f"org-{number}").exists():
        number += 1
    return Organisation.objects.create(name=name, code=f"org-{number}", kind=OrganisationKind.PARTY_ORGAN)
