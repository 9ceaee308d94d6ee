from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.consultation_create, name="create"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/edit/", views.consultation_edit, name="edit"),
    path("<int:pk>/open/", views.consultation_open, name="open"),
    path("<int:pk>/close/", views.consultation_close, name="close"),
    path("<int:pk>/comments/", views.comment_record, name="comment"),
    path("<int:pk>/summary/", views.summary_save, name="summary"),
    path("comments/<int:pk>/decide/", views.comment_decide, name="decide"),
    path("comments/<int:pk>/reveal/", views.comment_reveal, name="reveal"),
]
