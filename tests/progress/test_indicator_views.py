"""Indicators on a measure: the block the measure page includes, adding indicators and values, and
who may. Measure 1.1 of bureau A is unit A1's (Bob the liaison, Hana the head)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone

from rectify.progress.models import Indicator, Observation
from rectify.progress.services import add_indicator, add_observation, indicator_statuses


def signed_in(username: str) -> Client:
    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def measure(ledger):
    return ledger.measures[(1, 1)]


@pytest.fixture
def rate(measure, world):
    """An indicator with three values; the latest (82) is short of the target (95)."""
    indicator = add_indicator(
        world.alice,
        measure.pk,
        name="案件线上办理率",
        unit="%",
        baseline=Decimal("60"),
        target=Decimal("95"),
        direction="increase",
    )
    today = timezone.localdate()
    for days, value in ((60, "60.5"), (30, "75"), (1, "82.25")):
        add_observation(
            world.bob, indicator.pk, observed_on=today - timedelta(days=days), value=Decimal(value)
        )
    return indicator


def indicator_form(**changes) -> dict:
    data = {"name": "投诉办结天数", "unit": "天", "direction": "decrease", "baseline": "15", "target": "7"}
    data.update(changes)
    return data


def block(measure, user, can_track: bool) -> str:
    """The block as the measure page includes it."""
    request = RequestFactory().get(f"/measures/{measure.pk}/")
    request.user = user
    context = {
        "measure": measure,
        "indicator_statuses": indicator_statuses(measure),
        "can_track_indicators": can_track,
    }
    return render_to_string("progress/_indicators.html", context, request=request)


# ------------------------------------------------------------------ the block


def test_block_shows_each_indicator_with_chart_data_table_and_warning(rate, measure, world):
    html = block(measure, world.alice, can_track=True)
    assert '<h2 id="indicators-title">量化指标</h2>' in html
    assert "案件线上办理率" in html and "越高越好" in html
    assert "<dd>60 %</dd>" in html and "<dd>95 %</dd>" in html  # baseline, target, without trailing zeros
    assert "<strong>82.25 %</strong>" in html  # the latest value
    assert (
        "未达目标：</strong>最新值 82.25 %" in html and 'role="alert"' not in html
    )  # a warning that blocks nothing
    # The chart's numbers, in a json_script element the chart script reads; no inline script.
    data = re.search(r'<script id="indicator-data-\d+" type="application/json">(.*?)</script>', html).group(1)
    assert '"target": 95.0' in data and "82.25" in data and "60.5" in data
    assert re.findall(r"<script(?![^>]*(src=|application/json))", html) == []
    assert 'class="indicator-chart"' in html and 'role="img"' in html
    # The same numbers in a table, always in the page.
    table = html.split("<table", 1)[1].split("</table>", 1)[0]
    assert "<caption>案件线上办理率的填报数值</caption>" in table
    assert [cell for cell in re.findall(r'<td class="num-wide">([^<]*)</td>', table)] == [
        "60.5",
        "75",
        "82.25",
    ]
    assert "vendor/echarts/echarts.min.js" in html and "js/indicator-charts.js" in html
    # The office may add: both forms are there.
    assert f'action="/measures/{measure.pk}/indicators/new/"' in html
    assert f'action="/indicators/{rate.pk}/observations/"' in html


def test_block_for_readers_has_no_forms_and_no_warning_once_the_target_is_met(rate, measure, world):
    add_observation(world.bob, rate.pk, observed_on=timezone.localdate(), value=Decimal("96"))
    html = block(measure, world.larry, can_track=False)
    assert "indicator-warning" not in html and "已达到目标值" in html
    assert "<form" not in html


def test_block_without_indicators(measure, world):
    html = block(measure, world.alice, can_track=True)
    assert "尚未设置量化指标" in html and "echarts" not in html and "添加指标" in html


def test_block_decreasing_indicator_short_of_target_says_so(measure, world):
    indicator = add_indicator(
        world.alice,
        measure.pk,
        name="投诉办结天数",
        unit="天",
        baseline=Decimal(15),
        target=Decimal(7),
        direction="decrease",
    )
    add_observation(world.bob, indicator.pk, observed_on=timezone.localdate(), value=Decimal(9))
    html = block(measure, world.alice, can_track=True)
    assert "尚未降至目标值 7 天" in html and "越低越好" in html


def test_block_queries_do_not_grow_with_indicators(rate, measure, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            block(measure, world.alice, can_track=True)
        return len(queries)

    before = count()
    for n in range(4):
        extra = add_indicator(
            world.alice,
            measure.pk,
            name=f"指标{n}",
            baseline=Decimal(0),
            target=Decimal(10),
            direction="increase",
        )
        add_observation(world.bob, extra.pk, observed_on=timezone.localdate(), value=Decimal(n))
    assert count() == before


# ------------------------------------------------------------------ adding indicators


@pytest.mark.parametrize("name", ["alice", "bob", "hana"])
def test_office_and_responsible_unit_add_an_indicator(measure, name):
    response = signed_in(name).post(f"/measures/{measure.pk}/indicators/new/", indicator_form())
    indicator = Indicator.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/measures/{measure.pk}/#indicator-{indicator.pk}"
    assert (indicator.name, indicator.unit, indicator.target, indicator.direction) == (
        "投诉办结天数",
        "天",
        Decimal(7),
        "decrease",
    )


def test_the_add_page_shows_the_form(measure):
    response = signed_in("bob").get(f"/measures/{measure.pk}/indicators/new/")
    page = response.content.decode()
    assert response.status_code == 200 and "<h1>添加量化指标</h1>" in page
    assert '<label for="id_indicator_name">指标名称</label>' in page


@pytest.mark.parametrize(("name", "status"), [("larry", 403), ("vera", 403), ("lisa", 404), ("charlie", 404)])
def test_others_cannot_add_an_indicator(measure, name, status):
    client = signed_in(name)
    assert client.get(f"/measures/{measure.pk}/indicators/new/").status_code == status
    response = client.post(f"/measures/{measure.pk}/indicators/new/", indicator_form())
    assert response.status_code == status
    if status == 403:
        assert "只有整改办或该措施的责任单位" in response.content.decode()
    assert not Indicator.objects.exists()


def test_a_target_against_the_direction_is_refused_and_the_input_kept(measure):
    response = signed_in("alice").post(
        f"/measures/{measure.pk}/indicators/new/",
        indicator_form(name="结案率", direction="increase", target="5"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page and "目标值与指标方向不一致" in page
    assert 'value="结案率"' in page and 'value="5"' in page and 'value="15"' in page
    assert not Indicator.objects.exists()


def test_a_number_that_is_not_a_number_is_refused_in_chinese(measure):
    response = signed_in("alice").post(f"/measures/{measure.pk}/indicators/new/", indicator_form(target="七"))
    assert response.status_code == 400 and "目标值：请输入数字。" in response.content.decode()
    assert not Indicator.objects.exists()


def test_a_duplicate_name_is_refused(rate, measure):
    response = signed_in("alice").post(
        f"/measures/{measure.pk}/indicators/new/",
        indicator_form(name="案件线上办理率", direction="increase", target="99"),
    )
    assert response.status_code == 400 and "已有名为“案件线上办理率”的指标" in response.content.decode()
    assert Indicator.objects.count() == 1


# ------------------------------------------------------------------ recording values


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_office_and_responsible_unit_record_a_value(rate, measure, name):
    day = timezone.localdate()
    response = signed_in(name).post(
        f"/indicators/{rate.pk}/observations/",
        {"observed_on": day.isoformat(), "value": "90.5", "note": "月报"},
    )
    assert (
        response.status_code == 302 and response["Location"] == f"/measures/{measure.pk}/#indicator-{rate.pk}"
    )
    observation = Observation.objects.get(indicator=rate, observed_on=day)
    assert observation.value == Decimal("90.5") and observation.note == "月报"


@pytest.mark.parametrize(("name", "status"), [("larry", 403), ("vera", 403), ("lisa", 404), ("charlie", 404)])
def test_others_cannot_record_a_value(rate, name, status):
    response = signed_in(name).post(
        f"/indicators/{rate.pk}/observations/",
        {"observed_on": timezone.localdate().isoformat(), "value": "99"},
    )
    assert response.status_code == status
    assert Observation.objects.filter(indicator=rate).count() == 3


def test_a_second_value_the_same_day_is_refused_with_the_input_kept(rate):
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = signed_in("bob").post(
        f"/indicators/{rate.pk}/observations/", {"observed_on": day, "value": "88.8"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in page and "已填报过该指标" in page
    assert 'value="88.8"' in page and f'value="{day}"' in page
    assert Observation.objects.filter(indicator=rate).count() == 3


def test_a_future_date_is_refused(rate):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = signed_in("bob").post(
        f"/indicators/{rate.pk}/observations/", {"observed_on": tomorrow, "value": "90"}
    )
    assert response.status_code == 400 and "观测日期不能晚于今天" in response.content.decode()


def test_recording_is_a_post(rate):
    assert signed_in("bob").get(f"/indicators/{rate.pk}/observations/").status_code == 405


# ------------------------------------------------------------------ the indicator's own page


def test_indicator_page_shows_chart_table_warning_and_the_form_to_those_who_track(rate, measure):
    page = signed_in("hana").get(f"/indicators/{rate.pk}/").content.decode()
    assert '<h1 id="indicator-' in page and "案件线上办理率" in page
    assert (
        "indicator-warning" in page
        and "indicator-data-" in page
        and '<details class="indicator-data" open>' in page
    )
    assert 'name="observed_on"' in page and f'value="{timezone.localdate():%Y-%m-%d}"' in page
    reader = signed_in("vera").get(f"/indicators/{rate.pk}/")
    assert reader.status_code == 200 and 'name="observed_on"' not in reader.content.decode()
    assert signed_in("charlie").get(f"/indicators/{rate.pk}/").status_code == 404
    assert signed_in("lisa").get(f"/indicators/{rate.pk}/").status_code == 404
