from django.urls import path

from . import views

app_name = "recurrence"

urlpatterns = [
    path("", views.flag_list, name="list"),
    path("<int:pk>/", views.flag_detail, name="detail"),
    path("problems/<int:pk>/similar/", views.similar, name="similar"),
]
