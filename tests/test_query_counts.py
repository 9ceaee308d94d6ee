"""Queries per page stay at their baseline (tests/query_counts.json), so a change that adds queries
to a page fails here. Set RECTIFY_UPDATE_QUERY_COUNTS=1 to write the new figures after a deliberate change."""

import json
import os
from pathlib import Path

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.ledger.models import Measure
from rectify.org.models import User

from .conftest import PASSWORD
from .demo_copy import demo as demo_copy

BASELINE = Path(__file__).parent / "query_counts.json"
# page: (url, the roles that use it)
EVERYONE = ("office", "unit", "supervisor")
PAGES = {
    "web inspection list": ("/inspections/", EVERYONE),
    "web inspection detail": ("/inspections/{inspection}/", EVERYONE),
    "web measure ledger": ("/measures/", EVERYONE),
    "web measure ledger, filtered": ("/measures/?overdue=1&q=监管", EVERYONE),
    "web problem": ("/problems/{problem}/", EVERYONE),
    "web measure": ("/measures/{measure}/", EVERYONE),
    "web measure edit": ("/measures/{measure}/edit/", ("office",)),
    "web my measures": ("/my/", ("unit",)),
    "web review queue": ("/review/", ("office",)),
    "web sign-off queue": ("/signoffs/", ("office",)),
    "web mechanisms": ("/mechanisms/", EVERYONE),
    "web audit": ("/audit/", ("office", "supervisor")),
    "web security events": ("/audit/security/", ("office", "supervisor")),
    "web login history": ("/account/logins/", ("office", "supervisor")),
    "web warnings": ("/warnings/", EVERYONE),
    "web warnings, red": ("/warnings/?level=red", EVERYONE),
    "web notifications": ("/notifications/", EVERYONE),
    "web notification preferences": ("/notifications/preferences/", EVERYONE),
    "web warning policy": ("/warnings/policy/", ("office",)),
    "web supervision orders": ("/orders/", EVERYONE),
    "web dispatch list": ("/dispatch/", ("office", "supervisor")),
    "web publications": ("/publications/", ("office", "supervisor")),
    "web rectification documents": ("/rectification-documents/", ("office", "supervisor")),
    "web rectification documents, inspection": (
        "/rectification-documents/inspection/{inspection}/",
        ("office", "supervisor"),
    ),
    "web portal": ("/portal/", EVERYONE),
    "web dashboard": ("/dashboard/", EVERYONE),
    "web dashboard, inspection": ("/dashboard/inspections/{inspection}/", EVERYONE),
    "web search": ("/search/?q=非法营运", EVERYONE),
    "web feedback": ("/feedback/", EVERYONE),
    "web feedback statistics": ("/feedback/stats/", ("office", "supervisor")),
    "web recurrence flags": ("/recurrence/", ("office",)),
    "web consultations": ("/consultations/", ("office", "supervisor")),
    "web portal feedback form": ("/portal/feedback/new/", EVERYONE),
    "web portal consultations": ("/portal/consultations/", EVERYONE),
    "api inspections": ("/api/v1/inspections", EVERYONE),
    "api inspection": ("/api/v1/inspections/{inspection}", EVERYONE),
    "api problems": ("/api/v1/problems?page_size=200", EVERYONE),
    "api measures": ("/api/v1/measures?page_size=200", EVERYONE),
    "api measure history": ("/api/v1/measures/{measure}/history", EVERYONE),
    "api sign-off queue": ("/api/v1/signoffs", ("office",)),
    "api audit": ("/api/v1/audit?page_size=200", ("office", "supervisor")),
    "api warnings": ("/api/v1/warnings", EVERYONE),
    "api notifications": ("/api/v1/notifications", EVERYONE),
    "api supervision orders": ("/api/v1/supervision-orders", EVERYONE),
    "api rectification documents": ("/api/v1/rectification-documents", ("office", "supervisor")),
    "api stats": ("/api/v1/stats", EVERYONE),
    "api search": ("/api/v1/search?q=非法营运", EVERYONE),
    "api feedback": ("/api/v1/feedback", EVERYONE),
    "api similar problems": ("/api/v1/problems/{problem}/similar", EVERYONE),
}


def test_pages_stay_within_their_query_baseline(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = demo_copy(PASSWORD)
    counts = {}
    # The clock stands still while the pages are counted: a session records its last activity (for the
    # idle timeout) at most once a minute, and that write must not fall into a count by chance.
    with time_machine.travel(timezone.now(), tick=False):
        for username in EVERYONE:
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user)
            # A measure this user may see that has lived (reports, sign-off), so its page is full.
            measure = Measure.objects.restrict(user).filter(reports__isnull=False).order_by("id").first()
            ids = {"inspection": result.inspection.pk, "problem": measure.problem_id, "measure": measure.pk}
            for name, (url, roles) in PAGES.items():
                if username not in roles:
                    continue
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url.format(**ids))
                assert response.status_code == 200, (username, name, response.status_code)
                counts[f"{username}: {name}"] = len(queries)

    if os.environ.get("RECTIFY_UPDATE_QUERY_COUNTS") == "1":
        BASELINE.write_text(json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    baseline = json.loads(BASELINE.read_text())
    grown = {
        name: (baseline.get(name), n)
        for name, n in counts.items()
        if baseline.get(name) is None or n > baseline[name]
    }
    assert not grown, f"more queries than the baseline (baseline, now): {grown}"
