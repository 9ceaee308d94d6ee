from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("import/", views.import_notice, name="import"),
]
