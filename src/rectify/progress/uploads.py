"""Evidence uploads: the limits of one report and of a unit's day, over the checks every attached file
passes (rectify.attachments).

Refused before anything is written: more than the limits allow for one report's files (count and
total size) or a responsible unit's uploads of the day (settings RECTIFY_EVIDENCE_*), and whatever
rectify.attachments.check_file refuses of each file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.utils import timezone

from rectify.attachments import CheckedFile, check_file, check_size, checked_name
from rectify.errors import InvalidInput, TooLarge
from rectify.ledger.models import Measure, MeasureUnit
from rectify.multipart import sent_name
from rectify.office import size_text
from rectify.org.models import Organisation


def check_report_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    """Check one report's files against the limits on count and size, then each file's name and
    content; InvalidInput (TooLarge for a size) in Chinese for the first that must be refused."""
    limit = settings.RECTIFY_EVIDENCE_MAX_FILES
    if len(files) > limit:
        raise InvalidInput(
            f"每份报告最多上传 {limit} 个佐证材料，本次选择了 {len(files)} 个，请精简或分次报送。"
        )
    for upload in files:  # the cheap checks first: nothing is read of a file while another is too big
        check_size(checked_name(sent_name(upload)), upload.size)
    total = sum(upload.size for upload in files)
    limit = settings.RECTIFY_EVIDENCE_MAX_REPORT_BYTES
    if total > limit:
        raise TooLarge(
            f"本次上传的佐证材料合计 {size_text(total)}，超过每份报告合计 {size_text(limit)} 的上限。"
            "请压缩图片、删去重复的材料，或分次报送。"
        )
    return [check_file(sent_name(upload), upload, upload.size) for upload in files]


def check_unit_day(measure: Measure, adding: int) -> None:
    """TooLarge when `adding` bytes of evidence would take a responsible unit of the measure past its
    allowance for today (settings.RECTIFY_EVIDENCE_MAX_UNIT_DAY_BYTES).

    Call inside the transaction that stores the evidence: the units are locked until it ends, so two
    reports sent at once cannot both count on the same remainder."""
    if adding <= 0:
        return
    limit = settings.RECTIFY_EVIDENCE_MAX_UNIT_DAY_BYTES
    responsible = MeasureUnit.objects.filter(measure=measure, role=MeasureUnit.Role.RESPONSIBLE)
    # FOR NO KEY UPDATE: two reports for a unit take turns, while rows that refer to the unit (the
    # summary rows a report's submission counts again) are still written; FOR UPDATE blocked those
    # foreign-key checks and deadlocked concurrent submissions on PostgreSQL.
    units = list(
        Organisation.objects.select_for_update(no_key=True)
        .filter(pk__in=responsible.values("unit"))
        .order_by("pk")  # locked in one order, so that two reports never deadlock
    )
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    used = dict(
        MeasureUnit.objects.filter(
            unit__in=units,
            role=MeasureUnit.Role.RESPONSIBLE,
            measure__reports__evidence__uploaded_at__gte=today,
        )
        .values("unit")
        .annotate(total=Sum("measure__reports__evidence__size"))  # of the evidence the filter kept
        .values_list("unit", "total")
    )
    for unit in units:
        so_far = used.get(unit.pk) or 0
        if so_far + adding > limit:
            raise TooLarge(
                f"“{unit.name}”今天已上传佐证材料 {size_text(so_far)}，加上本次的 {size_text(adding)}，"
                f"将超过每个单位每天 {size_text(limit)} 的上限。请明天再报送，或请整改办协助。"
            )
