from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "rectify.supervision"
    label = "supervision"
    verbose_name = "督办与预警"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import DispatchReport, SupervisionOrder, WarningPolicy

        auditlog.register(SupervisionOrder, m2m_fields={"measures"})
        auditlog.register(WarningPolicy)
        auditlog.register(DispatchReport, exclude_fields=["data"])
