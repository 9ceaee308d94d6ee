from django.urls import path

from . import dispatch_views

app_name = "dispatch"

urlpatterns = [
    path("", dispatch_views.list, name="list"),
    path("new/", dispatch_views.create, name="create"),
    path("<int:pk>/", dispatch_views.detail, name="detail"),
    path("<int:pk>/docx/", dispatch_views.download_docx, name="docx"),
    path("<int:pk>/xlsx/", dispatch_views.download_xlsx, name="xlsx"),
]
