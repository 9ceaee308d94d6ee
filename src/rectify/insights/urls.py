from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("leading/", views.leading, name="leading"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
]
