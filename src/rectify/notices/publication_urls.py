from django.urls import path

from . import publication_views as views

app_name = "publications"

urlpatterns = [
    path("", views.publication_list, name="list"),
    path("inspection/<int:inspection_id>/", views.inspection_publications, name="inspection"),
    path("inspection/<int:inspection_id>/draft/", views.create_draft, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/docx/", views.download, {"fmt": "docx"}, name="docx"),
    path("<int:pk>/txt/", views.download, {"fmt": "txt"}, name="txt"),
]
