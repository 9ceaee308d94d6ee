"""Defect 2 of issue 11: the notice generated from the ledger (unapproved, every measure with its
status and date) is read only by the office, leaders and supervisors of the organisation and those
above it; a unit's head or liaison, who sees only the unit's measures, gets 404, as an outsider does."""

import pytest
from django.test import Client

READS_THE_DRAFT = {
    "alice": 200,
    "larry": 200,
    "vera": 200,
    "sam": 200,
    "hana": 404,
    "bob": 404,
    "lisa": 404,
    "charlie": 404,
    "nobody": 404,
}


@pytest.mark.parametrize("person", sorted(READS_THE_DRAFT))
def test_only_who_sees_the_whole_inspection_reads_its_notice_draft(world, ledger, person):
    client = Client()
    client.force_login(world.people[person])
    for fmt in ("json", "html", "txt"):
        response = client.get(f"/api/v1/inspections/{ledger.inspection.pk}/notice?format={fmt}")
        assert response.status_code == READS_THE_DRAFT[person], (fmt, response.content[:200])
    if READS_THE_DRAFT[person] == 404:
        assert "巡察不存在" in response.json()["detail"]


def test_a_liaison_still_opens_the_inspection_itself(world, ledger):
    client = Client()
    client.force_login(world.bob)
    assert client.get(f"/api/v1/inspections/{ledger.inspection.pk}").status_code == 200
    assert client.get(f"/inspections/{ledger.inspection.pk}/").status_code == 200
