"""Who decides at each stage of a document the office drafts and the leading group approves: the
public notice (notices.publishing) and the rectification documents (rectify.reports) follow one rule.

    draft ─submit─▶ in review ─accept─▶ awaiting approval ─approve─▶ approved ─release─▶ (published / sent)

- submit and release (publish, send): the office (整改办) of the organisation;
- accept: another member of the office than the drafter (the office head reviews);
- approve: the leading group's head, i.e. the organisation's party head when its warning policy names
  one (asked through notices.extensions), otherwise any leader of the organisation; never the drafter;
- return (with a reason): whoever may decide at the stage the document is in; at "approved", the
  approver or the reviewer.

The stages are named by the states both workflows share ("in_review", "awaiting_approval",
"approved"); the callers keep their own states, transitions and records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rectify.errors import AccessDenied, RectifyError
from rectify.org.access import Access, is_office
from rectify.org.models import Organisation, Role, User

from . import extensions

DRAFT = "draft"
IN_REVIEW = "in_review"
AWAITING_APPROVAL = "awaiting_approval"
APPROVED = "approved"
# The decisions the office alone takes (publish a notice, send a report).
OFFICE_DECISIONS = frozenset({"submit", "publish", "send"})


def decisions(
    *, approve: str, release: str, release_label: str, released: str
) -> dict[str, tuple[tuple[str, ...], str, str]]:
    """decision → (states it may start from, state it leads to, label): the one workflow, its approval
    worded `approve` and its last step the decision `release` (labelled `release_label`, to the state
    `released`)."""
    return {
        "submit": ((DRAFT,), IN_REVIEW, "提交审核"),
        "accept": ((IN_REVIEW,), AWAITING_APPROVAL, "审核通过"),
        "approve": ((AWAITING_APPROVAL,), APPROVED, approve),
        release: ((APPROVED,), released, release_label),
        "return": ((IN_REVIEW, AWAITING_APPROVAL, APPROVED), DRAFT, "退回修改"),
    }


def approver_label(organisation: Organisation) -> str:
    """Who approves, in words: 领导小组组长（name） or 本单位领导小组成员."""
    head = extensions.party_head_id(organisation)
    if head:
        person = User.objects.filter(pk=head).first()
        return f"领导小组组长（{person.display_name}）" if person else "领导小组组长"
    return "本单位领导小组成员"


def may_decide(
    user: User, organisation: Organisation, drafter_id: int | None, decision: str, state: str
) -> bool:
    """Whether `user` may take `decision` on a document of `organisation` drafted by `drafter_id`,
    standing at `state`."""
    drafter = drafter_id is not None and drafter_id == user.pk
    if decision in OFFICE_DECISIONS:
        return is_office(user, organisation)
    if decision == "accept":
        return is_office(user, organisation) and not drafter
    if decision == "approve":
        if drafter:
            return False
        access = Access.of(user)
        if access.is_superuser:
            return True
        head = extensions.party_head_id(organisation)
        return user.pk == head if head else access.has_role(Role.LEADER, organisation)
    if decision == "return":
        accept = may_decide(user, organisation, drafter_id, "accept", state)
        approve = may_decide(user, organisation, drafter_id, "approve", state)
        return {IN_REVIEW: accept, AWAITING_APPROVAL: approve, APPROVED: approve or accept}.get(state, False)
    return False


def refusal(
    user: User,
    organisation: Organisation,
    drafter_id: int | None,
    decision: str,
    state: str,
    *,
    noun: str,
    release: str,
) -> str:
    """Why `may_decide` said no, in Chinese; `noun` names the document (通报, 报告…) and `release`
    its last step (发布, 报送)."""
    if decision in OFFICE_DECISIONS:
        return f"只有整改办可以提交或{release}{noun}。"
    if drafter_id is not None and drafter_id == user.pk:
        return f"起草人不能审核、审批或退回自己起草的{noun}。"
    if decision == "accept" or (decision == "return" and state == IN_REVIEW):
        return f"只有整改办（起草人以外的人员）可以审核{noun}。"
    return f"当前环节须由{approver_label(organisation)}审批。"


def advance(
    document: Any,
    user: User,
    decision: str,
    comment: str,
    decisions: dict[str, tuple[tuple[str, ...], str, str]],
    *,
    wrong_state: Callable[[Any, str], RectifyError],
    noun: str,
    release: str,
) -> str:
    """Move a document (locked by the caller, with its `organisation`, `created_by_id`, `state` and
    `return_reason`) by `decision`: refused in its state (`wrong_state(document, label)`, 409) or for
    this user (403, `refusal`'s words); a return keeps its reason, a submission clears it. Returns the
    state it left; the caller saves and records the step."""
    sources, target, label = decisions[decision]
    if document.state not in sources:
        raise wrong_state(document, label)
    drafter = document.created_by_id
    if not may_decide(user, document.organisation, drafter, decision, document.state):
        raise AccessDenied(
            refusal(
                user, document.organisation, drafter, decision, document.state, noun=noun, release=release
            )
        )
    source, document.state = document.state, target
    if decision == "return":
        document.return_reason = comment
    elif decision == "submit":
        document.return_reason = ""
    return source
