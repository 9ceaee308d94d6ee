from django.urls import path

from . import views

app_name = "public_consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/thanks/", views.thanks, name="thanks"),
]
