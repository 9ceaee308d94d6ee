from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "rectify.supervision"
    label = "supervision"
    verbose_name = "督办与预警"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rectify.ledger import extensions as ledger_extensions
        from rectify.notices import extensions as notices_extensions
        from rectify.progress import extensions as progress_extensions

        from .deadline_extensions import extended_measure_ids
        from .deadlines import party_head_id
        from .models import DeadlineExtension, DispatchReport, SupervisionOrder, WarningPolicy
        from .phrases import register_phrases
        from .tallies import refresh

        auditlog.register(SupervisionOrder, m2m_fields={"measures"})
        auditlog.register(WarningPolicy)
        auditlog.register(DispatchReport, exclude_fields=["data"])
        auditlog.register(DeadlineExtension)
        register_phrases()
        # Progress may not import supervision: the measure page's 延期 section comes from here.
        from .extension_views import measure_section

        progress_extensions.measure_sections["extension_section"] = measure_section
        # Notices may not import supervision: the policy's party head approves the notice.
        notices_extensions.party_head_lookups["supervision"] = party_head_id
        # …and the notice says a measure's deadline was extended with approval.
        notices_extensions.extended_lookups["supervision"] = extended_measure_ids
        # The ledger and progress may not import supervision: their services tell it here when measures
        # change, and the summary rows are counted again in the same transaction.
        ledger_extensions.change_listeners["tallies"] = refresh
