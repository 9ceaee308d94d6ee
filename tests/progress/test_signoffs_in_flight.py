"""The office's 销号 page shows every sign-off request in flight, at whatever level, with how long it has
waited there (from its last decision, the same count as the reminder of stuck sign-offs); deciders of
one level see only their own queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rectify.progress import services

from .test_views import accepted_report, media, page_of, signed_in  # noqa: F401  (media: a fixture)


def requested(world, measure):
    accepted_report(world, measure)
    return services.request_signoff(world.bob, measure.pk)


@pytest.mark.usefixtures("media")
def test_the_office_sees_every_request_in_flight_with_its_level_and_wait(world, ledger):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        at_unit = requested(world, ledger.measures[(1, 1)])
        at_leader = requested(world, ledger.measures[(1, 2)])
    with time_machine.travel(start + timedelta(days=2), tick=False):
        services.decide_signoff(world.hana, at_leader.pk, decision="approve", comment="同意。")
        services.decide_signoff(world.alice, at_leader.pk, decision="approve", comment="同意。")
    with time_machine.travel(start + timedelta(days=6, hours=1), tick=False):
        in_flight = list(services.signoffs_in_flight(world.alice))
        html = page_of(signed_in("alice").get("/signoffs/"))
    assert [signoff.pk for signoff in in_flight] == [at_unit.pk, at_leader.pk]  # longest waiting first
    section = html[html.index("全部在办的销号申请") :]
    unit_row = section[section.index(f"/measures/{at_unit.measure_id}/") :]
    assert "措施 1.1" in section and "措施 1.2" in section
    assert "责任单位负责人审核" in unit_row.split("</tr>")[0] and "6 天" in unit_row.split("</tr>")[0]
    leader_row = section[section.index(f"/measures/{at_leader.measure_id}/") :].split("</tr>")[0]
    assert "牵头领导审批" in leader_row and "4 天" in leader_row  # since the office's decision


@pytest.mark.usefixtures("media")
def test_deciders_of_one_level_and_other_bureaus_see_no_such_list(world, ledger):
    requested(world, ledger.measures[(1, 1)])
    assert "全部在办的销号申请" not in page_of(signed_in("hana").get("/signoffs/"))
    assert not services.signoffs_in_flight(world.hana).exists()
    assert not services.signoffs_in_flight(world.charlie).exists()  # 乙局's office: none of 甲局's
    assert not services.signoffs_in_flight(world.larry).exists()
