from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "rectify.reports"
    label = "reports"
    verbose_name = "整改文书"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rectify.record import Phrases, register

        from .models import RectificationDocument

        # The content is large and kept whole in every version; its moves are the steps.
        auditlog.register(RectificationDocument, exclude_fields=["content", "updated_at"])
        register(
            RectificationDocument,
            Phrases(
                created="起草{record}",
                becomes={
                    "state": {
                        "in_review": "提交{record}审核",
                        "awaiting_approval": "审核通过{record}，报领导小组组长审批",
                        "approved": "批准{record}",
                        "sent": "报送{record}[，报送日期{sent_on}]",
                        "draft": "退回{record}修改[，理由：{return_reason}]",
                    }
                },
                hidden=frozenset(
                    {
                        "inspection",
                        "organisation",
                        "created_by",
                        "title",
                        "as_of",
                        "due_date",
                        "return_reason",
                    }
                ),
            ),
        )
