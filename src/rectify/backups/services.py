"""Backups of the whole site and their restore: the database and the uploaded files (MEDIA_ROOT:
evidence, uploads waiting for confirmation) in one .tar, with a manifest of each file's SHA-256.

One file, because a backup is a thing to move: copied off the machine, kept, handed over; it is
written under a temporary name (.partial) and renamed when complete, so a half-written one never looks
like a backup. Uncompressed: evidence (PDF, images, Office files) is compressed already, and so is
pg_dump's custom format.

Consistent while the site runs: the database is copied first, as one snapshot (SQLite's online backup
API, or pg_dump, which reads in one transaction), the files after it. A file is stored before the row
that names it is committed and is never changed afterwards, so every file the snapshot names exists by
then and is copied; a file added after the snapshot comes along unnamed, which does no harm.

A restore checks everything before it changes anything: it unpacks into a staging folder beside
MEDIA_ROOT and compares every file with the manifest; only then does it replace the database (SQLite's
backup API into the configured file, or pg_restore in one transaction) and the media folder's contents.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from rectify.errors import RectifyError

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024
PROGRESS_EVERY = 500  # files between two progress lines

Say = Callable[[str], None]


class BackupError(RectifyError):
    """A backup that cannot be made, or restored; nothing was changed."""


@dataclass(frozen=True)
class Entry:
    """One file of a backup: its path inside the archive, size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Backup:
    path: Path
    entries: list[Entry]

    @property
    def files(self) -> int:
        return sum(entry.path.startswith(f"{MEDIA}/") for entry in self.entries)


@dataclass(frozen=True)
class Restored:
    created_at: str
    engine: str
    files: int
    size: int
    needs_migrate: bool


def default_directory() -> Path:
    return Path(settings.DATA_DIR) / "backups"


# ------------------------------------------------------------------ backup


def make_backup(directory: Path, say: Say) -> Backup:
    """Write rectify-backup-<date>-<time>.tar into `directory` (made if missing)."""
    engine = _engine()
    if engine == "postgresql":
        _tool("pg_dump")  # before anything is written
    directory = directory.resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    if directory == media or media in directory.parents:
        raise BackupError(f"备份目录 {directory} 位于文件目录（MEDIA_ROOT）{media} 之内，请换一个目录。")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target, partial = _new_archive(directory)
    except OSError as error:
        raise BackupError(f"无法在 {directory} 写入备份：{error.strerror}。") from None
    try:
        # The database copy can be large: it waits beside the backups, not in a RAM-backed /tmp.
        with tempfile.TemporaryDirectory(dir=directory, prefix=".rectify-backup-") as staging:
            database = Path(staging) / DATABASE_FILES[engine]
            say(f"正在导出数据库（{ENGINE_NAMES[engine]}）……")
            _dump_sqlite(database) if engine == "sqlite" else _dump_postgresql(database)
            say(f"数据库已导出：{filesizeformat(database.stat().st_size)}。")
            files = _media_files(media)
            say(f"正在打包数据库和 {len(files)} 个文件……")
            entries = _write_archive(partial, engine, database, media, files, say)
        os.replace(partial.name, target)
        _sync_folder(directory)
    except BaseException:
        partial.close()
        Path(partial.name).unlink(missing_ok=True)
        raise
    return Backup(path=target, entries=entries)


def _new_archive(directory: Path) -> tuple[Path, BinaryIO]:
    """The backup's name (the local date and time) and its .partial file, created exclusively and
    readable by the owner only (it holds everything). Two backups in one second get -2, -3…"""
    stem = f"rectify-backup-{timezone.localtime():%Y%m%d-%H%M%S}"
    for number in range(1, 100):
        target = directory / (f"{stem}.tar" if number == 1 else f"{stem}-{number}.tar")
        if target.exists():
            continue
        try:
            return target, open(f"{target}.partial", "xb", opener=_private)
        except FileExistsError:
            continue
    raise BackupError(f"{directory} 中同一时刻的备份过多，请稍后再试。")


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _dump_sqlite(target: Path) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # In one step: the whole database is read as one snapshot while the site goes on writing (WAL).
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
    finally:
        copy.close()
    if verdict != "ok":
        raise BackupError(f"数据库自检未通过（{verdict}），未生成备份。")


def _dump_postgresql(target: Path) -> None:
    _run_pg("pg_dump", ["--format=custom", f"--file={target}"])


class _Hashing:
    """A file read once: into the archive and through SHA-256 together."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _write_archive(
    out: BinaryIO, engine: str, database: Path, media: Path, files: list[Path], say: Say
) -> list[Entry]:
    entries = []
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
        entries.append(_add(archive, database, database.name))
        total = 0
        for count, path in enumerate(files, start=1):
            entry = _add(archive, path, f"{MEDIA}/{path.relative_to(media).as_posix()}")
            entries.append(entry)
            total += entry.size
            if count % PROGRESS_EVERY == 0 or count == len(files):
                say(f"已打包文件 {count}/{len(files)}（{filesizeformat(total)}）。")
        manifest = {
            "format": FORMAT,
            "product": "rectify",
            "version": version("rectify"),
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "database": {"engine": engine, "path": database.name},
            "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in entries],
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
        archive.addfile(info, io.BytesIO(data))  # last: it is written once every file is hashed
    out.flush()
    os.fsync(out.fileno())
    out.close()
    return entries


def _add(archive: tarfile.TarFile, path: Path, name: str) -> Entry:
    info = archive.gettarinfo(str(path), arcname=name)
    with path.open("rb") as stream:
        hashing = _Hashing(stream)
        archive.addfile(info, hashing)
    return Entry(name, info.size, hashing.digest.hexdigest())


def _media_files(media: Path) -> list[Path]:
    """Every regular file under MEDIA_ROOT, in a stable order (symbolic links are not followed)."""
    found = []
    for folder, folders, names in os.walk(media):
        folders.sort()
        found += [Path(folder) / name for name in sorted(names) if (Path(folder) / name).is_file()]
    return [path for path in found if not path.is_symlink()]


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (its entry reaches the disk, not only the page cache)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# ------------------------------------------------------------------ restore


def restore_backup(archive: Path, *, overwrite: bool, say: Say) -> Restored:
    """Check `archive` against its manifest, then restore it into the configured database and
    MEDIA_ROOT. A non-empty target is refused unless `overwrite`. Nothing changes on a refusal."""
    engine = _engine()
    if engine == "postgresql":
        _tool("pg_restore")
    if not archive.is_file():
        raise BackupError(f"备份文件不存在：{archive}")
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    # Beside MEDIA_ROOT, so that the checked files move into place without a second copy.
    staging = Path(tempfile.mkdtemp(dir=media.parent, prefix=".rectify-restore-"))
    keep_staging = False
    try:
        _check_target(media, overwrite)  # first: it is quick, and the check of a large backup is not
        say(f"正在校验备份 {archive.name} ……")
        manifest, found = _unpack(archive, staging)
        listed = _check(manifest, found, engine)
        size = sum(entry.size for entry in listed.values())
        files = sum(path.startswith(f"{MEDIA}/") for path in listed)
        say(f"校验通过：数据库和 {files} 个文件（共 {filesizeformat(size)}）与清单的 SHA-256 一致。")
        say(f"正在恢复数据库（{ENGINE_NAMES[engine]}）……")
        database = staging / DATABASE_FILES[engine]
        _load_sqlite(database) if engine == "sqlite" else _load_postgresql(database)
        say(f"正在恢复 {files} 个文件到 {media} ……")
        keep_staging = True  # from here a failure may leave the old files in the staging folder only
        try:
            _replace_media(staging / MEDIA, media, staging / "replaced")
        except OSError as error:
            raise BackupError(
                f"数据库已恢复，但文件未能全部放回 {media}（{error}）：备份中的文件在 {staging / MEDIA}，"
                f"原有文件在 {staging / 'replaced'}。"
            ) from None
        keep_staging = False
    finally:
        if not keep_staging:
            shutil.rmtree(staging, ignore_errors=True)
    return Restored(
        created_at=manifest.get("created_at", ""),
        engine=engine,
        files=files,
        size=size,
        needs_migrate=_needs_migrate(),
    )


def _unpack(archive: Path, staging: Path) -> tuple[dict | None, dict[str, Entry]]:
    """Every file of the archive written under `staging` and hashed; the manifest read."""
    found: dict[str, Entry] = {}
    manifest = None
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                name = _member_name(member)
                if name in found or (name == MANIFEST and manifest is not None):
                    raise BackupError(f"备份已损坏：条目 {name} 出现了两次。")
                stream = tar.extractfile(member)
                if name == MANIFEST:
                    manifest = _parse_manifest(stream.read())
                    continue
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("xb") as out:
                    while chunk := stream.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if settings.FILE_UPLOAD_PERMISSIONS is not None:  # as an upload would have them
                    target.chmod(settings.FILE_UPLOAD_PERMISSIONS)
                found[name] = Entry(name, member.size, digest.hexdigest())
    except (tarfile.TarError, EOFError):
        raise BackupError(f"备份文件已损坏或不完整，无法读取：{archive}") from None
    except OSError as error:
        raise BackupError(f"无法读取备份或写入临时目录：{error}") from None
    return manifest, found


def _member_name(member: tarfile.TarInfo) -> str:
    """The member's name if it is a regular file this format writes; never a path out of the staging
    folder, a link or a device."""
    path = PurePosixPath(member.name)
    allowed = (
        member.isfile()
        and not path.is_absolute()
        and ".." not in path.parts
        and (
            member.name in (MANIFEST, *DATABASE_FILES.values())
            or (path.parts[0] == MEDIA and len(path.parts) > 1)
        )
    )
    if not allowed:
        raise BackupError(f"这不是 rectify backup 生成的备份：含有不应出现的条目 {member.name}。")
    return path.as_posix()


def _parse_manifest(data: bytes) -> dict:
    try:
        manifest = json.loads(data)
        if not isinstance(manifest, dict):
            raise ValueError
    except ValueError:
        raise BackupError("备份已损坏：校验清单 manifest.json 无法读取。") from None
    return manifest


def _check(manifest: dict | None, found: dict[str, Entry], engine: str) -> dict[str, Entry]:
    """The files the manifest lists, if they are exactly the files found, byte for byte."""
    if manifest is None:
        raise BackupError("备份不完整：缺少校验清单 manifest.json。")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受本程序支持（支持 {FORMAT}）。")
    try:
        listed = {
            item["path"]: Entry(item["path"], int(item["size"]), item["sha256"]) for item in manifest["files"]
        }
        source = manifest["database"]["engine"]
    except (KeyError, TypeError, ValueError):
        raise BackupError("备份已损坏：校验清单 manifest.json 内容不全。") from None
    missing = sorted(listed.keys() - found.keys())
    if missing:
        raise BackupError(f"备份不完整：缺少 {len(missing)} 个文件（如 {missing[0]}）。")
    extra = sorted(found.keys() - listed.keys())
    if extra:
        raise BackupError(f"备份已被改动：有 {len(extra)} 个文件不在校验清单中（如 {extra[0]}）。")
    damaged = [path for path in sorted(listed) if listed[path] != found[path]]
    if damaged:
        raise BackupError(f"备份已损坏：{len(damaged)} 个文件与校验清单的 SHA-256 不符（如 {damaged[0]}）。")
    if source != engine:
        raise BackupError(
            f"这是 {ENGINE_NAMES.get(source, source)} 数据库的备份，当前配置的是 {ENGINE_NAMES[engine]}，"
            "不能直接恢复。"
        )
    if DATABASE_FILES[engine] not in listed:
        raise BackupError(f"备份不完整：缺少数据库文件 {DATABASE_FILES[engine]}。")
    return listed


def _check_target(media: Path, overwrite: bool) -> None:
    database = connection.settings_dict["NAME"]
    # A SQLite file that is not there yet is empty: connecting would create it.
    missing = connection.vendor == "sqlite" and not Path(database).exists()
    tables = [] if missing else connection.introspection.table_names()
    files = _media_files(media)
    if (tables or files) and not overwrite:
        raise BackupError(
            f"目标不是空的（数据库有 {len(tables)} 张表，文件目录 {media} 有 {len(files)} 个文件），"
            "未做任何改动；确认用备份覆盖，请加 --yes。"
        )


def _load_sqlite(database: Path) -> None:
    connection.ensure_connection()
    target = connection.connection
    source = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    try:
        # Into the configured file through SQLite itself: one transaction, and the WAL stays right.
        source.backup(target)
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as error:
        raise BackupError(f"恢复数据库失败，数据库未改动：{error}") from None
    finally:
        source.close()
        connection.close()


def _load_postgresql(database: Path) -> None:
    connection.close()  # pg_restore drops and recreates the tables: hold nothing open on them
    _run_pg(
        "pg_restore",
        # One transaction that stops at the first error: all of it, or the database as it was. Owners
        # and grants of the backed-up site are not replayed: the configured user owns what it restores.
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ],
        last=str(database),
    )


def _replace_media(staged: Path, media: Path, replaced: Path) -> None:
    """Give MEDIA_ROOT the backup's files and none other. Its contents move, not the folder itself,
    which may be a mount point; the old contents go to `replaced`, removed with the staging folder."""
    media.mkdir(parents=True, exist_ok=True)
    replaced.mkdir()
    for item in media.iterdir():
        shutil.move(item, replaced / item.name)
    if staged.is_dir():
        for item in staged.iterdir():
            shutil.move(item, media / item.name)


def _needs_migrate() -> bool:
    """Whether the restored database is older than this program's migrations."""
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# ------------------------------------------------------------------ the database engines


def _engine() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库：只支持 SQLite 和 PostgreSQL。")
    return connection.vendor


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 PostgreSQL 客户端工具 {name}：请安装 postgresql-client（主版本不低于数据库服务器）。"
        )
    return found


def _run_pg(program: str, options: list[str], last: str | None = None) -> None:
    # Django's own psql command line (user, host, port; password and TLS in the environment); its
    # database name is given to --dbname, which pg_dump and pg_restore both read.
    args, env = DatabaseClient.settings_to_cmd_args_env(connection.settings_dict, ["--dbname"])
    command = [_tool(program), *options, *args[1:], *([last] if last else [])]
    done = subprocess.run(command, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        detail = next((line for line in lines if "error" in line), lines[0] if lines else "")
        raise BackupError(f"{program} 失败（退出码 {done.returncode}），未做任何改动：{detail}")
