from django.urls import path

from . import hotline_views as views

app_name = "hotline"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("preview/<str:token>/import/", views.confirm, name="confirm"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
]
