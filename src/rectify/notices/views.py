"""The office's notice import: upload, preview what was read, confirm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from rectify.errors import AccessDenied, RectifyError
from rectify.forms import submit
from rectify.org.access import organisations_under_office

from . import services
from .forms import NoticeConfirmForm, NoticeUploadForm


@login_required
@require_http_methods(["GET", "POST"])
def import_notice(request):
    if not organisations_under_office(request.user).exists():
        raise AccessDenied("只有整改办可以导入巡察通报。")
    status = 200
    if request.method == "POST" and "token" in request.POST:
        confirm = NoticeConfirmForm(request.POST, user=request.user)
        if confirm.is_valid():
            try:
                inspection = services.import_stashed(
                    request.user, confirm.cleaned_data["token"], confirm.cleaned_data["organisation"]
                )
            except RectifyError as error:
                messages.error(request, error.message)
                return render(
                    request,
                    "notices/import.html",
                    {"form": NoticeUploadForm(user=request.user)},
                    status=error.status,
                )
            messages.success(
                request,
                f"已导入巡察“{inspection.title}”。通报未列明责任单位，各项措施暂以"
                f"{inspection.inspected.name}为主责单位，请逐项调整分工。",
            )
            return redirect("ledger:inspection-detail", pk=inspection.pk)
        messages.error(request, "导入请求无效，请重新上传。")
        return render(
            request, "notices/import.html", {"form": NoticeUploadForm(user=request.user)}, status=400
        )
    form = NoticeUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        stashed, status = submit(
            form,
            lambda data: services.stash_upload(request.user, data["file"], data["organisation"]),
            error_field="file",
        )
        if status is None:
            document, token = stashed
            return render(
                request,
                "notices/import_preview.html",
                {"document": document, "token": token, "organisation": form.cleaned_data["organisation"]},
            )
    return render(request, "notices/import.html", {"form": form}, status=status)
