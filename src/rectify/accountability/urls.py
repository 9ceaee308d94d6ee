from django.urls import path

from . import views

app_name = "accountability"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("<int:pk>/edit/", views.record_edit, name="edit"),
    path("inspections/<int:pk>/new/", views.record_create, name="create"),
]
