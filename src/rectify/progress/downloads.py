"""Sending an evidence file to a reader who may see it (the web page and the API share this)."""

from django.http import FileResponse

from rectify.errors import NotFound

from .models import Evidence


def evidence_response(evidence: Evidence) -> FileResponse:
    """The file as an attachment under its original name; never rendered inline by the browser."""
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except OSError:
        raise NotFound("佐证材料的文件已不在存储中，请联系整改办。") from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
