"""Where the demo's e-mail goes: one .eml file per message in the mail folder (EMAIL_FILE_PATH, by
default var/mail/ in the data folder), not the terminal.

Why files and not an outbox page: the demo's first screen must show the accounts and the address, and
the mail must still be there to read. A file needs no page, no login and no route that could be left on
in production; an .eml opens in any mail program (Outlook, Thunderbird, the system's viewer) with its
subject decoded, and in a text editor too (the body is UTF-8, not encoded). Django's own file backend
would put every message of a connection into one .log file; here each message has its own file, named
by the time it was sent and its first recipient, so a developer finds "the reply to fleet@…" at a glance.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

BACKEND = "rectify.demo.mail.OutboxBackend"
_UNSAFE = re.compile(r"[^A-Za-z0-9@._-]+")
_numbers = itertools.count(1)  # keeps the files of one second in the order they were sent


def outbox_folder() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = outbox_folder()
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            number = next(_numbers)
            recipient = _UNSAFE.sub("_", message.recipients()[0])[:60]
            name = f"{datetime.now():%Y%m%d-%H%M%S}-{number:04d}-{recipient}.eml"
            (folder / name).write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent


def clear_outbox() -> None:
    """Remove the mail of an earlier demo (the .eml files only: the folder may be shared)."""
    folder = outbox_folder()
    if folder.is_dir():
        for old in folder.glob("*.eml"):
            old.unlink(missing_ok=True)


def outbox_count() -> int:
    folder = outbox_folder()
    return sum(1 for _ in folder.glob("*.eml")) if folder.is_dir() else 0
