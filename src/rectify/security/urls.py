from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("logins/", views.my_logins, name="my-logins"),
]
