from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "rectify.progress"
    label = "progress"
    verbose_name = "整改进展与销号"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models
        from .phrases import register_phrases

        for model in (
            models.ProgressReport,
            models.Evidence,
            models.SignOff,
            models.SignOffDecision,
            models.FollowUp,
            models.Indicator,
            models.Observation,
            models.Milestone,
        ):
            auditlog.register(model)
        register_phrases()
        # The ledger may not import progress: its Excel import reads the 时间节点 column through this.
        from rectify.ledger.extensions import ImportColumn, import_columns

        from .milestones import create_planned, read_cell

        import_columns["milestones"] = ImportColumn("时间节点", read_cell, create_planned)
