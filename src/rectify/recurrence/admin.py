from django.contrib import admin

from .models import RecurrenceFlag


@admin.register(RecurrenceFlag)
class RecurrenceFlagAdmin(admin.ModelAdmin):
    list_display = ["problem", "earlier", "score", "status", "kind", "decided_by", "decided_at"]
    list_select_related = ["problem", "earlier", "decided_by"]
    list_filter = ["status", "kind"]
    search_fields = ["problem__title", "earlier__title", "note"]
    # Flags come from imports and are decided on the 举一反三 page, which checks who may decide.
    readonly_fields = [
        "problem",
        "earlier",
        "score",
        "terms",
        "status",
        "kind",
        "note",
        "decided_by",
        "decided_at",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
