from django.urls import path

from . import mechanism_views

app_name = "mechanisms"

urlpatterns = [
    path("mechanisms/", mechanism_views.mechanism_list, name="list"),
]
