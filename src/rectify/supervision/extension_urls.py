from django.urls import path

from . import extension_views

app_name = "extensions"

urlpatterns = [
    path("measures/<int:pk>/extensions/", extension_views.request_extension, name="request"),
    path("extensions/<int:pk>/decide/", extension_views.decide_extension, name="decide"),
]
