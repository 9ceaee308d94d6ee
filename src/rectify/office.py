"""Office files as users upload them: zip packages (.docx, .xlsx, .pptx, OFD) and legacy OLE2 files
(.doc, .xls, .ppt and WPS's).

`open_zip` is the one door every reader of an uploaded package passes through (notice import, the
Excel ledger, hotline work orders, evidence). It reads only the zip's central directory and refuses a
zip bomb (too many members, too much unpacked, a member that inflates too far) before python-docx,
openpyxl or zipfile inflate anything. The sizes it trusts bound what the readers will get: zipfile
never inflates a member beyond the size the central directory declares (a member that lies about it
fails its CRC check instead).

`active_content` and `ole_active_content` name what evidence must not carry: macros, ActiveX
controls and programs, whether stored as members or embedded in objects.

Pure Python (no Django): the notice parser uses it on its own.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import BinaryIO

from rectify.errors import InvalidInput

MAX_MEMBERS = 5000
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
# Worksheet XML, the most repetitive an Office file holds, inflates some 15-40 times; deflate can reach
# about 1000 (a bomb of zeros). Small parts may inflate further harmlessly, so only large ones count.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Programs and scripts Windows runs when opened.
EXECUTABLE_EXTENSIONS = frozenset(
    {"exe", "dll", "com", "scr", "pif", "cpl", "msi", "msp", "sys", "ocx", "lnk", "jar", "bat", "cmd"}
    | {"ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "reg"}
)
# Content types and part names of macros (VBA projects, Excel 4.0 macro sheets, the macro-enabled main
# parts of .docm/.xlsm/.pptm saved under another name) and of ActiveX controls.
ACTIVE_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"vbadata", b"macrosheet", b"activex")
# Names in an OLE2 directory are UTF-16: a VBA project, and an OLE "package" (Ole10Native), the object
# that wraps any file at all (the usual way to slip a program into a document).
_VBA = "_VBA_PROJECT".encode("utf-16-le")
_PACKAGE = "\x01Ole10Native".encode("utf-16-le")
_DOS_STUB = b"This program cannot be run in DOS mode"  # in every Windows program, even one wrapped
_CHUNK = 1024 * 1024
_NESTING = 2  # packages embedded in packages are checked this deep; deeper ones are refused outright


class UnsafePackage(InvalidInput):
    """The package would be unsafe to unpack; the message says why, in Chinese, without a file name."""


def open_zip(source: bytes | BinaryIO) -> zipfile.ZipFile:
    """The zip, opened from its central directory and checked (see the module); nothing inflated yet.

    zipfile.BadZipFile for anything that is no readable zip (zipfile raises many kinds for damaged or
    truncated ones; all become this one), UnsafePackage for a zip bomb.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except Exception as error:
        raise zipfile.BadZipFile(str(error)) from error
    try:
        check_members(archive.infolist())
    except UnsafePackage:
        archive.close()
        raise
    return archive


def check_members(members: list[zipfile.ZipInfo]) -> None:
    """UnsafePackage when unpacking these members would be a zip bomb."""
    if len(members) > MAX_MEMBERS:
        raise UnsafePackage(f"压缩包内有 {len(members)} 个部件，超过 {MAX_MEMBERS} 个的上限，无法读取。")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnsafePackage(
            f"解压后共 {size_text(unpacked)}，超过 {size_text(MAX_UNPACKED_BYTES)} 的上限"
            "（疑似“压缩炸弹”），无法读取。"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise UnsafePackage(
                f"其中一个部件压缩比达 {ratio:.0f}∶1，超过 {MAX_RATIO}∶1 的上限（疑似“压缩炸弹”），无法读取。"
            )


def active_content(archive: zipfile.ZipFile, depth: int = 0) -> str | None:
    """What in a checked package (see `open_zip`) could run on the reader's computer, in Chinese
    words that follow “文件”; None when there is nothing."""
    names = [member.filename for member in archive.infolist()]
    for name in names:
        lowered = name.lower()
        base = lowered.rsplit("/", 1)[-1]
        if "." in base and base.rsplit(".", 1)[-1] in EXECUTABLE_EXTENSIONS:
            return f"内含可执行文件“{name.rsplit('/', 1)[-1][:60]}”"
        if base in ("vbaproject.bin", "vbadata.xml") or "/macrosheets/" in lowered:
            return "含有宏"
        if "/activex/" in lowered:
            return "含有 ActiveX 控件"
    if "[Content_Types].xml" in names:
        declared = archive.read("[Content_Types].xml").lower()
        for marker in ACTIVE_CONTENT_TYPES:
            if marker in declared:
                return "含有 ActiveX 控件" if marker == b"activex" else "含有宏"
    for name in names:
        if "/embeddings/" in name.lower() and not name.endswith("/"):
            with archive.open(name) as member:
                found = _embedded(member, depth)
            if found:
                return found
    return None


def ole_active_content(stream: BinaryIO) -> str | None:
    """What in a legacy OLE2 file (or an OLE object embedded in a package) could run: a VBA project,
    a package object or a program. None when there is nothing."""
    found = _find(stream, (_VBA, _PACKAGE, _DOS_STUB))
    if found == _VBA:
        return "含有宏"
    if found == _PACKAGE:
        return "嵌入了“程序包”对象（可包裹任意程序）"
    if found == _DOS_STUB:
        return "嵌入了可执行程序"
    return None


def _embedded(member: BinaryIO, depth: int) -> str | None:
    head = member.read(8)
    if head.startswith((b"MZ", b"\x7fELF")):
        return "嵌入了可执行程序"
    if head.startswith(OLE2):
        return ole_active_content(_Rewound(head, member))
    if head.startswith(b"PK\x03\x04"):
        if depth >= _NESTING:
            return "嵌入的对象层层嵌套过深"
        data = head + member.read()  # no larger than the outer package's checked sizes allow
        try:
            with open_zip(data) as inner:
                return active_content(inner, depth + 1)
        except zipfile.BadZipFile:
            return None  # a damaged embedded workbook runs nothing; Office shows it as broken
    return ole_active_content(_Rewound(head, member))


def _find(stream: BinaryIO, markers: Iterable[bytes]) -> bytes | None:
    """The first of `markers` found anywhere in the stream, read a chunk at a time."""
    markers = tuple(markers)
    overlap = max(len(marker) for marker in markers) - 1
    tail = b""
    for block in iter(lambda: stream.read(_CHUNK), b""):
        window = tail + block
        for marker in markers:
            if marker in window:
                return marker
        tail = window[-overlap:]
    return None


class _Rewound:
    """A stream whose first bytes were read to tell its kind, read again from the start."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        head, self._head = self._head, b""
        return head + self._rest.read(size)


def size_text(size: int) -> str:
    """A size as people read it: 20 MB, 1.5 MB, 300 KB, 12 字节."""
    for unit, name in ((1024 * 1024, "MB"), (1024, "KB")):
        if size >= unit:
            return f"{size / unit:.1f}".removesuffix(".0") + f" {name}"
    return f"{size} 字节"
