"""The audit trail in the admin: to read, never to add, change or delete, not even for a superuser."""

from auditlog.admin import LogEntryAdmin as AuditlogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from .models import SecurityEvent


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "kind", "username", "ip", "path", "organisation"]
    list_filter = ["kind"]
    search_fields = ["username", "ip", "path"]
    date_hierarchy = "created_at"
    list_select_related = ["organisation"]
    actions = None

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


class LogEntryAdmin(ReadOnly, AuditlogEntryAdmin):
    """auditlog's own admin, without the delete it allows when a related record is deleted."""

    actions = None


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, LogEntryAdmin)
