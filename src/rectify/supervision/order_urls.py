from django.urls import path

from . import order_views

app_name = "orders"

urlpatterns = [
    path("", order_views.list, name="list"),
]
