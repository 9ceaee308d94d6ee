"""The office's QR code pages (二维码): list with scan and submission counts, create, switch off and
on, download SVG and PNG, and the printable A4 poster (HTML to print, or SVG to send to a printer).
Thin: the rules and pictures are in feedback.qr.services."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.documents import attachment
from rectify.forms import submit
from rectify.org.access import VIEW

from . import services as qr_rules
from .forms import QrCodeForm
from .models import QrCode


@login_required
@require_GET
def qr_list(request):
    qr_rules.require_office(request.user)
    codes = list(qr_rules.with_submissions(QrCode.objects.restrict(request.user, VIEW)))
    return render(request, "feedback/qr/list.html", {"codes": codes})


@login_required
@require_http_methods(["GET", "POST"])
def qr_create(request):
    qr_rules.require_office(request.user)
    status = 200
    if request.method == "POST":
        form = QrCodeForm(request.POST, user=request.user)
        created, status = submit(form, lambda data: qr_rules.create_qr(request.user, **data))
        if status is None:
            messages.success(request, f"已生成二维码“{created.label}”，可下载或打印海报。")
            return redirect("qr:list")
    else:
        form = QrCodeForm(user=request.user)
    return render(request, "feedback/qr/form.html", {"form": form}, status=status)


def _switch(request, pk: int, active: bool):
    qr = qr_rules.set_active(request.user, pk, active)
    if active:
        messages.success(request, f"已重新启用二维码“{qr.label}”。")
    else:
        messages.success(request, f"已停用二维码“{qr.label}”：扫码将看到“该二维码已停用”的提示。")
    return redirect("qr:list")


@login_required
@require_POST
def qr_deactivate(request, pk: int):
    return _switch(request, pk, False)


@login_required
@require_POST
def qr_activate(request, pk: int):
    return _switch(request, pk, True)


def _scale(request) -> int:
    try:
        scale = int(request.GET.get("scale", qr_rules.DEFAULT_SCALE))
    except ValueError:
        return qr_rules.DEFAULT_SCALE
    return min(max(scale, qr_rules.MIN_SCALE), qr_rules.MAX_SCALE)


PICTURE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _download(
    request, pk: int, name: str, extension: str, picture: Callable[[QrCode], bytes]
) -> HttpResponse:
    """A picture of the code as the file "<name>-<label>.<extension>"; public, as the code is printed."""
    qr = qr_rules.get_qr(request.user, pk)
    return attachment(picture(qr), f"{name}-{qr.label}.{extension}", PICTURE_TYPES[extension], private=False)


@login_required
@require_GET
def qr_svg(request, pk: int):
    return _download(request, pk, "二维码", "svg", lambda qr: qr_rules.svg_bytes(qr, _scale(request)))


@login_required
@require_GET
def qr_png(request, pk: int):
    return _download(request, pk, "二维码", "png", lambda qr: qr_rules.png_bytes(qr, _scale(request)))


@login_required
@require_GET
def qr_poster(request, pk: int):
    """The A4 poster as a page to print (the browser's print, one A4 sheet)."""
    qr = qr_rules.get_qr(request.user, pk)
    poster = qr_rules.poster(qr)
    # symbol_markup is segno's own SVG with escaped attributes: nothing a person typed is in it.
    symbol = mark_safe(
        qr_rules.symbol_markup(
            qr, svgclass="poster-symbol", role="img", aria_label="二维码：扫码打开留言页面"
        )
    )
    return render(request, "feedback/qr/poster.html", {"poster": poster, "symbol": symbol})


@login_required
@require_GET
def qr_poster_svg(request, pk: int):
    """The same poster as one A4 SVG file (210 × 297 mm), for a print shop."""
    return _download(request, pk, "海报", "svg", lambda qr: qr_rules.poster_svg(qr).encode())
