"""rectify serve: the site in production, as systemd's rectify-web.service starts it.

First the static files: `collectstatic` writes them, compressed, with the manifest of their hashed
names under STATIC_ROOT, where WhiteNoise serves them; without the manifest every page would fail.
Then gunicorn, with workers and threads from the settings (RECTIFY_WEB_*, sized from the CPU count);
the command line overrides them.
"""

from __future__ import annotations

from argparse import ArgumentTypeError

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from rectify.server.runner import Server, Sizing, gunicorn_options
from rectify.server.static import missing_manifest


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"“{value}”不是整数") from None
    if number < 1:
        raise ArgumentTypeError(f"应不小于 1，现为 {number}")
    return number


class Command(BaseCommand):
    help = "以生产方式运行网站：收集静态文件（生成清单）后启动 gunicorn；进程数和线程数按 CPU 核数确定。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            help=f"监听地址（主机:端口或 unix:路径），默认 RECTIFY_WEB_BIND（{settings.RECTIFY_WEB_BIND}）",
        )
        parser.add_argument(
            "--workers",
            type=positive,
            help=f"工作进程数，默认 RECTIFY_WEB_WORKERS（{settings.RECTIFY_WEB_WORKERS}）",
        )
        parser.add_argument(
            "--threads",
            type=positive,
            help=f"每个进程的线程数，默认 RECTIFY_WEB_THREADS（{settings.RECTIFY_WEB_THREADS}）",
        )
        parser.add_argument(
            "--timeout",
            type=positive,
            help=f"单个请求的最长秒数，默认 RECTIFY_WEB_TIMEOUT（{settings.RECTIFY_WEB_TIMEOUT}）",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="不收集静态文件（静态文件已在安装时收集好；清单缺失时拒绝启动）",
        )

    def handle(
        self,
        *args,
        bind: str | None,
        workers: int | None,
        threads: int | None,
        timeout: int | None,
        no_collectstatic: bool,
        **options,
    ) -> None:
        if not settings.PRODUCTION:
            raise CommandError(
                "rectify serve 只用于生产模式（RECTIFY_ENV=production，见 docs/deployment.md）；"
                "开发和演示请用 make demo 或 rectify runserver。",
                returncode=2,
            )
        if no_collectstatic:
            if missing := missing_manifest():
                raise CommandError(
                    f"静态文件清单 {missing} 不存在：请先运行 rectify collectstatic --noinput，"
                    "或去掉 --no-collectstatic。",
                    returncode=2,
                )
        else:
            self.stdout.write(f"收集静态文件到 {settings.STATIC_ROOT} …")
            call_command("collectstatic", interactive=False, verbosity=0)
        sizing = Sizing(
            bind=bind or settings.RECTIFY_WEB_BIND,
            workers=workers or settings.RECTIFY_WEB_WORKERS,
            threads=threads or settings.RECTIFY_WEB_THREADS,
            timeout=timeout or settings.RECTIFY_WEB_TIMEOUT,
        )
        self.stdout.write(
            f"启动 gunicorn：{sizing.bind}，{sizing.workers} 个进程 × {sizing.threads} 个线程。"
        )
        self.stdout.flush()
        # The workers are forked from this process: none may inherit its database connections.
        connections.close_all()
        Server(gunicorn_options(sizing)).run()
