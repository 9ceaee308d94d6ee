"""Notification pages: a person's notifications (unread first), marking them read, and how the
daily digest reaches them (通知方式: e-mail, 企业微信 and 钉钉 group robots).

Thin: storing and marking are supervision.services'; the robots are called only by the digest
(supervision.channels), and only at the hosts the administrator allowed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.org.access import VIEW
from rectify.paging import paginate

from . import services
from .forms import PreferenceForm
from .models import Notification, NotificationPreference

PAGE_SIZE = 50


def _safe(request, url: str) -> str:
    """The notification's own link if it stays on this site, else nothing."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@login_required
@require_GET
def notification_list(request):
    only_unread = request.GET.get("unread") == "1"
    items = Notification.objects.restrict(request.user, VIEW)
    if only_unread:
        items = items.filter(read_at__isnull=True)
    items = items.alias(
        unread_first=Case(
            When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("unread_first", "-created_at", "-id")
    page = paginate(request, items, PAGE_SIZE)
    for item in page.object_list:
        item.link = _safe(request, item.url)
    return render(
        request,
        "supervision/notifications.html",
        {"page": page, "only_unread": only_unread},
    )


@login_required
@require_POST
def mark_read(request):
    """Mark the user's own notifications read: those named in `ids`, or all with `all`."""
    if request.POST.get("all"):
        marked = services.mark_read(request.user)
    else:
        ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
        marked = services.mark_read(request.user, ids) if ids else 0
    if marked:
        messages.success(request, f"已将 {marked} 条通知标为已读。")
    else:
        messages.info(request, "没有需要标为已读的通知。")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "notifications:list"
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = NotificationPreference.objects.filter(user=request.user).first()
    status = 200
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            NotificationPreference.objects.update_or_create(user=request.user, defaults=form.cleaned_data)
            messages.success(request, "已保存通知方式。每日汇总将按此发送。")
            return redirect("notifications:preferences")
        status = 400
    else:
        form = PreferenceForm(
            initial={
                "email": current.email if current else True,
                "wecom_webhook": current.wecom_webhook if current else "",
                "dingtalk_webhook": current.dingtalk_webhook if current else "",
            }
        )
    return render(
        request,
        "supervision/preferences.html",
        {"form": form, "webhook_hosts": settings.RECTIFY_WEBHOOK_HOSTS},
        status=status,
    )
