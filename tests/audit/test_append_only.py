"""The audit trail is append-only: nobody changes or deletes a LogEntry or a SecurityEvent, not the
product, not the admin (superuser included), and on PostgreSQL not even raw SQL; only the retention
purge deletes, and only what is older than the retention (at least 180 days)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from rectify.org.models import Organisation, User
from rectify.security.models import AppendOnly, Kind, SecurityEvent
from rectify.security.services import purge_expired, record

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="triggers exist on PostgreSQL only"
)


@pytest.fixture
def trail(world):
    """One change entry (an organisation created) and one security event, both fresh."""
    entry = LogEntry.objects.get_for_object(world.orgs["a"]).filter(action=LogEntry.Action.CREATE).get()
    event = record(Kind.LOGIN, user=world.alice)
    return entry, event


def aged(days: int) -> tuple[LogEntry, SecurityEvent]:
    """A change entry and a security event written `days` ago: an insert may carry any time, which
    is how a test ages the trail without waiting."""
    organisation = Organisation.objects.create(
        name=f"{days} 天前的单位", code=f"old-{days}", kind="department"
    )
    entry = LogEntry.objects.get_for_object(organisation).filter(action=LogEntry.Action.CREATE).get()
    back = timezone.now() - timedelta(days=days)
    old_entry = LogEntry.objects.create(
        content_type=entry.content_type,
        object_pk=entry.object_pk,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        action=LogEntry.Action.CREATE,
        timestamp=back,
        additional_data=entry.additional_data,
    )
    event = SecurityEvent.objects.create(kind=Kind.LOGIN, username=f"old-{days}", created_at=back)
    return old_entry, event


# ------------------------------------------------------------------ in the product


def refused(change) -> None:
    # In a savepoint: a delete() refused by a signal happens inside Django's own atomic block.
    with pytest.raises(AppendOnly, match="只能追加"), transaction.atomic():
        change()


def test_models_refuse_update_and_delete(trail):
    entry, event = trail
    event.path = "/changed/"
    refused(event.save)
    refused(event.delete)
    refused(lambda: SecurityEvent.objects.filter(pk=event.pk).update(path="/changed/"))
    refused(lambda: SecurityEvent.objects.all().delete())
    entry.object_repr = "改过的名称"
    refused(entry.save)
    refused(entry.delete)
    refused(lambda: LogEntry.objects.filter(pk=entry.pk).delete())
    assert SecurityEvent.objects.get(pk=event.pk).path == ""
    assert LogEntry.objects.get(pk=entry.pk).object_repr == "甲局"


def test_admin_offers_no_add_change_or_delete_even_to_a_superuser(trail):
    entry, event = trail
    User.objects.create_superuser("root", password="Root-pass-2025-x")
    client = Client()
    client.force_login(User.objects.get(username="root"))
    for model, pk in (("auditlog/logentry", entry.pk), ("security/securityevent", event.pk)):
        assert client.get(f"/admin/{model}/").status_code == 200
        assert client.get(f"/admin/{model}/add/").status_code == 403
        assert client.get(f"/admin/{model}/{pk}/delete/").status_code == 403
        assert client.post(f"/admin/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
        # The change form shows the record read-only; a POST changes nothing.
        client.post(f"/admin/{model}/{pk}/change/", {"path": "/x/", "object_repr": "x"})
        bulk = client.post(
            f"/admin/{model}/", {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
        )
        assert bulk.status_code in (200, 302)
    assert LogEntry.objects.filter(pk=entry.pk, object_repr="甲局").exists()
    assert SecurityEvent.objects.filter(pk=event.pk, path="").exists()


# ------------------------------------------------------------------ retention


def test_purge_deletes_only_what_is_past_the_retention(world, settings):
    settings.RECTIFY_AUDIT_RETENTION_DAYS = 180
    old_entry, old_event = aged(200)
    young_entry, young_event = aged(170)
    removed = purge_expired()
    assert removed == {"log_entries": 1, "security_events": 1, "days": 180}
    assert not LogEntry.objects.filter(pk=old_entry.pk).exists()
    assert not SecurityEvent.objects.filter(pk=old_event.pk).exists()
    assert LogEntry.objects.filter(pk=young_entry.pk).exists()
    assert SecurityEvent.objects.filter(pk=young_event.pk).exists()


def test_retention_below_180_days_is_never_applied(world, settings):
    settings.RECTIFY_AUDIT_RETENTION_DAYS = 30  # the environment refuses this; an override is raised
    _, event = aged(100)
    assert purge_expired()["days"] == 180
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


def test_purge_command_and_the_daily_tick(world):
    _, event = aged(400)
    out = StringIO()
    call_command("purge_audit", stdout=out)
    assert "审计日志保存期限 180 天" in out.getvalue() and "安全事件 1 条" in out.getvalue()
    assert not SecurityEvent.objects.filter(pk=event.pk).exists()
    out = StringIO()
    call_command("tick", stdout=out)
    assert "审计日志保存期限 180 天：删除过期审计记录 0 条、安全事件 0 条。" in out.getvalue()


def test_a_retention_below_180_days_is_refused_at_start_up(tmp_path):
    environment = {**os.environ, "RECTIFY_AUDIT_RETENTION_DAYS": "90", "RECTIFY_DATA_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "rectify.cli", "check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "RECTIFY_AUDIT_RETENTION_DAYS 应不小于 180，现为 90" in run.stderr
    assert "Traceback" not in run.stderr


# ------------------------------------------------------------------ in the database (PostgreSQL)


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@postgres_only
def test_raw_update_and_delete_are_refused_by_the_database(trail):
    entry, event = trail
    attempts = [
        ("UPDATE auditlog_logentry SET object_repr = 'x' WHERE id = %s", [entry.pk]),
        ("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk]),
        ("UPDATE security_securityevent SET path = '/x/' WHERE id = %s", [event.pk]),
        ("UPDATE security_securityevent SET user_id = NULL, path = '/x/' WHERE id = %s", [event.pk]),
        ("DELETE FROM security_securityevent WHERE id = %s", [event.pk]),
    ]
    for sql, params in attempts:
        with pytest.raises(DatabaseError, match="审计记录只能追加"):
            raw(sql, params)
    assert LogEntry.objects.filter(pk=entry.pk, object_repr="甲局").exists()
    assert SecurityEvent.objects.filter(pk=event.pk, path="").exists()


@postgres_only
def test_deleting_a_user_keeps_the_trail_and_only_nulls_the_reference(world):
    from auditlog.context import set_actor

    user = User.objects.create_user("temp", password="Temp-pass-2025-x")
    with set_actor(user):
        organisation = Organisation.objects.create(name="临时单位", code="temp", kind="department")
    event = record(Kind.LOGIN, user=user)
    user.delete()
    entry = LogEntry.objects.get_for_object(organisation).filter(action=LogEntry.Action.CREATE).get()
    assert entry.actor_id is None
    event = SecurityEvent.objects.get(pk=event.pk)
    assert event.user_id is None and event.username == "temp"


@postgres_only
def test_the_purge_flag_lets_only_old_rows_go(world):
    _, old_event = aged(200)
    young_entry, young_event = aged(100)
    with (
        pytest.raises(DatabaseError, match="未满保存期限"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL rectify.audit_purge = 'on'")
        cursor.execute("SET LOCAL rectify.audit_retention_days = '1'")  # asks for less than 180
        cursor.execute("DELETE FROM security_securityevent WHERE id = %s", [young_event.pk])
    assert SecurityEvent.objects.filter(pk=young_event.pk).exists()
    assert purge_expired() == {"log_entries": 1, "security_events": 1, "days": 180}
    assert not SecurityEvent.objects.filter(pk=old_event.pk).exists()
    assert LogEntry.objects.filter(pk=young_entry.pk).exists()
    # The flag ends with the purge: the same transaction cannot go on deleting.
    with pytest.raises(DatabaseError, match="只能追加"):
        raw("DELETE FROM security_securityevent WHERE id = %s", [young_event.pk])
