"""How accountability records read in the audit trail (rectify.record)."""

from rectify.record import Phrases, register

from .models import AccountabilityRecord


def register_phrases() -> None:
    register(
        AccountabilityRecord,
        Phrases(
            created="登记问责：{person_name}[（{position}）]，{form}",
            changed={"form": "将问责方式由{old}改为{new}", "dealt_on": "将处理日期由{old}改为{new}"},
            hidden=frozenset({"inspection", "created_by"}),
        ),
    )
