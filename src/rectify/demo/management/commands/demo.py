"""rectify demo: build a fresh demo database and serve it (or, with --no-serve, just build it)."""

import io
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from rectify.demo.builder import DEFAULT_PASSWORD, build_demo
from rectify.ledger.models import Measure
from rectify.org.models import Role


class Command(BaseCommand):
    help = "重建演示数据库（广州市交通运输局专项巡察整改），打印演示账户并启动服务。"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只建库，不启动服务")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="所有演示账户的密码")
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="服务地址，默认 127.0.0.1:8000")

    def handle(self, *args, no_serve: bool, password: str, addrport: str, **options):
        if settings.PRODUCTION:
            raise CommandError("生产模式下不能重建演示数据库（会清空全部数据）。", returncode=2)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        # The old demo's evidence files went with its rows.
        shutil.rmtree(Path(settings.MEDIA_ROOT) / "evidence", ignore_errors=True)
        call_command("load_holidays", stdout=io.StringIO(), stderr=io.StringIO())  # deadlines skip holidays
        result = build_demo(password=password)
        inspection = result.inspection
        self.stdout.write(self.style.SUCCESS(f"演示数据已建好：{connection.settings_dict['NAME']}"))
        self.stdout.write(
            f"巡察：{inspection.title}（{inspection.problems.count()} 个问题，"
            f"{Measure.objects.filter(problem__inspection=inspection).count()} 条整改措施）"
        )
        self.stdout.write(f"演示账户（密码均为 {result.password}）：")
        for person in result.accounts:
            self.stdout.write(
                f"  {person.username:<11} {person.full_name}  {person.title}（{Role(person.role).label}）"
            )
        self.stdout.write("  office2     钱晓燕  整改办（审核他人起草的通报）")
        self.stdout.write("  admin       系统管理员（可进入管理后台）")
        self.stdout.write(
            "  其余各处室、单位的联络员和负责人：<单位代码>-ll、<单位代码>-head（如 gz-jtj-bgs-ll）"
        )
        if no_serve:
            return
        self.stdout.write(f"访问 http://{addrport}/ 登录。按 Ctrl+C 停止。")
        call_command("runserver", addrport, use_reloader=False)
