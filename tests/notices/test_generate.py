"""The notice generated from the ledger: wording per status, overrides, round trips, nothing internal."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date

import docx
import pytest
from django.conf import settings as django_settings

if not django_settings.configured:  # `pytest -p no:django` runs this folder's pure tests only
    pytest.skip("needs Django (pytest-django)", allow_module_level=True)

from django.utils import timezone

from rectify.documents import full_width
from rectify.ledger.choices import MeasureCategory, MeasureStatus
from rectify.ledger.models import Inspection, Measure
from rectify.notices.document import InspectionFacts, NoticeArea, NoticeDocument, NoticeMeasure, NoticeProblem
from rectify.notices.generate import (
    DONE,
    IN_SIGNOFF,
    LONG_TERM,
    REOPENED,
    WORDINGS,
    document_from_ledger,
    measure_with_progress,
    meetings_paragraph,
    progress_wording,
)
from rectify.notices.importer import import_notice
from rectify.notices.parser import parse, parse_bytes
from rectify.notices.render import punctuated, render_docx, render_html, render_text
from rectify.org.models import Organisation, User
from rectify.progress.models import ProgressReport

from .test_render_roundtrip import carried

ON = date(2025, 6, 1)
WORDING = re.compile(
    "(" + "|".join(re.escape(w).replace(r"\{day\}", r"\d{4}年\d{1,2}月\d{1,2}日") for w in WORDINGS) + ")$"
)


def everything_written(doc: NoticeDocument) -> str:
    """All the text of the three renderings, for looking for what must not be there."""
    word = docx.Document(io.BytesIO(render_docx(doc)))
    parts = [render_text(doc), render_html(doc), *(p.text for p in word.paragraphs)]
    properties = word.core_properties
    parts += [properties.title, properties.author, properties.last_modified_by, properties.comments]
    return "\n".join(parts)


def set_measure(ledger, key, **fields) -> None:
    Measure.objects.filter(pk=ledger.measures[key].pk).update(**fields)


@pytest.fixture
def lived(ledger, world):
    """The small ledger on 2025-06-01: one measure of each kind of progress, and internal remarks."""
    set_measure(ledger, (1, 1), status=MeasureStatus.SIGNED_OFF, deadline=date(2025, 3, 31))
    set_measure(ledger, (1, 2), status=MeasureStatus.IN_PROGRESS, deadline=date(2025, 9, 30))
    set_measure(ledger, (2, 1), status=MeasureStatus.ONGOING, category=MeasureCategory.LONG_TERM)
    set_measure(
        ledger,
        (3, 1),
        status=MeasureStatus.REOPENED,
        deadline=date(2025, 12, 31),
        reopen_reason="回头看时包博反映台账又未更新（内部意见）",
    )
    set_measure(ledger, (3, 2), status=MeasureStatus.SIGNOFF_REQUESTED, deadline=date(2025, 5, 1))  # overdue
    ProgressReport.objects.create(
        measure=ledger.measures[(1, 2)],
        period_start=date(2025, 5, 1),
        period_label="2025年5月",
        text="包博报送：已完成执法培训两期（内部进展）",
        author=world.bob,
        state="returned",
        reviewer=world.alice,
        review_comment="艾丽退回：佐证材料不全（内部审核意见）",
    )
    return ledger


def measure_texts(doc: NoticeDocument) -> list[list[str]]:
    return [[measure.text for measure in problem.measures] for problem in doc.problems]


# ----------------------------------------------------------------------------------------- wording


def test_progress_wording_per_status(lived) -> None:
    measure = {key: Measure.objects.get(pk=m.pk) for key, m in lived.measures.items()}
    assert progress_wording(measure[(1, 1)], ON) == DONE == "目前已完成整改。"
    assert progress_wording(measure[(1, 2)], ON) == "目前正在推进，计划于2025年9月30日前完成。"
    assert progress_wording(measure[(2, 1)], ON) == LONG_TERM == "该项需长期坚持，正在持续推进。"
    assert (
        progress_wording(measure[(3, 1)], ON) == "回头看发现反弹，正在重新整改，计划于2025年12月31日前完成。"
    )
    # Sign-off requested is not signed off yet, whatever its deadline: it is under review.
    assert progress_wording(measure[(3, 2)], ON) == IN_SIGNOFF == "目前已报送完成情况，正在审核销号。"
    # Not started, no deadline; a long-term measure not yet reported.
    fresh = Measure(status=MeasureStatus.NOT_STARTED, category=MeasureCategory.DEADLINE, deadline=None)
    assert progress_wording(fresh, ON) == "目前尚未启动。"
    fresh.category = MeasureCategory.LONG_TERM
    assert progress_wording(fresh, ON) == LONG_TERM


# Every status × no deadline / deadline ahead / deadline passed, and what the notice must say of each.
CASES = {
    ("not_started", None): "目前尚未启动。",
    ("not_started", date(2025, 9, 30)): "目前尚未启动，计划于2025年9月30日前完成。",
    ("not_started", date(2025, 3, 31)): "原定于2025年3月31日前完成，目前尚未启动。",
    ("in_progress", None): "目前正在推进。",
    ("in_progress", date(2025, 9, 30)): "目前正在推进，计划于2025年9月30日前完成。",
    ("in_progress", date(2025, 3, 31)): "原定于2025年3月31日前完成，目前尚未完成，正在加快推进。",
    ("signoff_requested", date(2025, 9, 30)): IN_SIGNOFF,
    ("signoff_requested", date(2025, 3, 31)): IN_SIGNOFF,
    ("signed_off", date(2025, 3, 31)): DONE,
    ("ongoing", None): LONG_TERM,
    ("reopened", None): REOPENED,
    ("reopened", date(2025, 9, 30)): "回头看发现反弹，正在重新整改，计划于2025年9月30日前完成。",
    ("reopened", date(2025, 3, 31)): "回头看发现反弹，正在重新整改，已超过原定的2025年3月31日完成时限。",
}
CLAIMS_DONE = ("已完成整改", "已完成。")


def test_no_published_sentence_claims_more_than_the_ledger_holds(world) -> None:
    """A ledger holding every status and deadline case; the notice generated from it is rendered,
    read back by the reader (text and Word), and each measure says exactly what the ledger holds."""
    problems = [
        NoticeProblem(
            number=1,
            title="执法不规范的问题",
            measures=[NoticeMeasure(f"第{i}项整改措施。") for i in range(1, 14)],
        )
    ]
    document = NoticeDocument(
        title="中共甲局党组关于巡察整改进展情况的通报",
        inspection=InspectionFacts(
            body="市委第一巡察组", inspected="甲局党组", feedback_date=date(2024, 12, 1)
        ),
        areas=[NoticeArea(title="关于执法方面", problems=problems)],
    )
    inspection = import_notice(document, organisation=world.orgs["a"], user=world.alice)
    measures = list(Measure.objects.filter(problem__inspection=inspection).order_by("order"))
    for measure, (status, deadline) in zip(measures, CASES, strict=True):
        category = MeasureCategory.LONG_TERM if status == "ongoing" else MeasureCategory.DEADLINE
        Measure.objects.filter(pk=measure.pk).update(status=status, deadline=deadline, category=category)
    generated = document_from_ledger(Inspection.objects.get(pk=inspection.pk), on=ON)
    for read in (parse(render_text(generated)), parse_bytes(render_docx(generated), "notice.docx")):
        texts = [measure.text for measure in read.problems[0].measures]
        assert len(texts) == len(CASES)
        for text, ((status, deadline), wording) in zip(texts, CASES.items(), strict=True):
            assert text.endswith(wording), (status, deadline, text)
            if status != "signed_off":
                assert not any(claim in text for claim in CLAIMS_DONE), (status, text)


# An approved extension (延期) moved the deadline: status × the new deadline ahead / passed.
EXTENDED_CASES = {
    ("not_started", date(2025, 9, 30)): "经批准延期至2025年9月30日，目前尚未启动。",
    ("not_started", date(2025, 5, 31)): "经批准延期至2025年5月31日，到期仍未启动。",
    ("in_progress", date(2025, 9, 30)): "经批准延期至2025年9月30日，目前正在推进。",
    ("in_progress", date(2025, 5, 31)): "经批准延期至2025年5月31日，到期仍未完成，正在加快推进。",
    # Relapsed, in sign-off and done say what they are, whatever the deadline's history.
    ("reopened", date(2025, 9, 30)): "回头看发现反弹，正在重新整改，计划于2025年9月30日前完成。",
    ("signoff_requested", date(2025, 9, 30)): IN_SIGNOFF,
    ("signed_off", date(2025, 5, 31)): DONE,
}


def test_an_extended_deadline_is_said_plainly(world) -> None:
    """Measures whose deadline an approved 延期 moved say so with the new date, through the generator
    and back through the reader; a request still waiting changes nothing."""
    from rectify.supervision.models import DeadlineExtension, ExtensionState

    cases = [
        *EXTENDED_CASES.items(),
        (("in_progress", date(2025, 9, 30)), None),
        (("in_progress", None), None),
    ]
    document = NoticeDocument(
        title="中共甲局党组关于巡察整改进展情况的通报",
        inspection=InspectionFacts(
            body="市委第一巡察组", inspected="甲局党组", feedback_date=date(2024, 12, 1)
        ),
        areas=[
            NoticeArea(
                title="关于执法方面",
                problems=[
                    NoticeProblem(
                        number=1,
                        title="执法不规范的问题",
                        measures=[NoticeMeasure(f"第{i}项整改措施。") for i in range(1, len(cases) + 1)],
                    )
                ],
            )
        ],
    )
    inspection = import_notice(document, organisation=world.orgs["a"], user=world.alice)
    measures = list(Measure.objects.filter(problem__inspection=inspection).order_by("order"))
    for measure, ((status, deadline), wording) in zip(measures, cases, strict=True):
        Measure.objects.filter(pk=measure.pk).update(status=status, deadline=deadline)
        if wording is None and deadline is None:
            continue
        state = ExtensionState.APPROVED if wording else ExtensionState.PENDING
        DeadlineExtension.objects.create(
            measure=measure,
            old_deadline=date(2025, 4, 30),
            new_deadline=deadline,
            reason="需与上级部门协调，申请延期。",
            requested_by=world.alice,
            state=state,
            decided_by=None if state == ExtensionState.PENDING else world.alice,
            decided_at=None if state == ExtensionState.PENDING else timezone.now(),
        )
    generated = document_from_ledger(Inspection.objects.get(pk=inspection.pk), on=ON)
    expected = [wording or "目前正在推进，计划于2025年9月30日前完成。" for _, wording in cases[:-1]]
    expected.append("目前正在推进。")
    for read in (parse(render_text(generated)), parse_bytes(render_docx(generated), "notice.docx")):
        texts = [measure.text for measure in read.problems[0].measures]
        assert [text.removeprefix(f"第{n}项整改措施。") for n, text in enumerate(texts, 1)] == expected
    # The wording is recognised as the generator's: the draft's form shows it apart from the text.
    from rectify.notices.publishing import split_progress

    assert split_progress(generated.problems[0].measures[2].text) == (
        "第3项整改措施。",
        "经批准延期至2025年9月30日，目前正在推进。",
    )


def test_measure_with_progress_ends_the_text_once() -> None:
    assert measure_with_progress("规范执法程序。", DONE) == "规范执法程序。目前已完成整改。"
    assert measure_with_progress("规范执法程序", DONE) == "规范执法程序。目前已完成整改。"
    assert measure_with_progress("规范执法程序；", DONE) == "规范执法程序。目前已完成整改。"
    assert measure_with_progress("，规范执法\n程序！", DONE) == "规范执法程序！目前已完成整改。"
    # An earlier notice's wording (also after a portal turned its punctuation half-width) is replaced.
    assert measure_with_progress("规范执法程序。目前正在推进，计划于2024年9月30日前完成。", DONE) == (
        "规范执法程序。目前已完成整改。"
    )
    assert measure_with_progress("规范执法程序。该项需长期坚持,正在持续推进.", REOPENED) == (
        "规范执法程序。回头看发现反弹，正在重新整改。"
    )
    assert measure_with_progress("", DONE) == DONE


# ------------------------------------------------------------------------------------ the document


def test_document_from_the_small_ledger(lived) -> None:
    doc = document_from_ledger(lived.inspection, on=ON)
    assert doc.title == "中共甲局党组关于巡察整改进展情况的通报"
    assert (doc.issuer, doc.date) == ("中共甲局党组", ON)
    assert [area.title for area in doc.areas] == ["关于执法方面", "关于服务方面"]
    assert [(p.number, p.title) for p in doc.problems] == [
        (1, "执法不规范的整改"),
        (2, "非法营运打击不力的整改"),
        (3, "审批时限过长的整改"),
    ]
    assert measure_texts(doc) == [
        ["规范执法程序。目前已完成整改。", "加强执法培训。目前正在推进，计划于2025年9月30日前完成。"],
        ["打击非法营运车辆。该项需长期坚持，正在持续推进。"],
        [
            "压缩审批时限。回头看发现反弹，正在重新整改，计划于2025年12月31日前完成。",
            "推行网上办理。目前已报送完成情况，正在审核销号。",
        ],
    ]
    # The small notice kept no opening or parts: an opening from the facts, one part for the problems.
    assert doc.opening == (
        "根据市委统一部署，2024年3月1日至4月30日，市委第一巡察组对甲局党组进行了常规巡察。"
        "2024年6月1日，市委第一巡察组反馈了巡察意见。根据有关规定，现将巡察整改进展情况予以公布。"
    )
    assert [(s.number, s.title, s.holds_problems) for s in doc.sections] == [
        (1, "巡察反馈问题整改落实情况", True)
    ]
    assert doc.inspection.body == "市委第一巡察组" and doc.inspection.feedback_date == date(2024, 6, 1)
    assert (doc.meta.name, doc.meta.publisher, doc.meta.written_date) == (doc.title, "甲局", ON)


def test_the_default_title_names_the_organisation(lived) -> None:
    Inspection.objects.filter(pk=lived.inspection.pk).update(notice_title="", notice_issuer="")
    doc = document_from_ledger(Inspection.objects.get(pk=lived.inspection.pk), on=ON)
    assert doc.title == "中共甲局党组关于巡察整改进展情况的通报"
    assert doc.issuer == "中共甲局党组"


def test_the_generated_document_round_trips(lived) -> None:
    doc = document_from_ledger(lived.inspection, on=ON)
    assert carried(parse(render_text(doc))) == carried(doc)
    assert carried(parse_bytes(render_docx(doc), "x.docx")) == carried(doc)
    assert carried(parse_bytes(render_html(doc).encode(), "x.html")) == carried(doc)


def test_nothing_internal_is_written(lived, world) -> None:
    written = everything_written(document_from_ledger(lived.inspection, on=ON))
    for user in User.objects.all():
        assert user.full_name not in written, user.full_name
    for unit in Organisation.objects.exclude(pk=world.orgs["a"].pk):
        if unit.name not in ("市委巡察办",):
            assert unit.name not in written, unit.name
    for secret in ("内部", "佐证", "退回", "包博", "艾丽", "李瑞"):
        assert secret not in written


def test_overrides(lived) -> None:
    overrides = {
        "title": "中共甲局党组关于巡察整改进展情况的第二次通报",
        "issuer": "中共甲局党组巡察整改工作领导小组",
        "opening": "2024年，市委第一巡察组对甲局党组进行了常规巡察。\n现将整改进展情况公布如下。",
        "sections": [
            {
                "title": "提高政治站位，加强组织领导",
                "paragraphs": ["局党组召开会议研究部署。"],
                "subsections": [],
            },
            {"title": "巡察反馈问题整改情况", "holds_problems": True, "paragraphs": []},
            {
                "number": 9,
                "title": "下一步工作打算",
                "paragraphs": "继续抓好整改。",
                "subsections": [{"title": "巩固整改成果", "text": "防止问题反弹。"}],
            },
        ],
        "contact": {"phones": ["020-12345678"], "emails": ["jb@example.gov.cn"], "postcode": "510000"},
        "problems": {"1": ["依法规范执法程序。", None], 3: [None, "全面推行网上办理"]},
    }
    doc = document_from_ledger(lived.inspection, on=ON, overrides=overrides)
    assert doc.title == overrides["title"] and doc.issuer == overrides["issuer"]
    assert doc.opening == overrides["opening"]
    assert [(s.number, s.title, s.holds_problems) for s in doc.sections] == [
        (1, "提高政治站位，加强组织领导", False),
        (2, "巡察反馈问题整改情况", True),
        (3, "下一步工作打算", False),
    ]
    assert doc.sections[2].paragraphs == ["继续抓好整改。"]
    assert doc.sections[2].subsections[0].number == 1
    assert doc.contact.phones == ["020-12345678"] and doc.contact.postcode == "510000"
    assert doc.contact.text.startswith("欢迎广大干部群众对整改落实情况进行监督。")
    assert measure_texts(doc)[0] == [
        "依法规范执法程序。目前已完成整改。",
        "加强执法培训。目前正在推进，计划于2025年9月30日前完成。",
    ]
    assert measure_texts(doc)[2] == [
        "压缩审批时限。回头看发现反弹，正在重新整改，计划于2025年12月31日前完成。",
        "全面推行网上办理。目前已报送完成情况，正在审核销号。",
    ]
    # The facts stay the ledger's; this opening states fewer of them, so they are not compared.
    expected = {key: value for key, value in carried(doc).items() if key != "inspection"}
    for again in (parse(render_text(doc)), parse_bytes(render_docx(doc), "x.docx")):
        assert {key: value for key, value in carried(again).items() if key != "inspection"} == expected

    # A contact given as text is printed as written; its details are read from it.
    with_text = document_from_ledger(
        lived.inspection, on=ON, overrides={"contact": {"text": "欢迎监督。联系电话：020-87654321。"}}
    )
    assert with_text.contact.text == "欢迎监督。联系电话：020-87654321。"
    assert with_text.contact.phones == ["020-87654321"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"headline": "x"}, "未知的覆盖项"),
        ({"problems": {1: ["只有一项。"]}}, "问题1有 2 项整改措施"),
        ({"problems": {9: ["x"]}}, "没有编号为 9 的问题"),
        ({"problems": {"一": ["x"]}}, "不是数字"),
        ({"problems": {1: "一段文字"}}, "文字列表"),
        ({"sections": ["一、总体情况"]}, "须为字典"),
        ({"contact": "020-12345678"}, "须为字典"),
    ],
)
def test_bad_overrides_are_refused(lived, overrides, message) -> None:
    with pytest.raises(ValueError, match=message):
        document_from_ledger(lived.inspection, on=ON, overrides=overrides)


def test_a_generated_notice_imported_again_keeps_one_wording(lived, world) -> None:
    """Import the published notice (as another bureau would copy it), generate again: each measure
    carries today's wording once, not yesterday's and today's."""
    first = document_from_ledger(lived.inspection, on=ON)
    copied = import_notice(parse(render_text(first)), organisation=world.orgs["b"], user=world.charlie)
    Measure.objects.filter(problem__inspection=copied).update(status=MeasureStatus.SIGNED_OFF)
    second = document_from_ledger(copied, on=ON)
    for text in (measure.text for problem in second.problems for measure in problem.measures):
        assert text.endswith("目前已完成整改。") and len(WORDING.findall(text)) == 1
        assert "目前正在推进" not in text and "回头看" not in text and "长期坚持" not in text
    assert second.opening == first.opening and second.sections == first.sections


def test_queries_do_not_grow_with_the_ledger(lived, django_assert_max_num_queries) -> None:
    inspection = Inspection.objects.get(pk=lived.inspection.pk)
    # Five for the ledger, two for the meetings held (meetings, and consultation meetings as 座谈会).
    with django_assert_max_num_queries(7):
        document_from_ledger(inspection, on=ON)


# --------------------------------------------------------------------------------------------- demo


@pytest.fixture
def demo(db, settings, tmp_path):
    from ..conftest import PASSWORD
    from ..demo_copy import demo as demo_copy

    settings.MEDIA_ROOT = tmp_path
    return demo_copy(PASSWORD)  # today's: the services check dates against it


def test_the_demo_notice(demo) -> None:
    # As stored: the demo's 巡察办 has filed the inspection under its round since the import.
    inspection = Inspection.objects.get(pk=demo.inspection.pk)
    today = timezone.localdate()
    doc = document_from_ledger(inspection)  # on: today
    assert doc.date == today
    source = punctuated(parse(inspection.source_text))  # as published: full-width ，：among Chinese
    assert doc.title == source.title and doc.issuer == source.issuer
    # The opening kept from the import, then the meetings held since the feedback, when there were any.
    held = meetings_paragraph(inspection, today)
    assert doc.opening == "\n".join(filter(None, [source.opening, held])) and doc.sections == source.sections
    assert doc.contact == source.contact
    assert doc.inspection == dataclasses.replace(source.inspection, round=inspection.round_name)
    assert len(doc.problems) == 17 and doc.measure_count == 36
    assert [area.title for area in doc.areas] == [area.title for area in source.areas]

    statuses = {}
    for problem, original in zip(doc.problems, source.problems, strict=True):
        assert (problem.number, problem.title) == (original.number, original.title)
        ledger = Measure.objects.filter(problem__inspection=inspection, problem__number=problem.number)
        for measure, before, row in zip(
            problem.measures, original.measures, ledger.order_by("order"), strict=True
        ):
            wording = progress_wording(row, today)
            assert measure.text == full_width(measure_with_progress(before.text, wording))
            assert measure.text.startswith(before.text) and WORDING.search(measure.text)
            statuses[row.status] = wording
    assert statuses[MeasureStatus.SIGNED_OFF] == DONE
    assert statuses[MeasureStatus.REOPENED].startswith(REOPENED.rstrip("。"))
    assert statuses[MeasureStatus.ONGOING] == LONG_TERM
    assert "计划于" in render_text(doc)  # measures due later carry their date

    # The round it was filed under is not in the imported opening: the text carries the notice's facts.
    expected = carried(dataclasses.replace(doc, inspection=source.inspection))
    assert carried(parse(render_text(doc))) == expected
    assert carried(parse_bytes(render_docx(doc), "notice.docx")) == expected

    written = everything_written(doc)
    for user in User.objects.all():
        assert user.full_name not in written, user.full_name
    for unit in Organisation.objects.all():
        if unit.name not in inspection.source_text:  # named in the public notice itself: public
            assert unit.name not in written, unit.name
    for report in ProgressReport.objects.all():
        assert report.text not in written
        assert not report.review_comment or report.review_comment not in written
    for reason in Measure.objects.exclude(reopen_reason="").values_list("reopen_reason", flat=True):
        assert reason not in written
