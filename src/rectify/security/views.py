"""登录记录: every signed-in person's own recent logins, failures and lockouts."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .describe import device_label, outcome
from .services import login_history

HISTORY_SIZE = 50


@login_required
@require_GET
def my_logins(request):
    events = login_history(request.user, HISTORY_SIZE)
    rows = [
        {"event": event, "outcome": outcome(event), "device": device_label(event.user_agent)}
        for event in events
    ]
    return render(request, "security/login_history.html", {"rows": rows, "size": HISTORY_SIZE})
