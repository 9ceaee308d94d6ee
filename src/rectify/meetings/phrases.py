"""How meetings and their decisions read in the audit trail (rectify.record)."""

from rectify.record import Phrases, register

from .models import Meeting, MeetingDecision


def register_phrases() -> None:
    register(
        Meeting,
        Phrases(
            created="登记{kind}“{title}”（{held_on}）",
            changed={"minutes_name": "上传会议纪要“{new}”", "held_on": "将会议日期由{old}改为{new}"},
            hidden=frozenset(
                {"inspection", "created_by", "minutes", "minutes_type", "minutes_size", "minutes_sha256"}
            ),
        ),
    )
    register(
        MeetingDecision,
        Phrases(
            created="记录会议决定事项“{text}”[，交{owner_unit}办理][，承办人{owner_person}][，{due_on}前完成]",
            changed={"due_on": "将任务完成时限由{old}改为{new}", "done_note": "报告任务完成：{new}"},
            hidden=frozenset({"meeting", "order", "done_at", "done_by"}),
        ),
    )
