"""The local calendar day of a stored instant, computed in the database without a function call per row.

Django's `TruncDate` (and the `__date` lookup) converts each row's UTC instant to the current time
zone. PostgreSQL does it natively; SQLite calls back into Python once per row (zoneinfo), which took
most of the feedback statistics' time. When the time zone keeps one UTC offset over the years the data
can hold (Asia/Shanghai has since 1991), SQLite's own `date(instant, '+N seconds')` gives the same
day; an instant outside those years still takes Django's conversion, so the day is always exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from django.conf import settings
from django.db.models.functions import TruncDate
from django.utils import timezone

FIXED_FROM = datetime(2000, 1, 1)  # the years checked for one offset (naive: local wall time)
FIXED_UNTIL = datetime(2100, 1, 1)


@lru_cache(maxsize=8)
def fixed_offset_seconds(zone: tzinfo) -> int | None:
    """The zone's UTC offset in seconds when it is the same on the 1st and the 15th of every month
    from FIXED_FROM to FIXED_UNTIL (no daylight saving time, no change of standard time); None
    otherwise."""
    offsets = set()
    day = FIXED_FROM
    while day < FIXED_UNTIL and len(offsets) < 2:
        for moment in (day, day + timedelta(days=14)):
            offsets.add(moment.replace(tzinfo=zone).utcoffset())
        day = day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
    if len(offsets) != 1:
        return None
    return int(offsets.pop().total_seconds())


class LocalDate(TruncDate):
    """`TruncDate` (the day of an instant in the current time zone) that SQLite computes natively when
    the zone's offset is fixed over FIXED_FROM..FIXED_UNTIL."""

    def as_sqlite(self, compiler, connection, **extra_context):
        exact_sql, exact_params = self.as_sql(compiler, connection)
        if not settings.USE_TZ:
            return exact_sql, exact_params
        offset = fixed_offset_seconds(self.tzinfo or timezone.get_current_timezone())
        if offset is None:
            return exact_sql, exact_params
        sql, params = compiler.compile(self.lhs)
        # Stored instants are UTC text ("YYYY-MM-DD HH:MM:SS[.ffffff]"), the bounds too, so the
        # comparison is in time order; an instant outside the checked years keeps the exact conversion.
        # The fraction is cut off (substr): SQLite keeps milliseconds and would round 23:59:59.9995 up
        # into the next day.
        # A day inside the checked years on either side: no offset reaches a day.
        low = (FIXED_FROM + timedelta(days=1)).strftime("%Y-%m-%d")
        high = (FIXED_UNTIL - timedelta(days=1)).strftime("%Y-%m-%d")
        return (
            f"CASE WHEN {sql} >= %s AND {sql} < %s THEN date(substr({sql}, 1, 19), %s) ELSE {exact_sql} END",
            (*params, low, *params, high, *params, f"{offset:+d} seconds", *exact_params),
        )
