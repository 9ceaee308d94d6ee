"""The admin of public feedback: for looking things up and fixing reference data, not for the
work itself (routing, replies and closing go through the pages, which check roles and keep the
audit trail). Senders' contacts are never shown here: only the office sees them, each view audited."""

from django.contrib import admin
from django.utils import timezone

from rectify.supervision.extensions import count_again
from rectify.supervision.models import WorkCalendarDay

from .models import Consultation, ConsultationComment, FeedbackItem, FeedbackReply, HotlineBatch, QrCode

CONTACT_FIELDS = ["sender_name", "sender_phone", "sender_email"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The work is done on the pages; here it is only read."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """The rows under an item, shown as they are: `fields` are all read-only, none added or deleted."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return list(self.fields)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class FeedbackReplyInline(ReadOnlyInline):
    model = FeedbackReply
    fields = ["status", "text", "drafted_by", "drafted_at", "decided_by", "decided_at", "return_reason"]


@admin.register(FeedbackItem)
class FeedbackItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "channel", "organisation", "unit", "status", "received_at", "due_date"]
    list_select_related = ["organisation", "unit"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["code", "content", "enterprise", "external_ref"]
    exclude = CONTACT_FIELDS
    inlines = [FeedbackReplyInline]


@admin.register(QrCode)
class QrCodeAdmin(ReadOnlyAdmin):
    list_display = ["label", "organisation", "site", "active", "scan_count", "created_at"]
    list_select_related = ["organisation"]
    list_filter = ["active"]
    search_fields = ["label", "site", "token"]


@admin.register(HotlineBatch)
class HotlineBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "organisation", "row_count", "skipped_count", "imported_by", "imported_at"]
    list_select_related = ["organisation", "imported_by"]


class ConsultationCommentInline(ReadOnlyInline):
    model = ConsultationComment
    fields = ["content", "channel", "enterprise", "decision", "reason", "created_at"]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "organisation", "opens_on", "closes_on", "status"]
    list_select_related = ["organisation"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    inlines = [ConsultationCommentInline]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    """Holidays and 调休 working weekends: the reply deadlines of public feedback count with them.
    `rectify load-holidays` (run by the daily tick) loads each year's State Council arrangement from the
    holidays library; a day saved here is the administrator's correction, which loading never changes.
    To undo a loaded day, correct it here (a weekday as 工作日) rather than delete it: a deleted day
    is loaded again."""

    list_display = ["date", "is_workday", "note", "source"]
    list_filter = ["is_workday", "source"]
    search_fields = ["note"]
    date_hierarchy = "date"
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):
        obj.source = WorkCalendarDay.Source.MANUAL  # a correction by hand: never overwritten by loading
        super().save_model(request, obj, form, change)
        count_again(timezone.localdate())  # the summary rows count replies' working days

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        count_again(timezone.localdate())

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        count_again(timezone.localdate())
