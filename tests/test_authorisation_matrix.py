"""The authorisation matrix, generated: every role × every page (from the URL resolver) and every API
operation (from the published OpenAPI schema) × bureau A's object and bureau B's object.

What is asserted everywhere: never a 500; anonymous staff pages redirect to the login page and
anonymous API calls answer 401; a GET of another organisation's object answers 404, never a hint
that it exists; a write on another organisation's object answers 403 or 404 and changes nothing.
Who sees which of A's objects is the table AUDIENCE below, written from the rules (DESIGN §8 and
org.access), not read back from the code. Each role is one test: the world is built once for it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from rectify.api.api import api as ninja_api

# The roles of tests/conftest.py's world: Alice is A's office, Larry leads at A, Hana heads unit A1
# and Bob is its liaison, Vera supervises A, Sam supervises the city (above A and B), Charlie is B's office.
ROLES = {
    "office": "alice",
    "leader": "larry",
    "unit head": "hana",
    "liaison": "bob",
    "supervisor": "vera",
    "inspection office": "sam",
    "other office": "charlie",
    "anonymous": None,
}
A_ROLES = ("office", "leader", "unit head", "liaison", "supervisor")

# Who opens each kind of bureau A's object (200); everyone else signed in gets 403 or 404.
#   everyone: every role of A, and the city's supervisor, provided the object concerns unit A1
#   wide:     the office, leaders and supervisors of A and above it (not a unit's people)
#   office:   A's office only
EVERYONE = frozenset({"office", "leader", "unit head", "liaison", "supervisor", "inspection office"})
WIDE = frozenset({"office", "leader", "supervisor", "inspection office"})
OFFICE = frozenset({"office"})
AUDIENCE = {
    "inspection": EVERYONE,
    "problem": EVERYONE,
    "measure": EVERYONE,  # measure 1.1 is unit A1's
    "mechanism": EVERYONE,
    "report": EVERYONE,
    "signoff": EVERYONE,
    "indicator": EVERYONE,
    "milestone": EVERYONE,  # a time node of measure 1.1
    "order": EVERYONE - {"leader"},  # to unit A1, from A's office; leaders are not among issuers
    "feedback": EVERYONE,  # the item is routed to unit A1
    "publication": WIDE,  # an unpublished draft
    "notice draft": WIDE,  # the notice generated from the ledger (issue 11, defect 2)
    "consultation": WIDE,
    "dispatch": WIDE,
    "hotline batch": WIDE,
    "qr": OFFICE,
    "flag": EVERYONE,  # both problems are unit A1's
    # Chaired by Larry; its task is unit A1's, which sees the task, not the meeting.
    "meeting": WIDE,
    "meeting decision": EVERYONE,
    "accountability": frozenset({"office", "supervisor", "inspection office"}),
    # A draft 整改情况报告: the office and leaders of A; supervisors read it once approved, units never.
    "rectification document": frozenset({"office", "leader"}),
}

# Detail pages and operations that show one object: (URL name, kind of the object its id names).
WEB_DETAIL = {
    "ledger:inspection-detail": "inspection",
    "ledger:problem-detail": "problem",
    "ledger:measure-detail": "measure",
    "indicators:detail": "indicator",
    "orders:detail": "order",
    "orders:docx": "order",
    "dispatch:detail": "dispatch",
    "dispatch:docx": "dispatch",
    "dispatch:xlsx": "dispatch",
    "publications:inspection": "inspection",
    "publications:detail": "publication",
    "publications:docx": "publication",
    "publications:txt": "publication",
    "qr:svg": "qr",
    "qr:png": "qr",
    "qr:poster": "qr",
    "qr:poster-svg": "qr",
    "hotline:batch": "hotline batch",
    "feedback:detail": "feedback",
    "recurrence:detail": "flag",
    "recurrence:similar": "problem",
    "consultations:detail": "consultation",
    "mechanisms:inspection": "inspection",
    "insights:inspection": "inspection",
    "ledger_excel:export": "inspection",
    "evaluation:inspection": "inspection",
    "meetings:detail": "meeting",
    "reports:detail": "rectification document",
    "reports:docx": "rectification document",
}
API_DETAIL = {
    "/api/v1/inspections/{inspection_id}": "inspection",
    "/api/v1/measures/{measure_id}": "measure",
    "/api/v1/measures/{measure_id}/reports": "measure",
    "/api/v1/measures/{measure_id}/followups": "measure",
    "/api/v1/measures/{measure_id}/indicators": "measure",
    "/api/v1/measures/{measure_id}/history": "measure",
    "/api/v1/measures/{measure_id}/extensions": "measure",
    "/api/v1/measures/{measure_id}/milestones": "measure",
    "/api/v1/milestones/{milestone_id}": "milestone",
    "/api/v1/reports/{report_id}": "report",
    "/api/v1/signoffs/{signoff_id}": "signoff",
    "/api/v1/mechanisms/{mechanism_id}": "mechanism",
    "/api/v1/supervision-orders/{order_id}": "order",
    "/api/v1/supervision-orders/{order_id}/docx": "order",
    "/api/v1/dispatch-reports/{dispatch_id}": "dispatch",
    "/api/v1/inspections/{inspection_id}/notice": "notice draft",
    "/api/v1/inspections/{inspection_id}/ledger.xlsx": "inspection",
    "/api/v1/publications/{publication_id}": "publication",
    "/api/v1/publications/{publication_id}/notice": "publication",
    "/api/v1/feedback/{item_id}": "feedback",
    "/api/v1/consultations/{consultation_id}": "consultation",
    "/api/v1/problems/{problem_id}/similar": "problem",
    "/api/v1/inspections/{inspection_id}/evaluation": "inspection",
    "/api/v1/meetings/{meeting_id}": "meeting",
    "/api/v1/accountability/{record_id}": "accountability",
    "/api/v1/rectification-documents/{document_id}": "rectification document",
    "/api/v1/rectification-documents/{document_id}/docx": "rectification document",
}
# Pages anyone may open without signing in, and the API operations that need no token.
PUBLIC_WEB = re.compile(r"^(portal|public_feedback|public_consultations|calendar):|^(login|logout)$")
PUBLIC_API = re.compile(r"^/api/v1/(public/|auth/token)")
# URL keyword → kind of object it names, where the name says it.
KWARG_KINDS = {
    "inspection_id": "inspection",
    "measure_id": "measure",
    "problem_id": "problem",
    "report_id": "report",
    "signoff_id": "signoff",
    "followup_id": "followup",
    "indicator_id": "indicator",
    "mechanism_id": "mechanism",
    "order_id": "order",
    "dispatch_id": "dispatch",
    "publication_id": "publication",
    "item_id": "feedback",
    "consultation_id": "consultation",
    "flag_id": "flag",
    "evidence_id": "evidence",
    "extension_id": "extension",
    "meeting_id": "meeting",
    "decision_id": "meeting decision",
    "record_id": "accountability",
    "milestone_id": "milestone",
    "document_id": "rectification document",
}
# `pk` names a different kind on each page: the kinds of the pages not in WEB_DETAIL.
PK_KINDS = {
    "ledger:set-report-period": "inspection",
    "ledger:measure-edit": "measure",
    "mechanisms:edit": "mechanism",
    "mechanisms:create": "inspection",
    "progress:report": "measure",
    "progress:review": "report",
    "progress:request-signoff": "measure",
    "progress:decide": "signoff",
    "extensions:request": "measure",
    "extensions:decide": "extension",
    "evaluation:classify": "inspection",
    "progress:schedule-followup": "measure",
    "progress:record-followup": "followup",
    "progress:evidence": "evidence",
    "indicators:create": "measure",
    "indicators:observe": "indicator",
    "progress:add-milestone": "measure",
    "progress:change-milestone": "milestone",
    "progress:delete-milestone": "milestone",
    "progress:complete-milestone": "milestone",
    "progress:reopen-milestone": "milestone",
    "orders:answer": "order",
    "publications:edit": "publication",
    "publications:decide": "publication",
    "publications:correct": "publication",
    "qr:deactivate": "qr",
    "qr:activate": "qr",
    "feedback:contacts": "feedback",
    "feedback:route": "feedback",
    "feedback:reply": "feedback",
    "feedback:reply-approve": "feedback",
    "feedback:reply-return": "feedback",
    "feedback:close": "feedback",
    "consultations:edit": "consultation",
    "consultations:open": "consultation",
    "consultations:close": "consultation",
    "consultations:comment": "consultation",
    "consultations:summary": "consultation",
    "consultations:decide": "comment",
    "consultations:reveal": "comment",
    "public_consultations:detail": "consultation",
    "public_consultations:thanks": "consultation",
    "portal:notice": "publication",
    "meetings:create": "inspection",
    "meetings:edit": "meeting",
    "meetings:minutes": "meeting",
    "meetings:decision-create": "meeting",
    "meetings:decision-edit": "meeting decision",
    "meetings:task-done": "meeting decision",
    "accountability:create": "inspection",
    "accountability:edit": "accountability",
    **WEB_DETAIL,
}


# ------------------------------------------------------------------ what there is to call


def web_routes() -> list[tuple[str, str, list[str]]]:
    """(URL name, route with {kwarg} placeholders, kwargs) of every named page outside the admin."""
    routes = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else None
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    inner or pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                route = prefix + str(pattern.pattern)
                if name.startswith(("admin:", "api:")):
                    continue
                kwargs = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
                routes.append((name, route, [a or b for a, b in kwargs]))

    walk(get_resolver().url_patterns, "", "")
    return sorted(set((name, route, tuple(kwargs)) for name, route, kwargs in routes))


def api_operations() -> list[tuple[str, str]]:
    """(method, path template) of every operation in the published OpenAPI schema."""
    schema = ninja_api.get_openapi_schema()
    return sorted((method.upper(), path) for path, ops in schema["paths"].items() for method in ops)


WEB = web_routes()
API = api_operations()


def fill(route: str, values: dict[str, object]) -> str:
    """The concrete address: the route with its placeholders (converters and regexes) filled."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + path


# ------------------------------------------------------------------ the objects of both bureaus


@pytest.fixture
def things(world, ledger, settings, tmp_path):
    """{"a": {kind: pk}, "b": {kind: pk}}: one object of every kind in each bureau, about unit A1 (B1)."""
    from rectify.accountability.services import save_record
    from rectify.feedback.consultations import services as consultations
    from rectify.feedback.consultations.models import ConsultationComment
    from rectify.feedback.consultations.services import ConsultationFields
    from rectify.feedback.hotline.models import HotlineBatch
    from rectify.feedback.qr.services import create_qr
    from rectify.feedback.services import register_item, route_item
    from rectify.ledger.models import MeasureUnit, Mechanism
    from rectify.meetings.services import save_decision, save_meeting
    from rectify.notices.publishing import create_draft
    from rectify.progress.models import FollowUp, Indicator, Milestone, ProgressReport, SignOff
    from rectify.recurrence.models import RecurrenceFlag
    from rectify.reports.services import create_draft as create_document
    from rectify.supervision.dispatch import build_dispatch
    from rectify.supervision.models import DeadlineExtension
    from rectify.supervision.orders import issue_order

    settings.MEDIA_ROOT = tmp_path
    today = date.today()
    result = {}
    for key, inspection, office, unit in (
        ("a", ledger.inspection, world.alice, world.orgs["a1"]),
        ("b", ledger.other, world.charlie, world.orgs["b1"]),
    ):
        organisation = inspection.inspected
        problems = list(inspection.problems.order_by("number"))
        measure = problems[0].measures.order_by("order").first()
        if key == "b":
            for problem in problems:
                for item in problem.measures.all():
                    MeasureUnit.objects.create(measure=item, unit=unit, role="responsible")
        mechanism = Mechanism.objects.create(inspection=inspection, title="《停车场条例》", kind="revised")
        mechanism.problems.add(problems[0])
        report = ProgressReport.objects.create(
            measure=measure,
            period_start=today.replace(day=1),
            period_label="本月",
            text="进展",
            author=office,
        )
        signoff = SignOff.objects.create(measure=measure, requested_by=office)
        followup = FollowUp.objects.create(measure=measure, due_on=today, scheduled_by=office)
        indicator = Indicator.objects.create(measure=measure, name="办结率", baseline=0, target=1)
        milestone = Milestone.objects.create(measure=measure, due_on=today, deliverable="完成制度起草")
        order = issue_order(
            office,
            unit_id=unit.pk,
            measure_ids=[measure.pk],
            reason="进度滞后",
            demanded_action="限期整改",
            answer_due=today + timedelta(days=10),
        )
        dispatch = build_dispatch(office, inspection.pk, today - timedelta(days=30), today)
        publication = create_draft(office, inspection.pk)
        rectification_document = create_document(office, inspection.pk, "situation")
        item = register_item(
            office, organisation=organisation, channel="phone", kind="opinion", content="意见"
        )
        item = route_item(office, item, unit=unit, version=item.version)
        consultation = consultations.create_consultation(
            office,
            ConsultationFields(
                kind="online", title="征求意见", draft_text="草案", opens_on=today, closes_on=today
            ),
            mechanism_id=mechanism.pk,
        )
        comment = ConsultationComment.objects.create(consultation=consultation, content="意见")
        qr = create_qr(office, organisation=organisation, label="公示牌")
        batch = HotlineBatch.objects.create(
            organisation=organisation, file_name="12345.xlsx", imported_by=office
        )
        flag = RecurrenceFlag.objects.create(problem=problems[2], earlier=problems[0], score=0.9)
        # A pending extension request (延期) of the measure, whose deadline is set.
        type(measure).objects.filter(pk=measure.pk).update(deadline=today + timedelta(days=30))
        extension = DeadlineExtension.objects.create(
            measure=measure,
            old_deadline=today + timedelta(days=30),
            new_deadline=today + timedelta(days=90),
            reason="需协调其他部门",
            requested_by=office,
        )
        chair = world.larry if key == "a" else None
        meeting = save_meeting(
            office,
            inspection_id=inspection.pk,
            kind="special",
            held_on=today,
            title="专题会",
            chair_id=chair and chair.pk,
        )
        decision = save_decision(
            office, meeting.pk, text="限期整改", owner_unit_id=unit.pk, due_on=today + timedelta(days=10)
        )
        accountability = save_record(
            office,
            inspection_id=inspection.pk,
            person_name="某某",
            dealt_on=today,
            form="criticism",
            reason="履职不力",
        )
        result[key] = {
            "meeting": meeting.pk,
            "meeting decision": decision.pk,
            "accountability": accountability.pk,
            "inspection": inspection.pk,
            "problem": problems[0].pk,
            "measure": measure.pk,
            "mechanism": mechanism.pk,
            "report": report.pk,
            "signoff": signoff.pk,
            "followup": followup.pk,
            "indicator": indicator.pk,
            "milestone": milestone.pk,
            "order": order.pk,
            "dispatch": dispatch.pk,
            "publication": publication.pk,
            "rectification document": rectification_document.pk,
            "notice draft": inspection.pk,
            "feedback": item.pk,
            "consultation": consultation.pk,
            "comment": comment.pk,
            "qr": qr.pk,
            "hotline batch": batch.pk,
            "flag": flag.pk,
            "extension": extension.pk,
            "evidence": 987654,  # no file is stored here: the page must still answer 404, not fail
            "code": item.code,
            "token": "0" * 32,
            "queue_index": 0,
        }
    return result


def _values(kinds: dict[str, int], name: str, kwargs) -> dict[str, object]:
    values = {}
    for kwarg in kwargs:
        if kwarg == "pk":
            values[kwarg] = kinds[PK_KINDS[name]]
        elif kwarg in KWARG_KINDS:
            values[kwarg] = kinds[KWARG_KINDS[kwarg]]
        else:
            values[kwarg] = kinds[kwarg]
    return values


def _client(world, role: str) -> Client:
    client = Client()
    if ROLES[role]:
        client.force_login(world.people[ROLES[role]])
    return client


def _fingerprint() -> tuple:
    """What a refused write must leave as it was."""
    from django.apps import apps

    watched = (
        "ledger",
        "progress",
        "supervision",
        "notices",
        "feedback",
        "recurrence",
        "meetings",
        "accountability",
        "reports",
    )
    counts = tuple(
        (model._meta.label, model.objects.count())
        for model in apps.get_models()
        if model._meta.app_label in watched and not model._meta.auto_created
    )
    from rectify.feedback.models import FeedbackItem
    from rectify.ledger.models import Measure
    from rectify.notices.models import NoticePublication
    from rectify.reports.models import RectificationDocument

    versions = (
        tuple(Measure.objects.order_by("pk").values_list("version", "status")),
        tuple(FeedbackItem.objects.order_by("pk").values_list("version", "status")),
        tuple(NoticePublication.objects.order_by("pk").values_list("state", "version")),
        tuple(RectificationDocument.objects.order_by("pk").values_list("state", "version", "content")),
    )
    return counts, versions


# ------------------------------------------------------------------ the matrix


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_and_operation_answers_each_role_as_the_rules_say(world, ledger, things, role):
    client = _client(world, role)
    failures: list[str] = []

    def check(label: str, status: int, allowed: set[int]) -> None:
        if status not in allowed:
            failures.append(f"{label}: {status}, expected {sorted(allowed)}")

    for key in ("a", "b"):
        kinds = things[key]
        # Whose object it is for this role: Sam is above both bureaus, Charlie is B's office.
        own = key == "b" if role == "other office" else key == "a" or role == "inspection office"
        for name, route, kwargs in WEB:
            path = fill(route, _values(kinds, name, kwargs))
            status = client.get(path).status_code
            label = f"GET {path} ({name}, {key})"
            check(label, status, set(range(200, 500)) - {500})
            if PUBLIC_WEB.search(name):
                continue
            if role == "anonymous":
                check(label, status, {302})
            elif name in WEB_DETAIL and not own:
                check(label, status, {404})
            elif name in WEB_DETAIL and key == "a":
                check(label, status, {200} if role in AUDIENCE[WEB_DETAIL[name]] else {403, 404})
        for method, template in API:
            values = {k: _values(kinds, "", [k])[k] for k in re.findall(r"{(\w+)}", template)}
            path = template.format(**values)
            label = f"{method} {path} ({key})"
            if method == "GET":
                status = client.get(path).status_code
                check(label, status, set(range(200, 500)) - {500})
                if PUBLIC_API.search(template):
                    continue
                if role == "anonymous":
                    check(label, status, {401})
                elif template in API_DETAIL and not own:
                    check(label, status, {404})
                elif template in API_DETAIL and key == "a":
                    check(label, status, {200} if role in AUDIENCE[API_DETAIL[template]] else {403, 404})

    # Writes: the anonymous and the other bureau's office, on bureau A's objects, are refused and
    # change nothing. The body is empty, so a page that checks its form first answers 400, the same
    # for any id (it tells nothing of the object); what matters is that nothing fails or changes.
    if role in ("anonymous", "other office"):
        kinds = things["a"]
        before = _fingerprint()
        for name, route, kwargs in WEB:
            if PUBLIC_WEB.search(name) or not kwargs or "token" in kwargs:
                continue
            path = fill(route, _values(kinds, name, kwargs))
            status = client.post(path, {}).status_code
            check(f"POST {path} ({name})", status, {302} if role == "anonymous" else {400, 403, 404, 405})
        for method, template in API:
            if method == "GET" or PUBLIC_API.search(template) or "{" not in template:
                continue
            values = {k: _values(kinds, "", [k])[k] for k in re.findall(r"{(\w+)}", template)}
            path = template.format(**values)
            status = client.generic(method, path, "{}", content_type="application/json").status_code
            check(f"{method} {path}", status, {401} if role == "anonymous" else {400, 403, 404, 422})
        assert _fingerprint() == before, "a refused write changed something"

    assert not failures, f"{len(failures)} answers differ from the rules:\n" + "\n".join(failures)
