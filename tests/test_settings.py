"""Production mode refuses unsafe settings and passes Django's deployment checks."""

import os
import subprocess
import sys

STRONG_KEY = "k" * 20 + "-Zq8#x7Lp2@Vw9!Rt5$Mn3&Bj6*Hc4(Gf1)" + "y" * 10
FIELD_KEY = "0cGWbZ2ZwAHd8v1mFZ0cQvBgrTQ6YF5Q4Y7rXlJnGkU="  # a Fernet key made for these tests only


def rectify(*args: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RECTIFY_", "DATABASE_URL", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "rectify.cli", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_default_secret_key(tmp_path):
    result = rectify(
        "check",
        env={"RECTIFY_ENV": "production", "RECTIFY_ALLOWED_HOSTS": "zhenggai.example.gov.cn"},
        cwd=tmp_path,
    )
    assert result.returncode != 0 and "RECTIFY_SECRET_KEY" in result.stderr


def test_production_refuses_debug(tmp_path):
    env = {
        "RECTIFY_ENV": "production",
        "RECTIFY_SECRET_KEY": STRONG_KEY,
        "RECTIFY_ALLOWED_HOSTS": "a.gov.cn",
        "RECTIFY_DEBUG": "1",
    }
    result = rectify("check", env=env, cwd=tmp_path)
    assert result.returncode != 0 and "调试" in result.stderr


def test_production_refuses_to_start_without_field_encryption_keys(tmp_path):
    env = {
        "RECTIFY_ENV": "production",
        "RECTIFY_SECRET_KEY": STRONG_KEY,
        "RECTIFY_ALLOWED_HOSTS": "zhenggai.example.gov.cn",
    }
    result = rectify("check", env=env, cwd=tmp_path)
    assert result.returncode != 0 and "RECTIFY_FIELD_KEYS" in result.stderr


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {
        "RECTIFY_ENV": "production",
        "RECTIFY_SECRET_KEY": STRONG_KEY,
        "RECTIFY_ALLOWED_HOSTS": "zhenggai.example.gov.cn",
        "RECTIFY_FIELD_KEYS": FIELD_KEY,
    }
    result = rectify("check", "--deploy", "--fail-level", "WARNING", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_are_chinese_and_shanghai():
    from django.conf import settings

    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == ("zh-hans", "Asia/Shanghai", True)
