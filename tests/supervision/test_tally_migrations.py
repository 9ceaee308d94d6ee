"""Migrations 0009 (the reports' summary rows, read only for inspections whose measures' rows are of
the day), 0010 (the warned measures by level) and 0011 (the rows per unit, leader and category, and the
problems' rows) forget the measures' rows counted before them, so no
inspection is taken as counted without what they add, and the figures are counted directly until the
next count."""

import pytest

from ..migrating import back_at, forward_to


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("0008_dispatch_inspections", "0009_report_tally"),  # the reports' rows
        ("0009_report_tally", "0010_tally_warning_levels"),  # the levels: earlier rows have none
        ("0010_tally_warning_levels", "0011_group_tallies"),  # the groups: none beside earlier rows
    ],
)
@pytest.mark.django_db(transaction=True)
def test_the_measures_rows_counted_before_are_forgotten(before, after):
    with back_at([("supervision", before)]) as apps:
        Organisation = apps.get_model("org", "Organisation")
        Inspection = apps.get_model("ledger", "Inspection")
        InspectionTally = apps.get_model("supervision", "InspectionTally")
        bureau = Organisation.objects.create(
            name="甲局", code="t-bureau", kind="party_organ", path="00000001/"
        )
        inspection = Inspection.objects.create(title="常规巡察", inspected=bureau)
        # A warned measure carries a level from 0010 on (its check constraint).
        levels = {"red": 1} if any(field.name == "red" for field in InspectionTally._meta.fields) else {}
        InspectionTally.objects.create(
            inspection=inspection,
            status="in_progress",
            measures=3,
            overdue=1,
            warned=1,
            counted_on="2026-12-07",
            **levels,
        )

        apps = forward_to([("supervision", after)])
        assert not apps.get_model("supervision", "InspectionTally").objects.exists()
        assert not apps.get_model("supervision", "ReportTally").objects.exists()
