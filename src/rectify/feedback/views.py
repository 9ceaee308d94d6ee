"""Staff pages of public feedback (意见诉求): the list, the unit's 待答复, the item with its
timeline and actions, entry of items that came by phone or letter, routing, replies, closing,
export and statistics.

Thin: each reads a form, calls feedback.services and redirects with a message. A refused action
shows the service's Chinese message and HTTP status beside what the user typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.documents import XLSX_TYPE, attachment
from rectify.errors import AccessDenied, InvalidInput, RectifyError, StaleEdit
from rectify.forms import at_version, submit
from rectify.ledger.models import Inspection
from rectify.org.access import VIEW
from rectify.org.models import Organisation
from rectify.paging import paginate, query_without_page
from rectify.supervision.warning_helpers import days_left, days_text

from . import extensions, services
from .export import export_xlsx
from .forms import (
    CloseForm,
    ExportForm,
    FeedbackFilterForm,
    ReplyForm,
    ReturnForm,
    RouteForm,
    StaffEntryForm,
    office_organisations,
)
from .models import OPEN_STATUSES, FeedbackItem
from .stats import feedback_figures

PAGE_SIZE = 50


def _rows(items, today) -> list[FeedbackItem]:
    """The page's items with what each row shows beside the stored fields: masked contacts and
    the reply date in words. No query per row."""
    rows = list(items)
    for item in rows:
        item.masked = services.masked_contacts(item)
        if item.status in OPEN_STATUSES:
            item.days_text = days_text(days_left(item.due_date, today))
    return rows


@login_required
@require_GET
def item_list(request):
    today = timezone.localdate()
    form = FeedbackFilterForm(request.GET or None, user=request.user)
    page = paginate(request, services.filter_items(request.user, form.to_filter(), today), PAGE_SIZE)
    page.object_list = _rows(page.object_list, today)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "may_register": office_organisations(request.user).exists(),
        "export_form": ExportForm(),
        "export_filters": [(name, request.GET[name]) for name in form.fields if request.GET.get(name)],
    }
    template = "feedback/_item_table.html" if request.headers.get("HX-Request") else "feedback/item_list.html"
    return render(request, template, context)


@login_required
@require_GET
def to_reply(request):
    today = timezone.localdate()
    page = paginate(request, services.to_reply(request.user, today), PAGE_SIZE)
    page.object_list = _rows(page.object_list, today)
    return render(request, "feedback/to_reply.html", {"page": page})


def _detail_context(request, item: FeedbackItem, **extra) -> dict:
    user = request.user
    actions = services.allowed_actions(user, item)
    today = timezone.localdate()
    item.masked = services.masked_contacts(item)
    if item.status in OPEN_STATUSES:
        item.days_text = days_text(days_left(item.due_date, today))
        item.is_overdue = item.due_date < today
    context = {
        "item": item,
        "actions": actions,
        "replies": services.replies_for(user, item),
        "timeline": services.item_timeline(item),
        "has_sender": bool(item.sender_name or services.has_contact(item)),
        "return_form": ReturnForm(initial={"version": item.version}),
        "acts_for_unit": services.acts_for_unit(user, item),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def item_detail(request, pk: int):
    item = services.get_item(request.user, pk)
    return render(request, "feedback/item_detail.html", _detail_context(request, item))


@login_required
@require_POST
def reveal_contacts(request, pk: int):
    """The full contacts, shown once on the item's page (POST, so that each view is an act the audit
    trail records, never a link a browser prefetches)."""
    item = services.get_item(request.user, pk)
    contacts = services.reveal_contacts(request.user, item)
    return render(request, "feedback/item_detail.html", _detail_context(request, item, contacts=contacts))


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request):
    if not office_organisations(request.user).exists():
        raise AccessDenied("只有整改办可以登记意见诉求。")
    status = 200
    if request.method == "POST":
        form = StaffEntryForm(request.POST, user=request.user)
        item, status = submit(
            form,
            lambda data: services.register_item(
                request.user,
                organisation=data["organisation"],
                channel=data["channel"],
                kind=data["kind"],
                content=data["content"],
                received_at=data["received_at"],
                problem=data["problem"],
                association=data["association"],
                external_ref=data["external_ref"],
                **services.sender_of(data),
            ),
        )
        if status is None:
            messages.success(
                request,
                f"已登记，查询码 {item.code}（请告知来信人），答复期限 {item.due_date:%Y-%m-%d}。",
            )
            return redirect("feedback:detail", pk=item.pk)
    else:
        form = StaffEntryForm(user=request.user)
    return render(request, "feedback/item_new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_route(request, pk: int):
    item = services.get_item(request.user, pk)
    services.require_allowed(request.user, item, "route", office_doing="分办意见诉求", doing="分办或改派")
    suggestion = extensions.suggest_routing(item)  # the similarity engine suggests; the office decides
    conflict = None
    status = 200
    if request.method == "POST":
        form = RouteForm(request.POST, item=item)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.route_item(
                    request.user,
                    item,
                    unit=data["unit"],
                    problem=data["problem"],
                    measure=data["measure"],
                    version=data["version"],
                )
            except StaleEdit as error:
                conflict, status = error.message, error.status
                item = services.get_item(request.user, pk)
                form = at_version(form, item.version, item=item)
            except RectifyError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, f"已交{data['unit'].name}办理。")
                return redirect("feedback:detail", pk=pk)
        else:
            status = 400
    else:
        suggested_problem = suggestion.problems[0].problem if suggestion and suggestion.problems else None
        form = RouteForm(
            initial={
                "version": item.version,
                "unit": item.unit_id or (suggestion.unit.pk if suggestion and suggestion.unit else None),
                "problem": item.problem_id or (suggested_problem.pk if suggested_problem else None),
                "measure": item.measure_id,
            },
            item=item,
        )
    return render(
        request,
        "feedback/item_route.html",
        {"item": item, "form": form, "suggestion": suggestion, "conflict": conflict},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply_edit(request, pk: int):
    item = services.get_item(request.user, pk)
    if not services.acts_for_unit(request.user, item):
        raise AccessDenied("只有承办单位的负责人或联络员可以拟写答复。")
    draft = services.reply_in_progress(item)
    returned = [reply for reply in services.replies_for(request.user, item) if reply.status == "returned"]
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST)
        submitting = "submit" in request.POST
        _, status = submit(
            form,
            lambda data: services.save_reply(
                request.user, item, text=data["text"], submit=submitting, version=data["version"]
            ),
        )
        if status is None:
            messages.success(request, "答复已提交整改办审核。" if submitting else "答复草稿已保存。")
            return redirect("feedback:detail" if submitting else "feedback:reply", pk=pk)
    else:
        form = ReplyForm(initial={"version": item.version, "text": draft.text if draft else ""})
    return render(
        request,
        "feedback/reply_edit.html",
        {"item": item, "form": form, "draft": draft, "returned": returned},
        status=status,
    )


@login_required
@require_POST
def reply_approve(request, pk: int):
    try:
        item = services.get_item(request.user, pk)
        version = _posted_version(request)
        approval = services.approve_reply(request.user, item, version=version)
    except RectifyError as error:
        return _detail_with_error(request, pk, error)
    (messages.warning if approval.email_error else messages.success)(request, approval.message)
    return redirect("feedback:detail", pk=pk)


@login_required
@require_POST
def reply_return(request, pk: int):
    item = services.get_item(request.user, pk)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput("退回答复须写明理由（不超过 1000 字）。")
        services.return_reply(
            request.user, item, reason=form.cleaned_data["reason"], version=form.cleaned_data["version"]
        )
    except RectifyError as error:
        return _detail_with_error(request, pk, error, return_form=form)
    messages.success(request, "答复已退回承办单位重新拟写。")
    return redirect("feedback:detail", pk=pk)


def _posted_version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _detail_with_error(request, pk: int, error: RectifyError, **extra):
    """The item's page again, with the refusal on top and the user's input kept."""
    item = services.get_item(request.user, pk)
    context = _detail_context(request, item, action_error=error.message, **extra)
    return render(request, "feedback/item_detail.html", context, status=error.status)


@login_required
@require_http_methods(["GET", "POST"])
def item_close(request, pk: int):
    item = services.get_item(request.user, pk)
    services.require_allowed(request.user, item, "close", office_doing="办结意见诉求", doing="办结")
    status = 200
    if request.method == "POST":
        form = CloseForm(request.POST)

        def close(data: dict) -> None:
            original = None
            if data["duplicate_of"]:
                original = services.find_by_code(data["duplicate_of"])
                if (
                    original is None
                    or not FeedbackItem.objects.restrict(request.user, VIEW).filter(pk=original.pk).exists()
                ):
                    raise InvalidInput(f"查询码“{data['duplicate_of']}”没有对应的意见诉求，请核对。")
            services.close_item(
                request.user,
                item,
                reason=data["reason"],
                note=data["note"],
                duplicate_of=original,
                version=data["version"],
            )

        _, status = submit(form, close)
        if status is None:
            messages.success(request, "已办结。")
            return redirect("feedback:detail", pk=pk)
    else:
        form = CloseForm(initial={"version": item.version})
    return render(
        request,
        "feedback/item_close.html",
        {"item": item, "form": form, "has_contact": services.has_contact(item)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """The filtered list as XLSX: GET for masked contacts, POST (office, with a reason) for full ones."""
    data = request.POST if request.method == "POST" else request.GET
    filters = FeedbackFilterForm(data, user=request.user).to_filter()
    options = ExportForm(request.POST if request.method == "POST" else None)
    include_contacts = (
        request.method == "POST" and options.is_valid() and options.cleaned_data["include_contacts"]
    )
    reason = options.cleaned_data.get("reason", "") if options.is_bound and options.is_valid() else ""
    content, _rows_written = export_xlsx(
        request.user, filters, include_contacts=include_contacts, reason=reason
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"意见诉求{'（含联系方式）' if include_contacts else ''}-{stamp}.xlsx"
    return attachment(content, name, XLSX_TYPE)


@login_required
@require_GET
def statistics(request):
    user = request.user
    today = timezone.localdate()
    organisations = Organisation.objects.filter(
        pk__in=FeedbackItem.objects.restrict(user, VIEW).values("organisation_id")
    ).order_by("path")
    inspections = Inspection.objects.restrict(user, VIEW).select_related("inspected").order_by("-id")
    organisation = _chosen(organisations, request.GET.get("organisation"))
    inspection = _chosen(inspections, request.GET.get("inspection"))
    figures = feedback_figures(user, organisation=organisation, inspection=inspection, on=today)
    charts = [
        {"id": "chart-channel", "title": "按渠道", "rows": figures.channel_rows},
        {"id": "chart-kind", "title": "按类别", "rows": figures.kind_rows},
        {"id": "chart-status", "title": "按状态", "rows": figures.status_rows},
        {"id": "chart-unit", "title": "按承办单位", "rows": list(figures.by_unit.items())},
        {"id": "chart-qr", "title": "按来源二维码", "rows": list(figures.by_qr.items())},
    ]
    for chart in charts:
        chart["data_id"] = f"{chart['id']}-data"
        chart["data"] = {
            "title": chart["title"],
            "labels": [label for label, _ in chart["rows"]],
            "values": [count for _, count in chart["rows"]],
        }
    return render(
        request,
        "feedback/stats.html",
        {
            "figures": figures,
            "charts": charts,
            "organisations": organisations,
            "inspections": inspections,
            "organisation": organisation,
            "inspection": inspection,
            "today": today,
        },
    )


def _chosen(queryset, wanted: str | None):
    if not wanted or not wanted.isdigit():
        return None
    return queryset.filter(pk=int(wanted)).first()
