"""Public holidays and 调休 working weekends of mainland China, from the `holidays` library.

The library (Vacanza's Open World Holidays Framework, MIT) ships each year's arrangement as announced by
the General Office of the State Council (国务院办公厅关于某年部分节假日安排的通知): the holidays, and the
weekdays given off in exchange for weekend days worked (调休). For a year not yet announced it would only
estimate the statutory days without any 调休, so such a year is not loaded: it is reported, and until it
is announced (and the library updated) or the office enters it by hand, its working days are Monday to
Friday (`workdays.is_workday`).

Only the days that break the weekday rule are stored (WorkCalendarDay): a holiday on a weekday is off, a
调休 weekend day is on. Loading is idempotent and leaves alone every day the administrator entered or
corrected by hand (source MANUAL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import holidays
from django.db import transaction
from django.utils import timezone
from holidays.countries.china import ChinaStaticHolidays

from rectify.org.access import Access
from rectify.org.models import Role, User

from . import extensions
from .models import WorkCalendarDay

LIBRARY_VERSION: str = holidays.__version__
# The years the library has the State Council's announcement for (with their 调休 days).
ANNOUNCED_YEARS: frozenset[int] = frozenset(ChinaStaticHolidays.special_public_holidays)
FIRST_YEAR, LAST_YEAR = 1950, 2100  # what a year may be at all (the library's range for China)
# From this month on next year's arrangement matters (reply deadlines run into it) and its absence is
# reported; the State Council announces it in the autumn, usually in November.
NEXT_YEAR_FROM_MONTH = 11

_SUBSTITUTED = re.compile(r"由 ?(\d{4}-\d{2}-\d{2}) ?调休")
_OBSERVED = re.compile(r"（补假.*?）$")


def is_announced(year: int) -> bool:
    return year in ANNOUNCED_YEARS


def library_days(year: int) -> dict[date, tuple[bool, str]] | None:
    """{day: (is_workday, note)} for the days of `year` that break the weekday rule, from the library;
    None when the library has no announcement for that year."""
    if not is_announced(year):
        return None
    calendar = holidays.China(years=year, language="zh_CN")
    names = {day: str(name) for day, name in calendar.items()}
    days: dict[date, tuple[bool, str]] = {}
    for day, name in names.items():
        if day.weekday() >= 5:
            continue  # a weekend day off is no exception
        worked = _SUBSTITUTED.search(name)
        if worked:
            festival = _festival_near(day, names)
            days[day] = (False, f"{festival}调休放假" if festival else "调休放假")
        else:
            days[day] = (False, name)
    for day in calendar.weekend_workdays:
        if day.year != year:
            continue
        off = next((d for d, name in names.items() if day.isoformat() in name), None)
        festival = _festival_near(off, names) if off else ""
        days[day] = (True, f"{festival}调休上班" if festival else "调休上班")
    return days


def _festival_near(day: date, names: dict[date, str]) -> str:
    """The festival a 调休 day off belongs to: the nearest real holiday within a week of it."""
    for distance in range(1, 8):
        for near in (day - timedelta(days=distance), day + timedelta(days=distance)):
            name = names.get(near)
            if name and not _SUBSTITUTED.search(name):
                return "春节" if name == "农历除夕" else _OBSERVED.sub("", name)
    return ""


@dataclass
class YearLoad:
    year: int
    announced: bool
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept_manual: int = 0  # days the library has that an administrator set by hand: left as they are
    total: int = 0  # days of the year in the library's arrangement that break the weekday rule

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    @property
    def summary(self) -> str:
        if not self.announced:
            return unpublished_message(self.year)
        if not self.changed:
            text = f"{self.year} 年节假日安排已是最新（共 {self.total} 天节假日和调休上班日）"
            return text + (f"，其中 {self.kept_manual} 天为人工修正。" if self.kept_manual else "。")
        changes = [f"新增 {self.created} 天"] if self.created else []
        if self.updated:
            changes.append(f"更新 {self.updated} 天")
        if self.removed:
            changes.append(f"删除 {self.removed} 天")
        text = f"{self.year} 年节假日安排已载入（{'，'.join(changes)}）"
        if self.kept_manual:
            text += f"，{self.kept_manual} 天保留人工修正"
        return text + "。"


def unpublished_message(year: int) -> str:
    return f"{year} 年的节假日安排尚未发布，工作日暂按周一至周五计算"


@transaction.atomic
def load_year(year: int) -> YearLoad:
    """Bring the calendar's rows of `year` in step with the library: add the days it has, correct the
    library rows it now has otherwise, remove the library rows it no longer has. Rows entered or
    corrected by hand stay as they are. Running it again changes nothing."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year out of range: {year}")
    wanted = library_days(year)
    result = YearLoad(year=year, announced=wanted is not None)
    if wanted is None:
        return result
    result.total = len(wanted)
    existing = {
        row.date: row
        for row in WorkCalendarDay.objects.select_for_update().filter(
            date__range=(date(year, 1, 1), date(year, 12, 31))
        )
    }
    new = []
    for day, (is_workday, note) in sorted(wanted.items()):
        row = existing.get(day)
        if row is None:
            new.append(
                WorkCalendarDay(
                    date=day, is_workday=is_workday, note=note, source=WorkCalendarDay.Source.LIBRARY
                )
            )
        elif row.source == WorkCalendarDay.Source.MANUAL:
            result.kept_manual += 1
        elif (row.is_workday, row.note) != (is_workday, note):
            row.is_workday, row.note = is_workday, note
            row.save(update_fields=["is_workday", "note"])
            result.updated += 1
    # ignore_conflicts: a day another run (two ticks at once) has just added is already right.
    result.created = len(WorkCalendarDay.objects.bulk_create(new, ignore_conflicts=True))
    stale = [
        row.pk
        for day, row in existing.items()
        if row.source == WorkCalendarDay.Source.LIBRARY and day not in wanted
    ]
    if stale:
        result.removed, _ = WorkCalendarDay.objects.filter(pk__in=stale).delete()
    if result.changed:
        extensions.count_again(timezone.localdate())  # rows that count working days
    return result


def years_to_load(today: date) -> list[int]:
    """The years the daily tick keeps loaded: this year and the next."""
    return [today.year, today.year + 1]


def unpublished_years(today: date) -> list[int]:
    """The years deadlines now run into whose holidays the calendar lacks: this year, and from
    November the next. A year with any day in the calendar (loaded, or entered by hand) counts as
    arranged."""
    years = [today.year] + ([today.year + 1] if today.month >= NEXT_YEAR_FROM_MONTH else [])
    arranged = {
        day.year
        for day in WorkCalendarDay.objects.filter(
            date__range=(date(years[0], 1, 1), date(years[-1], 12, 31))
        ).dates("date", "year")
    }
    return [year for year in years if year not in arranged]


def calendar_warnings(today: date) -> list[str]:
    """What the office is told about the working-day calendar today, in Chinese (empty when complete)."""
    warnings = []
    for year in unpublished_years(today):
        if is_announced(year):
            warnings.append(
                f"{year} 年的节假日安排尚未载入，工作日暂按周一至周五计算；"
                f"运行 rectify load-holidays --year {year} 即可载入"
            )
        else:
            warnings.append(unpublished_message(year))
    return warnings


def calendar_warnings_for(user: User, today: date) -> list[str]:
    """The calendar warnings for the pages of the people who put it right: the office and the
    administrator; nobody else is told (nor made to run the query)."""
    access = Access.of(user)
    if not (access.is_superuser or Role.OFFICE in access.roles):
        return []
    return calendar_warnings(today)
