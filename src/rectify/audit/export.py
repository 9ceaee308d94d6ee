"""The audit trail as an Excel workbook, filtered as on the page and limited to what the reader may
see (the same queries as the page: audit.services). The download itself becomes a security event
(rectify.security.middleware records every private download)."""

from __future__ import annotations

from io import BytesIO

from django.db.models import QuerySet
from django.utils import timezone

from rectify.documents import new_workbook, write_table
from rectify.security.describe import device_label, sentence
from rectify.security.models import SecurityEvent

# An export is for reading, not for copying the database: beyond this, narrow the filters.
MAX_ROWS = 50_000


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


def _book(title: str, headers: list[str], rows: list[list], widths: list[int]) -> bytes:
    book = new_workbook()
    sheet = book.active
    sheet.title = title
    write_table(sheet, headers, rows, widths)
    book.properties.title = title
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def trail_xlsx(rows) -> bytes:
    """The change trail as the page shows it (audit.views.rows_for): time, person, address, the record
    as a sentence, its measure, and the raw change."""
    table = [
        [
            _local(row.timestamp),
            row.actor,
            row.entry.remote_addr or "",
            f"{row.actor} {row.sentence}",
            f"措施 {row.measure.problem.number}.{row.measure.order}" if row.measure else "",
            row.object_type,
            row.entry.object_pk,
            "\n".join(f"{change.field}：{change.before} → {change.after}" for change in row.changes),
        ]
        for row in rows
    ]
    headers = ["时间", "操作人", "IP 地址", "记录", "所属措施", "对象类型", "对象编号", "原始变更"]
    return _book("审计日志", headers, table, [18, 14, 16, 60, 10, 14, 10, 50])


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
