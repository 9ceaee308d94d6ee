"""The demo's 整改文书, through the real workflow: the office's clerk drafts the 整改工作方案 and the
整改情况报告 from the ledger, the office director reviews them, the party head approves, and the office
sends the report to the inspection body (the demo's feedback was long ago, so it is sent late)."""

from __future__ import annotations

from auditlog.context import set_actor

from rectify.ledger.models import Inspection
from rectify.notices.demo import clerk_of
from rectify.org.models import User

from . import services
from .models import RectificationDocument


def demo_documents(inspection: Inspection, users: dict[str, User]) -> list[RectificationDocument]:
    """An approved 整改工作方案 and an approved, sent 整改情况报告 for the inspection."""
    office, head = users["office"], users.get("secretary") or users["leader"]
    clerk = clerk_of(inspection, office)
    done = []
    for kind, comment in (("work_plan", "同意印发。"), ("situation", "同意报送市委巡察组。")):
        with set_actor(clerk):
            document = services.create_draft(clerk, inspection.pk, kind)
            services.decide(clerk, document.pk, "submit", "请审核。")
        with set_actor(office):
            services.decide(office, document.pk, "accept", "数据与台账一致，同意报领导小组组长审批。")
        with set_actor(head):
            document = services.decide(head, document.pk, "approve", comment)
        if kind == "situation":
            with set_actor(office):
                document = services.decide(office, document.pk, "send")
        done.append(document)
    return done
