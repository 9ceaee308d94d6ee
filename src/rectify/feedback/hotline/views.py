"""Staff pages of the 12345 hotline import: upload, map the columns and preview (what will be
imported, what is skipped and why, every row-level error), confirm; and the batches imported. Thin:
every rule is feedback.hotline.services'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.errors import AccessDenied, InvalidInput, NotFound, RectifyError
from rectify.forms import submit
from rectify.org.access import VIEW

from .. import services
from . import services as hotline
from .forms import MappingForm, UploadForm
from .models import HotlineBatch

PREVIEW_ROWS = 200
OFFICE_ONLY = "只有整改办可以导入 12345 热线工单。"


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """The upload form and the batches imported so far."""
    may_import = hotline.importing_organisations(request.user).exists()
    status = 200
    if request.method == "POST":
        if not may_import:
            raise AccessDenied(OFFICE_ONLY)
        form = UploadForm(request.POST, request.FILES, user=request.user)
        stashed, status = submit(
            form,
            lambda data: hotline.stash_upload(
                request.user, data["organisation"], data["file"].read(), data["file"].name or ""
            ),
            error_field="file",
        )
        if status is None:
            token, _sheet = stashed
            return redirect("hotline:preview", token=token)
    else:
        form = UploadForm(user=request.user)
    return _upload_page(request, form if may_import else None, status=status)


def _upload_page(request, form: UploadForm | None, *, status: int = 200):
    batches = HotlineBatch.objects.restrict(request.user, VIEW).select_related("organisation", "imported_by")
    if form is None and not batches.exists():
        raise AccessDenied(OFFICE_ONLY)
    return render(
        request,
        "feedback/hotline/upload.html",
        {
            "form": form,
            "batches": batches.order_by("-imported_at", "-id")[:50],
            "fields": hotline.FIELDS.values(),
        },
        status=status,
    )


def _upload_again(request, error: InvalidInput):
    """The kept upload is gone or its link is wrong: the upload form again, saying so."""
    messages.error(request, error.message)
    may_import = hotline.importing_organisations(request.user).exists()
    return _upload_page(request, UploadForm(user=request.user) if may_import else None, status=error.status)


@login_required
@require_http_methods(["GET", "POST"])
def preview(request, token: str):
    """The file's columns with the mapping (guessed, or as the office changed it), and the plan."""
    try:
        stashed = hotline.load_stashed(request.user, token)
    except InvalidInput as error:
        return _upload_again(request, error)
    sheet = stashed.sheet
    form = MappingForm(request.POST if request.method == "POST" else None, headers=sheet.headers)
    plan = hotline.plan_import(stashed.organisation, sheet, form.mapping())
    return _preview_page(request, stashed, form, plan)


def _preview_page(request, stashed, form, plan, *, error: str = "", status: int = 200):
    sheet = stashed.sheet
    guessed = hotline.guess_mapping(sheet.headers)
    columns = [
        {
            "field": form[f"col_{index}"],
            "header": header,
            "recognised": guessed[index] != hotline.SKIP,
            # Contacts are masked here too: the full ones are shown only on request, audited.
            "samples": [hotline.masked_sample(values[index]) for _number, values in sheet.rows[:2]],
        }
        for index, header in enumerate(sheet.headers)
    ]
    orders = [
        {
            "order": order,
            "name": services.mask_name(order.name),
            "phone": services.mask_phone(order.phone),
        }
        for order in plan.orders[:PREVIEW_ROWS]
    ]
    return render(
        request,
        "feedback/hotline/preview.html",
        {
            "stashed": stashed,
            "columns": columns,
            "plan": plan,
            "orders": orders,
            "more_orders": max(len(plan.orders) - PREVIEW_ROWS, 0),
            "mapping": list(enumerate(plan.mapping)),
            "error_count": len(plan.problems) + len(plan.errors),
            "error": error,
        },
        status=status if status != 200 else (400 if plan.problems or plan.errors else 200),
    )


@login_required
@require_POST
def confirm(request, token: str):
    try:
        stashed = hotline.load_stashed(request.user, token)
    except InvalidInput as error:
        return _upload_again(request, error)
    form = MappingForm(request.POST, headers=stashed.sheet.headers)
    try:
        batch = hotline.import_stashed(request.user, token, form.mapping())
    except RectifyError as error:
        plan = hotline.plan_import(stashed.organisation, stashed.sheet, form.mapping())
        return _preview_page(request, stashed, form, plan, error=error.message, status=error.status)
    messages.success(
        request,
        f"已导入 {batch.row_count} 条热线工单"
        + (f"，跳过重复工单 {batch.skipped_count} 条" if batch.skipped_count else "")
        + "。请逐件分办。",
    )
    return redirect("hotline:batch", pk=batch.pk)


@login_required
@require_GET
def batch_detail(request, pk: int):
    batch = (
        HotlineBatch.objects.restrict(request.user, VIEW)
        .select_related("organisation", "imported_by")
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        raise NotFound("导入批次不存在，或您无权查看。")
    items = [
        {
            "item": item,
            "phone": services.mask_phone(item.sender_phone),
            "name": services.mask_name(item.sender_name),
        }
        for item in batch.items.select_related("unit").order_by("received_at", "id")
    ]
    return render(request, "feedback/hotline/batch.html", {"batch": batch, "items": items})
