"""The files of deploy/ agree with the code: every variable the settings read is in the configuration
template, which production accepts once its secrets are filled in; nginx's limits and locations match
the settings; every systemd unit runs a command that exists."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

from ..test_settings import FIELD_KEY, STRONG_KEY, rectify
from .stack import ENV_TEMPLATE, read_env_file

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = ROOT / "src" / "rectify" / "settings.py"
NGINX = (DEPLOY / "nginx" / "rectify.conf").read_text(encoding="utf-8")
TEMPLATE = ENV_TEMPLATE.read_text(encoding="utf-8")
UNITS = sorted((DEPLOY / "systemd").iterdir())


def variables_read_by_the_settings() -> set[str]:
    source = SETTINGS.read_text(encoding="utf-8")
    return set(re.findall(r'(?:env_\w+|os\.environ\.get)\(\s*"([A-Z][A-Z0-9_]+)"', source))


def template_default(name: str) -> str:
    """The value of a line of the template, set or left commented out at its default."""
    found = re.search(rf"^#?{name}=(.*)$", TEMPLATE, re.MULTILINE)
    assert found, f"{name} is not in {ENV_TEMPLATE.name}"
    return found.group(1)


def nginx(directive: str) -> list[str]:
    return re.findall(rf"^\s*{directive}\s+([^;]+);", NGINX, re.MULTILINE)


def test_the_template_names_every_variable_the_settings_read():
    names = variables_read_by_the_settings()
    assert len(names) > 40 and "RECTIFY_ACCEL_REDIRECT" in names and "DATABASE_URL" in names
    missing = [name for name in sorted(names) if not re.search(rf"^#?{name}=", TEMPLATE, re.MULTILINE)]
    assert not missing, f"not in deploy/rectify.env.example: {missing}"


def test_the_template_with_its_secrets_passes_the_deployment_checks(tmp_path):
    env = read_env_file(ENV_TEMPLATE) | {
        "RECTIFY_SECRET_KEY": STRONG_KEY,
        "RECTIFY_FIELD_KEYS": FIELD_KEY,
        "RECTIFY_DATA_DIR": str(tmp_path),
        # `rectify check` also opens the database: a migrated SQLite file stands in for the server's.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rectify.sqlite3'}",
    }
    assert rectify("migrate", "--noinput", env=env, cwd=tmp_path).returncode == 0
    result = rectify("check", "--deploy", "--fail-level", "WARNING", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_template_refuses_to_run_until_its_secrets_are_filled_in(tmp_path):
    env = read_env_file(ENV_TEMPLATE) | {"RECTIFY_DATA_DIR": str(tmp_path)}
    result = rectify("check", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "RECTIFY_SECRET_KEY" in result.stderr


def test_nginx_takes_the_largest_report_the_site_accepts():
    report_mib = int(template_default("RECTIFY_EVIDENCE_MAX_REPORT_MB"))
    assert nginx("client_max_body_size") == [f"{report_mib + 1}m"]


def test_nginx_waits_longer_than_a_request_may_run():
    [read_timeout] = nginx("proxy_read_timeout")
    assert int(read_timeout.removesuffix("s")) > int(template_default("RECTIFY_WEB_TIMEOUT"))


def test_nginx_sends_the_evidence_from_the_location_the_site_names():
    location = template_default("RECTIFY_ACCEL_REDIRECT")
    block = re.search(rf"location {re.escape(location)} \{{(.*?)\}}", NGINX, re.DOTALL)
    assert block, f"no nginx location {location}"
    assert "internal;" in block.group(1)
    assert (
        re.search(r"alias (\S+/);", block.group(1)).group(1)
        == template_default("RECTIFY_DATA_DIR") + "/media/"
    )


def test_nginx_passes_to_the_address_rectify_serve_listens_on():
    assert template_default("RECTIFY_WEB_BIND") in nginx("server")


@pytest.mark.parametrize("unit", [path for path in UNITS if path.suffix == ".service"], ids=lambda p: p.name)
def test_each_service_runs_a_rectify_command_with_the_configuration_file(unit):
    config = configparser.ConfigParser(strict=False, interpolation=None)
    config.read(unit, encoding="utf-8")
    service = config["Service"]
    assert service["EnvironmentFile"] == "/etc/rectify/rectify.env"
    assert (service["User"], service["WorkingDirectory"]) == ("rectify", "/srv/rectify")
    program, command, *_ = shlex.split(service["ExecStart"])
    assert program == "/srv/rectify/.venv/bin/rectify" and command in get_commands(), service["ExecStart"]


def test_the_timer_starts_the_tick():
    assert (DEPLOY / "systemd" / "rectify-tick.timer").exists()
    assert "rectify tick" in (DEPLOY / "systemd" / "rectify-tick.service").read_text(encoding="utf-8")


def test_nginx_adds_none_of_the_security_headers_the_site_sends():
    """Django sends them on every answer; a second copy from nginx would conflict (two policies are
    both enforced). Only the internal evidence location adds its own: X-Accel-Redirect drops the site's."""
    outside_evidence = re.sub(r"location /protected/media/ \{.*?\n    \}", "", NGINX, flags=re.S)
    assert "location /protected/media/" in NGINX and "location /protected/media/" not in outside_evidence
    site_headers = (
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Strict-Transport-Security",
    )
    added = re.findall(r"^\s*add_header\s+([\w-]+)", outside_evidence, re.MULTILINE)
    assert not [header for header in added if header in site_headers], added
