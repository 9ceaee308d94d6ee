from django.urls import path

from . import views

app_name = "progress"

urlpatterns = [
    path("my/", views.my_measures, name="my-measures"),
    path("review/", views.review_queue, name="review-queue"),
    path("signoffs/", views.signoff_queue, name="signoff-queue"),
]
