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
    path("measures/<int:pk>/milestones/", views.add_milestone, name="add-milestone"),
    path("milestones/<int:pk>/", views.change_milestone, name="change-milestone"),
    path("milestones/<int:pk>/delete/", views.delete_milestone, name="delete-milestone"),
    path("milestones/<int:pk>/complete/", views.complete_milestone, name="complete-milestone"),
    path("milestones/<int:pk>/reopen/", views.reopen_milestone, name="reopen-milestone"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
