"""The public, token-protected calendar feed. Mount at /calendar/ (rectify/urls.py):

    path("calendar/", include("rectify.supervision.calendar_urls")),

The page that makes the address is orders:calendar (/orders/calendar/).
"""

from django.urls import re_path

from . import calendar

app_name = "calendar"

urlpatterns = [
    re_path(r"^(?P<token>[A-Za-z0-9_-]+)\.ics$", calendar.feed, name="feed"),
]
