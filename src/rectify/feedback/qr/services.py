"""QR codes (二维码) that the office prints on permit boards, posters and letters: each opens the
portal form already tied to a problem, a measure or a named site, and the items sent through it
record the code. The rules (who may make and switch them, what they may name) and the pictures
(SVG, PNG and the printable A4 poster) are here; the pages call these.

Only the office (整改办) of an organisation sees and manages its codes.
"""

from __future__ import annotations

import io
import secrets
import unicodedata
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Model, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from rectify.errors import AccessDenied, InvalidInput, NotFound
from rectify.ledger.models import Inspection, Measure, Problem
from rectify.org.access import VIEW, Access, path_q
from rectify.org.models import Organisation, Role, User

from .. import services
from ..public import inspection_contact
from .models import QrCode

OFFICE_ONLY = "只有整改办可以管理二维码。"
QR_NOT_FOUND = "二维码不存在，或您无权查看。"
MAX_LABEL = 128
MAX_SITE = 255
# Pixels per module of a downloaded PNG, and the quiet zone around the symbol (modules).
DEFAULT_SCALE = 10
MIN_SCALE, MAX_SCALE = 2, 40
BORDER = 4


# ------------------------------------------------------------------ who sees what


def _office_condition(user: User, lookup: str) -> Q | None:
    """Rows whose organisation (at `lookup`) lies under one the user is office of; None if none."""
    access = Access.of(user)
    if access.is_superuser:
        return Q()
    return path_q(lookup, access.paths([Role.OFFICE]))


def require_office(user: User) -> None:
    if _office_condition(user, "path") is None:
        raise AccessDenied(OFFICE_ONLY)


def with_submissions(codes: QuerySet[QrCode]) -> QuerySet[QrCode]:
    """The codes with what their row shows, and how many items came through each."""
    return codes.select_related(
        "organisation", "problem__inspection", "measure__problem__inspection"
    ).annotate(submission_count=Count("feedback_items"))


def get_qr(user: User, pk: int) -> QrCode:
    qr = with_submissions(QrCode.objects.restrict(user, VIEW)).filter(pk=pk).first()
    if qr is None:
        raise NotFound(QR_NOT_FOUND)
    return qr


def organisations_for(user: User) -> QuerySet[Organisation]:
    """Where the user may put a code: the organisations the user is office of, and those under them
    that have been inspected."""
    access = Access.of(user)
    if access.is_superuser:
        return Organisation.objects.filter(inspections__isnull=False).distinct().order_by("path")
    office_paths = access.paths([Role.OFFICE])
    condition = path_q("path", office_paths)
    if condition is None:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(condition)
        .filter(Q(path__in=office_paths) | Q(inspections__isnull=False))
        .distinct()
        .order_by("path")
    )


def _under_office(user: User, model: type[Model], lookup: str) -> QuerySet:
    """The model's rows whose organisation (at `lookup`) lies under one the user is office of."""
    condition = _office_condition(user, lookup)
    return model.objects.none() if condition is None else model.objects.filter(condition)


def problems_for(user: User) -> QuerySet[Problem]:
    return (
        _under_office(user, Problem, "inspection__inspected__path")
        .select_related("inspection")
        .order_by("inspection__inspected__path", "-inspection__feedback_date", "inspection_id", "number")
    )


def measures_for(user: User) -> QuerySet[Measure]:
    return (
        _under_office(user, Measure, "problem__inspection__inspected__path")
        .select_related("problem__inspection")
        .order_by(
            "problem__inspection__inspected__path",
            "-problem__inspection__feedback_date",
            "problem__inspection_id",
            "problem__number",
            "order",
        )
    )


# ------------------------------------------------------------------ making and switching codes


def create_qr(
    user: User,
    *,
    organisation: Organisation,
    label: str,
    site: str = "",
    problem: Problem | None = None,
    measure: Measure | None = None,
) -> QrCode:
    """A new active code of `organisation`, about a site, a problem or a measure of its inspections
    (a measure implies its problem)."""
    if not Access.of(user).is_office_for(organisation):
        raise AccessDenied(f"只有{organisation.name}的整改办可以为其生成二维码。")
    label = services.plain_text(label)
    site = services.plain_text(site)
    if not label:
        raise InvalidInput("请填写二维码的名称，如“某路段施工围挡公示牌”。")
    if len(label) > MAX_LABEL:
        raise InvalidInput(f"名称不能超过 {MAX_LABEL} 个字。")
    if len(site) > MAX_SITE:
        raise InvalidInput(f"地点不能超过 {MAX_SITE} 个字。")
    if measure is not None:
        if problem is not None and measure.problem_id != problem.pk:
            raise InvalidInput("所选整改措施不属于所选问题。")
        problem = measure.problem
    if problem is not None and not problem.inspection.inspected.is_within(organisation):
        raise InvalidInput(f"所选问题或整改措施不属于{organisation.name}的巡察整改。")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return QrCode.objects.create(
                    organisation=organisation,
                    token=secrets.token_urlsafe(12),
                    label=label,
                    site=site,
                    problem=problem,
                    measure=measure,
                    created_by=user,
                )
        except IntegrityError:
            continue  # 96 random bits taken already: draw again
    raise RuntimeError("could not draw an unused QR token")


def set_active(user: User, pk: int, active: bool) -> QrCode:
    """Switch a code off (its link then says so) or on again. Asking for the state it is already
    in changes nothing."""
    with transaction.atomic():
        qr = get_qr(user, pk)
        locked = QrCode.objects.select_for_update().get(pk=qr.pk)
        if locked.active != active:
            locked.active = active
            locked.save(update_fields=["active"])
    qr.active = active
    return qr


# ------------------------------------------------------------------ what a code says and shows


def portal_url(qr: QrCode) -> str:
    """The absolute address the code carries (settings.RECTIFY_SITE_URL)."""
    return settings.RECTIFY_SITE_URL.rstrip("/") + reverse("public_feedback:qr", args=[qr.token])


def symbol(qr: QrCode) -> segno.QRCode:
    return segno.make(portal_url(qr), error="m")


def svg_bytes(qr: QrCode, scale: int = DEFAULT_SCALE) -> bytes:
    buffer = io.BytesIO()
    symbol(qr).save(buffer, kind="svg", scale=scale, border=BORDER, title=qr.label)
    return buffer.getvalue()


def png_bytes(qr: QrCode, scale: int = DEFAULT_SCALE) -> bytes:
    buffer = io.BytesIO()
    symbol(qr).save(buffer, kind="png", scale=scale, border=BORDER)
    return buffer.getvalue()


def symbol_markup(qr: QrCode, svgclass: str = "segno", **attributes: str) -> str:
    """The code as an <svg> element to place inside HTML or another SVG: it scales to whatever box
    it is given (viewBox, no size of its own) and stays crisp in print. Attribute names are given
    with "_" for "-" (aria_label)."""
    buffer = io.BytesIO()
    symbol(qr).save(
        buffer,
        kind="svg",
        border=BORDER,
        xmldecl=False,
        svgns=True,
        omitsize=True,
        nl=False,
        svgclass=svgclass,
    )
    markup = buffer.getvalue().decode()
    attributes = {"shape_rendering": "crispEdges", **attributes}  # no seams between modules
    extra = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attributes.items())
    return markup.replace("<svg ", f"<svg{extra} ", 1)


def subject_lines(qr: QrCode) -> list[tuple[str, str]]:
    """What the code is for, in words: the site, the problem, the measure."""
    lines = []
    if qr.site:
        lines.append(("地点", qr.site))
    problem = qr.measure.problem if qr.measure is not None else qr.problem
    if problem is not None:
        lines.append(("问题", f"问题{problem.number}：{problem.title}"))
    if qr.measure is not None:
        lines.append(("整改措施", qr.measure.text))
    if not lines:
        lines.append(("事项", qr.label))
    return lines


def contact_for(qr: QrCode) -> dict:
    """The hotline and e-mail of the code's inspection, or of the organisation's latest inspection
    whose notice gives them."""
    problem = qr.measure.problem if qr.measure is not None else qr.problem
    candidates = [problem.inspection] if problem is not None else []
    candidates += list(Inspection.objects.filter(inspected=qr.organisation).exclude(contact={})[:5])
    for inspection in candidates:
        contact = inspection_contact(inspection)
        if contact["phones"] or contact["emails"]:
            return contact
    return inspection_contact(None)


INSTRUCTIONS = (
    "用手机扫描二维码",
    "填写意见建议或诉求（可不留姓名）",
    "提交后记下页面上的查询码",
    "凭查询码在网上查询答复",
)


@dataclass(frozen=True)
class Poster:
    qr: QrCode
    organisation: str
    title: str
    subject: list[tuple[str, str]]
    instructions: tuple[str, ...]
    contact: dict
    url: str
    reply_workdays: int


def poster(qr: QrCode) -> Poster:
    return Poster(
        qr=qr,
        organisation=qr.organisation.name,
        title="扫码反映问题",
        subject=subject_lines(qr),
        instructions=INSTRUCTIONS,
        contact=contact_for(qr),
        url=portal_url(qr),
        reply_workdays=services.reply_workdays(qr.organisation),
    )


def wrap(text: str, width: float, max_lines: int) -> list[str]:
    """Lines of at most `width` ems (a Chinese character is one em, Latin letters and digits half),
    for SVG text, which does not wrap by itself; the last line ends in … if text is left over."""
    lines: list[str] = []
    line, used = "", 0.0
    for char in " ".join(text.split()):
        advance = 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.55
        if used + advance > width:
            lines.append(line)
            line, used = "", 0.0
            if len(lines) == max_lines:
                lines[-1] = lines[-1][:-1] + "…"
                return lines
        line += char
        used += advance
    if line:
        lines.append(line)
    return lines


def poster_svg(qr: QrCode) -> str:
    """The poster as one A4 SVG document (millimetres), laid out line by line since SVG text does
    not wrap."""
    content = poster(qr)
    subject = [line for label, value in content.subject for line in wrap(f"{label}：{value}", 34, 3)][:5]
    contact = []
    if content.contact["phones"]:
        contact.append("监督电话：" + "、".join(content.contact["phones"]))
    if content.contact["emails"]:
        contact.append("电子邮箱：" + "、".join(content.contact["emails"]))
    return render_to_string(
        "feedback/qr/poster.svg",
        {
            "poster": content,
            # segno's own SVG with escaped attributes: nothing a person typed is in it.
            "symbol": mark_safe(symbol_markup(qr, x="50", y="112", width="110", height="110")),
            "organisation_lines": [
                (16 + i * 11, line) for i, line in enumerate(wrap(content.organisation, 21, 2))
            ],
            "subject_lines": [(74 + i * 7.5, line) for i, line in enumerate(subject)],
            "steps": [(242 + i * 8, f"{i + 1}. {step}") for i, step in enumerate(content.instructions)],
            "contact_lines": [(280 + i * 6.5, line) for i, line in enumerate(contact)],
        },
    )
