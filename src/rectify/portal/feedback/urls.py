from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "public_feedback"

urlpatterns = [
    # The address replies and posters give: where a sender looks the answer up.
    path("", RedirectView.as_view(pattern_name="public_feedback:track"), name="index"),
    path("new/", views.feedback_form, name="new"),
    path("q/<str:token>/", views.qr_form, name="qr"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
]
