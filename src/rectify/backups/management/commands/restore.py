"""rectify restore BACKUP [--yes]: check a backup against its manifest, then restore it into the
configured database and media folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rectify.backups.services import ENGINE_NAMES, BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "从 rectify backup 生成的 .tar 恢复数据库和上传的文件：先逐一核对 SHA-256，损坏或不完整的备份不恢复。"
        "请先停止网站和后台任务。"
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="备份文件（rectify-backup-日期-时间.tar）")
        parser.add_argument(
            "--yes", action="store_true", help="目标数据库或文件目录已有内容时，确认用备份覆盖"
        )

    def handle(self, *args, backup: str, yes: bool, **options):
        try:
            restored = restore_backup(Path(backup), overwrite=yes, say=self.stdout.write)
        except BackupError as error:
            raise CommandError(error.message, returncode=1) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：{ENGINE_NAMES[restored.engine]} 数据库和 {restored.files} 个文件，"
                f"为 {restored.created_at} 的备份。"
            )
        )
        if restored.needs_migrate:
            self.stdout.write("备份早于当前程序版本：请运行 rectify migrate 更新数据库结构。")
