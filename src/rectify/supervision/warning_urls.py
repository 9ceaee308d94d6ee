from django.urls import path

from . import warning_views

app_name = "warnings"

urlpatterns = [
    path("", warning_views.list, name="list"),
]
