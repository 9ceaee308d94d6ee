"""rectify backup [DIR]: the database and the uploaded files in one .tar with a SHA-256 manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from rectify.backups.services import BackupError, default_directory, make_backup


class Command(BaseCommand):
    help = (
        "备份数据库和上传的文件（佐证材料等）到一个 .tar 文件（以日期时间命名，附 SHA-256 校验清单）。"
        "网站运行时也可备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", help="备份存放的目录（没有则新建），默认 $RECTIFY_DATA_DIR/backups"
        )

    def handle(self, *args, directory: str | None, **options):
        try:
            made = make_backup(Path(directory) if directory else default_directory(), self.stdout.write)
        except BackupError as error:
            raise CommandError(error.message, returncode=1) from error
        size = filesizeformat(made.path.stat().st_size)
        self.stdout.write(
            self.style.SUCCESS(f"备份完成：{made.path}（{size}，数据库和 {made.files} 个文件）。")
        )
