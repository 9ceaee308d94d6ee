"""Shared fixtures: two bureaus and the people of every role, so every test also checks access.

Alice is bureau A's office (整改办), Larry leads measures there, Hana heads a unit under A and
Bob is its liaison, Vera supervises A, Sam supervises the whole city, and Charlie is bureau B's
office: an outsider to everything of A.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rectify.notices.document import (
    InspectionFacts,
    NoticeArea,
    NoticeDocument,
    NoticeMeasure,
    NoticeProblem,
)

FIXTURES = Path(__file__).parent / "fixtures"
GUANGZHOU = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "rectify"
    / "notices"
    / "data"
    / "guangzhou-transport-2025.txt"
)
PASSWORD = "Correct-horse-42"


def pytest_configure(config):
    # Real hashing costs ~0.3 s per user and the tests make hundreds; logins are still real.
    # Only with pytest-django on: the parser tests also run without Django at all.
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache (a file cache under the data directory outlives a run):
    no portal page or rate-limit count of another test's database; nor the portal's views that this
    process counted and has not yet added to the database (another test's notices)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    from rectify.notices import publishing

    cache.clear()
    publishing._views.clear()
    # A demo copied into an earlier test's database (tests/demo_copy.py) came with its own ids.
    ContentType.objects.clear_cache()


@pytest.fixture
def world(db):
    from rectify.org.models import Membership, Organisation, OrganisationKind, Role, User

    city = Organisation.objects.create(
        name="市委巡察办", code="city", kind=OrganisationKind.INSPECTION_OFFICE
    )
    bureau_a = Organisation.objects.create(
        name="甲局", code="bureau-a", kind=OrganisationKind.PARTY_ORGAN, parent=city
    )
    bureau_b = Organisation.objects.create(
        name="乙局", code="bureau-b", kind=OrganisationKind.PARTY_ORGAN, parent=city
    )
    unit_a1 = Organisation.objects.create(
        name="甲局执法支队", code="a-unit-1", kind=OrganisationKind.AFFILIATED, parent=bureau_a
    )
    squad_a1 = Organisation.objects.create(
        name="甲局执法支队一大队", code="a-unit-1-squad", kind=OrganisationKind.AFFILIATED, parent=unit_a1
    )
    unit_a2 = Organisation.objects.create(
        name="甲局法规处", code="a-unit-2", kind=OrganisationKind.DEPARTMENT, parent=bureau_a
    )
    unit_b1 = Organisation.objects.create(
        name="乙局办公室", code="b-unit-1", kind=OrganisationKind.DEPARTMENT, parent=bureau_b
    )

    def person(username: str, name: str, role: str | None, organisation) -> User:
        user = User.objects.create_user(username, password=PASSWORD, full_name=name)
        if role:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    people = {
        "alice": person("alice", "艾丽", Role.OFFICE, bureau_a),
        "larry": person("larry", "李瑞", Role.LEADER, bureau_a),
        "hana": person("hana", "韩娜", Role.UNIT_HEAD, unit_a1),
        "bob": person("bob", "包博", Role.LIAISON, unit_a1),
        "lisa": person("lisa", "刘莎", Role.LIAISON, unit_a2),
        "vera": person("vera", "魏然", Role.SUPERVISOR, bureau_a),
        "sam": person("sam", "孙明", Role.SUPERVISOR, city),
        "charlie": person("charlie", "查理", Role.OFFICE, bureau_b),
        "nobody": person("nobody", "无角色", None, None),
    }
    orgs = {
        "city": city,
        "a": bureau_a,
        "b": bureau_b,
        "a1": unit_a1,
        "a1squad": squad_a1,
        "a2": unit_a2,
        "b1": unit_b1,
    }
    return _World(orgs=orgs, people=people)


class _World:
    def __init__(self, orgs, people):
        self.orgs = orgs
        self.people = people

    def __getattr__(self, name):
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None


def small_notice(title: str = "中共甲局党组关于巡察整改进展情况的通报") -> NoticeDocument:
    """A notice built in code (no parser involved): 2 areas, 3 problems, 5 measures."""
    return NoticeDocument(
        title=title,
        issuer="中共甲局党组",
        date=date(2025, 3, 1),
        inspection=InspectionFacts(
            body="市委第一巡察组",
            inspected="甲局党组",
            theme="常规巡察",
            kind="patrol",
            start=date(2024, 3, 1),
            end=date(2024, 4, 30),
            feedback_date=date(2024, 6, 1),
        ),
        areas=[
            NoticeArea(
                title="关于执法方面",
                problems=[
                    NoticeProblem(
                        1,
                        "执法不规范的整改",
                        [NoticeMeasure("规范执法程序。"), NoticeMeasure("加强执法培训。")],
                    ),
                    NoticeProblem(2, "非法营运打击不力的整改", [NoticeMeasure("打击非法营运车辆。")]),
                ],
            ),
            NoticeArea(
                title="关于服务方面",
                problems=[
                    NoticeProblem(
                        3,
                        "审批时限过长的整改",
                        [NoticeMeasure("压缩审批时限。"), NoticeMeasure("推行网上办理。")],
                    ),
                ],
            ),
        ],
    )


@pytest.fixture
def ledger(world):
    """Bureau A's inspection from small_notice(), assigned: problem 1 to unit A1 (squad supports
    measure 2), problem 2 to A2, problem 3 to A1 supported by A2; Larry leads all. And bureau B's."""
    from rectify.ledger.models import Measure, MeasureUnit
    from rectify.notices.importer import import_notice

    inspection = import_notice(small_notice(), organisation=world.orgs["a"], user=world.alice)
    other = import_notice(
        small_notice("中共乙局党组关于巡察整改进展情况的通报"),
        organisation=world.orgs["b"],
        user=world.charlie,
    )
    measures = {
        (m.problem.number, m.order): m
        for m in Measure.objects.filter(problem__inspection=inspection).select_related("problem")
    }
    plan = {
        (1, 1): [("a1", "responsible")],
        (1, 2): [("a1", "responsible"), ("a1squad", "supporting")],
        (2, 1): [("a2", "responsible")],
        (3, 1): [("a1", "responsible"), ("a2", "supporting")],
        (3, 2): [("a1", "responsible")],
    }
    # The import made the bureau itself answer for every measure; the office's assignment replaces that.
    MeasureUnit.objects.filter(measure__in=measures.values()).delete()
    for key, links in plan.items():
        for org, role in links:
            MeasureUnit.objects.create(measure=measures[key], unit=world.orgs[org], role=role)
        Measure.objects.filter(pk=measures[key].pk).update(responsible_unit=world.orgs[links[0][0]])
        measures[key].responsible_unit = world.orgs[links[0][0]]
    Measure.objects.filter(problem__inspection=inspection).update(lead_leader=world.larry)
    return _Ledger(inspection=inspection, other=other, measures=measures)


class _Ledger:
    def __init__(self, inspection, other, measures):
        self.inspection = inspection
        self.other = other
        self.measures = measures
