from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("feed/", views.NoticeFeed(), name="feed"),
]
