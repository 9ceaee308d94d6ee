"""Issue 13, part 5: a 督办单 issued by a member of a 纪检监察组 or 巡察办 carries that body as 督办机关,
on the page, in the API and in the Word file, and the answer goes to it, not to the bureau."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from rectify.org.models import Membership, Organisation, OrganisationKind, Role
from rectify.supervision.models import SupervisionOrder

GROUP = "市纪委监委驻甲局纪检监察组"


@pytest.fixture
def group(world):
    """The discipline inspection group stationed in bureau A; Vera supervises the bureau for it."""
    return Organisation.objects.create(
        name=GROUP, code="a-jjz", kind=OrganisationKind.DISCIPLINE, parent=world.orgs["a"]
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue(client: Client, ledger, world) -> dict:
    body = {
        "unit": world.orgs["a1"].pk,
        "measures": [ledger.measures[(1, 1)].pk],
        "reason": "整改进度滞后。",
        "demanded_action": "七日内报送整改情况。",
        "answer_due": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    response = client.post("/api/v1/supervision-orders", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _docx_text(client: Client, order_id: int) -> list[str]:
    response = client.get(f"/orders/{order_id}/docx/")
    assert response.status_code == 200
    return [p.text for p in Document(BytesIO(response.content)).paragraphs if p.text]


def test_an_order_of_the_discipline_group_is_in_its_name(world, ledger, group):
    vera = _client(world.vera)
    data = _issue(vera, ledger, world)
    year = timezone.localdate().year
    assert data["issuer"] == {"id": group.pk, "name": GROUP}
    assert data["answer_to"] == {"id": group.pk, "name": GROUP}
    assert data["number"] == f"督办〔{year}〕1号"  # the group numbers its own orders

    bob = _client(world.bob)  # the unit reads it as the group's order
    page = bob.get(f"/orders/{data['id']}/").content.decode()
    assert f"<h1>{GROUP}督办单" in page
    assert f"<dt>督办机关</dt><dd>{GROUP}</dd>" in page
    assert f"书面答复{GROUP}" in page and "书面答复甲局<" not in page
    assert bob.get(f"/api/v1/supervision-orders/{data['id']}").json()["issuer"]["name"] == GROUP

    text = _docx_text(bob, data["id"])
    assert text[0] == f"{GROUP}整改督办单"
    assert any(f"书面答复{GROUP}。" in line for line in text)
    assert not any("书面答复甲局。" in line for line in text)
    assert text[-2] == GROUP  # signed by the group, above the date
    # The office and the supervisor still see it among their orders.
    listed = _client(world.alice).get("/api/v1/supervision-orders").json()
    assert [item["id"] for item in listed["items"]] == [data["id"]]


def test_a_member_of_a_group_issues_in_its_name_without_it_being_the_only_one(world, ledger, group):
    other = Organisation.objects.create(
        name="另一纪检监察组", code="a-jjz-2", kind=OrganisationKind.DISCIPLINE, parent=world.orgs["a"]
    )
    # Two groups stationed: none is guessed, unless the supervisor is a member of one.
    assert _issue(_client(world.vera), ledger, world)["issuer"]["name"] == "甲局"
    Membership.objects.create(user=world.vera, organisation=other, role=Role.SUPERVISOR)
    assert _issue(_client(world.vera), ledger, world)["issuer"]["name"] == "另一纪检监察组"


def test_the_city_inspection_office_issues_in_its_own_name(world, ledger, group):
    data = _issue(_client(world.sam), ledger, world)
    assert data["issuer"]["name"] == data["answer_to"]["name"] == "市委巡察办"
    text = _docx_text(_client(world.sam), data["id"])
    assert text[0] == "市委巡察办整改督办单" and any("书面答复市委巡察办。" in line for line in text)


def test_the_office_issues_in_the_bureau_s_name(world, ledger, group):
    data = _issue(_client(world.alice), ledger, world)
    assert data["issuer"]["name"] == "甲局"
    page = _client(world.alice).get(f"/orders/{data['id']}/").content.decode()
    assert "<dt>督办机关</dt><dd>甲局</dd>" in page and "书面答复甲局" in page
    assert SupervisionOrder.objects.get(pk=data["id"]).issuer == world.orgs["a"]
