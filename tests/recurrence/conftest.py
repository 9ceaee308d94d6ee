"""A signed-off first round and a second round imported after it, for the recurrence tests.

Bureau A's first inspection is the `ledger` fixture's (small_notice: 1 执法不规范, 2 非法营运打击不力,
3 审批时限过长); every measure is signed off except measure 1.2, so problem 1 is not. The second round,
imported afterwards, repeats problems 2 and 3 in other words, repeats problem 1, and adds one on
something else.
"""

from datetime import date

import pytest

from rectify.ledger.choices import MeasureStatus
from rectify.ledger.models import Measure
from rectify.notices.document import InspectionFacts, NoticeArea, NoticeDocument, NoticeMeasure, NoticeProblem
from rectify.notices.importer import import_notice


def second_round_notice(title: str = "中共甲局党组关于第二轮巡察整改进展情况的通报") -> NoticeDocument:
    problems = [
        NoticeProblem(
            1, "南站非法营运车辆反弹回潮的整改", [NoticeMeasure("严厉打击非法营运车辆，开展联合整治。")]
        ),
        NoticeProblem(2, "审批时限仍然过长的整改", [NoticeMeasure("进一步压缩审批时限，推行全程网上办理。")]),
        NoticeProblem(3, "执法不规范问题仍然存在的整改", [NoticeMeasure("规范执法程序，加强执法培训。")]),
        NoticeProblem(4, "干部作风建设不够扎实的整改", [NoticeMeasure("开展作风纪律专项教育。")]),
    ]
    return NoticeDocument(
        title=title,
        issuer="中共甲局党组",
        date=date(2026, 3, 1),
        inspection=InspectionFacts(
            body="市委第三巡察组",
            inspected="甲局党组",
            theme="常规巡察",
            kind="patrol",
            feedback_date=date(2026, 1, 10),
        ),
        areas=[NoticeArea(title="关于整改落实方面", problems=problems)],
    )


@pytest.fixture
def signed_off(ledger):
    """The first round signed off, all but measure 1.2."""
    Measure.objects.filter(problem__inspection=ledger.inspection).update(status=MeasureStatus.SIGNED_OFF)
    Measure.objects.filter(pk=ledger.measures[(1, 2)].pk).update(status=MeasureStatus.IN_PROGRESS)
    return ledger


@pytest.fixture
def second_round(world, signed_off):
    return import_notice(second_round_notice(), organisation=world.orgs["a"], user=world.alice)
