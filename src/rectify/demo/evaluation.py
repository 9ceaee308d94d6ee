"""The inspection office's (巡察办, `xcb`) part, through rectify.evaluation: it files the special
inspection under its round (the notice did not name it; the Water Bureau's did), sends the
Transport Bureau its 整改评估 of the earlier round, and has the special inspection's evaluation in
draft, scored in part."""

from __future__ import annotations

from auditlog.context import set_actor

from rectify.evaluation import services as evaluation
from rectify.evaluation.models import Result
from rectify.ledger.choices import InspectionScope
from rectify.ledger.models import Inspection
from rectify.org.models import User

CURRENT_ROUND = "十二届市委第五轮"

# Points and the reason for what was taken off, per item of the default rubric, in its order.
EARLIER_SCORES = [
    (18, "整改工作方案和三个清单制定及时，分工明确；个别措施牵头领导调整未及时更新清单。"),
    (27, "反馈的9个问题、15项措施全部整改销号，佐证材料齐全；部分佐证材料以工作总结代替过程记录。"),
    (
        14,
        "建立制度4项；南站地区非法营运整改后出现反弹，行政执法、作风建设问题在专项巡察中再次被指出，举一反三不够。",
    ),
    (13, "总体按时限推进；1项措施超期后完成。"),
    (13, "整改情况按规定公开，群众意见均有答复。"),
]
EARLIER_COMMENT = (
    "市交通运输局党组对十二届市委第三轮巡察反馈问题认领整改态度坚决，组织有力，反馈的9个问题全部整改销号，"
    "建立健全制度4项。但整改成效巩固不够，南站地区非法营运问题在专项巡察中再次出现，行政执法规范化、"
    "干部作风等问题举一反三不到位。请结合专项巡察整改一并抓好，巩固整改成果，防止问题反弹回潮。"
)
# The special inspection's draft: the first items only, the rest to be scored after the 回头看.
CURRENT_SCORES = [
    (17, "领导小组会议、调度会按期召开，三个清单分工明确。"),
    (22, "部分措施超期未完成，个别销号申请被退回补充材料。"),
]
CURRENT_COMMENT = "初步意见：整改推进总体有序，待整改期满并开展回头看后形成评估结论。"


def evaluate(xcb: User, *, earlier: Inspection, current: Inspection) -> None:
    with set_actor(xcb):
        evaluation.classify_inspection(
            xcb, current.pk, round_name=CURRENT_ROUND, scope=InspectionScope.SPECIAL
        )
        items = list(evaluation.rubric_for_user(xcb).items.order_by("position"))
        scored = evaluation.save_evaluation(
            xcb,
            earlier.pk,
            scores={item.pk: score for item, score in zip(items, EARLIER_SCORES, strict=True)},
            result=Result.GOOD,
            comment=EARLIER_COMMENT,
        )
        evaluation.issue_evaluation(xcb, earlier.pk, version=scored.version)
        evaluation.save_evaluation(
            xcb,
            current.pk,
            scores={item.pk: score for item, score in zip(items, CURRENT_SCORES, strict=False)},
            comment=CURRENT_COMMENT,
        )
