"""The allowance of evidence a responsible unit may upload in a day, counted from the database: what
its reports already hold today (on any of its measures) plus what the new report brings."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rectify.progress import services
from rectify.progress.models import Evidence, ProgressReport

from .conftest import PDF, Reporter, accepted, stored_files


def earlier_evidence(world, measure, sizes: list[int]) -> list[Evidence]:
    """Evidence records as a day's earlier uploads leave them (the files are small; their sizes are
    what the database says)."""
    report = services.submit_report(
        world.bob, measure.pk, text="上午报送。", files=[_pdf(f"{n}.pdf") for n in range(len(sizes))]
    )
    records = list(report.evidence.order_by("pk"))
    for record, size in zip(records, sizes, strict=True):
        Evidence.objects.filter(pk=record.pk).update(size=size)
    return records


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF)


def test_a_unit_over_its_day_is_refused_until_the_next_day(bob, ledger, world, media, settings):
    settings.RECTIFY_EVIDENCE_MAX_UNIT_DAY_BYTES = 100 * 1024
    # Unit A1 is responsible for measure 1.2 too: what it uploaded there today counts.
    earlier = earlier_evidence(world, ledger.measures[(1, 2)], [60 * 1024, 39 * 1024])
    files_before, reports_before = stored_files(media), ProgressReport.objects.count()

    sent = bob.send([("补充材料.pdf", PDF + bytes(2048))])
    assert sent.status == 413, sent.said[:2000]
    assert "“甲局执法支队”今天已上传佐证材料 99 KB" in sent.said
    assert "每个单位每天 100 KB 的上限" in sent.said
    if sent.way == "page":
        assert 'role="alert"' in sent.said and "本期完成执法规范修订" in sent.said
    assert ProgressReport.objects.count() == reports_before and stored_files(media) == files_before

    assert accepted(bob.send([("小文件.pdf", PDF)]))  # what is left of the day still fits

    yesterday = timezone.now() - timedelta(days=1)
    Evidence.objects.filter(pk__in=[record.pk for record in earlier]).update(uploaded_at=yesterday)
    assert accepted(bob.send([("补充材料.pdf", PDF + bytes(2048))]))


def test_another_units_uploads_do_not_count(ledger, world, media, settings):
    settings.RECTIFY_EVIDENCE_MAX_UNIT_DAY_BYTES = 100 * 1024
    earlier_evidence(world, ledger.measures[(1, 2)], [100 * 1024])  # unit A1's day is full
    for way in ("page", "api"):
        lisa = Reporter(way, ledger.measures[(2, 1)], "lisa")  # unit A2's measure
        assert accepted(lisa.send([("法规处材料.pdf", PDF + bytes(2048))]))
        bob = Reporter(way, ledger.measures[(1, 1)], "bob")
        assert bob.send([("执法支队材料.pdf", PDF)]).status == 413
