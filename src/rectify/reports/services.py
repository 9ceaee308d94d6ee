"""整改文书, as actions: drafting from the ledger, editing, the workflow and the 报送.

    draft ─submit─▶ in review ─accept─▶ awaiting approval ─approve─▶ approved ─send─▶ sent
      ▲  (office)    (office, not the     (leading group's head)     │ (office; reports only)
      │               drafter)                                       │
      └──────────── return, with a reason (whoever may decide at that stage) ─┘

Who decides at each stage is the notice's rule (notices.approval). An approved 整改工作方案 and a sent
report never change; a correction is a new version (one version of a kind open at a time). The office
edits the wording of every part while a draft; the edits are kept apart from what the ledger gives
(`content["edits"]`), so regenerating the figures never loses them. Refusals are Chinese messages with
the status the web and the API answer (404 unseen, 403 not yours, 409 wrong state, 400 bad input).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from rectify.documents import chinese_numeral, date_label
from rectify.errors import AccessDenied, InvalidInput, StaleEdit
from rectify.ledger.models import Inspection
from rectify.ledger.services import get_inspection
from rectify.ledger.workflow import IllegalTransition
from rectify.notices import approval
from rectify.notices.document import NoticeDocument, document_from_dict
from rectify.org.access import VIEW, VIEW_ALL, is_office
from rectify.org.models import Organisation, User

from .generate import generate, situation_due
from .models import DocumentKind, DocumentState, DocumentStep, FinalDocument, RectificationDocument

S = DocumentState
K = DocumentKind

MAX_TITLE = 255
MAX_TEXT = 20000

# decision → (states it may start from, state it leads to, label)
DECISIONS = approval.decisions(approve="批准", release="send", release_label="报送", released=S.SENT)
RELATIONS = ("inspection", "organisation", "created_by")


# ------------------------------------------------------------------ reading


def _steps() -> Prefetch:
    return Prefetch("steps", queryset=DocumentStep.objects.select_related("actor").order_by("id"))


def get_document(user: User, document_id: int) -> RectificationDocument:
    return (
        RectificationDocument.objects.restrict(user, VIEW)
        .select_related(*RELATIONS)
        .prefetch_related(_steps())
        .get_or_not_found("整改文书不存在，或您无权查看。", pk=document_id)
    )


def documents_of(user: User, inspection_id: int | None = None) -> QuerySet[RectificationDocument]:
    records = RectificationDocument.objects.restrict(user, VIEW).select_related(*RELATIONS)
    return (
        records.prefetch_related(_steps())
        .filter_given(inspection_id=inspection_id)
        .order_by("inspection_id", "kind", "-version")
    )


def notice_document(document: RectificationDocument) -> NoticeDocument:
    return document_from_dict(document.content.get("document") or {})


def may_draft(user: User, inspection: Inspection) -> bool:
    return is_office(user, inspection.inspected)


def may_edit(user: User, document: RectificationDocument) -> bool:
    return document.state == S.DRAFT and is_office(user, document.organisation)


def may_decide(user: User, document: RectificationDocument, decision: str) -> bool:
    if decision not in DECISIONS or document.state not in DECISIONS[decision][0] or document.is_final:
        return False
    if decision == "send" and document.kind not in (K.SITUATION, K.INTERIM):
        return False
    return approval.may_decide(user, document.organisation, document.created_by_id, decision, document.state)


def decisions_for(user: User, document: RectificationDocument) -> list[tuple[str, str]]:
    return [
        (decision, label)
        for decision, (*_rest, label) in DECISIONS.items()
        if may_decide(user, document, decision)
    ]


def approver_label(organisation: Organisation) -> str:
    return approval.approver_label(organisation)


def open_version(inspection: Inspection, kind: str) -> RectificationDocument | None:
    """The version of this kind still on its way, if any: only one at a time."""
    finished = [S.SENT] if kind != K.WORK_PLAN else [S.APPROVED, S.SENT]
    return (
        RectificationDocument.objects.filter(inspection=inspection, kind=kind)
        .exclude(state__in=finished)
        .order_by("-version")
        .first()
    )


# ------------------------------------------------------------------ drafting and editing


def _step(
    document: RectificationDocument, action: str, from_state: str, user: User, comment: str = ""
) -> None:
    DocumentStep.objects.create(
        document=document,
        action=action,
        from_state=from_state,
        to_state=document.state,
        actor=user,
        comment=comment,
    )


def _as_of(inspection: Inspection, kind: str, on: date | None) -> date:
    today = timezone.localdate()
    if kind != K.INTERIM:
        return today
    if on is None:
        raise InvalidInput("阶段性整改报告须写明截至日期。")
    if on > today:
        raise InvalidInput("阶段性整改报告的截至日期不能晚于今天。")
    if inspection.feedback_date and on < inspection.feedback_date:
        raise InvalidInput(f"截至日期不能早于反馈日期（{inspection.feedback_date:%Y-%m-%d}）。")
    return on


def create_draft(
    user: User, inspection_id: int, kind: str, *, on: date | None = None
) -> RectificationDocument:
    """The office drafts the next version of a kind of document from the ledger (`on`: the 阶段性整改
    报告's as-of date; the others are as of today)."""
    if kind not in K.values:
        raise InvalidInput(
            "文书类型应为 work_plan（整改工作方案）、situation（整改情况报告）或 interim（阶段性整改报告）。"
        )
    inspection = get_inspection(user, inspection_id, VIEW_ALL)
    if not may_draft(user, inspection):
        raise AccessDenied(f"只有“{inspection.inspected.name}”的整改办可以起草整改文书。")
    as_of = _as_of(inspection, kind, on)
    with transaction.atomic():
        # The inspection's row locked: two drafts at once can't take one number, nor both start.
        Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
        current = open_version(inspection, kind)
        if current is not None:
            raise StaleEdit(
                f"该巡察已有尚未办结的{K(kind).label}（第{current.version}版，{current.get_state_display()}），请在其上继续。"
            )
        last = RectificationDocument.objects.filter(inspection=inspection, kind=kind).aggregate(
            last=Max("version")
        )
        generated = generate(inspection, kind, as_of)
        document = RectificationDocument.objects.create(
            inspection=inspection,
            organisation=inspection.inspected,
            kind=kind,
            version=(last["last"] or 0) + 1,
            title=generated.document.title[:MAX_TITLE],
            as_of=as_of,
            content={**generated.to_content(), "edits": {}},
            due_date=situation_due(inspection) if kind == K.SITUATION else None,
            created_by=user,
        )
        _step(document, "create", "", user)
    return get_document(user, document.pk)


def editable_parts(document: RectificationDocument) -> list[tuple[str, str, str]]:
    """(key, label, current text) of every part the office may reword: the title, the addressee (a
    report's), the opening and each part's paragraphs (the part with the problems: its lead-in; the
    measures themselves say what the ledger says)."""
    doc = notice_document(document)
    parts = [("title", "标题", doc.title)]
    if document.kind != K.WORK_PLAN:
        parts.append(("addressee", "主送", document.content.get("addressee", "")))
    parts.append(("opening", "开头", doc.opening))
    for section in doc.sections:
        parts.append(
            (
                f"part{section.number}",
                f"{chinese_numeral(section.number)}、{section.title}",
                "\n".join(section.paragraphs),
            )
        )
    return parts


def _clean(value: Any, label: str, *, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{label}应为文字。")
    text = "\n".join(line.strip() for line in value.replace("\r\n", "\n").split("\n") if line.strip())
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字。")
    return text


def _regenerated(document: RectificationDocument, edits: dict[str, str]) -> dict:
    """The content from the ledger again (as of today, or the 阶段性报告's own date) with the office's
    wording put back over the parts it edited."""
    as_of = document.as_of if document.kind == K.INTERIM else timezone.localdate()
    generated = generate(document.inspection, document.kind, as_of)
    doc = generated.document
    addressee = generated.addressee
    if "title" in edits:
        doc.title = edits["title"]
    if "addressee" in edits:
        addressee = edits["addressee"]
    if "opening" in edits:
        doc.opening = edits["opening"]
    for section in doc.sections:
        if (key := f"part{section.number}") in edits:
            section.paragraphs = edits[key].split("\n")
    document.as_of = as_of
    document.title = doc.title[:MAX_TITLE]
    return {**generated.to_content(), "document": doc.to_dict(), "addressee": addressee, "edits": edits}


def update_draft(user: User, document_id: int, edits: dict[str, Any]) -> RectificationDocument:
    """The office rewords parts of a draft (`edits`: {key from `editable_parts`: text}; an empty text
    gives the part back to the ledger's wording), and the figures are taken from the ledger again."""
    document = get_document(user, document_id)
    _refuse_final(document)
    if not is_office(user, document.organisation):
        raise AccessDenied("只有整改办可以修改整改文书。")
    labels = {key: label for key, label, _text in editable_parts(document)}
    unknown = sorted(set(edits) - set(labels))
    if unknown:
        raise InvalidInput(f"没有可修改的部分：{'、'.join(unknown)}。")
    with transaction.atomic():
        locked = (
            RectificationDocument.objects.select_for_update()
            .select_related("inspection__inspected")
            .get(pk=document.pk)
        )
        if locked.state != S.DRAFT:
            raise _wrong_state(locked, "修改")
        kept = dict(locked.content.get("edits") or {})
        for key, value in edits.items():
            text = _clean(value, labels[key], limit=MAX_TITLE if key in ("title", "addressee") else MAX_TEXT)
            if key == "title" and "\n" in text:
                raise InvalidInput("标题应为一行。")
            if text:
                kept[key] = text
            else:
                kept.pop(key, None)
        locked.content = _regenerated(locked, kept)
        locked.save()
    return get_document(user, document.pk)


def regenerate(user: User, document_id: int) -> RectificationDocument:
    """The draft's figures and the measures' wording from the ledger as it stands, the office's
    wording kept."""
    return update_draft(user, document_id, {})


# ------------------------------------------------------------------ the workflow


def _refuse_final(document: RectificationDocument) -> None:
    if document.is_final:
        raise FinalDocument(
            f"该{document.get_kind_display()}已{document.get_state_display().removeprefix('已')}，不能再更改；如需更正，请起草新版本。"
        )


def _wrong_state(document: RectificationDocument, doing: str) -> IllegalTransition:
    return IllegalTransition(
        f"该{document.get_kind_display()}当前为“{document.get_state_display()}”，不能{doing}。"
    )


def decide(
    user: User, document_id: int, decision: str, comment: str = "", *, sent_on: date | None = None
) -> RectificationDocument:
    """Move the document on (or back to draft, with a reason). Checks in order: may see (404), final
    (409), a known decision (400), may decide (403), right state (409), reason and date (400)."""
    document = get_document(user, document_id)
    _refuse_final(document)
    if decision not in DECISIONS:
        raise InvalidInput("操作应为 submit、accept、approve、send 或 return。")
    if decision == "send" and document.kind == K.WORK_PLAN:
        raise InvalidInput("整改工作方案批准后即生效，无需报送。")
    comment = _clean(comment or "", "意见", limit=2000)
    if decision == "return" and not comment:
        raise InvalidInput("退回时必须写明退回理由。")
    with transaction.atomic():
        locked = (
            RectificationDocument.objects.select_for_update()
            .select_related("organisation")
            .get(pk=document.pk)
        )
        _refuse_final(locked)
        source = approval.advance(
            locked,
            user,
            decision,
            comment,
            DECISIONS,
            wrong_state=_wrong_state,
            noun="整改文书",
            release="报送",
        )
        if decision == "send":
            locked.sent_on = _sent_on(locked, sent_on)
        locked.save()
        _step(locked, decision, source, user, comment)
    return get_document(user, document.pk)


def _sent_on(document: RectificationDocument, sent_on: date | None) -> date:
    today = timezone.localdate()
    sent_on = sent_on or today
    if sent_on > today:
        raise InvalidInput("报送日期不能晚于今天。")
    approved = document.steps.filter(action="approve").order_by("-at").values_list("at", flat=True).first()
    if approved and sent_on < timezone.localdate(approved):
        raise InvalidInput("报送日期不能早于批准日期。")
    return sent_on


# ------------------------------------------------------------------ 报送 on time (整改评估)


@dataclass(frozen=True)
class Submission:
    """Whether the 整改情况报告 reached the inspection body on time."""

    state: str  # on_time / late / pending / overdue / unknown
    text: str  # 按时报送 / 逾期报送（逾期N天） / 未报送（应于…前报送）
    document_id: int | None = None


def situation_submissions(inspections: list[Inspection], on: date | None = None) -> dict[int, Submission]:
    """For each inspection, its 整改情况报告: 按时报送, 逾期报送（逾期N天） or 未报送（应于…前报送).
    One query, whatever the number of inspections."""
    on = on or timezone.localdate()
    sent: dict[int, RectificationDocument] = {}
    for document in RectificationDocument.objects.filter(
        inspection__in=[inspection.pk for inspection in inspections], kind=K.SITUATION, state=S.SENT
    ).order_by("inspection_id", "sent_on", "version"):
        sent.setdefault(document.inspection_id, document)  # the first sent counts
    out = {}
    for inspection in inspections:
        due = situation_due(inspection)
        document = sent.get(inspection.pk)
        if document is not None:
            late = (document.sent_on - due).days if due else 0
            out[inspection.pk] = (
                Submission("late", f"逾期报送（逾期{late}天）", document.pk)
                if late > 0
                else Submission("on_time", "按时报送", document.pk)
            )
        elif due is None:
            out[inspection.pk] = Submission("unknown", "未报送（未登记反馈日期）")
        else:
            overdue = due < on
            out[inspection.pk] = Submission(
                "overdue" if overdue else "pending", f"未报送（应于{date_label(due)}前报送）"
            )
    return out
