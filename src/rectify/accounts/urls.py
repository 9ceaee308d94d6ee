from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.security, name="security"),
    path("password/", views.password, name="password"),
    path("verify/", views.verify, name="verify"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("two-factor/disable/", views.disable, name="disable"),
]
