from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.search, name="search"),
    path("export.xlsx", views.export, name="export"),
    path("security/", views.security_events, name="security"),
    path("security/export.xlsx", views.export_security, name="security-export"),
]
