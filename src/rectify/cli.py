"""The `rectify` console command: Django's manage.py for this project.

`rectify import-notice …` and `rectify import_notice …` are the same command; the hyphenated form
reads better in documentation and shells.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError, InterfaceError

    try:
        settings.INSTALLED_APPS  # noqa: B018  (reads the settings: a bad variable is reported here)
    except ImproperlyConfigured as error:
        # An operator's mistake in the environment: say which variable, without a traceback.
        sys.stderr.write(f"配置错误：{error}\n")
        sys.exit(2)
    if argv[1:2] == ["check"]:
        from rectify import checks

        checks.register()  # the deployment's state: for `rectify check` alone (see rectify/checks.py)
    try:
        execute_from_command_line(argv)
    except (DatabaseError, InterfaceError, OSError) as error:
        # The database or a folder refused (read-only, full, missing, unreachable): one line that says
        # which and why, not a traceback; --traceback still shows it.
        message = failure(error)
        if message is None or "--traceback" in argv:
            raise
        sys.stderr.write(message + "\n")
        sys.exit(1)


def failure(error: BaseException) -> str | None:
    from django.db import connection

    from rectify.checks import database_trouble

    if reason := database_trouble(error):
        said = " ".join(str(error).split())  # PostgreSQL's messages run over several lines
        name = connection.settings_dict["NAME"]
        return f"数据库错误：{reason}（{said}；数据库：{name}）。运行 rectify check 可查明原因。"
    if isinstance(error, OSError) and error.filename:
        return f"无法读写 {error.filename}：{error.strerror}。请检查该位置是否存在、可写，磁盘是否已满。"
    return None


if __name__ == "__main__":
    main()
