"""Changing the lead leader or the units of a signed-off measure asks for a reason: the edit page and the
API refuse without one (a Chinese message, nothing changed, nothing typed lost), and the measure's
timeline reads the change with its reason ("艾丽 将牵头领导由李瑞改为周敏，理由：…")."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.test import Client

from rectify.errors import InvalidInput
from rectify.ledger import services
from rectify.ledger.models import Measure, MeasureUnit
from rectify.org.models import Membership, Role, User

from ..api.test_api import token_for
from ..conftest import PASSWORD

REASON = "原牵头领导工作调整，改由周敏同志牵头。"


@pytest.fixture
def zhou(world):
    user = User.objects.create_user("zhou", password=PASSWORD, full_name="周敏")
    Membership.objects.create(user=user, organisation=world.orgs["a"], role=Role.LEADER)
    return user


@pytest.fixture
def signed_off(ledger):
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(status="signed_off", deadline=date(2025, 6, 30))
    return Measure.objects.get(pk=measure.pk)


def state(measure: Measure) -> tuple:
    measure = Measure.objects.get(pk=measure.pk)
    units = sorted(MeasureUnit.objects.filter(measure=measure).values_list("unit_id", "role"))
    return measure.lead_leader_id, measure.responsible_unit_id, measure.version, units


def timeline(client: Client, measure: Measure) -> str:
    html = client.get(f"/measures/{measure.pk}/").content.decode()
    history = html[html.index('id="history-title"') :]
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", history))


def test_the_service_refuses_a_new_leader_or_units_without_a_reason(world, zhou, signed_off):
    before = state(signed_off)
    with pytest.raises(InvalidInput, match="须填写修改理由"):
        services.update_measure_assignment(world.alice, signed_off.pk, version=1, lead_leader=zhou)
    with pytest.raises(InvalidInput, match="须填写修改理由"):
        services.update_measure_assignment(
            world.alice, signed_off.pk, version=1, units=[world.orgs["a1"], world.orgs["a2"]], reason="  "
        )
    assert state(signed_off) == before  # the units replaced before the refusal were put back
    # What is not people or units (the category) needs no reason.
    services.update_measure_assignment(world.alice, signed_off.pk, version=1, category="immediate")


def test_an_open_measure_changes_hands_without_a_reason(world, zhou, ledger):
    measure = ledger.measures[(1, 2)]
    changed = services.update_measure_assignment(world.alice, measure.pk, version=1, lead_leader=zhou)
    assert changed.lead_leader == zhou
    client = Client()
    client.force_login(world.alice)
    assert 'name="reason"' not in client.get(f"/measures/{measure.pk}/edit/").content.decode()


def test_the_edit_page_asks_for_the_reason_and_the_timeline_reads_it(world, zhou, signed_off):
    client = Client()
    client.force_login(world.alice)
    page = client.get(f"/measures/{signed_off.pk}/edit/").content.decode()
    assert 'name="reason"' in page and "该措施已销号" in page
    form = {
        "version": 1,
        "lead_leader": zhou.pk,
        "responsible_unit": world.orgs["a1"].pk,
        "units": [world.orgs["a1"].pk],
        "supporting_units": [world.orgs["a2"].pk],
        "category": "deadline",
        "reason": "",
    }
    before = state(signed_off)
    response = client.post(f"/measures/{signed_off.pk}/edit/", form)
    page = response.content.decode()
    assert response.status_code == 400 and "须填写修改理由" in page
    assert f'<option value="{zhou.pk}" selected' in page  # what was chosen is still chosen
    assert state(signed_off) == before
    response = client.post(f"/measures/{signed_off.pk}/edit/", {**form, "reason": REASON})
    assert response.status_code == 302
    assert Measure.objects.get(pk=signed_off.pk).lead_leader == zhou
    text = timeline(client, signed_off)
    assert f"艾丽将牵头领导由李瑞改为周敏，理由：{REASON}" in text
    assert f"艾丽增加配合单位：甲局法规处，理由：{REASON}" in text


def test_the_api_asks_for_the_reason(client, world, zhou, signed_off):
    alice = token_for(client, "alice")
    url = f"/api/v1/measures/{signed_off.pk}"
    before = state(signed_off)
    body = {"version": 1, "units": [world.orgs["a2"].pk]}
    response = client.patch(url, json.dumps(body), content_type="application/json", headers=alice)
    assert response.status_code == 400 and "须填写修改理由" in response.json()["detail"]
    assert state(signed_off) == before
    body["reason"] = "执法职能划转至法规处。"
    response = client.patch(url, json.dumps(body), content_type="application/json", headers=alice)
    assert response.status_code == 200, response.content
    history = client.get(f"{url}/history", headers=alice).json()
    sentences = [f"{entry['actor']} {entry['sentence']}" for entry in history]
    assert "艾丽 增加责任单位：甲局法规处，理由：执法职能划转至法规处。" in sentences
    assert "艾丽 移除责任单位：甲局执法支队，理由：执法职能划转至法规处。" in sentences
