from django.contrib import admin

from .extensions import measures_changed
from .models import Area, Inspection, Measure, MeasureUnit, Mechanism, Problem


def _inspection_id(obj: Area | Problem | Measure) -> int:
    return obj.problem.inspection_id if isinstance(obj, Measure) else obj.inspection_id


class TellsMeasureChanges(admin.ModelAdmin):
    """The admin edits measures (statuses, deadlines, inline ones on a problem) and deletes them with their
    area or problem, past the services: it tells the apps above as the services do, so their summary rows
    (supervision.tallies) stay exact."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        measures_changed([_inspection_id(form.instance)])

    def delete_model(self, request, obj):
        inspection_id = _inspection_id(obj)
        super().delete_model(request, obj)
        measures_changed([inspection_id])

    def delete_queryset(self, request, queryset):
        inspection_ids = [_inspection_id(obj) for obj in queryset]
        super().delete_queryset(request, queryset)
        measures_changed(inspection_ids)


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "inspected", "feedback_date"]
    list_filter = ["kind"]
    search_fields = ["title", "inspecting_body", "theme"]
    autocomplete_fields = ["inspected"]
    readonly_fields = ["created_at", "created_by", "source_name"]
    exclude = ["source_text"]
    inlines = [AreaInline]


@admin.register(Area)
class AreaAdmin(TellsMeasureChanges):
    list_display = ["__str__", "inspection", "order"]
    list_select_related = ["inspection"]
    search_fields = ["title"]


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ["order", "text", "category", "deadline", "status"]


@admin.register(Problem)
class ProblemAdmin(TellsMeasureChanges):
    list_display = ["number", "title", "area", "inspection"]
    list_select_related = ["area", "inspection"]
    list_filter = ["inspection"]
    search_fields = ["title", "description"]
    inlines = [MeasureInline]


class MeasureUnitInline(admin.TabularInline):
    model = MeasureUnit
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Measure)
class MeasureAdmin(TellsMeasureChanges):
    list_display = ["__str__", "lead_leader", "deadline", "category", "status"]
    list_select_related = ["problem", "lead_leader"]
    list_filter = ["category", "status"]
    search_fields = ["text", "problem__title"]
    autocomplete_fields = ["lead_leader"]
    readonly_fields = ["version", "updated_at"]
    inlines = [MeasureUnitInline]

    def save_model(self, request, obj, form, change):
        # The admin is an editor too: its saves move the version on, so open edit pages see them as newer.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Mechanism)
class MechanismAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "issued_on", "document_number", "inspection"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "document_number"]
    filter_horizontal = ["problems"]
