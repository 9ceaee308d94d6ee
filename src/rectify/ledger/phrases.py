"""How the ledger's records read in the measure timeline and the audit trail (rectify.record)."""

from rectify.record import Phrases, register

from .models import Inspection, Measure, MeasureUnit, Problem


def register_phrases() -> None:
    register(Inspection, Phrases(created="导入巡察反馈“{title}”", hidden=frozenset({"source_text"})))
    register(
        Problem, Phrases(created="列入问题“{number}. {title}”", hidden=frozenset({"inspection", "area"}))
    )
    register(
        Measure,
        Phrases(
            created="列入整改措施“{text}”",
            changed={
                "deadline": "将整改时限由{old}改为{new}",
                "lead_leader": "将牵头领导由{old}改为{new}",
                "status": "措施状态由{old}变为{new}",
            },
            hidden=frozenset({"problem", "order", "alert"}),
        ),
    )
    # The entry's own name says it ("责任单位：甲局执法支队"); nothing to look up.
    unit_fields = frozenset({"measure", "unit", "role"})
    register(MeasureUnit, Phrases(created="增加{record}", deleted="移除{record}", hidden=unit_fields))
