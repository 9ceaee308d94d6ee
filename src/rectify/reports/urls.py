from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("inspection/<int:inspection_id>/", views.inspection_documents, name="inspection"),
    path("inspection/<int:inspection_id>/draft/", views.create_draft, name="create"),
    path("<int:document_id>/", views.detail, name="detail"),
    path("<int:document_id>/edit/", views.edit, name="edit"),
    path("<int:document_id>/regenerate/", views.regenerate, name="regenerate"),
    path("<int:document_id>/decide/", views.decide, name="decide"),
    path("<int:document_id>/docx/", views.download, name="docx"),
]
