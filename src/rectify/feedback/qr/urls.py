from django.urls import path

from . import views as qr_views

app_name = "qr"

urlpatterns = [
    path("", qr_views.qr_list, name="list"),
    path("new/", qr_views.qr_create, name="create"),
    path("<int:pk>/qr.svg", qr_views.qr_svg, name="svg"),
    path("<int:pk>/qr.png", qr_views.qr_png, name="png"),
    path("<int:pk>/poster/", qr_views.qr_poster, name="poster"),
    path("<int:pk>/poster.svg", qr_views.qr_poster_svg, name="poster-svg"),
    path("<int:pk>/deactivate/", qr_views.qr_deactivate, name="deactivate"),
    path("<int:pk>/activate/", qr_views.qr_activate, name="activate"),
]
