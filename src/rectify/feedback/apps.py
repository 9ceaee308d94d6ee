from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "rectify.feedback"
    label = "feedback"
    verbose_name = "意见反馈"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rectify.meetings import extensions as meeting_extensions
        from rectify.supervision import extensions

        from . import services, tallies
        from .consultations import meetings as consultation_meetings
        from .consultations.models import Consultation, ConsultationComment
        from .hotline.models import HotlineBatch
        from .models import FeedbackItem, FeedbackReply
        from .qr.models import QrCode

        # Contacts never enter the audit trail in any form (the trail is not encrypted).
        auditlog.register(FeedbackItem, exclude_fields=["sender_name", "sender_phone", "sender_email"])
        auditlog.register(FeedbackReply)
        auditlog.register(QrCode, exclude_fields=["scan_count"])
        auditlog.register(HotlineBatch)
        auditlog.register(Consultation)
        auditlog.register(ConsultationComment, exclude_fields=["sender_name", "sender_contact"])

        # Supervision may not import feedback: feedback plugs its reply warnings into the daily tick
        # and its replies falling due into the warnings page.
        extensions.daily_steps["feedback_reminders"] = services.run_reply_warnings
        extensions.warning_sections["feedback_due"] = services.reply_warning_rows
        # Its summary rows: an item falls overdue by the date alone, and replies take working days.
        extensions.day_counts["feedback"] = tallies.count_all_for_the_day
        # Consultation meetings (座谈会) are meetings recorded here: listed and counted with the others.
        meeting_extensions.listings["consultation_meetings"] = consultation_meetings.listed
        meeting_extensions.counters["consultation_meetings"] = consultation_meetings.counted
