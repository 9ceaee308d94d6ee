"""The name a client gave an uploaded file, as it sent it.

Django's multipart parser quietly cuts a file name down to its last part ("../x.pdf", "C:\\a\\x.pdf"
and "dir/x.pdf" all arrive as "x.pdf"), so a product that refuses names carrying a path never sees
one. `SentNames`, the first upload handler (settings.FILE_UPLOAD_HANDLERS), parses the body with the
same parser, noting on each uploaded file the name sent (`sent_name`: HTML entities decoded, as Django
decodes them, nothing cut). Browsers send a bare name, so only a hand-made request ever differs.
"""

from __future__ import annotations

import html

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.utils.encoding import force_str


def sent_name(upload: UploadedFile) -> str:
    """The name the client sent for the file; Django's cut-down name for a file not parsed from a
    request (a test's or a command's)."""
    return getattr(upload, "sent_name", None) or upload.name or ""


class SentNames(FileUploadHandler):
    """Parses the whole body with `_SentNameParser` and the handlers after this one (Django's
    documented way for a handler to take over parsing: handle_raw_input returning POST and FILES)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        handlers = [handler for handler in self.request.upload_handlers if handler is not self]
        return _SentNameParser(META, input_data, handlers, encoding).parse()

    def receive_data_chunk(self, raw_data, start):
        return raw_data  # never called: the parser above hands the files to the other handlers

    def file_complete(self, file_size):
        return None


class _SentNameParser(MultiPartParser):
    _sent: str | None = None

    def sanitize_file_name(self, file_name):
        self._sent = html.unescape(file_name)
        return super().sanitize_file_name(file_name)

    def handle_file_complete(self, old_field_name, counters):
        field = force_str(old_field_name, self._encoding, errors="replace")
        before = len(self._files.getlist(field))
        super().handle_file_complete(old_field_name, counters)
        files = self._files.getlist(field)
        if len(files) > before:  # a handler made the file (one always does, unless it stops the upload)
            files[-1].sent_name = self._sent
