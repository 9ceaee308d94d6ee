from django.urls import path

from . import mechanism_views

app_name = "mechanisms"

urlpatterns = [
    path("mechanisms/", mechanism_views.mechanism_list, name="list"),
    path("mechanisms/<int:pk>/edit/", mechanism_views.mechanism_edit, name="edit"),
    path("inspections/<int:pk>/mechanisms/", mechanism_views.inspection_mechanisms, name="inspection"),
    path("inspections/<int:pk>/mechanisms/new/", mechanism_views.mechanism_create, name="create"),
]
