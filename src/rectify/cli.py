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

    try:
        settings.INSTALLED_APPS  # noqa: B018  (reads the settings: a bad variable is reported here)
    except ImproperlyConfigured as error:
        # An operator's mistake in the environment: say which variable, without a traceback.
        sys.stderr.write(f"配置错误：{error}\n")
        sys.exit(2)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
