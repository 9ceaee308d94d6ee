"""Production mode refuses unsafe settings and passes Django's deployment checks."""

import os
import subprocess
import sys

import pytest
from django.db import connection

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
    # rectify check also looks at the database: a new one must be migrated to be clean.
    assert rectify("migrate", "-v0", env=env, cwd=tmp_path).returncode == 0
    result = rectify("check", "--deploy", "--fail-level", "WARNING", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_are_chinese_and_shanghai():
    from django.conf import settings

    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == ("zh-hans", "Asia/Shanghai", True)


# A value the settings cannot read stops the command at once, naming the variable in Chinese, with
# exit code 2 and no traceback: a typo must never silently become a default (defect: "ture" was false).
UNREADABLE_VALUES = [
    ("RECTIFY_DEBUG", "ture", "无法识别"),
    ("RECTIFY_EMAIL_TLS", "maybe", "无法识别"),
    ("RECTIFY_LOGIN_FAILURE_LIMIT", "five", "不是整数"),
    ("RECTIFY_EVIDENCE_MAX_BYTES", "20MB", "不是整数"),
    ("RECTIFY_SESSION_SECONDS", "5", "不小于 60"),
    ("RECTIFY_LOGIN_FAILURE_LIMIT", "0", "不小于 1"),
    ("RECTIFY_ENV", "prod", "development、production"),
    ("RECTIFY_TASKS_BACKEND", "celery", "immediate、database、rq"),
    ("RECTIFY_FEEDBACK_RATE", "5 per hour", "次数/时段"),
    ("RECTIFY_LOG_LEVEL", "verbose", "INFO"),
    ("DATABASE_URL", "mongo://127.0.0.1/rectify", "DATABASE_URL"),
    ("RECTIFY_WEB_WORKERS", "0", "不小于 1"),
    ("RECTIFY_WEB_THREADS", "many", "不是整数"),
    ("RECTIFY_WEB_BIND", "8000", "主机:端口"),
    ("RECTIFY_ACCEL_REDIRECT", "protected/media", "以 / 开头并以 / 结尾"),
]


@pytest.mark.parametrize(("name", "value", "says"), UNREADABLE_VALUES)
def test_an_unreadable_setting_is_refused_naming_the_variable(tmp_path, name, value, says):
    result = rectify("check", env={name: value, "RECTIFY_DATA_DIR": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 2
    assert name in result.stderr and says in result.stderr
    assert "Traceback" not in result.stderr


SPELLINGS = [("TRUE", True), (" yes ", True), ("0", False), ("off", False)]


@pytest.mark.parametrize(("value", "expected"), SPELLINGS)
def test_yes_and_no_are_read_in_any_common_spelling(monkeypatch, value, expected):
    from rectify.settings import env_bool

    monkeypatch.setenv("RECTIFY_TEST_FLAG", value)
    assert env_bool("RECTIFY_TEST_FLAG") is expected


def test_a_well_formed_rate_and_number_are_accepted(monkeypatch):
    from rectify.settings import env_int, env_rate

    monkeypatch.setenv("RECTIFY_TEST_RATE", "100/10m")
    monkeypatch.setenv("RECTIFY_TEST_NUMBER", " 42 ")
    assert env_rate("RECTIFY_TEST_RATE", "5/h") == "100/10m"
    assert env_int("RECTIFY_TEST_NUMBER", 1) == 42


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_postgresql_connections_run_without_jit(db):
    """JIT compiling cost a province's search more than the search itself (settings.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
