"""LocalDate: the local day of a stored instant, computed by the database, is the day Django's own
conversion gives, for any instant (around local midnight, at the ends of the years checked for one
offset, and outside them), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models.functions import TruncDate
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rectify.dbdates import LocalDate, fixed_offset_seconds
from rectify.feedback.models import FeedbackItem
from rectify.feedback.services import submit_public


def test_fixed_offset_is_found_only_without_daylight_saving():
    assert fixed_offset_seconds(ZoneInfo("Asia/Shanghai")) == 8 * 3600
    assert fixed_offset_seconds(ZoneInfo("UTC")) == 0
    assert fixed_offset_seconds(ZoneInfo("Europe/Berlin")) is None


EDGES = [
    datetime(2026, 3, 1, 15, 59, 59, 999999, tzinfo=UTC),  # 23:59:59 in Shanghai
    datetime(2026, 3, 1, 16, 0, tzinfo=UTC),  # midnight in Shanghai
    datetime(2000, 1, 1, 0, 0, tzinfo=UTC),  # the first checked day: the exact conversion
    datetime(2000, 1, 2, 0, 0, tzinfo=UTC),
    datetime(1989, 7, 1, 12, 0, tzinfo=UTC),  # Shanghai kept daylight saving time then
    datetime(2099, 12, 31, 20, 0, tzinfo=UTC),
]


@pytest.fixture
def item(world):
    return submit_public(organisation=world.orgs["a"], kind="opinion", content="某路段占道经营，请处理")


def _days(pk: int, function) -> tuple:
    return tuple(
        FeedbackItem.objects.filter(pk=pk)
        .annotate(received=function("received_at"), closed=function("closed_at"))
        .values_list("received", "closed")
        .get()
    )


def _check(item, moment: datetime) -> None:
    FeedbackItem.objects.filter(pk=item.pk).update(received_at=moment, closed_at=None)
    received, closed = _days(item.pk, LocalDate)
    assert (received, closed) == _days(item.pk, TruncDate)
    assert received == timezone.localtime(moment).date() and closed is None


@pytest.mark.django_db
@pytest.mark.parametrize("moment", EDGES)
def test_edges(item, moment):
    _check(item, moment)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Pacific/Kiritimati"])
def test_other_zones(item, zone):
    with timezone.override(ZoneInfo(zone)):
        for moment in EDGES:
            _check(item, moment)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2120, 1, 1)))
def test_any_instant(item, moment):
    _check(item, moment.replace(tzinfo=UTC) + timedelta(0))
