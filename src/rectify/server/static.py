"""The static files manifest: every page names its stylesheets and scripts through it (hashed names,
ManifestStaticFilesStorage in production). Without it each page would answer 500, so whatever starts
the site checks it first and refuses to start, saying how to make it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured


def missing_manifest() -> Path | None:
    """Where the manifest should be, when the static files storage needs one and it is not there."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return None
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return None
    return Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name


def require_manifest() -> None:
    missing = missing_manifest()
    if missing is not None:
        raise ImproperlyConfigured(
            f"静态文件清单 {missing} 不存在：请用 rectify serve 启动网站（它先收集静态文件），"
            "或先运行 rectify collectstatic --noinput。"
        )
