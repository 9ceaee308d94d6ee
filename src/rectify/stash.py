"""Uploads that wait on disk between a preview and its confirmation (notices, Excel ledgers, hotline
work orders), so nobody has to choose the file twice. Each kind has its folder under MEDIA_ROOT; a
token names one upload and only the user who made it may use it; abandoned uploads go after a day.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from rectify.errors import AccessDenied, InvalidInput

TOKEN = re.compile(r"^[0-9a-f]{32}$")
LIFETIME_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Stashed:
    token: str
    name: str
    data: bytes
    info: dict = field(default_factory=dict)


def _folder(kind: str) -> Path:
    return Path(settings.MEDIA_ROOT) / f"{kind}-uploads"


def keep(user, kind: str, name: str, data: bytes, **info) -> str:
    """Keep an upload for the user's next step; returns its token."""
    token = uuid.uuid4().hex
    folder = _folder(kind)
    folder.mkdir(parents=True, exist_ok=True)
    _forget_abandoned(folder)
    (folder / f"{token}.bin").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({**info, "user": user.pk, "name": name}))
    return token


def fetch(user, kind: str, token: str, *, what: str) -> Stashed:
    """The upload kept under `token` for this user; `what` names the file in messages (“通报文件”)."""
    if not TOKEN.match(token or ""):
        raise InvalidInput(f"导入凭据无效，请重新上传{what}。")
    folder = _folder(kind)
    try:
        info = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        raise InvalidInput(f"上传的{what}已过期或不存在，请重新上传。") from None
    if info.get("user") != user.pk:
        raise AccessDenied("该文件由其他用户上传，不能由您导入。")
    return Stashed(token=token, name=info.get("name", ""), data=data, info=info)


def forget(kind: str, token: str) -> None:
    if TOKEN.match(token or ""):
        for suffix in (".bin", ".json"):
            (_folder(kind) / f"{token}{suffix}").unlink(missing_ok=True)


def _forget_abandoned(folder: Path) -> None:
    """Remove uploads whose preview was never confirmed, a day after they were made."""
    expiry = time.time() - LIFETIME_SECONDS
    for path in folder.glob("*.*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < expiry:
                path.unlink()
