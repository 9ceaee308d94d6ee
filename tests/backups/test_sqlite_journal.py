"""SQLite as the product opens it (through Django's connection): write-ahead log, so readers go on
while one writer commits and a killed process leaves the last commit whole; a busy timeout, so a
second writer waits for the lock instead of failing at once."""

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's journal settings")


def pragma(name: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_the_database_runs_in_wal_mode_with_a_busy_timeout(db):
    assert pragma("journal_mode") == "wal"
    assert pragma("busy_timeout") == 5000  # milliseconds
    assert pragma("synchronous") == 1  # NORMAL: with WAL, durable against a crash of the process
