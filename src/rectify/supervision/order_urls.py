from django.urls import path

from . import order_views

app_name = "orders"

urlpatterns = [
    path("", order_views.order_list, name="list"),
    path("new/", order_views.new, name="new"),
    path("<int:pk>/", order_views.detail, name="detail"),
    path("<int:pk>/answer/", order_views.answer, name="answer"),
    path("<int:pk>/docx/", order_views.docx, name="docx"),
    path("calendar/", order_views.calendar_settings, name="calendar"),
]
