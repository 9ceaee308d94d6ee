from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspection-list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("inspections/<int:pk>/report-period/", views.set_report_period, name="set-report-period"),
    path("measures/", views.measure_list, name="measure-list"),
    path("measures/<int:pk>/", views.measure_detail, name="measure-detail"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
]
