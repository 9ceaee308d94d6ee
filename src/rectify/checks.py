"""What is wrong with where the data lives: the folders, the database and its migrations.

`rectify check` runs these checks (cli.py registers them for that command alone): they look at the
deployment as it is now, not at the code, and every other command must run without them: `migrate`
above all, which is how an unmigrated database is put right, and `import-notice --dry-run`, which needs
neither a database nor a data folder.

`database_trouble` says in Chinese why a database error means the database cannot serve; the error
pages, the command line and these checks all word it so.
"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    NotSupportedError,
    connections,
)

# What the database's own words mean, first match wins: SQLite's and PostgreSQL's messages, lowercased.
# A connection refusal comes before "does not exist", which PostgreSQL also says of a missing database.
REASONS = (
    (("readonly", "read-only"), "数据库为只读，无法写入"),
    (("database or disk is full", "no space left", "could not extend", "disk full"), "数据库或磁盘已满"),
    (("disk i/o error",), "读写数据库文件出错（磁盘已满或存储故障）"),
    (("unable to open database file",), "无法打开数据库文件（所在目录不存在或无权访问）"),
    (("connect", "server closed", "timeout expired"), "无法连接数据库服务器"),
    (("no such table", "no such column", "does not exist"), "数据库尚未建立或未升级到当前版本"),
    (("database is locked",), "数据库被占用，等待超时"),
    (("file is not a database", "disk image is malformed"), "数据库文件已损坏，或不是数据库文件"),
)


def database_trouble(error: BaseException) -> str | None:
    """Why the database cannot serve (read-only, full, unreachable, not migrated…), in Chinese; None when
    the error is the request's own fault, a bug to be fixed (IntegrityError, DataError), or no database's."""
    # InterfaceError (a closed connection) is no DatabaseError in DB-API's tree, but its sibling.
    if not isinstance(error, DatabaseError | InterfaceError) or isinstance(
        error, IntegrityError | DataError | NotSupportedError
    ):
        return None
    said = str(error).lower()
    reasons = (reason for words, reason in REASONS if any(word in said for word in words))
    return next(reasons, "数据库无法使用")


def register() -> None:
    checks.register(check_folders, "rectify")
    checks.register(check_database, "rectify", checks.Tags.database)


def _unwritable(folder: Path) -> str | None:
    """Why no file can be made in `folder`, or None. A folder not made yet counts as its nearest existing
    parent, where it would be made. A file is really written: as root, permission bits say nothing."""
    existing = next((path for path in (folder, *folder.parents) if path.exists()), None)
    if existing is None or not existing.is_dir():
        return f"{existing} 不是目录"
    try:
        with tempfile.TemporaryFile(dir=existing):
            return None
    except OSError as error:
        return f"{existing} 无法写入（{error.strerror}）"


def _sqlite_file() -> Path | None:
    database = settings.DATABASES["default"]
    name = str(database["NAME"])
    if database["ENGINE"] != "django.db.backends.sqlite3" or name.startswith("file:") or name == ":memory:":
        return None
    return Path(name)


def check_folders(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problems = []
    broken: list[Path] = []  # folders already reported: nothing under them is reported again
    data = Path(settings.DATA_DIR)
    sqlite = _sqlite_file()
    if sqlite and not sqlite.parent.is_dir() and not sqlite.is_relative_to(data):
        problems.append(
            checks.Error(
                f"数据库文件 {sqlite} 所在的目录 {sqlite.parent} 不存在。",
                hint="检查环境变量 DATABASE_URL，或先建立该目录。",
                id="rectify.E001",
            )
        )
        broken.append(sqlite.parent)
    media = Path(settings.MEDIA_ROOT)
    if not media.is_dir() and not media.is_relative_to(data):
        # Storage placed apart from the data folder is a volume that must be there: uploads made while it
        # is not mounted would land on the local disk and vanish when it is. The default one, under the
        # data folder, is made with the first upload.
        problems.append(
            checks.Error(
                f"上传文件目录 {media} 不存在。",
                hint="检查环境变量 RECTIFY_MEDIA_ROOT，或挂载该存储后再启动。",
                id="rectify.E005",
            )
        )
        broken.append(media)
    places = [(data, "数据目录", "RECTIFY_DATA_DIR")]
    if sqlite:
        places.append((sqlite.parent, "数据库文件所在目录（SQLite 须在其中写日志文件）", "DATABASE_URL"))
    if isinstance(caches["default"], FileBasedCache):
        places.append((Path(settings.CACHES["default"]["LOCATION"]), "缓存目录", "RECTIFY_CACHE_URL"))
    places.append((media, "上传文件目录", "RECTIFY_MEDIA_ROOT"))
    for folder, label, variable in places:
        if any(folder.is_relative_to(above) for above in broken):
            continue
        if reason := _unwritable(folder):
            problems.append(
                checks.Error(
                    f"{label} {folder} 无法建立或写入：{reason}。",
                    hint=f"检查环境变量 {variable} 所指的位置及其权限。",
                    id="rectify.E004",
                )
            )
            broken.append(folder)
    return problems


def check_database(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from django.db.migrations.executor import MigrationExecutor

    sqlite = _sqlite_file()
    if sqlite and not sqlite.parent.is_dir():
        return []  # check_folders says so; connecting would only repeat it
    if sqlite and not sqlite.exists():
        # Not connecting: SQLite would make an empty file.
        return [
            checks.Error(
                f"数据库文件 {sqlite} 尚未建立。",
                hint="运行 rectify migrate 建立数据库。",
                id="rectify.E003",
            )
        ]
    connection = connections["default"]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except (DatabaseError, InterfaceError) as error:
        return [
            checks.Error(
                f"无法使用数据库：{database_trouble(error) or '数据库出错'}（{error}）。",
                hint="检查环境变量 DATABASE_URL、数据库服务器是否在运行，以及数据库文件的权限和磁盘空间。",
                id="rectify.E002",
            )
        ]
    finally:
        connection.close()
    if plan:
        apps = "、".join(sorted({migration.app_label for migration, _backwards in plan}))
        return [
            checks.Error(
                f"数据库有 {len(plan)} 个迁移尚未执行（{apps}），系统无法正常使用。",
                hint="运行 rectify migrate。",
                id="rectify.E003",
            )
        ]
    return []
