"""Makes the request known to `record()` below any view, and records every private download.

A download is recognised by its answer, not by each view remembering to say so: a successful
response to a signed-in person carrying `Content-Disposition: attachment` and `Cache-Control:
private` (rectify.documents.attachment and the evidence download mark themselves so; the public
notice and QR pictures do not). That covers every Excel ledger, the feedback and audit exports, the
dispatch and order Word files and evidence, through pages and the API alike, and costs nothing on
any other page."""

from __future__ import annotations

from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse

from .models import Kind
from .services import current_request, record


class SecurityEventMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if is_private_download(request, response):
                record(
                    Kind.EXPORT,
                    request=request,
                    detail={"file": filename(response), "method": request.method},
                )
            return response
        finally:
            current_request.reset(token)


def is_private_download(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and user is not None
        and user.is_authenticated
        and response.get("Content-Disposition", "").startswith("attachment")
        and "private" in response.get("Cache-Control", "")
    )


def filename(response: HttpResponse) -> str:
    """The download's name as the browser will show it (filename*, RFC 5987, before filename)."""
    header = response.get("Content-Disposition", "")
    plain = ""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "filename*" and "''" in value:
            return unquote(value.split("''", 1)[1])[:200]
        if key == "filename":
            plain = value.strip('"')
    return plain[:200]
