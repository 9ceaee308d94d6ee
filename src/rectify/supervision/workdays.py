"""Working days (工作日): Monday to Friday, unless a WorkCalendarDay row says otherwise (a public
holiday on a weekday is off, a 调休 weekend day is on). Feedback reply deadlines count in these."""

from __future__ import annotations

from datetime import date, timedelta

from .models import WorkCalendarDay

# Enough calendar days to hold `days` working days even around the longest holidays (Spring
# Festival and National Day take 8 days off in a row, with 调休 around them).
_SPAN_FACTOR = 2
_SPAN_MARGIN = 21


def _exceptions(first: date, last: date) -> dict[date, bool]:
    """The calendar's exceptions between two dates (inclusive), in one query."""
    return dict(WorkCalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday"))


def is_workday(day: date, exceptions: dict[date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(day, day)
    return exceptions.get(day, day.weekday() < 5)


def add_workdays(start: date, days: int) -> date:
    """The `days`-th working day after `start` (`start` itself does not count); `start` for 0."""
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return start
    span = days * _SPAN_FACTOR + _SPAN_MARGIN
    while True:
        exceptions = _exceptions(start + timedelta(days=1), start + timedelta(days=span))
        day, counted = start, 0
        for _ in range(span):
            day += timedelta(days=1)
            if is_workday(day, exceptions):
                counted += 1
                if counted == days:
                    return day
        span *= 2  # a calendar with an unusually long break: look further


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    exceptions = _exceptions(start + timedelta(days=1), end)
    return sum(is_workday(start + timedelta(days=n), exceptions) for n in range(1, (end - start).days + 1))


def cumulative_workdays(first: date, last: date) -> dict[date, int]:
    """{day: working days after `first` up to and including day} for every day from `first` to
    `last`, in one query: the working days between any two of them is a subtraction."""
    exceptions = _exceptions(first + timedelta(days=1), last)
    counts, running = {first: 0}, 0
    for n in range(1, (last - first).days + 1):
        day = first + timedelta(days=n)
        running += is_workday(day, exceptions)
        counts[day] = running
    return counts
