"""rectify tick [--date YYYY-MM-DD]: the daily run of the supervision engine.

It first loads the public holidays and 调休 days of this year and the next into the working-day
calendar (`rectify load-holidays`) and says which year's arrangement is still missing. Then it raises the
warnings due that day and reminds the deciders of stuck sign-offs (inline), deletes the
audit trail past its retention (rectify.security), then queues
one digest per person with notifications not yet sent, on the configured tasks backend: sent at once
with the immediate backend, by `rectify db_worker` or `rectify rqworker` otherwise. Safe to run again
(or twice at once): a fact is announced once and a person gets at most one digest a day; people whose
digest already went out that day are not queued again, their new notifications go with the next one.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus

from rectify.dbstats import refresh_statistics
from rectify.documents import date_label
from rectify.security.services import purge_expired, purge_summary
from rectify.supervision import extensions
from rectify.supervision.holiday_calendar import calendar_warnings, load_year, years_to_load
from rectify.supervision.models import DigestLog
from rectify.supervision.services import users_with_pending_digest
from rectify.supervision.tallies import refresh
from rectify.supervision.tasks import deliver_digest, run_daily_warnings


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "每日巡检：按整改时限发出预警，提醒滞留的销号审批，并为有新通知的人安排当天的汇总推送。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="day", metavar="YYYY-MM-DD", help="按这一天执行（默认今天，按 TIME_ZONE 计）"
        )

    def handle(self, *args, day: str | None = None, **options):
        today = parse_day(day) if day else timezone.localdate()
        iso = today.isoformat()
        # The holidays first: the reply deadlines and warnings below count working days with them.
        for result in [load_year(year) for year in years_to_load(today)]:
            if result.changed:
                self.say(result.summary)
        if today == timezone.localdate():
            # A new day: the summary rows (overdue, warned) are counted for it, once for all.
            refresh(on=today)
            extensions.count_again(today)  # the apps above: public feedback's rows
        refresh_statistics()  # SQLite has no autovacuum to keep the query planner's statistics
        counts = run_daily_warnings.call(iso)
        self.say(
            f"巡检日期：{date_label(today)}\n"
            f"新发预警 {counts['warnings_raised']} 项，新增通知 {counts['notifications']} 条"
            f"（其中销号滞留提醒 {counts['signoff_reminders']} 条），"
            f"督办单逾期升级 {counts['orders_escalated']} 件。"
        )
        # The audit trail past its retention (RECTIFY_AUDIT_RETENTION_DAYS); `rectify purge-audit` alone too.
        self.say(purge_summary(purge_expired()))

        for warning in calendar_warnings(today):
            self.say(self.style.WARNING(f"注意：{warning}。"))

        pending = users_with_pending_digest()
        done_today = DigestLog.objects.filter(day=today).values("user_id")
        later = pending.filter(pk__in=done_today).count()
        user_ids = list(pending.exclude(pk__in=done_today).order_by("pk").values_list("pk", flat=True))
        results = []
        for user_id in user_ids:
            try:
                results.append(deliver_digest.enqueue(user_id, iso))
            except Exception as error:  # the queue (Redis, the database) is unreachable
                raise CommandError(
                    f"已排队 {len(results)} 份汇总后任务队列不可用：{error}。"
                    "预警与通知已保存，再次运行 rectify tick 即可补发。"
                ) from error

        finished = [result for result in results if result.is_finished]
        queued = len(results) - len(finished)
        sent = sum(
            1 for result in finished if result.status == TaskResultStatus.SUCCESSFUL and result.return_value
        )
        failed = sum(1 for result in finished if result.status == TaskResultStatus.FAILED)
        if not results:
            self.say("每日汇总：没有待推送的通知。")
        elif finished:
            self.say(f"每日汇总：已发送 {sent} 份" + (f"，失败 {failed} 份" if failed else "") + "。")
        if queued:
            self.say(f"每日汇总：已排队 {queued} 份，由后台任务进程（rectify db_worker 或 rqworker）发送。")
        if later:
            self.say(f"另有 {later} 人今天已收到汇总，新通知将并入下一次汇总。")
        if failed:
            raise CommandError(f"{failed} 份汇总发送失败（详见日志），其中的通知将并入下一次汇总。")

    def say(self, text: str) -> None:
        if self.verbosity:
            self.stdout.write(text)

    def execute(self, *args, **options):
        self.verbosity = options.get("verbosity", 1)
        return super().execute(*args, **options)
