"""The next public notice, built from the ledger: `document_from_ledger` and `progress_wording`.

The notice says what the imported notice said (its title, issuer, opening, narrative parts and
contact, kept on the inspection), lists the areas, problems and measures in ledger order, and ends
each measure with where it stands as the ledger holds it, never better (`progress_wording`:
目前已完成整改。 / 目前已报送完成情况，正在审核销号。 / 目前尚未启动，计划于…前完成。 /
原定于…前完成，目前尚未完成，正在加快推进。 / 经批准延期至…，目前正在推进。 /
回头看发现反弹，正在重新整改。 /
该项需长期坚持，正在持续推进。…).
Render it with `rectify.notices.render`.

Only public wording goes in: no units, people, reports, comments or reviews.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from rectify.documents import date_label
from rectify.ledger.choices import InspectionKind, MeasureCategory, MeasureStatus
from rectify.ledger.models import Area, Inspection, Measure, Problem
from rectify.meetings.services import meeting_counts, meeting_sentence

from . import extensions
from .document import (
    PARTY_ORGAN_RE,
    ContactBlock,
    DisclosureMeta,
    InspectionFacts,
    NoticeArea,
    NoticeDocument,
    NoticeMeasure,
    NoticeProblem,
    NoticeSection,
    NoticeSubsection,
)
from .parser import _contact as contact_from_paragraphs
from .render import contact_text, punctuated

__all__ = [
    "OVERRIDE_KEYS",
    "default_issuer",
    "default_opening",
    "default_title",
    "document_from_ledger",
    "kind_label",
    "measure_with_progress",
    "meetings_paragraph",
    "progress_wording",
]

OVERRIDE_KEYS = frozenset({"opening", "sections", "contact", "problems", "issuer", "title"})

DONE = "目前已完成整改。"
LONG_TERM = "该项需长期坚持，正在持续推进。"
IN_SIGNOFF = "目前已报送完成情况，正在审核销号。"
REOPENED = "回头看发现反弹，正在重新整改。"
REOPENED_UNTIL = "回头看发现反弹，正在重新整改，计划于{day}前完成。"
REOPENED_LATE = "回头看发现反弹，正在重新整改，已超过原定的{day}完成时限。"
NOT_STARTED = "目前尚未启动。"
NOT_STARTED_UNTIL = "目前尚未启动，计划于{day}前完成。"
NOT_STARTED_LATE = "原定于{day}前完成，目前尚未启动。"
UNDER_WAY = "目前正在推进。"
UNDER_WAY_UNTIL = "目前正在推进，计划于{day}前完成。"
UNDER_WAY_LATE = "原定于{day}前完成，目前尚未完成，正在加快推进。"
# A deadline moved by an approved extension (延期): {day} is the date it was moved to.
EXTENDED_NOT_STARTED = "经批准延期至{day}，目前尚未启动。"
EXTENDED_NOT_STARTED_LATE = "经批准延期至{day}，到期仍未启动。"
EXTENDED_UNDER_WAY = "经批准延期至{day}，目前正在推进。"
EXTENDED_UNDER_WAY_LATE = "经批准延期至{day}，到期仍未完成，正在加快推进。"
WORDINGS = (
    DONE,
    LONG_TERM,
    IN_SIGNOFF,
    REOPENED,
    REOPENED_UNTIL,
    REOPENED_LATE,
    NOT_STARTED,
    NOT_STARTED_UNTIL,
    NOT_STARTED_LATE,
    UNDER_WAY,
    UNDER_WAY_UNTIL,
    UNDER_WAY_LATE,
    EXTENDED_NOT_STARTED,
    EXTENDED_NOT_STARTED_LATE,
    EXTENDED_UNDER_WAY,
    EXTENDED_UNDER_WAY_LATE,
)
# By status: (no deadline, deadline ahead, deadline passed) — the statuses in which a passed deadline
# makes a measure overdue (ledger.choices.OPEN_STATUSES) say so, with the date that was promised.
_OPEN_WORDINGS = {
    MeasureStatus.NOT_STARTED: (NOT_STARTED, NOT_STARTED_UNTIL, NOT_STARTED_LATE),
    MeasureStatus.IN_PROGRESS: (UNDER_WAY, UNDER_WAY_UNTIL, UNDER_WAY_LATE),
    MeasureStatus.REOPENED: (REOPENED, REOPENED_UNTIL, REOPENED_LATE),
}
# Extended (a deadline there always is): (deadline ahead, deadline passed). A relapsed measure says it
# relapsed, whatever its deadline's history.
_EXTENDED_WORDINGS = {
    MeasureStatus.NOT_STARTED: (EXTENDED_NOT_STARTED, EXTENDED_NOT_STARTED_LATE),
    MeasureStatus.IN_PROGRESS: (EXTENDED_UNDER_WAY, EXTENDED_UNDER_WAY_LATE),
}
_DATE = r"\s*[0-9]{4}\s*年\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日\s*"


def _wording_pattern(wording: str) -> str:
    """A wording as it may come back from a portal page: half-width punctuation, spaces, any date."""
    pattern = ""
    for char in wording.rstrip("。"):
        pattern += {"，": "[，,]\\s*", "{": "", "}": ""}.get(char, re.escape(char))
    return pattern.replace("day", _DATE)


# Any of the wordings above at the end of a text (as written, or with half-width punctuation after
# a trip through a portal page): an earlier notice's progress, replaced by today's.
_WORDING_RE = re.compile("(?:" + "|".join(_wording_pattern(w) for w in WORDINGS) + ")\\s*[。.]\\s*$")
_SENTENCE_END = ("。", "！", "？", "!", "?", "…")


def progress_wording(measure: Measure, on: date | None = None, *, extended: bool = False) -> str:
    """Where the measure stands, in the notice's words, as the ledger has it on day `on` (today by
    default), never better: done only when signed off; a sign-off asked for is under review; not
    started, under way and relapsed each say so, with the planned date while it is ahead and, once it
    has passed, the date that was promised (overdue, 超期). A measure not started or under way whose
    deadline was `extended` with approval (延期) says so, with the new date. Long-term measures carry on.
    """
    on = on or timezone.localdate()
    if measure.status == MeasureStatus.SIGNED_OFF:
        return DONE
    if measure.status == MeasureStatus.ONGOING or measure.category == MeasureCategory.LONG_TERM:
        return LONG_TERM
    if measure.status == MeasureStatus.SIGNOFF_REQUESTED:
        return IN_SIGNOFF
    none, ahead, late = _OPEN_WORDINGS.get(measure.status, _OPEN_WORDINGS[MeasureStatus.IN_PROGRESS])
    if measure.deadline is None:
        return none
    if extended and measure.status in _EXTENDED_WORDINGS:
        ahead, late = _EXTENDED_WORDINGS[measure.status]
    return (ahead if measure.deadline >= on else late).format(day=date_label(measure.deadline))


def measure_with_progress(text: str, wording: str) -> str:
    """The measure's text, one sentence-ending mark, then the wording. An earlier wording at the end
    of the text (a notice generated before, then imported) is replaced, not repeated."""
    text = "".join(line.strip() for line in (text or "").splitlines()).strip().lstrip("，,、：:；;").strip()
    while (stripped := _WORDING_RE.sub("", text).rstrip()) != text:
        text = stripped
    text = text.rstrip("；;，,、：: ")
    if text and not text.endswith(_SENTENCE_END):
        text += "。"
    return text + wording


def document_from_ledger(
    inspection: Inspection, *, on: date | None = None, overrides: Mapping[str, Any] | None = None
) -> NoticeDocument:
    """The notice of the inspection's rectification as it stands on `on` (today by default), dated `on`.

    From the ledger: the title (the imported notice's, else 中共{组织}党组关于巡察整改进展情况的通报),
    the issuer, the opening, the narrative parts and the contact kept from the import (an opening is
    composed from the inspection's facts when none was kept), and the areas, problems and measures in
    ledger order, each measure followed by its `progress_wording`.

    `overrides` replaces parts: "title", "issuer", "opening" (str); "sections" (a list of section dicts
    as `NoticeDocument.to_dict()` writes them); "contact" (a dict of `ContactBlock`'s fields; "text"
    is what is printed, and phones, e-mails, address and postcode are read from it; without a text
    one is composed from the fields); "problems" {problem number: [measure texts]}, the wording of
    each measure in order (None keeps the ledger's), the count as in the ledger. Unknown keys, unknown
    problem numbers and wrong counts raise ValueError.

    Every text has full-width Chinese punctuation (`render.punctuated`), as it will be published.
    The inspection facts are the ledger's (they match the opening unless it was overridden). The parts
    and subsections are numbered in order, and one part always holds the problems (a part
    “巡察反馈问题整改落实情况” is added after the first when none does). Problems keep their ledger
    numbers (the renderer numbers them in order).
    """
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - OVERRIDE_KEYS)
    if unknown:
        raise ValueError(f"未知的覆盖项：{'、'.join(unknown)}（可用：{'、'.join(sorted(OVERRIDE_KEYS))}）")
    on = on or timezone.localdate()
    organisation = inspection.inspected.name
    kind = kind_label(inspection)

    title = _line(overrides.get("title")) or inspection.notice_title or default_title(organisation, kind)
    issuer = _line(overrides.get("issuer")) or inspection.notice_issuer or default_issuer(organisation)
    facts = InspectionFacts(
        body=inspection.inspecting_body,
        inspected=inspection.inspected_name,
        theme=inspection.theme,
        kind=inspection.kind,
        round=inspection.round_name,
        start=inspection.onsite_start,
        end=inspection.onsite_end,
        feedback_date=inspection.feedback_date,
    )
    opening = _paragraphs(overrides["opening"]) if "opening" in overrides else inspection.opening.strip()
    if not opening:
        opening = default_opening(facts, kind)
    if "opening" not in overrides and (held := meetings_paragraph(inspection, on, kind)):
        opening = f"{opening}\n{held}"
    raw_sections = overrides.get("sections", inspection.sections)
    sections = _sections(raw_sections or [], kind)
    raw_contact = overrides.get("contact", inspection.contact)
    contact = _contact(raw_contact or {})

    return punctuated(  # as it will be published: the office reviews the punctuation it sends
        NoticeDocument(
            title=title,
            issuer=issuer,
            date=on,
            opening=opening,
            inspection=facts,
            sections=sections,
            areas=_areas(inspection, on, overrides.get("problems") or {}),
            contact=contact,
            meta=DisclosureMeta(name=title, publisher=organisation, written_date=on),
        )
    )


def meetings_paragraph(inspection: Inspection, on: date, kind: str = "巡察") -> str:
    """“巡察反馈以来，共召开党组会议2次、专题会3次，研究部署、调度推进整改工作。”: the meetings held from
    the feedback to `on`, counted by meetings.services.meeting_counts (as the dispatch report counts
    them); empty when none was held. The office edits it with the opening."""
    sentence = meeting_sentence(meeting_counts(inspection, inspection.feedback_date, on))
    return f"{kind}反馈以来，共{sentence}，研究部署、调度推进整改工作。" if sentence else ""


def default_title(organisation: str, kind: str = "巡察") -> str:
    return f"{default_issuer(organisation)}关于{kind}整改进展情况的通报"


def default_issuer(organisation: str) -> str:
    name = organisation.strip()
    if not name.startswith("中共"):
        name = f"中共{name}"
    if not PARTY_ORGAN_RE.search(name):
        name = f"{name}党组"
    return name


def default_opening(facts: InspectionFacts, kind: str = "巡察") -> str:
    """An opening in the house style, from what the ledger knows of the inspection, written so that
    the parser reads the same facts back from it."""
    sentences = []
    lead = ""
    if facts.round:
        lead = f"根据{facts.round}{kind}工作安排，"
    elif superior := re.match(r"(?:中央|省委|市委|区委|县委|州委|盟委|旗委)", facts.body):
        lead = f"根据{superior.group()}统一部署，"
    when = ""
    if facts.start and facts.end:
        same_year = facts.start.year == facts.end.year
        end = f"{facts.end.month}月{facts.end.day}日" if same_year else date_label(facts.end)
        when = f"{date_label(facts.start)}至{end}，"
    elif facts.start:
        when = f"{date_label(facts.start)}起，"
    body = facts.body or f"{kind}组"
    if facts.inspected:
        sentences.append(f"{lead}{when}{body}对{facts.inspected}进行了{facts.theme or kind}。")
    if facts.feedback_date:
        sentences.append(f"{date_label(facts.feedback_date)}，{body}反馈了{kind}意见。")
    sentences.append(f"根据有关规定，现将{kind}整改进展情况予以公布。")
    return "".join(sentences)


def kind_label(inspection: Inspection) -> str:
    """巡察, 巡视 or 审计: what the notice and the documents drawn from the ledger call the inspection."""
    try:
        return str(InspectionKind(inspection.kind).label)
    except ValueError:
        return "巡察"


def _line(value: Any) -> str:
    return "".join(line.strip() for line in str(value or "").splitlines()).strip()


def _paragraphs(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = "\n".join(str(item) for item in value)
    return "\n".join(line.strip() for line in str(value or "").splitlines() if line.strip())


def _sections(raw: list[Any], kind: str) -> list[NoticeSection]:
    sections = []
    for entry in raw:
        if isinstance(entry, NoticeSection):
            entry = {
                "title": entry.title,
                "paragraphs": entry.paragraphs,
                "subsections": [vars(sub) for sub in entry.subsections],
                "holds_problems": entry.holds_problems,
            }
        if not isinstance(entry, Mapping):
            raise ValueError("sections 的每一项须为字典（title、paragraphs、subsections、holds_problems）。")
        subsections = []
        for sub in entry.get("subsections") or []:
            if not isinstance(sub, Mapping):
                raise ValueError("subsections 的每一项须为字典（title、text）。")
            subsections.append(
                NoticeSubsection(len(subsections) + 1, _line(sub.get("title")), _paragraphs(sub.get("text")))
            )
        paragraphs = entry.get("paragraphs") or []
        if isinstance(paragraphs, str):
            paragraphs = paragraphs.splitlines()
        sections.append(
            NoticeSection(
                number=len(sections) + 1,
                title=_line(entry.get("title")),
                paragraphs=[text.strip() for text in map(str, paragraphs) if text.strip()],
                subsections=subsections,
                holds_problems=bool(entry.get("holds_problems")),
            )
        )
    if not any(section.holds_problems for section in sections):
        at = min(1, len(sections))
        sections.insert(at, NoticeSection(0, f"{kind}反馈问题整改落实情况", holds_problems=True))
        for number, section in enumerate(sections, start=1):
            section.number = number
    return sections


def _contact(raw: Mapping[str, Any] | ContactBlock) -> ContactBlock:
    if isinstance(raw, ContactBlock):
        given = raw
    else:
        if not isinstance(raw, Mapping):
            raise ValueError("contact 须为字典（text、phones、emails、address、postcode）。")

        def strings(name: str) -> list[str]:
            value = raw.get(name) or []
            return [value] if isinstance(value, str) else [str(item) for item in value]

        given = ContactBlock(
            phones=strings("phones"),
            emails=strings("emails"),
            address=_line(raw.get("address")),
            postcode=_line(raw.get("postcode")),
            text=_paragraphs(raw.get("text")),
        )
    text = contact_text(given)
    # The printed paragraph is the truth: the details are what the parser reads from it.
    return contact_from_paragraphs(text.split("\n")) if text else ContactBlock()


def _areas(inspection: Inspection, on: date, edits: Mapping[Any, Any]) -> list[NoticeArea]:
    wording = _edits(edits)
    measures = Prefetch("measures", queryset=Measure.objects.order_by("order"))
    problems = Prefetch("problems", queryset=Problem.objects.order_by("number").prefetch_related(measures))
    areas = []
    seen: set[int] = set()
    ledger_areas = list(
        Area.objects.filter(inspection=inspection).order_by("order").prefetch_related(problems)
    )
    extended = extensions.extended_measures(
        [
            measure.pk
            for area in ledger_areas
            for problem in area.problems.all()
            for measure in problem.measures.all()
        ]
    )
    for area in ledger_areas:
        notice_area = NoticeArea(title=area.title)
        for problem in area.problems.all():
            ledger_measures = list(problem.measures.all())
            texts = [measure.text for measure in ledger_measures]
            if problem.number in wording:
                edited = wording[problem.number]
                if len(edited) != len(ledger_measures):
                    raise ValueError(
                        f"问题{problem.number}有 {len(ledger_measures)} 项整改措施，"
                        f"修改的措施却有 {len(edited)} 项。"
                    )
                texts = [text if new is None else str(new) for text, new in zip(texts, edited, strict=True)]
                seen.add(problem.number)
            notice_area.problems.append(
                NoticeProblem(
                    number=problem.number,
                    title=_line(problem.title),
                    measures=[
                        NoticeMeasure(
                            measure_with_progress(
                                text, progress_wording(measure, on, extended=measure.pk in extended)
                            )
                        )
                        for text, measure in zip(texts, ledger_measures, strict=True)
                    ],
                )
            )
        if notice_area.problems:
            areas.append(notice_area)
    missing = sorted(set(wording) - seen)
    if missing:
        raise ValueError(f"没有编号为 {'、'.join(map(str, missing))} 的问题。")
    return areas


def _edits(edits: Mapping[Any, Any]) -> dict[int, list[Any]]:
    if not isinstance(edits, Mapping):
        raise ValueError("problems 须为 {问题编号: [措施文字]}。")
    out = {}
    for key, texts in edits.items():
        try:
            number = int(key)
        except (TypeError, ValueError):
            raise ValueError(f"问题编号“{key}”不是数字。") from None
        if isinstance(texts, str) or not isinstance(texts, list | tuple):
            raise ValueError(f"问题{number}的措施须为文字列表。")
        out[number] = list(texts)
    return out
