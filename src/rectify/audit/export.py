"""The audit trail as an Excel workbook, filtered as on the page and limited to what the reader may
see (the same queries as the page: audit.services). The download itself becomes a security event
(rectify.security.middleware records every private download)."""

from __future__ import annotations

from io import BytesIO

from django.db.models import QuerySet
from django.utils import timezone

from rectify.documents import write_table
from rectify.security.describe import device_label, sentence
from rectify.security.models import SecurityEvent

# An export is for reading, not for copying the database: beyond this, narrow the filters.
MAX_ROWS = 50_000


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


def _book(title: str, headers: list[str], rows: list[list], widths: list[int]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    write_table(sheet, headers, rows, widths)
    book.properties.title = title
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def trail_xlsx(rows) -> bytes:
    """The change trail as the page shows it (audit.views.rows_for): time, person, address, action,
    kind and name of record, changes."""
    table = [
        [
            _local(row.timestamp),
            row.actor,
            row.entry.remote_addr or "",
            row.action,
            row.object_type,
            row.object_repr,
            row.entry.object_pk,
            "\n".join(
                f"{change.field}：{change.before} {change.after}"
                if change.m2m
                else f"{change.field}：{change.before} → {change.after}"
                for change in row.changes
            ),
        ]
        for row in rows
    ]
    headers = ["时间", "操作人", "IP 地址", "操作", "对象类型", "对象", "对象编号", "变更内容"]
    return _book("审计日志", headers, table, [18, 14, 16, 8, 14, 36, 10, 60])


def security_xlsx(events: QuerySet[SecurityEvent]) -> bytes:
    rows = [
        [
            _local(event.created_at),
            event.get_kind_display(),
            sentence(event),
            event.username,
            event.organisation.name if event.organisation else "",
            event.ip or "",
            device_label(event.user_agent),
            event.path,
        ]
        for event in events[:MAX_ROWS]
    ]
    headers = ["时间", "事件", "说明", "用户名", "所属组织", "IP 地址", "终端", "访问地址"]
    return _book("安全事件", headers, rows, [18, 12, 50, 14, 18, 16, 18, 36])
