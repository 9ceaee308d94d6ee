"""rectify reindex [--inspection ID]: rebuild the search index from the ledger.

Saves keep the index current by themselves; run this after upgrading a database that had data
before search existed, after writing rows by hand (SQL, `update()`), or to rebuild one inspection.
Safe to run at any time: it writes in one transaction and never duplicates an entry.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from rectify.console import ProgressBar
from rectify.ledger.models import Inspection
from rectify.search.indexing import indexed_total, reindex


class Command(BaseCommand):
    help = "重建全文检索索引（问题、整改措施、整改进展、长效机制、督办单、意见诉求）。"

    def add_arguments(self, parser):
        parser.add_argument("--inspection", type=int, metavar="ID", help="只重建这一次巡察的内容")

    def handle(self, *args, inspection: int | None = None, **options):
        if inspection is not None and not Inspection.objects.filter(pk=inspection).exists():
            raise CommandError(f"巡察 {inspection} 不存在。", returncode=2)
        with ProgressBar("重建检索索引", indexed_total(inspection), self.stderr._out) as bar:
            written = reindex(inspection, on_written=bar.advance)
        scope = f"巡察 {inspection}" if inspection is not None else "全部内容"
        self.stdout.write(f"已重建检索索引（{scope}）：{written} 条。")
