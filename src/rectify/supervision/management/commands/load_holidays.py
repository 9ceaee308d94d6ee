"""rectify load-holidays [--year YYYY ...]: load the public holidays and 调休 working weekends of
mainland China into the working-day calendar (this year and the next by default).

Idempotent; days the administrator entered or corrected by hand are left as they are. A year whose
arrangement the State Council has not yet announced (or the installed holidays library does not yet
have) is reported, and its working days stay Monday to Friday until it is loaded. `rectify tick` and
`rectify demo` run it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rectify.supervision.holiday_calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    LIBRARY_VERSION,
    load_year,
    years_to_load,
)


def parse_year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        raise CommandError(f"年份应为四位数字：{value}") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CommandError(f"年份应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间：{value}")
    return year


class Command(BaseCommand):
    help = "载入国务院公布的节假日和调休上班日（默认今年和明年）；人工修正过的日期保持不变。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            dest="years",
            action="append",
            metavar="YYYY",
            help="载入哪一年（可重复；默认今年和明年）",
        )

    def handle(self, *args, years: list[str] | None = None, **options):
        chosen = [parse_year(value) for value in years] if years else years_to_load(timezone.localdate())
        for year in dict.fromkeys(chosen):
            result = load_year(year)
            if result.announced:
                self.stdout.write(result.summary)
            else:
                self.stderr.write(
                    f"{result.summary}（节假日库 holidays {LIBRARY_VERSION} 尚无该年安排；"
                    "国务院公布后升级节假日库再运行本命令，或在管理后台“节假日调整”中录入）。"
                )
