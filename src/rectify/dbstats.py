"""Fresh statistics for the database's query planner.

Without them SQLite guesses that any indexed column is selective, and reads, say, every measure in
progress through the status index before asking which of them belong to the unit filtered on (three to
four times slower for the ledger page). PostgreSQL's autovacuum keeps its statistics; SQLite has no such
daemon, so the daily tick refreshes them, and a bulk load (the benchmark's synthetic province) does on
both databases what autovacuum would do later. On PostgreSQL that is also VACUUM: until a table's pages
are marked all-visible, an index-only scan still reads every row it counts from the table (the review
queue's badge in the navigation read 30,000 reports, 61 ms, on every page of a freshly loaded province;
3 ms once vacuumed)."""

from __future__ import annotations

from django.db import connection

# Rows sampled per index on SQLite: enough to tell a selective index from one that is not, in well under a
# second on a province's database (a full ANALYZE reads every row of every index).
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics(*, bulk_load: bool = False) -> None:
    """ANALYZE on SQLite (sampled); on PostgreSQL only after a bulk load, before autovacuum gets to it,
    with VACUUM where it can run (not inside a transaction, as in a test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
            cursor.execute("ANALYZE")
        elif bulk_load:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
