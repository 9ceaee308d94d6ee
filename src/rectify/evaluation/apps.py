from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "rectify.evaluation"
    label = "evaluation"
    verbose_name = "整改评估"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rectify.record import Phrases, register

        from .models import Evaluation, RubricItem, Score

        auditlog.register(Evaluation)
        auditlog.register(Score)
        auditlog.register(RubricItem)
        register(
            Evaluation,
            Phrases(
                created="开始对“{inspection}”进行整改评估",
                becomes={"state": {"issued": "向被巡察单位反馈整改评估"}},
                hidden=frozenset({"office", "evaluated_by", "issued_at"}),
            ),
        )
        register(
            Score, Phrases(created="评估“{item}”得{points}分[，{note}]", hidden=frozenset({"evaluation"}))
        )
        register(
            RubricItem,
            Phrases(created="新增评估指标“{title}”（{max_score}分）", hidden=frozenset({"rubric"})),
        )
