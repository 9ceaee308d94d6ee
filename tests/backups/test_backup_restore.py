"""`rectify backup` and `rectify restore` as an operator runs them: real processes, the demo's database
(SQLite, or PostgreSQL through pg_dump/pg_restore when DATABASE_URL names it) with its evidence and
one more large file, restored into a fresh data folder and compared row count by row count and byte
by byte; damaged backups and occupied targets refused with nothing changed."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from .sites import POSTGRES, ROOT, Site, new_site, png, reportable_measure

DATABASE = "database.pgdump" if POSTGRES else "database.sqlite3"

# Run in the site: one more report, with a 3 MB photo under a Chinese name (argv: measure, file).
ADD_EVIDENCE = """
from django.core.files.uploadedfile import SimpleUploadedFile
from rectify.org.models import User
from rectify.progress import services
upload = SimpleUploadedFile("整改现场照片.png", open(sys.argv[2], "rb").read(), "image/png")
unit = User.objects.get(username="unit")
report = services.submit_report(unit, int(sys.argv[1]), text="现场照片", files=[upload])
print(json.dumps(report.evidence.get().file.name))
"""


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The demo site, with one more evidence file; its contents as they were backed up."""
    folder = tmp_path_factory.mktemp("backups")
    with new_site(folder / "source") as site:
        site.ok("demo", "--no-serve")
        photo = folder / "photo.png"
        photo.write_bytes(png(3 * 1024 * 1024, seed=1))
        site.added = site.python(ADD_EVIDENCE, str(reportable_measure(site)), str(photo))
        site.backed_up = site.contents()
        yield site


@pytest.fixture(scope="module")
def made(source):
    """`rectify backup DIR` of the source site: its output and the archive."""
    folder = source.data_dir.parent / "kept"
    output = source.ok("backup", str(folder))
    (archive,) = folder.iterdir()
    return output, archive


@pytest.fixture
def fresh(tmp_path):
    with new_site(tmp_path / "fresh") as site:
        yield site


def untouched(site: Site) -> None:
    """Nothing was written to the site: no database, no files, no staging folder left behind."""
    if POSTGRES:
        assert site.tables() == 0
    else:
        assert not site.sqlite_file.exists()
    assert not [path for path in site.media.rglob("*") if path.is_file()]
    assert not list(site.data_dir.glob(".rectify-*"))


def test_the_backup_is_one_private_tar_named_by_the_time_with_every_checksum(source, made):
    output, archive = made
    assert "正在导出数据库" in output and "备份完成" in output
    assert re.fullmatch(r"rectify-backup-\d{8}-\d{6}\.tar", archive.name)
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds everything: the owner's only
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    listed = {item["path"]: item["sha256"] for item in manifest["files"]}
    assert sorted(names) == sorted([*listed, "manifest.json"])
    assert manifest["database"] == {"engine": "postgresql" if POSTGRES else "sqlite", "path": DATABASE}
    for name, digest in source.backed_up["files"].items():
        assert listed[f"media/{name}"] == digest
    assert f"media/{source.added}" in listed


def test_a_restore_into_a_fresh_data_folder_brings_back_every_record_and_file(source, made, fresh):
    done = fresh.rectify("restore", str(made[1]))
    assert done.returncode == 0, done.stderr
    assert "校验通过" in done.stdout and "恢复完成" in done.stdout
    restored = fresh.contents()
    assert restored["records"] == source.backed_up["records"]
    # The demo: the special inspection (36 measures), the earlier round (15) and the water bureau (5).
    assert restored["records"]["progress.Evidence"] > 50 and restored["records"]["ledger.Measure"] == 56
    assert restored["files"] == source.backed_up["files"]
    for name in source.backed_up["files"]:
        assert (fresh.media / name).read_bytes() == (source.media / name).read_bytes()
    assert all(has_its_file for *_, has_its_file in restored["evidence"])
    fresh.ok("migrate", "--check")  # the schema came back whole


def rewrite(archive: Path, out: Path, *, leave_out: str) -> None:
    """The archive again without the first member whose name starts with `leave_out`."""
    with tarfile.open(archive) as tar, tarfile.open(out, "w") as copy:
        skipped = False
        for member in tar:
            if not skipped and member.name.startswith(leave_out):
                skipped = True
                continue
            copy.addfile(member, tar.extractfile(member))


def damage(archive: Path, out: Path, how: str) -> None:
    if how.startswith("without "):
        rewrite(archive, out, leave_out=how.removeprefix("without "))
        return
    data = bytearray(archive.read_bytes())
    if how == "cut short":
        data = data[: len(data) * 2 // 3]
    else:
        with tarfile.open(archive) as tar:
            member = next(m for m in tar if m.name.startswith(how))
        data[member.offset_data + member.size // 2] ^= 0x01  # one bit
    out.write_bytes(data)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("media/evidence/", "SHA-256 不符"),
        (DATABASE, "SHA-256 不符"),
        ("cut short", "不完整"),
        ("without media/evidence/", "备份不完整：缺少 1 个文件"),
        ("without manifest.json", "缺少校验清单"),
    ],
)
def test_a_damaged_or_incomplete_backup_is_refused_and_nothing_changes(made, fresh, tmp_path, how, message):
    broken = tmp_path / "broken.tar"
    damage(made[1], broken, how)
    done = fresh.rectify("restore", str(broken))
    assert done.returncode == 1
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "恢复完成" not in done.stdout
    untouched(fresh)


def test_a_site_with_data_is_overwritten_only_with_yes(source, made, tmp_path):
    with new_site(tmp_path / "occupied") as target:
        target.ok("migrate")
        stray = target.media / "evidence" / "2020" / "01" / "stray.pdf"
        stray.parent.mkdir(parents=True)
        stray.write_bytes(b"%PDF-1.4 not in the backup")
        before = target.contents()

        refused = target.rectify("restore", str(made[1]))
        assert refused.returncode == 1 and "--yes" in refused.stderr and "目标不是空的" in refused.stderr
        assert target.contents() == before

        target.ok("restore", str(made[1]), "--yes")
        after = target.contents()
        assert after["records"] == source.backed_up["records"]
        assert after["files"] == source.backed_up["files"]  # the stray file went with the old site
        assert not list(target.data_dir.glob(".rectify-*"))


def test_a_missing_file_or_a_backup_folder_inside_the_media_folder_is_refused(source, fresh, tmp_path):
    done = fresh.rectify("restore", str(tmp_path / "no-such.tar"))
    assert done.returncode == 1 and "备份文件不存在" in done.stderr
    inside = source.rectify("backup", str(source.media / "backups"))
    assert inside.returncode == 1 and "位于文件目录" in inside.stderr
    assert not (source.media / "backups").exists()
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not a tar at all" * 100)
    done = fresh.rectify("restore", str(garbage))
    assert done.returncode == 1 and "已损坏或不完整" in done.stderr
    untouched(fresh)


@pytest.mark.skipif(not POSTGRES, reason="pg_dump is used only on PostgreSQL (DATABASE_URL)")
def test_without_the_postgresql_client_tools_the_message_says_what_to_install(source, fresh, made, tmp_path):
    done = source.rectify("backup", str(tmp_path / "kept"), PATH=str(tmp_path))
    assert done.returncode == 1 and "找不到 PostgreSQL 客户端工具 pg_dump" in done.stderr
    assert not (tmp_path / "kept").exists()
    done = fresh.rectify("restore", str(made[1]), PATH=str(tmp_path))
    assert done.returncode == 1 and "pg_restore" in done.stderr
    untouched(fresh)


# Run in the site: report with two photos again and again until the file argv[2] appears; print the
# number of reports committed after each one, so the test sees the writing go on.
WRITER = """
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from rectify.org.models import User
from rectify.progress import services
user, stop = User.objects.get(username="unit"), Path(sys.argv[2])
done = 0
while not stop.exists():
    photos = [SimpleUploadedFile(f"写入中-{done}-{i}.png", open(sys.argv[3], "rb").read()) for i in (1, 2)]
    services.submit_report(user, int(sys.argv[1]), text="并发写入", files=photos)
    done += 1
    print(done, flush=True)
print(json.dumps(done))
"""

# Run in the site: evidence rows per report the writer made.
WRITTEN = """
from django.db.models import Count
from rectify.progress.models import ProgressReport
written = ProgressReport.objects.filter(text="并发写入").annotate(n=Count("evidence"))
print(json.dumps(list(written.values_list("n", flat=True))))
"""


def committed(writer: subprocess.Popen, at_least: int) -> int:
    """Wait until the writer has committed `at_least` reports; the number it has."""
    deadline = time.monotonic() + 120
    count = 0
    while count < at_least:
        line = writer.stdout.readline()
        assert line and time.monotonic() < deadline, "the writer stopped"
        count = int(line)
    return count


def test_a_backup_taken_while_reports_are_written_is_consistent(made, tmp_path):
    """The site keeps writing (reports with two files each, from another process) while it is backed
    up: the restored copy has whole reports only, and every evidence row its file, byte for byte."""
    photo, stop = tmp_path / "photo.png", tmp_path / "stop"
    photo.write_bytes(png(512 * 1024, seed=2))
    with new_site(tmp_path / "live") as live, new_site(tmp_path / "copy") as copy:
        live.ok("restore", str(made[1]))
        writer = subprocess.Popen(
            live.script(WRITER, str(reportable_measure(live)), str(stop), str(photo)),
            cwd=ROOT,
            env=live.env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            before = committed(writer, 1)
            live.ok("backup", str(tmp_path / "kept"))
            committed(writer, before + 2)  # still writing after the backup: it never stopped the site
        finally:
            stop.touch()
            writer.wait(timeout=120)
        assert writer.returncode == 0
        (archive,) = (tmp_path / "kept").iterdir()
        copy.ok("restore", str(archive))
        restored = copy.contents()
        assert all(has_its_file for *_, has_its_file in restored["evidence"])
        written = copy.python(WRITTEN)
        assert len(written) >= before and set(written) == {2}  # whole reports only
