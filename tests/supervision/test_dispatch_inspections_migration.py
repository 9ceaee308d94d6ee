"""Migration 0007 lets a dispatch cover several inspections: every dispatch stored before it covers the
one inspection it was built for."""

import pytest

from ..migrating import back_at, forward_to

BEFORE = [("supervision", "0007_inspection_tally")]
AFTER = [("supervision", "0008_dispatch_inspections")]


@pytest.mark.django_db(transaction=True)
def test_stored_dispatches_cover_their_inspection():
    with back_at(BEFORE) as apps:
        Organisation = apps.get_model("org", "Organisation")
        User = apps.get_model("org", "User")
        Inspection = apps.get_model("ledger", "Inspection")
        DispatchReport = apps.get_model("supervision", "DispatchReport")

        bureau = Organisation.objects.create(
            name="甲局", code="m-bureau", kind="party_organ", path="00000001/"
        )
        author = User.objects.create(username="m-office", full_name="整改办")
        patrol = Inspection.objects.create(title="常规巡察", inspected=bureau)
        audit = Inspection.objects.create(title="2024年审计", inspected=bureau, kind="audit")
        day = "2025-03-01"
        first = DispatchReport.objects.create(
            inspection=patrol, start=day, end=day, created_by=author, data={}
        )
        second = DispatchReport.objects.create(
            inspection=audit, start=day, end=day, created_by=author, data={}
        )

        DispatchReport = forward_to(AFTER).get_model("supervision", "DispatchReport")

        def covered(report) -> list[int]:
            return list(DispatchReport.objects.get(pk=report.pk).inspections.values_list("pk", flat=True))

        assert covered(first) == [patrol.pk]
        assert covered(second) == [audit.pk]
