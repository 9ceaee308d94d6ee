from django.urls import path
from django.views.generic import RedirectView

from . import public_views

app_name = "public_feedback"

urlpatterns = [
    # The address replies and posters give: where a sender looks the answer up.
    path("", RedirectView.as_view(pattern_name="public_feedback:track"), name="index"),
    path("new/", public_views.feedback_form, name="new"),
    path("q/<str:token>/", public_views.qr_form, name="qr"),
    path("submitted/", public_views.submitted, name="submitted"),
    path("track/", public_views.track, name="track"),
]
