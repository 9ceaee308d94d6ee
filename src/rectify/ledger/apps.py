from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "rectify.ledger"
    label = "ledger"
    verbose_name = "整改台账"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Area, Inspection, Measure, MeasureUnit, Mechanism, Problem
        from .phrases import register_phrases

        # The source text is large and never edited; keep it out of every log entry.
        auditlog.register(Inspection, exclude_fields=["source_text"])
        auditlog.register(Area)
        auditlog.register(Problem)
        auditlog.register(Measure, exclude_fields=["updated_at"])
        auditlog.register(MeasureUnit)
        auditlog.register(Mechanism, m2m_fields={"problems"})
        register_phrases()
