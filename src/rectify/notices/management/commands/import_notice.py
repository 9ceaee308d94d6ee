"""rectify import-notice PATH: read a rectification notice and write it to the ledger."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rectify.errors import RectifyError
from rectify.notices.document import NoticeParseError
from rectify.notices.importer import import_notice, refuse_if_imported, resolve_organisation
from rectify.notices.parser import parse_bytes
from rectify.notices.services import source_text

BAD_INPUT = 2


class Command(BaseCommand):
    help = "导入巡察整改通报（.txt/.html/.docx），写入巡察、问题和整改措施。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="通报文件路径")
        parser.add_argument(
            "--organisation", metavar="CODE", help="被巡察组织的代码；省略时按通报落款匹配或新建"
        )
        parser.add_argument("--dry-run", action="store_true", help="只解析并报告，不写入数据库")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="把解析结果以 JSON 输出到标准输出"
        )

    def handle(self, *args, path: str, organisation: str | None, dry_run: bool, as_json: bool, **options):
        source = Path(path)
        try:
            if not source.is_file():
                raise RectifyError(f"文件不存在：{path}")
            data = source.read_bytes()
            if len(data) > settings.RECTIFY_NOTICE_MAX_BYTES:
                raise RectifyError(
                    f"文件过大（{len(data)} 字节），上限为 {settings.RECTIFY_NOTICE_MAX_BYTES} 字节。"
                )
            document = parse_bytes(data, filename=source.name)
            if as_json:
                self.stdout.write(json.dumps(document.to_dict(), ensure_ascii=False, indent=2))
            summary = (
                f"{len(document.areas)} 个方面，{len(document.problems)} 个问题，"
                f"{document.measure_count} 条整改措施"
            )
            # A dry run without an organisation needs no database at all.
            if organisation or not dry_run:
                target, name = resolve_organisation(document, organisation)
            if dry_run:
                if organisation:  # known: the dry run refuses a duplicate as the import would
                    refuse_if_imported(document, target)
                self.stderr.write(f"试导入（未写入）：《{document.title}》，{summary}。")
                return
            inspection = import_notice(
                document,
                organisation=target,
                organisation_name=name,
                source_name=source.name,
                source_text=source_text(data, source.name),
            )
        except (NoticeParseError, RectifyError) as error:
            raise CommandError(str(error), returncode=BAD_INPUT) from error
        self.stderr.write(
            self.style.SUCCESS(
                f"已导入巡察“{inspection.title}”（编号 {inspection.pk}，"
                f"组织：{inspection.inspected}）：{summary}。"
            )
        )
