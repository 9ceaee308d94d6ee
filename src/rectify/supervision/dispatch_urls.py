from django.urls import path

from . import dispatch_views

app_name = "dispatch"

urlpatterns = [
    path("", dispatch_views.list, name="list"),
]
