"""The staff list as an Excel workbook (openpyxl). Contacts are masked, as in every list, unless
the office asks for them with a reason; such an export is written to the audit trail."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.utils import timezone

from rectify.documents import new_workbook, write_table
from rectify.errors import AccessDenied, InvalidInput
from rectify.org.access import Access, path_q
from rectify.org.models import Organisation, Role, User

from .services import (
    MAX_REASON,
    FeedbackFilter,
    filter_items,
    mask_email,
    mask_name,
    mask_phone,
    plain_text,
    record_contact_export,
)

HEADERS = [
    ("查询码", 17),
    ("收到时间", 17),
    ("类别", 10),
    ("渠道", 12),
    ("内容", 60),
    ("受理组织", 16),
    ("承办单位", 18),
    ("状态", 10),
    ("答复期限", 12),
    ("是否超期", 9),
    ("办结时间", 17),
    ("办结方式", 14),
    ("来源二维码", 16),
    ("企业名称", 20),
    ("统一社会信用代码", 21),
    ("行业协会", 16),
    ("外部编号", 14),
    ("姓名", 10),
    ("联系电话", 16),
    ("电子邮箱", 24),
    ("同意联系", 9),
]


def export_xlsx(
    user: User,
    filters: FeedbackFilter,
    *,
    include_contacts: bool = False,
    reason: str = "",
    today: date | None = None,
) -> tuple[bytes, int]:
    """(the workbook, number of rows) of the items the user may see that match the filters. With
    contacts, only the items of organisations whose office the user is, and only with a reason."""
    items = filter_items(user, filters, today)
    access = Access.of(user)
    office_paths = access.paths([Role.OFFICE])
    if include_contacts:
        reason = plain_text(reason)
        if not (access.is_superuser or office_paths):
            raise AccessDenied("只有整改办可以导出联系方式。")
        if not reason:
            raise InvalidInput("导出联系方式须填写理由，理由将记入审计日志。")
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"导出理由不能超过 {MAX_REASON} 个字。")
        if not access.is_superuser:
            # A person who is also a unit's liaison elsewhere sees items there, but not their senders.
            items = items.filter(path_q("organisation__path", office_paths))
    rows = [_row(item, include_contacts) for item in items.iterator(chunk_size=1000)]
    if include_contacts:
        record_contact_export(
            user, organisation=_audit_organisation(user, office_paths), rows=len(rows), reason=reason
        )
    return _workbook(rows, include_contacts), len(rows)


def _audit_organisation(user: User, office_paths: tuple[str, ...]) -> Organisation:
    """The organisation the export's audit entry belongs to: the user's (topmost) office."""
    if office_paths:
        return Organisation.objects.get(path=min(office_paths, key=len))
    return Organisation.objects.filter(parent=None).order_by("path").first()


def _row(item, include_contacts: bool) -> list:
    local = timezone.localtime
    if include_contacts:
        contacts = [item.sender_name, item.sender_phone, item.sender_email]
    else:
        contacts = [mask_name(item.sender_name), mask_phone(item.sender_phone), mask_email(item.sender_email)]
    return [
        item.code,
        local(item.received_at).replace(tzinfo=None),
        item.get_kind_display(),
        item.get_channel_display(),
        item.content,
        item.organisation.name,
        item.unit.name if item.unit_id else "",
        item.get_status_display(),
        item.due_date,
        "是" if item.is_overdue else "否",
        local(item.closed_at).replace(tzinfo=None) if item.closed_at else None,
        item.get_close_reason_display() if item.close_reason else "",
        item.qr.label if item.qr_id else "",
        item.enterprise,
        item.credit_code,
        item.association,
        item.external_ref,
        *contacts,
        "是" if item.consent_to_contact else "否",
    ]


def _workbook(rows: list[list], include_contacts: bool) -> bytes:
    book = new_workbook()
    sheet = book.active
    sheet.title = "意见诉求"
    book.properties.title = "意见诉求台账" + ("（含联系方式）" if include_contacts else "")
    write_table(sheet, [header for header, _ in HEADERS], rows, [width for _, width in HEADERS])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
