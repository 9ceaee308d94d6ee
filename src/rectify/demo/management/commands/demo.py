"""rectify demo: build a fresh demo database and serve it (or, with --no-serve, just build it).

The first screen a newcomer sees is the address and the accounts to log in with. The e-mail the demo
sends, while it is built and while it is served, goes to one .eml file per message in the mail folder
(rectify.demo.mail), never to the terminal and never out of the machine: the demo's addresses are made up.
"""

import io
import shutil
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from rectify.demo import mail
from rectify.demo.builder import DEFAULT_PASSWORD, build_demo
from rectify.ledger.models import Measure
from rectify.org.models import Role, User

# Accounts made outside the builder's list of people, shown after them.
EXTRA_ACCOUNTS = [("office2", "审核他人起草的通报"), ("admin", "可进入管理后台 /admin/")]


def width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(width(row[n]) for row in [header, *rows]) for n in range(len(header))]
    return [
        "  " + "  ".join(pad(cell, widths[n]) for n, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    ]


class Command(BaseCommand):
    help = "重建演示数据库（广州市交通运输局专项巡察整改），打印演示地址和账户并启动服务。"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只建库，不启动服务")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="所有演示账户的密码")
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="服务地址，默认 127.0.0.1:8000")

    def handle(self, *args, no_serve: bool, password: str, addrport: str, **options):
        if settings.PRODUCTION:
            raise CommandError("生产模式下不能重建演示数据库（会清空全部数据）。", returncode=2)
        address = f"http://{addrport}/"
        self.stdout.write(f"巡察整改督办平台演示：{address}（正在重建演示数据，约需一分钟）")
        # Every e-mail of this command, the building and the serving, goes to the mail folder.
        with override_settings(EMAIL_BACKEND=mail.BACKEND):
            self.build_and_serve(address, no_serve=no_serve, password=password, addrport=addrport)

    def build_and_serve(self, address: str, *, no_serve: bool, password: str, addrport: str) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        # The old demo's evidence files, meeting minutes and e-mail went with its rows.
        for folder in ("evidence", "minutes"):
            shutil.rmtree(Path(settings.MEDIA_ROOT) / folder, ignore_errors=True)
        mail.clear_outbox()
        call_command("load_holidays", stdout=io.StringIO(), stderr=io.StringIO())  # deadlines skip holidays
        result = build_demo(password=password)
        inspection = result.inspection
        self.stdout.write(self.style.SUCCESS(f"演示数据已建好：{connection.settings_dict['NAME']}"))
        self.stdout.write(
            f"巡察：{inspection.title}（{inspection.problems.count()} 个问题，"
            f"{Measure.objects.filter(problem__inspection=inspection).count()} 条整改措施）"
        )
        for other, note in (
            (result.earlier, "上一轮巡察，已全部销号"),
            (result.water, "同一轮次的另一被巡察单位"),
        ):
            if other is not None:
                self.stdout.write(f"　　{other.inspected.name}：{other.title}（{note}）")
        self.stdout.write(f"演示账户（密码均为 {result.password}）：")
        for line in table(["用户名", "姓名", "角色", "单位", "密码"], self.accounts(result)):
            self.stdout.write(line)
        self.stdout.write(
            "  其余各处室、单位的联络员和负责人：<单位代码>-ll、<单位代码>-head（如 gz-jtj-bgs-ll），密码相同"
        )
        self.stdout.write(
            f"演示发出的邮件（{mail.outbox_count()} 封）不在此显示，每封存为一个 .eml 文件："
            f"{mail.outbox_folder()}（可用邮件客户端或文本编辑器打开）"
        )
        if no_serve:
            self.stdout.write(f"运行 rectify demo（不加 --no-serve）启动服务后，访问 {address} 登录。")
            return
        self.stdout.write(self.style.SUCCESS(f"访问 {address} 登录。按 Ctrl+C 停止。"))
        call_command("runserver", addrport, use_reloader=False)

    def accounts(self, result) -> list[list[str]]:
        usernames = [person.username for person in result.accounts]
        notes = dict(EXTRA_ACCOUNTS)
        users = {
            user.username: user
            for user in User.objects.filter(username__in=[*usernames, *notes]).prefetch_related(
                "memberships__organisation"
            )
        }
        rows = []
        for username in [*usernames, *notes]:
            user = users.get(username)
            if user is None:
                continue
            membership = next(iter(user.memberships.all()), None)
            role = Role(membership.role).label if membership else "系统管理员"
            if username in notes:
                role += f"（{notes[username]}）"
            organisation = membership.organisation.name if membership else "—"
            rows.append([username, user.full_name, role, organisation, result.password])
        return rows
