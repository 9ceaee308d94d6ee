from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "rectify.notices"
    label = "notices"
    verbose_name = "整改通报"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import NoticePublication, PublicationStep

        # The document itself is large and kept whole in every version; its changes are the steps.
        auditlog.register(NoticePublication, exclude_fields=["document", "updated_at", "view_count"])
        auditlog.register(PublicationStep)
