"""rectify purge-audit: delete the part of the audit trail older than the retention
(RECTIFY_AUDIT_RETENTION_DAYS, at least 180 days). `rectify tick` runs it too, daily."""

from django.core.management.base import BaseCommand

from rectify.security.services import purge_expired, purge_summary


class Command(BaseCommand):
    help = "删除超过保存期限（RECTIFY_AUDIT_RETENTION_DAYS，至少 180 天）的审计日志和安全事件。"

    def handle(self, *args, **options):
        removed = purge_expired()
        self.stdout.write(purge_summary(removed))
