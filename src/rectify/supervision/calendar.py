"""A private iCalendar feed per person: the deadlines they own, for Outlook, WPS, phones.

- Measures the person leads (牵头领导) and measures of their units (as head or liaison), each an
  all-day event on its deadline while the measure is not finished.
- Answer due dates of unanswered supervision orders to their units.

The feed's address carries a random token; only its SHA-256 is stored (CalendarToken), so the
address is shown once, when made. Making a new one replaces (revokes) the old; a wrong or revoked
token is simply not found. The feed needs no login: calendar programs cannot sign in.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from icalendar import Calendar, Event

from rectify.ledger.choices import OPEN_STATUSES, MeasureStatus
from rectify.ledger.models import Measure, MeasureUnit
from rectify.org.access import Access, path_q
from rectify.org.models import User
from rectify.org.tokens import hash_token

from .models import CalendarToken, OrderState, SupervisionOrder

# Deadlines still to meet: open measures, and those waiting for sign-off.
PENDING_STATUSES = (*OPEN_STATUSES, MeasureStatus.SIGNOFF_REQUESTED)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
FEED_SESSION_KEY = "rectify_calendar_feed_url"


# ------------------------------------------------------------------ tokens


def issue_calendar_token(user: User) -> str:
    """A new feed token for the user, replacing (revoking) any earlier one. Returned once; only
    its digest is kept."""
    raw = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        user=user, defaults={"key_hash": hash_token(raw), "created_at": timezone.now()}
    )
    return raw


def revoke_calendar_token(user: User) -> bool:
    deleted, _ = CalendarToken.objects.filter(user=user).delete()
    return bool(deleted)


def user_for_token(raw: str) -> User | None:
    """The active user whose current token this is; None for a wrong, old or malformed token."""
    if not raw or not TOKEN_PATTERN.match(raw):
        return None
    token = CalendarToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


def feed_url(raw: str) -> str:
    """The feed's full address, on the site's public address (RECTIFY_SITE_URL)."""
    try:
        path = reverse("calendar:feed", args=[raw])
    except NoReverseMatch:  # the feed's URLs not mounted (yet): the documented place
        path = f"/calendar/{raw}.ics"
    return settings.RECTIFY_SITE_URL.rstrip("/") + path


# ------------------------------------------------------------------ the feed


def owned_measures(user: User):
    """Unfinished measures with a deadline that the user leads or whose unit the user acts for."""
    access = Access.of(user)
    condition = Q(lead_leader=user)
    units = path_q("unit__path", access.unit_paths)
    if units is not None:
        condition |= Q(pk__in=MeasureUnit.objects.filter(units).values("measure_id"))
    return (
        Measure.objects.filter(condition, deadline__isnull=False, status__in=PENDING_STATUSES)
        .select_related("problem__inspection")
        .order_by("deadline", "problem__number", "order")
    )


def owned_orders(user: User):
    """Unanswered supervision orders to the units the user acts for."""
    units = path_q("unit__path", Access.of(user).unit_paths)
    if units is None:
        return SupervisionOrder.objects.none()
    return (
        SupervisionOrder.objects.filter(units, state=OrderState.ISSUED)
        .select_related("issuer", "unit")
        .order_by("answer_due", "pk")
    )


def _site(path: str) -> str:
    return settings.RECTIFY_SITE_URL.rstrip("/") + path


def _uid(kind: str, pk: int) -> str:
    host = urlsplit(settings.RECTIFY_SITE_URL).hostname or "rectify"
    return f"rectify-{kind}-{pk}@{host}"


def _all_day(uid: str, day: date, summary: str, description: str, url: str, stamp: datetime) -> Event:
    return Event.new(
        uid=uid,
        start=day,
        end=day + timedelta(days=1),
        summary=summary,
        description=description,
        url=url,
        stamp=stamp,
        transparency="TRANSPARENT",
        categories=["巡察整改"],
    )


def calendar_feed(user: User, now: datetime | None = None) -> bytes:
    """The user's deadlines as an iCalendar file (UTF-8)."""
    stamp = (now or timezone.now()).astimezone(UTC)
    calendar = Calendar.new(
        prodid="-//Rectify//巡察整改督办平台//ZH",
        name=f"巡察整改期限 · {user.display_name}",
        description="您牵头或所在单位负责的整改措施时限，以及督办单的答复期限。",
        calscale="GREGORIAN",
        method="PUBLISH",
        refresh_interval=timedelta(hours=6),
        uid=_uid("calendar", user.pk),
    )
    calendar.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    for measure in owned_measures(user):
        label = f"措施 {measure.problem.number}.{measure.order}"
        calendar.add_component(
            _all_day(
                _uid("measure", measure.pk),
                measure.deadline,
                f"【整改时限】{label} {measure.text[:40]}",
                f"{measure.problem.inspection.title}\n"
                f"问题 {measure.problem.number}：{measure.problem.title}\n"
                f"{label}：{measure.text}\n状态：{measure.get_status_display()}",
                _site(reverse("ledger:measure-detail", args=[measure.pk])),
                stamp,
            )
        )
    for order in owned_orders(user):
        calendar.add_component(
            _all_day(
                _uid("order", order.pk),
                order.answer_due,
                f"【督办答复期限】{order.issuer.name}{order.number}",
                f"被督办单位：{order.unit.name}\n督办要求：{order.demanded_action[:200]}",
                _site(reverse("orders:detail", args=[order.pk])),
                stamp,
            )
        )
    return calendar.to_ical()


# ------------------------------------------------------------------ views


@require_GET
def feed(request, token: str):
    """The public (token-protected) feed. A wrong or revoked token is not found."""
    user = user_for_token(token)
    if user is None:
        raise Http404("日历订阅地址无效或已停用。")
    response = HttpResponse(calendar_feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="rectify.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """Make (or remake) the feed address, or stop it. A new address is shown once."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if revoke_calendar_token(request.user):
                messages.success(request, "已停用日历订阅，原订阅地址不再有效。")
        else:
            renewed = CalendarToken.objects.filter(user=request.user).exists()
            request.session[FEED_SESSION_KEY] = feed_url(issue_calendar_token(request.user))
            messages.success(
                request,
                "已重新生成订阅地址，原地址已失效。" if renewed else "已生成订阅地址。",
            )
        return redirect("orders:calendar")
    token = CalendarToken.objects.filter(user=request.user).first()
    return render(
        request,
        "supervision/order_calendar.html",
        {
            "token": token,
            "new_url": request.session.pop(FEED_SESSION_KEY, None),
            "measure_count": owned_measures(request.user).count(),
            "order_count": owned_orders(request.user).count(),
        },
    )
