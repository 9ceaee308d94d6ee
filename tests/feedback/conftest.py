"""Feedback fixtures: items of bureau A in each state, built through the services."""

from __future__ import annotations

import pytest


@pytest.fixture
def fb(world, ledger):
    """Bureau A's items: `fresh` (received), `routed` to A1, `pending` (reply submitted by A1), one
    routed to A2 (`other_unit`), and bureau B's `foreign` item. Contacts on `fresh`."""
    from rectify.feedback.services import register_item, route_item, save_reply, submit_public

    a = world.orgs["a"]
    fresh = submit_public(
        organisation=a,
        kind="opinion",
        content="地铁站口非法营运车辆揽客，请加强执法巡查。",
        name="张三",
        phone="13812345678",
        email="zhang@example.com",
        consent_to_contact=True,
    )
    routed = submit_public(organisation=a, kind="demand", content="审批时限过长，材料重复提交。")
    routed = route_item(world.alice, routed, unit=world.orgs["a1"], version=routed.version)
    pending = register_item(
        world.alice, organisation=a, channel="phone", kind="opinion", content="执法人员态度生硬"
    )
    pending = route_item(world.alice, pending, unit=world.orgs["a1"], version=pending.version)
    save_reply(world.bob, pending, text="已约谈相关执法人员并加强培训。", submit=True)
    pending.refresh_from_db()
    other_unit = submit_public(organisation=a, kind="opinion", content="法规宣传不够")
    other_unit = route_item(world.alice, other_unit, unit=world.orgs["a2"], version=other_unit.version)
    foreign = submit_public(organisation=world.orgs["b"], kind="opinion", content="乙局的事")
    return Items(fresh=fresh, routed=routed, pending=pending, other_unit=other_unit, foreign=foreign)


class Items:
    def __init__(self, **items):
        self.__dict__.update(items)
