from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections/<int:pk>/classify/", views.classify, name="classify"),
    path("rubric/", views.rubric, name="rubric"),
    path("rubric/<int:item_id>/", views.rubric_item, name="rubric-item"),
]
