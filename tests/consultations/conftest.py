"""Consultations on bureau A's rule (the `ledger` fixture's inspection), at every stage."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rectify.feedback.consultations import services as consultations
from rectify.feedback.consultations.services import ConsultationFields
from rectify.ledger.models import Mechanism

DRAFT_TEXT = (
    "第一条 为加强停车场建设和管理，根据有关法律法规，结合本市实际，制定本条例。\n"
    "第二条 本条例适用于本市行政区域内停车场的规划、建设、使用和管理。\n"
    "第三条 鼓励机关、企事业单位在保障安全的前提下向社会错时开放内部停车场。"
)


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Rate-limit counts of one test never reach another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "consultations"}
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def mechanism(ledger):
    return Mechanism.objects.create(inspection=ledger.inspection, title="《甲市停车场条例》", kind="revised")


def online(
    opens_on: date, closes_on: date, title: str = "关于《甲市停车场条例（修订草案）》公开征求意见的公告"
):
    return ConsultationFields(
        kind="online", title=title, draft_text=DRAFT_TEXT, opens_on=opens_on, closes_on=closes_on
    )


def meeting(on: date):
    return ConsultationFields(
        kind="meeting",
        title="《甲市停车场条例（修订草案）》征求意见座谈会",
        draft_text=DRAFT_TEXT,
        opens_on=on,
        closes_on=None,
        meeting_place="甲局三楼会议室",
        participants="甲市道路运输协会\n甲市停车场行业协会",
    )


@pytest.fixture
def open_consultation(world, mechanism, today):
    """Taking comments: opened a week ago, closes in a week."""
    draft = consultations.create_consultation(
        world.alice, online(today - timedelta(days=7), today + timedelta(days=7)), mechanism_id=mechanism.pk
    )
    return consultations.open_consultation(world.alice, draft.pk)


@pytest.fixture
def lapsed_consultation(world, mechanism, today):
    """Its period ended yesterday; the office has not closed it yet."""
    draft = consultations.create_consultation(
        world.alice, online(today - timedelta(days=30), today - timedelta(days=1)), mechanism_id=mechanism.pk
    )
    opened = consultations.open_consultation(world.alice, draft.pk, today=today - timedelta(days=30))
    for text in ("建议明确错时共享停车的收费标准。", "建议删除第三条。"):
        consultations.submit_public_comment(
            opened.pk, content=text, contact="13812341234", name="张三", today=today - timedelta(days=3)
        )
    return opened
