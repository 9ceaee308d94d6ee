from django.urls import path

from . import warning_views

app_name = "warnings"

urlpatterns = [
    path("", warning_views.warning_list, name="list"),
    path("policy/", warning_views.policy, name="policy"),
]
