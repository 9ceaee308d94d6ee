from django.urls import path

from . import indicator_views

app_name = "indicators"

urlpatterns = [
    path("measures/<int:pk>/indicators/new/", indicator_views.indicator_create, name="create"),
    path("indicators/<int:pk>/", indicator_views.indicator_detail, name="detail"),
    path("indicators/<int:pk>/observations/", indicator_views.indicator_observe, name="observe"),
]
