"""How supervision's records read in the measure timeline and the audit trail (rectify.record)."""

from rectify.record import Phrases, register

from .models import DeadlineExtension


def register_phrases() -> None:
    register(
        DeadlineExtension,
        Phrases(
            created="申请将整改时限由{old_deadline}延至{new_deadline}，理由：{reason}",
            becomes={
                "state": {
                    "approved": "同意延期，整改时限延至{new_deadline}[，意见：{comment}]",
                    "refused": "不同意延期申请[，意见：{comment}]",
                }
            },
            hidden=frozenset({"measure", "requested_by", "decided_by", "comment"}),
        ),
    )
