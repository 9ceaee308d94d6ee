"""Publishing the rectification notice (整改进展情况通报) on the public portal, as actions.

    draft ─submit─▶ in review ─accept─▶ awaiting approval ─approve─▶ approved ─publish─▶ published
      ▲  (office)     (office, not    │   (leading group's head)   │   (office)
      │                the drafter)   │                            │
      └──────────── return, with a reason (whoever may decide at that stage) ───────────┘

- The office (整改办) of the inspected organisation drafts a version from the ledger
  (notices.generate), edits its wording while it is a draft, and submits it.
- Another member of the office (the office head) reviews it: accept passes it on, return sends it
  back to draft with a reason.
- The leading group's head approves: the organisation's party head when its warning policy names
  one (supervision.WarningPolicy.party_head, asked through notices.extensions), otherwise any leader
  of the organisation.
- The office publishes it: the 索引号 is allocated then (`<credit code>/<year>-<5-digit serial>`,
  serial per organisation and year, taken while the organisation's row is locked), the 发布日期 is
  today. A published version never changes again; a correction is a new draft that names it.

Every move is one transaction and one `PublicationStep`; refusals are Chinese messages with the
status the web and the API answer (404 unseen, 403 not yours, 409 wrong state, 400 bad input).
"""

from __future__ import annotations

import atexit
import threading
import time
from collections import Counter
from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone

from rectify.documents import chinese_numeral, date_label
from rectify.errors import AccessDenied, InvalidInput
from rectify.ledger.models import Inspection
from rectify.ledger.services import get_inspection
from rectify.ledger.workflow import IllegalTransition
from rectify.org.access import VIEW, is_office
from rectify.org.models import Organisation, User

from . import approval
from .document import ContactBlock, DisclosureMeta, NoticeDocument, NoticeSubsection, document_from_dict
from .models import NoticePublication, PublicationState, PublicationStep, PublishedIsFinal

S = PublicationState

MAX_TITLE = 255
MAX_TEXT = 20000

# decision → (states it may start from, state it leads to, label)
DECISIONS = approval.decisions(
    approve="批准发布", release="publish", release_label="发布", released=S.PUBLISHED
)
ACTION_LABELS = {
    "create": "起草",
    "correct": "起草更正",
    **{key: value[2] for key, value in DECISIONS.items()},
}


# ------------------------------------------------------------------ the stored document


def document_of(publication: NoticePublication) -> NoticeDocument:
    return document_from_dict(publication.document)


# ------------------------------------------------------------------ who sees and does what


# What a publication's row and page show with it.
PUBLICATION_RELATIONS = ("inspection", "organisation", "created_by", "corrects")


def get_publication(user: User, publication_id: int) -> NoticePublication:
    return (
        NoticePublication.objects.restrict(user, VIEW)
        .select_related(*PUBLICATION_RELATIONS)
        .get_or_not_found("通报不存在，或您无权查看。", pk=publication_id)
    )


def approver_label(organisation: Organisation) -> str:
    return approval.approver_label(organisation)


def may_decide(user: User, publication: NoticePublication, decision: str) -> bool:
    """Whether the user may take `decision` on the publication in its present state (the rule the
    rectification documents share: notices.approval)."""
    return approval.may_decide(
        user, publication.organisation, publication.created_by_id, decision, publication.state
    )


def decisions_for(user: User, publication: NoticePublication) -> list[tuple[str, str]]:
    """The (decision, label) pairs the user may take now, for the buttons."""
    return [
        (decision, label)
        for decision, (sources, _target, label) in DECISIONS.items()
        if publication.state in sources and may_decide(user, publication, decision)
    ]


def may_edit(user: User, publication: NoticePublication) -> bool:
    return publication.state == S.DRAFT and is_office(user, publication.organisation)


def may_draft(user: User, inspection: Inspection) -> bool:
    return is_office(user, inspection.inspected)


def open_version(inspection: Inspection) -> NoticePublication | None:
    """The version still on its way (not yet published), if there is one: only one at a time."""
    return (
        NoticePublication.objects.filter(inspection=inspection)
        .exclude(state=S.PUBLISHED)
        .order_by("-version")
        .first()
    )


def publications_of(user: User, inspection_id: int) -> tuple[Inspection, QuerySet[NoticePublication]]:
    inspection = get_inspection(user, inspection_id)
    return inspection, NoticePublication.objects.restrict(user, VIEW).select_related(
        *PUBLICATION_RELATIONS
    ).filter(inspection=inspection).order_by("-version")


# ------------------------------------------------------------------ drafting


def _step(
    publication: NoticePublication, action: str, from_state: str, user: User, comment: str = ""
) -> None:
    PublicationStep.objects.create(
        publication=publication,
        action=action,
        from_state=from_state,
        to_state=publication.state,
        actor=user,
        comment=comment,
    )


def _new_version(
    user: User, inspection: Inspection, document: NoticeDocument, corrects=None
) -> NoticePublication:
    """Create the next version (the inspection's row locked meanwhile, so two drafts at once can't
    take one number, nor both start while another version is open)."""
    Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
    current = open_version(inspection)
    if current is not None:
        raise InvalidInput(
            f"该巡察已有尚未发布的通报（第{current.version}版，{current.get_state_display()}），请在其上继续。"
        )
    last = NoticePublication.objects.filter(inspection=inspection).aggregate(last=Max("version"))["last"]
    organisation = inspection.inspected
    publication = NoticePublication.objects.create(
        inspection=inspection,
        organisation=organisation,
        version=(last or 0) + 1,
        corrects=corrects,
        document=document.to_dict(),
        title=(document.title or inspection.notice_title or inspection.title)[:MAX_TITLE],
        written_date=document.date,
        publisher=organisation.name,
        category=corrects.category if corrects else NoticePublication._meta.get_field("category").default,
        document_number=corrects.document_number if corrects else "",
        subject_terms=corrects.subject_terms if corrects else "",
        created_by=user,
    )
    _step(publication, "correct" if corrects else "create", "", user)
    return publication


def create_draft(user: User, inspection_id: int, *, on: date | None = None) -> NoticePublication:
    """The office drafts the next version of the inspection's notice, generated from the ledger."""
    from .generate import document_from_ledger

    inspection = get_inspection(user, inspection_id)
    if not may_draft(user, inspection):
        raise AccessDenied(f"只有“{inspection.inspected.name}”的整改办可以起草整改通报。")
    with transaction.atomic():
        document = document_from_ledger(inspection, on=on or timezone.localdate())
        return _new_version(user, inspection, document)


def correction_note(original: NoticePublication, corrected: str = "") -> str:
    """A correction's note, in plain words, a paragraph of its own at the head of the opening: which
    published notice it corrects (date, version, 索引号) and, when given, what it corrects
    (`corrected`: e.g. measure_words(…) + "的进展")."""
    what = f"，对{corrected}作了更正" if corrected else ""
    return (
        f"（本通报更正{date_label(original.published_date)}发布的第{original.version}版通报，"
        f"索引号为{original.index_number}{what}。）"
    )


def measure_words(document: NoticeDocument, problem_number: int, order: int) -> str:
    """A measure as the notice's reader finds it: 第一个问题第1项整改措施 (the problem by its place
    in the notice, the measure by its place under the problem), never the ledger's numbers."""
    places = [problem.number for problem in document.problems]
    if problem_number not in places:
        raise InvalidInput(f"通报没有第{problem_number}个问题。")
    return f"第{chinese_numeral(places.index(problem_number) + 1)}个问题第{order}项整改措施"


def create_correction(user: User, publication_id: int) -> NoticePublication:
    """The office drafts a correction of a published version: a new version starting from the
    published wording, with the note that says which version it corrects (`correction_note`) as
    the opening's first paragraph."""
    original = get_publication(user, publication_id)
    if not original.is_published:
        raise InvalidInput("只能更正已发布的通报；未发布的通报请直接修改。")
    if not is_office(user, original.organisation):
        raise AccessDenied(f"只有“{original.organisation.name}”的整改办可以起草更正通报。")
    document = document_of(original)
    document.opening = f"{correction_note(original)}\n{document.opening}"
    with transaction.atomic():
        return _new_version(user, original.inspection, document, corrects=original)


def _clean(value: Any, label: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise InvalidInput(f"{label}不能为空。")
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字。")
    return text


def _paragraphs(value: Any, label: str) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [text for text in (_clean(item, label) for item in value or []) if text]


def _apply_sections(document: NoticeDocument, edits: dict) -> None:
    by_number = {section.number: section for section in document.sections if not section.holds_problems}
    for key, edit in edits.items():
        section = by_number.get(int(key))
        if section is None:
            raise InvalidInput(f"通报没有可编辑的第{key}部分。")
        if "title" in edit:
            section.title = _clean(edit["title"], f"第{key}部分标题", required=True, limit=MAX_TITLE)
        if "paragraphs" in edit:
            section.paragraphs = _paragraphs(edit["paragraphs"], f"第{key}部分正文")
        if "subsections" in edit:
            subsections = []
            for entry in edit["subsections"] or []:
                title = _clean(entry.get("title"), "小标题", limit=MAX_TITLE)
                text = _clean(entry.get("text"), "小节正文")
                if not title and not text:
                    continue  # an emptied subsection is removed; the rest are renumbered
                if not title:
                    raise InvalidInput(f"第{key}部分有一段小节正文没有小标题。")
                subsections.append(NoticeSubsection(len(subsections) + 1, title, text))
            section.subsections = subsections


def _apply_problems(document: NoticeDocument, edits: dict) -> None:
    problems = {problem.number: problem for problem in document.problems}
    for key, texts in edits.items():
        problem = problems.get(int(key))
        if problem is None:
            raise InvalidInput(f"通报没有第{key}个问题。")
        texts = [_clean(text, f"问题{key}的整改措施", required=True) for text in texts]
        if len(texts) != len(problem.measures):
            raise InvalidInput(f"问题{key}有 {len(problem.measures)} 项整改措施，修改时不能增减。")
        for measure, text in zip(problem.measures, texts, strict=True):
            measure.text = text


def _apply_contact(document: NoticeDocument, text: Any) -> None:
    # The generator reads the phones, e-mails, address and postcode from the paragraph.
    document.contact = ContactBlock(text=_clean(text, "联系方式"))


def _regenerate(publication: NoticePublication, document: NoticeDocument) -> NoticeDocument:
    """The draft again from the ledger (notices.generate) with its wording as edited: the title,
    issuer, opening, narrative parts, contact and each measure's text are the draft's; the progress
    each measure ends with (目前已完成整改。…) is the ledger's on the 成文日期, so the notice never
    says more than the ledger does."""
    from .generate import document_from_ledger

    contact = document.contact
    overrides = {
        "title": document.title,
        "issuer": document.issuer,
        "opening": document.opening,
        "sections": [asdict(section) for section in document.sections],
        "contact": {"text": contact.text} if contact.text.strip() else asdict(contact),
        "problems": {problem.number: [m.text for m in problem.measures] for problem in document.problems},
    }
    try:
        return document_from_ledger(
            publication.inspection, on=publication.written_date or timezone.localdate(), overrides=overrides
        )
    except ValueError as error:
        raise InvalidInput(f"通报稿与台账不一致，未保存：{error}") from error


def split_progress(text: str) -> tuple[str, str]:
    """A measure's text as (its wording, the progress the generator ended it with)."""
    from .generate import measure_with_progress

    base = measure_with_progress(text, "")
    return (base, text[len(base) :]) if text.startswith(base) else (text, "")


def update_draft(user: User, publication_id: int, overrides: dict[str, Any]) -> NoticePublication:
    """The office edits a draft's wording and metadata. `overrides` may hold:

    title, document_number, subject_terms, category (str), written_date (date or None),
    issuer (str), opening (str), contact (the closing paragraph, str),
    sections {number: {"title": str, "paragraphs": [str] or str, "subsections": [{"title", "text"}]}}
    for the narrative parts (一、三、…), and problems {number: [measure texts]} (the count stays).
    Numbering is never typed: subsections are renumbered, problems and measures keep theirs. The
    draft is then generated again from the ledger with this wording (see `_regenerate`), dated the
    成文日期 (today when there is none)."""
    publication = get_publication(user, publication_id)
    _refuse_published(publication)
    if not is_office(user, publication.organisation):
        raise AccessDenied("只有整改办可以修改通报稿。")
    with transaction.atomic():
        locked = NoticePublication.objects.select_for_update().get(pk=publication.pk)
        _refuse_published(locked)
        if locked.state != S.DRAFT:
            raise _wrong_state(locked, "修改")
        document = document_of(locked)
        try:
            if "title" in overrides:
                locked.title = _clean(overrides["title"], "名称", required=True, limit=MAX_TITLE)
                document.title = locked.title
            for name, label, limit in (
                ("document_number", "文号", 64),
                ("subject_terms", "主题词", 128),
                ("category", "分类", 64),
            ):
                if name in overrides:
                    setattr(
                        locked, name, _clean(overrides[name], label, required=name == "category", limit=limit)
                    )
            if "written_date" in overrides:
                locked.written_date = overrides["written_date"] or None
                document.date = locked.written_date
            if "issuer" in overrides:
                document.issuer = _clean(overrides["issuer"], "发文机关", required=True, limit=128)
            if "opening" in overrides:
                document.opening = _clean(overrides["opening"], "开篇段落", required=True)
            if "sections" in overrides:
                _apply_sections(document, overrides["sections"] or {})
            if "problems" in overrides:
                _apply_problems(document, overrides["problems"] or {})
            if "contact" in overrides:
                _apply_contact(document, overrides["contact"])
        except (TypeError, ValueError, AttributeError) as error:
            raise InvalidInput(f"通报修改内容格式不正确：{error}") from error
        document = _regenerate(locked, document)
        if locked.corrects_id:
            note = f"第{locked.corrects.version}版"
            if note not in document.opening:
                raise InvalidInput(f"更正通报的开篇须保留更正说明（写明更正的是{note}）。")
        locked.written_date = document.date
        locked.document = document.to_dict()
        locked.save()
    return get_publication(user, publication.pk)


# ------------------------------------------------------------------ the workflow


def _refuse_published(publication: NoticePublication) -> None:
    if publication.is_published:
        raise PublishedIsFinal("该通报已发布，不能再更改；如需更正，请起草更正通报。")


def _wrong_state(publication: NoticePublication, doing: str) -> IllegalTransition:
    return IllegalTransition(f"该通报当前为“{publication.get_state_display()}”，不能{doing}。")


def index_number(credit_code: str, year: int, serial: int) -> str:
    return f"{credit_code}/{year}-{serial:05d}"


def decide(user: User, publication_id: int, decision: str, comment: str = "") -> NoticePublication:
    """Move the publication on (or back to draft, with a reason). Checks in order: may see (404),
    already published (409), a known decision (400), may decide (403), right state (409), reason (400)."""
    publication = get_publication(user, publication_id)
    _refuse_published(publication)
    if decision not in DECISIONS:
        raise InvalidInput("操作应为 submit、accept、approve、publish 或 return。")
    comment = _clean(comment, "意见", limit=2000)
    if decision == "return" and not comment:
        raise InvalidInput("退回通报时必须写明退回理由。")
    with transaction.atomic():
        locked = (
            NoticePublication.objects.select_for_update()
            .select_related("organisation")
            .get(pk=publication.pk)
        )
        _refuse_published(locked)
        source = approval.advance(
            locked, user, decision, comment, DECISIONS, wrong_state=_wrong_state, noun="通报", release="发布"
        )
        if decision == "publish":
            _allocate_index(locked)
            # A new notice, or a correction that the corrected one now names: every cached portal
            # page is out of date. Now, and again once committed: a page rendered in between (from
            # the data before the commit) is not kept under the version readers then ask for.
            _public_changed()
            transaction.on_commit(_public_changed)
        locked.save()
        _step(locked, decision, source, user, comment)
    return get_publication(user, publication.pk)


def _allocate_index(publication: NoticePublication) -> None:
    """The 索引号: serial per organisation and year, taken while the organisation's row is locked
    (and unique in the database should anything slip by)."""
    organisation = Organisation.objects.select_for_update().get(pk=publication.organisation_id)
    credit_code = (organisation.credit_code or "").strip()
    if not credit_code:
        raise InvalidInput(
            f"“{organisation.name}”尚未填写统一社会信用代码，无法编排索引号；请先在管理后台填写后再发布。"
        )
    today = timezone.localdate()
    last = NoticePublication.objects.filter(organisation=organisation, serial_year=today.year).aggregate(
        last=Max("serial")
    )["last"]
    publication.serial_year = today.year
    publication.serial = (last or 0) + 1
    publication.index_number = index_number(credit_code, today.year, publication.serial)
    publication.published_date = today
    publication.published_at = timezone.now()
    publication.publisher = organisation.name
    document = document_of(publication)
    document.title = publication.title
    document.meta = DisclosureMeta(
        index_number=publication.index_number,
        category=publication.category,
        publisher=publication.publisher,
        written_date=publication.written_date,
        published_date=today,
        name=publication.title,
        document_number=publication.document_number,
        subject_terms=publication.subject_terms,
    )
    publication.document = document.to_dict()


# ------------------------------------------------------------------ the public side


def published_notices() -> QuerySet[NoticePublication]:
    """What the portal shows: published versions only, newest first."""
    return (
        NoticePublication.objects.filter(state=S.PUBLISHED)
        .select_related("organisation", "corrects")
        .order_by("-published_date", "-published_at", "-id")
    )


def get_published(publication_id: int) -> NoticePublication:
    return published_notices().get_or_not_found("该通报不存在或尚未发布。", pk=publication_id)


# The portal caches its pages (rectify.portal.pages) with public_version(), which changes whenever a
# notice is published; a published notice itself never changes. A view is counted in the process that
# serves it, and the process adds its views to the database at most every VIEW_FLUSH_SECONDS (and when
# it renders a notice page, or exits), so a page served from the cache costs no query and no write.
PUBLIC_VERSION_KEY = "notices:public-version"
VIEW_FLUSH_SECONDS = 10
_views: Counter[int] = Counter()  # views counted by this process, not yet in the database
_views_lock = threading.Lock()  # a worker may serve with several threads
_views_flushed = time.time()


def public_version() -> str:
    """A token that changes whenever what the portal shows changes (a notice is published)."""
    return cache.get_or_set(PUBLIC_VERSION_KEY, lambda: uuid4().hex, timeout=None)


def _public_changed() -> None:
    cache.set(PUBLIC_VERSION_KEY, uuid4().hex, timeout=None)


def count_view(publication_id: int) -> None:
    """Count one view of a published notice: in this process, then in the database when due."""
    with _views_lock:
        _views[publication_id] += 1
        due = time.time() - _views_flushed >= VIEW_FLUSH_SECONDS
    if due:
        flush_views()


def flush_views() -> None:
    """Add the views this process counted to the database (an increment: no lost update between
    processes)."""
    global _views_flushed
    with _views_lock:
        pending = dict(_views)
        _views.clear()
        _views_flushed = time.time()
    for publication_id, views in pending.items():
        NoticePublication.objects.filter(pk=publication_id, state=S.PUBLISHED).update(
            view_count=F("view_count") + views
        )


atexit.register(flush_views)  # a worker that stops keeps its last views


def views_of(publication: NoticePublication) -> int:
    """The notice's count with this process's views added first; set on it too."""
    flush_views()
    publication.view_count = (
        NoticePublication.objects.filter(pk=publication.pk).values_list("view_count", flat=True).first() or 0
    )
    return publication.view_count


def public_organisations() -> QuerySet[Organisation]:
    """Organisations with at least one published notice (the portal's filter)."""
    return Organisation.objects.filter(notice_publications__state=S.PUBLISHED).distinct().order_by("path")


def public_years() -> list[int]:
    years = published_notices().order_by().values_list("published_date__year", flat=True).distinct()
    return sorted({year for year in years if year}, reverse=True)
