from django.urls import path

from . import views

# The "ledger" namespace is assembled in rectify/urls.py: these pages, plus the measure list and the measure
# page, which keep their ledger names but are served by the apps whose data they show.

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspection-list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("inspections/<int:pk>/report-period/", views.set_report_period, name="set-report-period"),
    path("measures/view/", views.ledger_view, name="ledger-view"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
]
