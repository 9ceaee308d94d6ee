from django.apps import AppConfig


class RecurrenceConfig(AppConfig):
    name = "rectify.recurrence"
    label = "recurrence"
    verbose_name = "举一反三"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rectify.feedback import extensions as feedback_extensions
        from rectify.ledger.signals import inspection_imported

        from .models import RecurrenceFlag
        from .services import flag_imported_inspection, suggest_routing

        auditlog.register(RecurrenceFlag)
        # Problems of a new inspection resembling ones signed off elsewhere wait for the office.
        inspection_imported.connect(flag_imported_inspection, dispatch_uid="recurrence-flag-imported")
        # The route page of a feedback item shows which problems and unit its text resembles.
        feedback_extensions.routing_suggesters["recurrence"] = suggest_routing
