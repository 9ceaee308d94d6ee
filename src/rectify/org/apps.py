from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "rectify.org"
    label = "org"
    verbose_name = "组织与用户"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Membership, Organisation, User

        auditlog.register(Organisation)
        auditlog.register(Membership)
        auditlog.register(
            User, include_fields=["username", "full_name", "email", "is_active", "is_staff", "is_superuser"]
        )
