"""`rectify serve`: sized from the CPU count unless told, and refusing what would serve broken pages.

Serving for real (gunicorn, the static files, a whole round) is tests/deploy/test_smoke.py's part.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rectify.server.runner import Sizing, gunicorn_options
from rectify.settings import cpu_count

from ..test_settings import FIELD_KEY, STRONG_KEY, rectify

PRODUCTION = {
    "RECTIFY_ENV": "production",
    "RECTIFY_SECRET_KEY": STRONG_KEY,
    "RECTIFY_ALLOWED_HOSTS": "zhenggai.example.gov.cn",
    "RECTIFY_FIELD_KEYS": FIELD_KEY,
}
SIZING = (
    "from django.conf import settings as s; "
    "print(s.RECTIFY_WEB_WORKERS, s.RECTIFY_WEB_THREADS, s.RECTIFY_WEB_BIND)"
)


def test_workers_and_threads_follow_the_cpu_count(tmp_path):
    result = rectify(
        "shell", "--no-imports", "-c", SIZING, env={"RECTIFY_DATA_DIR": str(tmp_path)}, cwd=tmp_path
    )
    assert result.stdout.split() == [str(2 * cpu_count() + 1), "2", "127.0.0.1:8000"], result.stderr


def test_the_environment_overrides_the_sizing(tmp_path):
    env = {
        "RECTIFY_DATA_DIR": str(tmp_path),
        "RECTIFY_WEB_WORKERS": "3",
        "RECTIFY_WEB_THREADS": "8",
        "RECTIFY_WEB_BIND": "unix:/run/rectify/web.sock",
    }
    result = rectify("shell", "--no-imports", "-c", SIZING, env=env, cwd=tmp_path)
    assert result.stdout.split() == ["3", "8", "unix:/run/rectify/web.sock"], result.stderr


def test_gunicorn_runs_threaded_workers_without_its_control_socket():
    settings = gunicorn_options(Sizing(bind="127.0.0.1:8000", workers=3, threads=4, timeout=60))
    assert settings["worker_class"] == "gthread"
    assert (settings["bind"], settings["workers"], settings["threads"]) == (["127.0.0.1:8000"], 3, 4)
    assert settings["control_socket_disable"] is True
    # nginx waits longer than gunicorn lets a request run (deploy/nginx/rectify.conf: 75 s).
    assert settings["timeout"] < 75


def test_serve_is_for_production_only(tmp_path):
    result = rectify("serve", env={"RECTIFY_DATA_DIR": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 2 and "RECTIFY_ENV=production" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_to_start_without_the_static_files_manifest(tmp_path):
    env = {**PRODUCTION, "RECTIFY_DATA_DIR": str(tmp_path)}
    result = rectify("serve", "--no-collectstatic", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "静态文件清单" in result.stderr and "collectstatic" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("option", "says"), [("--workers=0", "应不小于 1"), ("--threads=two", "不是整数")])
def test_serve_refuses_a_bad_number_in_chinese(tmp_path, option, says):
    result = rectify("serve", option, env={**PRODUCTION, "RECTIFY_DATA_DIR": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 2 and says in result.stderr


def test_the_wsgi_application_refuses_to_load_without_the_manifest(tmp_path):
    """gunicorn started by hand, without `rectify serve` and without collectstatic: its workers fail to
    boot, saying why, instead of answering every page with 500."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RECTIFY_", "DATABASE_URL", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import rectify.wsgi"],
        env={**base, **PRODUCTION, "RECTIFY_DATA_DIR": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "静态文件清单" in result.stderr and "rectify serve" in result.stderr
