from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "rectify.meetings"
    label = "meetings"
    verbose_name = "整改会议"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Meeting, MeetingDecision
        from .phrases import register_phrases

        auditlog.register(Meeting, m2m_fields={"attendees"}, exclude_fields=["minutes_sha256"])
        auditlog.register(MeetingDecision, m2m_fields={"problems", "measures"})
        register_phrases()
