from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "rectify.accountability"
    label = "accountability"
    verbose_name = "问责"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import AccountabilityRecord
        from .phrases import register_phrases

        auditlog.register(AccountabilityRecord, m2m_fields={"problems"})
        register_phrases()
