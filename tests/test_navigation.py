"""The main navigation: daily work in the bar, occasional destinations folded under 更多 (a <details>
that needs no script), each only for the roles it serves, and the fold marked when it holds the page."""

import re

from django.test import Client


def nav_of(world, username: str, url: str = "/inspections/") -> str:
    client = Client()
    client.force_login(getattr(world, username))
    page = client.get(url).content.decode()
    return re.search(r'<nav class="main-nav".*?</nav>', page, re.S).group()


def test_the_office_reaches_every_page_and_occasional_ones_under_more(world):
    nav = nav_of(world, "alice")
    bar, more = nav.split('<details class="nav-more">')
    daily = [
        "巡察整改",
        "整改台账",
        "数据看板",
        "待审核进展",
        "待审批销号",
        "预警",
        "督办单",
        "意见诉求",
        "举一反三",
    ]
    for label in daily:
        assert f">{label}" in bar, label
    for label in (
        "调度",
        "通报发布",
        "整改文书",
        "长效机制",
        "整改会议",
        "问责情况",
        "征求意见",
        "审计日志",
        "导入通报",
        "导入台账",
    ):
        assert f">{label}</a>" in more, label
    assert "nav-more-current" not in nav


def test_a_liaison_sees_only_what_serves_a_unit(world):
    nav = nav_of(world, "bob")
    assert ">我的整改</a>" in nav and ">意见诉求</a>" in nav and ">长效机制</a>" in nav
    office_only = [
        "待审核进展",
        "举一反三",
        "调度",
        "通报发布",
        "整改文书",
        "审计日志",
        "导入通报",
        "导入台账",
        "征求意见",
        "整改会议",
        "问责情况",
    ]
    for label in office_only:
        assert f">{label}" not in nav, label


def test_the_fold_is_marked_when_it_holds_the_current_page(world):
    nav = nav_of(world, "alice", "/audit/")
    assert '<summary class="nav-more-current">更多</summary>' in nav
    assert 'href="/audit/" aria-current="page"' in nav


def test_a_leader_reads_meetings_and_a_supervisor_accountability_too(world):
    leader = nav_of(world, "larry")
    assert ">整改会议</a>" in leader and ">问责情况</a>" not in leader
    supervisor = nav_of(world, "vera")
    assert ">整改会议</a>" in supervisor and ">问责情况</a>" in supervisor
