"""Sending an evidence file to a reader who may see it (the web page and the API share this).

By default the file is streamed from the storage (FileResponse: gunicorn hands it to the kernel with
sendfile, nginx buffers it). With RECTIFY_ACCEL_REDIRECT set, the view checks permission and answers
with X-Accel-Redirect and no body: nginx sends the file from its `internal` location over MEDIA_ROOT,
and no web worker is held while a 20 MB file goes out.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from rectify.errors import NotFound

from .models import Evidence

GONE = "佐证材料的文件已不在存储中，请联系整改办。"


def evidence_response(evidence: Evidence) -> HttpResponse:
    """The file as an attachment under its original name; never rendered inline by the browser."""
    storage, name = evidence.file.storage, evidence.file.name
    if settings.RECTIFY_ACCEL_REDIRECT:
        if not storage.exists(name):
            raise NotFound(GONE)
        response = HttpResponse(content_type=evidence.content_type)
        response["X-Accel-Redirect"] = settings.RECTIFY_ACCEL_REDIRECT + quote(name)
        response["Content-Disposition"] = content_disposition_header(True, evidence.original_name)
    else:
        try:
            handle = storage.open(name, "rb")
        except OSError:
            raise NotFound(GONE) from None
        response = FileResponse(
            handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
        )
    # nginx passes Content-Type, Content-Disposition and Cache-Control on from an X-Accel-Redirect
    # answer; its internal location adds the other two itself (deploy/nginx/rectify.conf).
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
