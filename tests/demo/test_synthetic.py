"""The synthetic province of `rectify benchmark --scale`: at a tiny size, consistent data."""

import io

import pytest
from django.db.models import Count

from rectify.console import ProgressBar
from rectify.demo.synthetic import Scale, generate
from rectify.feedback.models import FeedbackItem
from rectify.ledger.models import Inspection, Measure, MeasureUnit, Problem
from rectify.org.models import Organisation, OrganisationKind
from rectify.progress.models import Evidence, ProgressReport
from rectify.search.models import SearchEntry
from rectify.search.services import search

TINY = Scale(
    "tiny",
    cities=2,
    bureaus_per_city=2,
    departments_per_bureau=3,
    rounds=2,
    measures=400,
    reports=1200,
    feedback=300,
)


@pytest.fixture
def province(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stream = io.StringIO()
    built = generate(TINY, stream=stream)
    return built, stream.getvalue()


def test_counts_match_the_scale(province):
    built, _ = province
    assert Organisation.objects.count() == TINY.organisations
    assert Inspection.objects.count() == TINY.rounds * TINY.cities * TINY.bureaus_per_city
    assert Measure.objects.count() == TINY.measures
    assert ProgressReport.objects.count() == TINY.reports
    assert Evidence.objects.count() > 0
    assert FeedbackItem.objects.count() == TINY.feedback
    # the first inspection is the one the Excel export is measured on
    assert Measure.objects.filter(problem__inspection=built.inspections[0]).count() == TINY.measures // 2


def test_the_organisations_form_a_tree_with_paths(province):
    for organisation in Organisation.objects.select_related("parent"):
        expected = (organisation.parent.path if organisation.parent else "") + f"{organisation.pk:08d}/"
        assert organisation.path == expected
    assert Organisation.objects.filter(parent__isnull=True).count() == 1
    assert set(Organisation.objects.values_list("kind", flat=True)) >= {
        OrganisationKind.PARTY_ORGAN,
        OrganisationKind.INSPECTION_OFFICE,
        OrganisationKind.DEPARTMENT,
    }


def test_every_measure_has_a_responsible_unit_of_the_inspected_bureau(province):
    assert not Measure.objects.filter(unit_links__isnull=True).exists()
    for link in MeasureUnit.objects.select_related("unit", "measure__problem__inspection__inspected")[:200]:
        assert link.unit.path.startswith(link.measure.problem.inspection.inspected.path)
    numbers = Problem.objects.values("inspection", "number").annotate(n=Count("id")).filter(n__gt=1)
    assert not numbers.exists()
    assert Inspection.objects.filter(problems__isnull=True).count() == 0


def test_the_search_index_covers_everything_and_answers(province):
    built, _ = province
    indexed = Problem.objects.count() + Measure.objects.count() + TINY.reports + TINY.feedback
    assert SearchEntry.objects.count() == indexed
    assert search(built.office, "整改").total > 0


def test_progress_bars_are_written(province):
    _, output = province
    assert "写入整改措施 [" in output and f"{TINY.measures}/{TINY.measures} 100%" in output
    assert "重建检索索引" in output


def test_the_progress_bar_writes_a_line_per_tenth_into_a_file():
    stream = io.StringIO()
    with ProgressBar("写入", total=100, stream=stream) as bar:
        for _ in range(100):
            bar.advance()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[0].startswith("写入 [" + "." * 30 + "] 0/100 0%")
    assert lines[-1].startswith("写入 [" + "#" * 30 + "] 100/100 100%")
