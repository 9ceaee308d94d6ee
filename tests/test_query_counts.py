"""Queries per page stay at their baseline (tests/query_counts.json), so a change that adds queries
to a page fails here. Set RECTIFY_UPDATE_QUERY_COUNTS=1 to write the new figures after a deliberate change."""

import json
import os
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rectify.demo.builder import build_demo
from rectify.ledger.models import Measure
from rectify.org.models import User

BASELINE = Path(__file__).parent / "query_counts.json"
PAGES = {
    "web inspection list": "/inspections/",
    "web inspection detail": "/inspections/{inspection}/",
    "web measure ledger": "/measures/",
    "web measure ledger, filtered": "/measures/?overdue=1&q=监管",
    "web problem": "/problems/{problem}/",
    "web measure": "/measures/{measure}/",
    "web measure edit": "/measures/{measure}/edit/",
    "api inspections": "/api/v1/inspections",
    "api inspection": "/api/v1/inspections/{inspection}",
    "api problems": "/api/v1/problems?page_size=200",
    "api measures": "/api/v1/measures?page_size=200",
}


def test_pages_stay_within_their_query_baseline(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = build_demo(password="Query-count-2025")
    measure = Measure.objects.filter(problem__inspection=result.inspection).order_by("id").first()
    ids = {"inspection": result.inspection.pk, "problem": measure.problem_id, "measure": measure.pk}
    counts = {}
    for username in ("office", "unit", "supervisor"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        if username != "office":
            ids_for_role = dict(ids)
            visible = Measure.objects.restrict(User.objects.get(username=username)).order_by("id").first()
            ids_for_role.update(problem=visible.problem_id, measure=visible.pk)
            pages = {k: v for k, v in PAGES.items() if k != "web measure edit"}
        else:
            ids_for_role, pages = ids, PAGES
        for name, url in pages.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url.format(**ids_for_role))
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
