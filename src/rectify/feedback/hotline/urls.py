from django.urls import path

from . import views

app_name = "hotline"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("preview/<str:token>/import/", views.confirm, name="confirm"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
]
