"""The demo's public notice, through the real workflow: the office's clerk drafts it from the ledger
and rewords a measure, the office director (`office`) reviews it, the party head (`secretary`)
approves and the office publishes it on the portal; then the clerk drafts a correction, which waits
for the party head's approval, so every state is there to look at."""

from __future__ import annotations

from datetime import date

from auditlog.context import set_actor

from rectify.ledger.models import Inspection
from rectify.org.models import Membership, Role, User

from . import publishing
from .models import NoticePublication

CLERK = ("office2", "钱晓燕", "巡察整改领导小组办公室工作人员")


def clerk_of(inspection: Inspection, office: User) -> User:
    """A second member of the office to draft (the reviewer must be someone else), with the same
    password as the office's account."""
    username, full_name, title = CLERK
    clerk = User.objects.filter(username=username).first()
    if clerk is None:
        clerk = User.objects.create(username=username, full_name=full_name, password=office.password)
        Membership.objects.create(
            user=clerk, organisation=inspection.inspected, role=Role.OFFICE, title=title
        )
    return clerk


def publish_demo_notices(
    inspection: Inspection, users: dict[str, User], today: date
) -> list[NoticePublication]:
    """Publish version 1 of the inspection's notice and leave a correction awaiting approval."""
    office, head = users["office"], users.get("secretary") or users["leader"]
    clerk = clerk_of(inspection, office)
    with set_actor(clerk):
        draft = publishing.create_draft(clerk, inspection.pk, on=today)
        first_problem = draft.document["areas"][0]["problems"][0]
        wording = [publishing.split_progress(measure["text"])[0] for measure in first_problem["measures"]]
        wording[0] = wording[0].rstrip("。") + "，相关草案已提请审议。"
        publishing.update_draft(
            clerk,
            draft.pk,
            {
                "written_date": today,
                "subject_terms": "巡察整改 进展情况 通报",
                "problems": {first_problem["number"]: wording},
            },
        )
        publishing.decide(clerk, draft.pk, "submit", "请审核。")
    with set_actor(office):
        publishing.decide(office, draft.pk, "accept", "表述与台账一致，同意报领导小组组长审批。")
    with set_actor(head):
        publishing.decide(head, draft.pk, "approve", "同意发布。")
    with set_actor(office):
        published = publishing.decide(office, draft.pk, "publish")
    with set_actor(clerk):
        # The correction takes back the added clause, which went beyond what the ledger records.
        correction = publishing.create_correction(clerk, published.pk)
        _note, _, opening = correction.document["opening"].partition("\n")
        number = first_problem["number"]
        original = [
            measure.text for measure in inspection.problems.get(number=number).measures.order_by("order")
        ]
        what = publishing.measure_words(publishing.document_of(correction), number, 1) + "的表述"
        publishing.update_draft(
            clerk,
            correction.pk,
            {
                "opening": f"{publishing.correction_note(published, what)}\n{opening}",
                "problems": {number: original},
            },
        )
        publishing.decide(clerk, correction.pk, "submit")
    with set_actor(office):
        correction = publishing.decide(office, correction.pk, "accept", "同意。")
    return [published, correction]
