from django.urls import path

from . import views

app_name = "progress"

urlpatterns = [
    path("my/", views.my_measures, name="my-measures"),
    path("review/", views.review_queue, name="review-queue"),
    path("signoffs/", views.signoff_queue, name="signoff-queue"),
    path("measures/<int:pk>/report/", views.report, name="report"),
    path("reports/<int:pk>/review/", views.review, name="review"),
    path("measures/<int:pk>/signoff/", views.request_signoff, name="request-signoff"),
    path("signoffs/<int:pk>/decide/", views.decide, name="decide"),
    path("measures/<int:pk>/followups/", views.schedule_followup, name="schedule-followup"),
    path("followups/<int:pk>/record/", views.record_followup, name="record-followup"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
