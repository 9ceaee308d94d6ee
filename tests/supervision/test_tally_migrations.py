"""Migrations 0009 (the reports' summary rows, read only for inspections whose measures' rows are of
the day) and 0010 (the warned measures by level) forget the measures' rows counted before them, so no
inspection is taken as counted without what they add, and the figures are counted directly until the
next count."""

import pytest

from ..migrating import back_at, forward_to

BEFORE = [("supervision", "0008_dispatch_inspections")]
AFTER = [("supervision", "0009_report_tally")]


@pytest.mark.django_db(transaction=True)
def test_the_measures_rows_counted_before_are_forgotten():
    with back_at(BEFORE) as apps:
        Organisation = apps.get_model("org", "Organisation")
        Inspection = apps.get_model("ledger", "Inspection")
        InspectionTally = apps.get_model("supervision", "InspectionTally")
        bureau = Organisation.objects.create(
            name="甲局", code="t-bureau", kind="party_organ", path="00000001/"
        )
        inspection = Inspection.objects.create(title="常规巡察", inspected=bureau)
        InspectionTally.objects.create(
            inspection=inspection,
            status="in_progress",
            measures=3,
            overdue=1,
            warned=1,
            counted_on="2026-12-07",
        )

        apps = forward_to(AFTER)
        assert not apps.get_model("supervision", "InspectionTally").objects.exists()
        assert not apps.get_model("supervision", "ReportTally").objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_rows_counted_before_the_warning_levels_are_forgotten():
    """Migration 0010 counts the warned measures by level: rows counted before it have no levels."""
    with back_at(AFTER) as apps:
        Organisation = apps.get_model("org", "Organisation")
        Inspection = apps.get_model("ledger", "Inspection")
        InspectionTally = apps.get_model("supervision", "InspectionTally")
        bureau = Organisation.objects.create(
            name="乙局", code="t-bureau-b", kind="party_organ", path="00000002/"
        )
        inspection = Inspection.objects.create(title="专项巡察", inspected=bureau)
        InspectionTally.objects.create(
            inspection=inspection, status="reopened", measures=2, overdue=2, warned=2, counted_on="2026-12-07"
        )

        apps = forward_to([("supervision", "0010_tally_warning_levels")])
        assert not apps.get_model("supervision", "InspectionTally").objects.exists()
