"""How progress records read in the measure timeline and the audit trail (rectify.record)."""

from rectify.record import Phrases, register

from .models import (
    Evidence,
    FollowUp,
    Indicator,
    Milestone,
    Observation,
    ProgressReport,
    SignOff,
    SignOffDecision,
)

# The records a line hangs from, and who did it (the line names the actor already).
WORKFLOW = frozenset({"measure", "report", "signoff", "indicator", "supersedes", "period_start", "level"}) | {
    "author",
    "reviewer",
    "uploaded_by",
    "requested_by",
    "actor",
    "scheduled_by",
    "checked_by",
    "recorded_by",
}


def register_phrases() -> None:
    register(
        ProgressReport,
        Phrases(
            created="报送第 {revision} 版进展[（{period_label}）][，完成比例 {percent}%]",
            becomes={
                "state": {
                    "accepted": "采纳进展报告[，审核意见：{review_comment}]",
                    "returned": "退回进展报告[，理由：{review_comment}]",
                }
            },
            hidden=WORKFLOW,
        ),
    )
    register(
        Evidence,
        Phrases(
            created="上传附件“{original_name}”",
            deleted="删除附件“{original_name}”",
            counted_in=("report", "附件", "个"),
            hidden=WORKFLOW | {"file", "size", "sha256", "content_type", "uploaded_by"},
        ),
    )
    register(
        SignOff,
        Phrases(
            created="申请销号[，说明：{note}]",
            becomes={
                "state": {"approved": "销号申请审批通过，措施销号", "returned": "销号申请被退回"},
                "level": {"office": "将销号申请转整改办审核", "leader": "将销号申请转牵头领导审批"},
            },
            hidden=WORKFLOW - {"level"} | {"requested_by"},
        ),
    )
    register(
        SignOffDecision,
        Phrases(created="{decision}销号申请（{level}）[，意见：{comment}]", hidden=WORKFLOW | {"actor"}),
    )
    register(
        FollowUp,
        Phrases(
            created="安排回头看，计划于{due_on}检查",
            becomes={
                "outcome": {
                    "stable": "记录回头看结果：整改成果巩固[，{note}]",
                    "relapse": "记录回头看结果：问题反弹，措施重启整改[，{note}]",
                }
            },
            hidden=WORKFLOW,
        ),
    )
    register(
        Indicator,
        Phrases(
            created="设立量化指标“{name}”，基线 {baseline}[ {unit}]，目标 {target}[ {unit}]",
            hidden=WORKFLOW,
        ),
    )
    register(
        Observation,
        Phrases(
            created="填报“{indicator}”{observed_on}的数值 {value}[，{note}]",
            hidden=WORKFLOW | {"recorded_by"},
        ),
    )
    register(
        Milestone,
        Phrases(
            created="安排时间节点：{due_on}前{deliverable}",
            deleted="删除时间节点“{record}”",
            becomes={
                "state": {
                    "done": "标记时间节点“{record}”已完成，以进展报告为佐证",
                    "open": "将时间节点“{record}”改回未完成",
                }
            },
            changed={"due_on": "将节点日期由{old}改为{new}"},
            hidden=WORKFLOW | {"report", "done_by", "done_at"},
        ),
    )
