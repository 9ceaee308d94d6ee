from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/decisions/new/", views.decision_create, name="decision-create"),
    path("meeting-decisions/<int:pk>/edit/", views.decision_edit, name="decision-edit"),
    path("meeting-decisions/<int:pk>/done/", views.task_done, name="task-done"),
    path("inspections/<int:pk>/meetings/new/", views.meeting_create, name="create"),
]
