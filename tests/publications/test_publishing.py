"""Publishing the notice: the workflow role by role (and every forbidden step refused), a published
version that nothing can change, corrections, the 索引号 (format, sequence per organisation and
year, two publications at once), the draft editor's edits, the staff pages and the API."""

from __future__ import annotations

import json
import re
import threading
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import docx
import pytest
import time_machine
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from docx import Document

from rectify.errors import AccessDenied, InvalidInput, NotFound
from rectify.ledger.workflow import IllegalTransition
from rectify.notices import publishing
from rectify.notices.models import NoticePublication, PublicationState, PublicationStep, PublishedIsFinal
from rectify.notices.render import render_docx, render_text
from rectify.org.models import Membership, Role, User

from ..api.test_api import token_for
from ..conftest import GUANGZHOU, PASSWORD, small_notice

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREDIT_A = "11440100TESTA0001X"
CREDIT_B = "11440100TESTB0002Y"
S = PublicationState


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


SECTIONS = [
    {
        "number": 1,
        "title": "提高政治站位，扛起整改责任",
        "paragraphs": ["局党组把巡察整改作为重要政治任务。"],
        "subsections": [
            {"number": 1, "title": "加强组织领导", "text": "成立整改工作领导小组。"},
            {"number": 2, "title": "压实整改责任", "text": "逐项明确牵头领导和责任单位。"},
        ],
        "holds_problems": False,
    },
    {
        "number": 2,
        "title": "聚焦反馈问题，确保真改实改",
        "paragraphs": [],
        "subsections": [],
        "holds_problems": True,
    },
    {
        "number": 3,
        "title": "坚持常态长效，巩固整改成果",
        "paragraphs": ["持续抓好后续整改。"],
        "subsections": [],
        "holds_problems": False,
    },
]


@pytest.fixture
def staff(world, ledger):
    """The world, with bureau A's office head (Olga, who reviews), its party head (Paula, a leader),
    credit codes on both bureaus, and the narrative parts an imported notice would have left on
    both inspections."""
    for inspection in (ledger.inspection, ledger.other):
        inspection.sections = SECTIONS
        inspection.save()
    for key, code in (("a", CREDIT_A), ("b", CREDIT_B)):
        world.orgs[key].credit_code = code
        world.orgs[key].save()
    for username, name, role in (("olga", "欧佳", Role.OFFICE), ("paula", "潘莉", Role.LEADER)):
        user = User.objects.create_user(username, password=PASSWORD, full_name=name)
        Membership.objects.create(user=user, organisation=world.orgs["a"], role=role)
        world.people[username] = user
    return world


def publish_through(
    inspection,
    world,
    *,
    drafter="alice",
    reviewer="olga",
    approver="larry",
    publisher="alice",
    edits: dict | None = None,
) -> NoticePublication:
    """Draft, (edit,) submit, accept, approve and publish a version, each by its person."""
    people = world.people
    publication = publishing.create_draft(people[drafter], inspection.pk)
    if edits:
        publishing.update_draft(people[drafter], publication.pk, edits)
    publishing.decide(people[drafter], publication.pk, "submit")
    publishing.decide(people[reviewer], publication.pk, "accept", "措辞准确，同意。")
    publishing.decide(people[approver], publication.pk, "approve")
    return publishing.decide(people[publisher], publication.pk, "publish")


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


# ------------------------------------------------------------------ the workflow, role by role


def test_draft_review_approve_publish_each_by_its_role(ledger, staff):
    w = staff
    inspection = ledger.inspection
    with pytest.raises(NotFound):
        publishing.create_draft(w.charlie, inspection.pk)
    for outsider_of_the_office in (w.bob, w.vera, w.larry):
        with pytest.raises(AccessDenied, match="整改办"):
            publishing.create_draft(outsider_of_the_office, inspection.pk)

    draft = publishing.create_draft(w.alice, inspection.pk)
    assert (draft.version, draft.state, draft.created_by, draft.corrects) == (1, S.DRAFT, w.alice, None)
    assert (draft.publisher, draft.category, draft.index_number) == ("甲局", "机关党建、通告", "")
    assert draft.document["areas"] and draft.title
    with pytest.raises(InvalidInput, match="第1版"):
        publishing.create_draft(w.olga, inspection.pk)  # one open version at a time

    # Submit: the office only; the units do not even see a draft; the outsider neither.
    for person, error in (
        (w.vera, AccessDenied),
        (w.larry, AccessDenied),
        (w.bob, NotFound),
        (w.charlie, NotFound),
    ):
        with pytest.raises(error):
            publishing.decide(person, draft.pk, "submit")
    with pytest.raises(IllegalTransition):
        publishing.decide(w.olga, draft.pk, "accept")  # not submitted yet
    submitted = publishing.decide(w.alice, draft.pk, "submit")
    assert submitted.state == S.IN_REVIEW

    # Review: another member of the office, never the drafter.
    with pytest.raises(AccessDenied, match="起草人"):
        publishing.decide(w.alice, draft.pk, "accept")
    for person in (w.larry, w.vera, w.sam):
        with pytest.raises(AccessDenied):
            publishing.decide(person, draft.pk, "accept")
    with pytest.raises(IllegalTransition):
        publishing.decide(w.olga, draft.pk, "publish")
    assert publishing.decide(w.olga, draft.pk, "accept", "同意。").state == S.AWAITING_APPROVAL

    # Approval: any leader of the organisation (no party head named).
    for person in (w.olga, w.alice, w.vera):
        with pytest.raises(AccessDenied):
            publishing.decide(person, draft.pk, "approve")
    assert publishing.decide(w.larry, draft.pk, "approve").state == S.APPROVED

    # Publication: the office.
    for person in (w.larry, w.vera):
        with pytest.raises(AccessDenied):
            publishing.decide(person, draft.pk, "publish")
    with time_machine.travel(at(date(2025, 3, 27)), tick=False):
        published = publishing.decide(w.alice, draft.pk, "publish")
    assert published.state == S.PUBLISHED
    assert published.index_number == f"{CREDIT_A}/2025-00001"
    assert (published.serial_year, published.serial, published.published_date) == (2025, 1, date(2025, 3, 27))
    assert published.document["meta"]["index_number"] == published.index_number
    assert published.document["meta"]["published_date"] == "2025-03-27"
    steps = list(
        PublicationStep.objects.filter(publication=published).values_list("action", "to_state", "actor")
    )
    assert steps == [
        ("create", S.DRAFT, w.alice.pk),
        ("submit", S.IN_REVIEW, w.alice.pk),
        ("accept", S.AWAITING_APPROVAL, w.olga.pk),
        ("approve", S.APPROVED, w.larry.pk),
        ("publish", S.PUBLISHED, w.alice.pk),
    ]
    assert PublicationStep.objects.get(publication=published, action="accept").comment == "同意。"


def test_the_party_head_named_in_the_policy_approves_and_no_other_leader(ledger, staff):
    from rectify.supervision.models import WarningPolicy

    WarningPolicy.objects.create(organisation=staff.orgs["a"], party_head=staff.paula)
    draft = publishing.create_draft(staff.alice, ledger.inspection.pk)
    publishing.decide(staff.alice, draft.pk, "submit")
    publishing.decide(staff.olga, draft.pk, "accept")
    with pytest.raises(AccessDenied, match="潘莉"):
        publishing.decide(staff.larry, draft.pk, "approve")
    assert publishing.decisions_for(staff.larry, draft) == []
    assert publishing.decisions_for(staff.paula, publishing.get_publication(staff.paula, draft.pk)) == [
        ("approve", "批准发布"),
        ("return", "退回修改"),
    ]
    assert publishing.decide(staff.paula, draft.pk, "approve").state == S.APPROVED


def test_any_reviewer_returns_to_draft_with_a_reason(ledger, staff):
    w = staff
    draft = publishing.create_draft(w.alice, ledger.inspection.pk)
    publishing.decide(w.alice, draft.pk, "submit")
    with pytest.raises(InvalidInput, match="退回理由"):
        publishing.decide(w.olga, draft.pk, "return", "  ")
    with pytest.raises(AccessDenied, match="起草人"):
        publishing.decide(w.alice, draft.pk, "return", "我想撤回。")
    returned = publishing.decide(w.olga, draft.pk, "return", "第二部分措辞需与台账一致。")
    assert (returned.state, returned.return_reason) == (S.DRAFT, "第二部分措辞需与台账一致。")
    with pytest.raises(IllegalTransition):
        publishing.decide(w.olga, draft.pk, "return", "再退一次。")

    publishing.update_draft(w.alice, draft.pk, {"opening": "修改后的开篇。"})
    assert publishing.decide(w.alice, draft.pk, "submit").return_reason == ""
    publishing.decide(w.olga, draft.pk, "accept")
    with pytest.raises(AccessDenied):
        publishing.decide(w.olga, draft.pk, "return", "审核人在审批环节不能退回。")
    returned = publishing.decide(w.larry, draft.pk, "return", "请补充下一步工作安排。")
    assert returned.state == S.DRAFT
    actions = list(
        PublicationStep.objects.filter(publication=draft).values_list("action", "from_state", "comment")
    )
    assert actions[-1] == ("return", S.AWAITING_APPROVAL, "请补充下一步工作安排。")
    assert [action for action, *_ in actions] == ["create", "submit", "return", "submit", "accept", "return"]


# ------------------------------------------------------------------ a published version is final


def test_a_published_notice_cannot_change_through_any_service_or_the_api(ledger, staff):
    published = publish_through(ledger.inspection, staff)
    before = model_to_dict(NoticePublication.objects.get(pk=published.pk))
    document = json.dumps(before["document"], sort_keys=True)
    for person in (staff.alice, staff.olga, staff.larry):
        with pytest.raises(PublishedIsFinal):
            publishing.update_draft(person, published.pk, {"opening": "篡改。", "title": "篡改"})
        for decision in ("submit", "accept", "approve", "publish", "return"):
            with pytest.raises(PublishedIsFinal) as refused:
                publishing.decide(person, published.pk, decision, "理由")
            assert refused.value.status == 409
    row = NoticePublication.objects.get(pk=published.pk)
    row.title = "直接改"
    with pytest.raises(PublishedIsFinal):
        row.save()
    with pytest.raises(PublishedIsFinal):
        row.delete()

    api = Client(enforce_csrf_checks=True)
    headers = token_for(api, "alice")
    url = f"/api/v1/publications/{published.pk}"
    patched = api.patch(
        url, json.dumps({"opening": "篡改。"}), content_type="application/json", headers=headers
    )
    assert patched.status_code == 409 and "已发布" in patched.json()["detail"]
    for decision in ("return", "publish"):
        decided = api.post(
            f"{url}/decide",
            json.dumps({"decision": decision, "comment": "x"}),
            content_type="application/json",
            headers=headers,
        )
        assert decided.status_code == 409, decided.content

    after = model_to_dict(NoticePublication.objects.get(pk=published.pk))
    assert json.dumps(after["document"], sort_keys=True) == document
    assert after == before
    assert NoticePublication.objects.get(pk=published.pk).state == S.PUBLISHED


def test_a_correction_is_a_new_version_naming_the_one_it_corrects(ledger, staff):
    w = staff
    with time_machine.travel(at(date(2025, 3, 27)), tick=False):
        original = publish_through(ledger.inspection, w)
    with pytest.raises(AccessDenied):
        publishing.create_correction(w.larry, original.pk)
    with pytest.raises(NotFound):
        publishing.create_correction(w.charlie, original.pk)
    with time_machine.travel(at(date(2025, 4, 2)), tick=False):
        correction = publishing.create_correction(w.alice, original.pk)
        assert (correction.version, correction.corrects_id, correction.state) == (2, original.pk, S.DRAFT)
        opening = correction.document["opening"]
        # The note in plain words, a paragraph of its own before the opening as it was.
        note, opening_as_published = opening.split("\n", 1)
        assert note == f"（本通报更正2025年3月27日发布的第1版通报，索引号为{CREDIT_A}/2025-00001。）"
        assert opening_as_published == original.document["opening"]
        blocks = render_text(publishing.document_of(correction)).split("\n\n")
        assert blocks[1] == note and blocks[2] == opening_as_published
        word = docx.Document(BytesIO(render_docx(publishing.document_of(correction))))
        assert [paragraph.text for paragraph in word.paragraphs[1:3]] == [note, opening_as_published]
        assert correction.document["areas"] == original.document["areas"]
        with pytest.raises(InvalidInput, match="更正说明"):
            publishing.update_draft(w.alice, correction.pk, {"opening": "删去了更正说明。"})
        with pytest.raises(InvalidInput, match="只能更正已发布"):
            publishing.create_correction(w.alice, correction.pk)
        with pytest.raises(InvalidInput, match="尚未发布"):
            publishing.create_correction(w.alice, original.pk)  # one open version at a time
        publishing.update_draft(
            w.alice, correction.pk, {"problems": {"1": ["规范执法程序（更正）。", "加强执法培训。"]}}
        )
        publishing.decide(w.alice, correction.pk, "submit")
        publishing.decide(w.olga, correction.pk, "accept")
        publishing.decide(w.larry, correction.pk, "approve")
        corrected = publishing.decide(w.alice, correction.pk, "publish")
    assert corrected.index_number == f"{CREDIT_A}/2025-00002"
    assert corrected.corrects == original
    assert corrected.document["areas"][0]["problems"][0]["measures"][0]["text"].startswith(
        "规范执法程序（更正）。"
    )
    assert NoticePublication.objects.get(pk=original.pk).document == original.document


# ------------------------------------------------------------------ 索引号


def test_index_numbers_run_per_organisation_and_restart_each_year(ledger, staff):
    from rectify.notices.importer import import_notice

    second = import_notice(
        small_notice("中共甲局党组关于第二轮巡察整改进展情况的通报"), organisation=staff.orgs["a"]
    )
    with time_machine.travel(at(date(2026, 12, 31)), tick=False):
        first = publish_through(ledger.inspection, staff)
        other = publish_through(second, staff)
    assert [first.index_number, other.index_number] == [f"{CREDIT_A}/2026-00001", f"{CREDIT_A}/2026-00002"]
    with time_machine.travel(at(date(2027, 1, 4)), tick=False):
        again = publish_through(ledger.inspection, staff)
    assert (again.version, again.index_number) == (2, f"{CREDIT_A}/2027-00001")
    assert re.fullmatch(r"[0-9A-Z]{18}/\d{4}-\d{5}", again.index_number)


def test_bureaus_number_their_own_notices(ledger, staff):
    User.objects.create_superuser("root", password=PASSWORD)
    root = User.objects.get(username="root")
    ours = publish_through(ledger.inspection, staff)
    draft = publishing.create_draft(staff.charlie, ledger.other.pk)
    publishing.decide(staff.charlie, draft.pk, "submit")
    publishing.decide(root, draft.pk, "accept")
    publishing.decide(root, draft.pk, "approve")
    theirs = publishing.decide(staff.charlie, draft.pk, "publish")
    year = timezone.localdate().year
    assert ours.index_number == f"{CREDIT_A}/{year}-00001"
    assert theirs.index_number == f"{CREDIT_B}/{year}-00001"
    assert (theirs.publisher, ours.publisher) == ("乙局", "甲局")


def test_no_credit_code_no_publication(ledger, staff):
    staff.orgs["a"].credit_code = ""
    staff.orgs["a"].save()
    draft = publishing.create_draft(staff.alice, ledger.inspection.pk)
    publishing.decide(staff.alice, draft.pk, "submit")
    publishing.decide(staff.olga, draft.pk, "accept")
    publishing.decide(staff.larry, draft.pk, "approve")
    with pytest.raises(InvalidInput, match="统一社会信用代码"):
        publishing.decide(staff.alice, draft.pk, "publish")
    row = NoticePublication.objects.get(pk=draft.pk)
    assert (row.state, row.index_number, row.published_date) == (S.APPROVED, "", None)


def test_two_publications_at_once_get_different_serials(transactional_db, ledger, staff):
    from rectify.notices.importer import import_notice

    second = import_notice(
        small_notice("中共甲局党组关于第二轮巡察整改进展情况的通报"), organisation=staff.orgs["a"]
    )
    approved = []
    for inspection in (ledger.inspection, second):
        draft = publishing.create_draft(staff.alice, inspection.pk)
        publishing.decide(staff.alice, draft.pk, "submit")
        publishing.decide(staff.olga, draft.pk, "accept")
        publishing.decide(staff.larry, draft.pk, "approve")
        approved.append(draft)
    start = threading.Barrier(2)
    outcomes: list = []

    def publish(publication):
        try:
            start.wait()
            outcomes.append(publishing.decide(User.objects.get(username="alice"), publication.pk, "publish"))
        except Exception as error:  # shows up in the assertion
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(publication,)) for publication in approved]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(isinstance(outcome, NoticePublication) for outcome in outcomes), outcomes
    assert sorted(outcome.serial for outcome in outcomes) == [1, 2]
    assert len({outcome.index_number for outcome in outcomes}) == 2


# ------------------------------------------------------------------ editing a draft


def test_the_editor_changes_wording_never_numbering(ledger, staff):
    draft = publishing.create_draft(staff.alice, ledger.inspection.pk)
    narrative = [s for s in draft.document["sections"] if not s["holds_problems"]]
    first = narrative[0]["number"]
    edited = publishing.update_draft(
        staff.alice,
        draft.pk,
        {
            "title": "  中共甲局党组关于巡察整改进展情况的通报（修订） ",
            "document_number": "甲党〔2025〕3号",
            "subject_terms": "巡察 整改",
            "written_date": date(2025, 3, 20),
            "opening": "开篇一句。",
            "sections": {
                first: {
                    "title": "提高站位",
                    "paragraphs": "第一段。\n\n第二段。",
                    "subsections": [
                        {"title": "", "text": ""},
                        {"title": "强化领导", "text": "成立领导小组。"},
                        {"title": "狠抓落实", "text": "逐项推进。"},
                    ],
                }
            },
            "problems": {"3": ["压缩审批时限至5个工作日。", "推行网上办理。"]},
            "contact": "联系电话：020-88886666；电子邮箱：jubao@example.gov.cn，"
            "通信地址：甲市甲路1号，邮编：510000。",
        },
    )
    document = edited.document
    assert edited.title == document["title"] == "中共甲局党组关于巡察整改进展情况的通报（修订）"
    assert (edited.document_number, edited.subject_terms, edited.written_date) == (
        "甲党〔2025〕3号",
        "巡察 整改",
        date(2025, 3, 20),
    )
    assert document["date"] == "2025-03-20" and document["opening"] == "开篇一句。"
    section = next(s for s in document["sections"] if s["number"] == first)
    assert section["paragraphs"] == ["第一段。", "第二段。"]
    assert [(s["number"], s["title"]) for s in section["subsections"]] == [(1, "强化领导"), (2, "狠抓落实")]
    problem = next(p for a in document["areas"] for p in a["problems"] if p["number"] == 3)
    texts = [m["text"] for m in problem["measures"]]
    assert texts[0].startswith("压缩审批时限至5个工作日。") and texts[1].startswith("推行网上办理。")
    assert texts[0].endswith("目前尚未启动。")  # the ledger's progress, never typed
    contact = document["contact"]
    assert (contact["phones"], contact["emails"], contact["postcode"]) == (
        ["020-88886666"],
        ["jubao@example.gov.cn"],
        "510000",
    )

    for overrides, message in (
        ({"problems": {"3": ["只剩一条。"]}}, "不能增减"),
        ({"problems": {"9": ["没有这个问题。"]}}, "第9个问题"),
        ({"problems": {"1": ["", "加强执法培训。"]}}, "不能为空"),
        ({"opening": "   "}, "开篇段落不能为空"),
        ({"title": ""}, "名称不能为空"),
        ({"sections": {first: {"subsections": [{"title": "", "text": "没有标题的正文。"}]}}}, "小标题"),
    ):
        with pytest.raises(InvalidInput, match=message):
            publishing.update_draft(staff.alice, draft.pk, overrides)
    with pytest.raises(AccessDenied):
        publishing.update_draft(staff.larry, draft.pk, {"opening": "领导改稿。"})
    publishing.decide(staff.alice, draft.pk, "submit")
    with pytest.raises(IllegalTransition, match="不能修改"):
        publishing.update_draft(staff.alice, draft.pk, {"opening": "提交后再改。"})


def test_a_stored_document_reads_back_whole():
    from rectify.notices.parser import parse_file

    document = parse_file(GUANGZHOU)
    again = publishing.document_from_dict(json.loads(json.dumps(document.to_dict())))
    assert again == document
    assert publishing.document_from_dict({"title": "只有标题"}).title == "只有标题"


# ------------------------------------------------------------------ staff pages


def test_the_staff_pages_walk_the_workflow(ledger, staff):
    inspection = ledger.inspection
    alice, olga = signed_in("alice"), signed_in("olga")
    page = alice.get(f"/publications/inspection/{inspection.pk}/")
    assert page.status_code == 200 and "根据台账起草通报" in page.content.decode()
    assert (
        "根据台账起草通报"
        not in signed_in("larry").get(f"/publications/inspection/{inspection.pk}/").content.decode()
    )
    assert signed_in("charlie").get(f"/publications/inspection/{inspection.pk}/").status_code == 404

    created = alice.post(f"/publications/inspection/{inspection.pk}/draft/")
    publication = NoticePublication.objects.get(inspection=inspection)
    assert created.status_code == 302 and created["Location"] == f"/publications/{publication.pk}/edit/"
    # A second draft is refused on the page the button is on, saying why; nothing is written.
    again = alice.post(f"/publications/inspection/{inspection.pk}/draft/")
    assert again.status_code == 400 and "已有尚未发布的通报（第1版" in again.content.decode()
    assert "notices/publication_inspection.html" in [template.name for template in again.templates]
    assert NoticePublication.objects.filter(inspection=inspection).count() == 1
    editor = alice.get(f"/publications/{publication.pk}/edit/")
    text = editor.content.decode()
    assert editor.status_code == 200
    for label in ("开篇段落", "问题1 措施1", "问题3 措施2", "联系方式", "名称（通报标题）", "新增一节小标题"):
        assert label in text, label
    form = editor.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["written_date"] = "2025-03-20"
    data["measure_1_1"] = "规范执法程序，制定执法手册。"
    data["save_submit"] = "1"
    saved = alice.post(f"/publications/{publication.pk}/edit/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    publication.refresh_from_db()
    assert publication.state == S.IN_REVIEW
    measure = publication.document["areas"][0]["problems"][0]["measures"][0]["text"]
    assert measure == "规范执法程序，制定执法手册。目前尚未启动。"
    assert "进展按台账生成：目前尚未启动。" in text

    detail = olga.get(f"/publications/{publication.pk}/").content.decode()
    assert "审核通过" in detail and "退回修改" in detail and "规范执法程序，制定执法手册。" in detail
    assert "审核通过" not in alice.get(f"/publications/{publication.pk}/").content.decode()
    refused = alice.post(f"/publications/{publication.pk}/decide/", {"decision": "accept"})
    assert refused.status_code == 403 and "起草人" in refused.content.decode()
    assert olga.post(f"/publications/{publication.pk}/decide/", {"decision": "accept"}).status_code == 302
    assert (
        signed_in("larry")
        .post(f"/publications/{publication.pk}/decide/", {"decision": "approve"})
        .status_code
        == 302
    )
    published = alice.post(f"/publications/{publication.pk}/decide/", {"decision": "publish"}, follow=True)
    assert f"已发布，索引号 {CREDIT_A}/" in published.content.decode()
    assert alice.get(f"/publications/{publication.pk}/edit/", follow=True).status_code == 200
    assert NoticePublication.objects.get(pk=publication.pk).state == S.PUBLISHED

    docx = alice.get(f"/publications/{publication.pk}/docx/")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert Document(BytesIO(docx.content)).paragraphs
    txt = alice.get(f"/publications/{publication.pk}/txt/")
    assert txt.status_code == 200 and "规范执法程序，制定执法手册。" in txt.content.decode()
    assert signed_in("charlie").get(f"/publications/{publication.pk}/docx/").status_code == 404

    corrected = alice.post(f"/publications/{publication.pk}/correct/")
    correction = NoticePublication.objects.get(corrects=publication)
    assert corrected["Location"] == f"/publications/{correction.pk}/edit/"
    twice = alice.post(f"/publications/{publication.pk}/correct/")
    assert twice.status_code == 400 and "已有尚未发布的通报" in twice.content.decode()
    assert "notices/publication_detail.html" in [template.name for template in twice.templates]
    assert NoticePublication.objects.filter(corrects=publication).count() == 1
    assert signed_in("bob").get(f"/publications/{correction.pk}/").status_code == 404
    assert signed_in("bob").get(f"/publications/{publication.pk}/").status_code == 200


# ------------------------------------------------------------------ API


def test_the_notice_generated_now_in_every_format(ledger, staff):
    api = Client()
    url = f"/api/v1/inspections/{ledger.inspection.pk}/notice"
    alice = token_for(api, "alice")
    as_json = api.get(url, headers=alice)
    assert as_json.status_code == 200 and as_json.json()["areas"]
    as_html = api.get(f"{url}?format=html", headers=alice)
    assert as_html.status_code == 200 and as_html["Content-Type"].startswith("text/html")
    assert "规范执法程序" in as_html.content.decode()
    as_txt = api.get(f"{url}?format=txt", headers=alice)
    assert as_txt["Content-Type"].startswith("text/plain") and "规范执法程序" in as_txt.content.decode()
    as_docx = api.get(f"{url}?format=docx", headers=alice)
    assert as_docx.status_code == 200 and as_docx.content[:2] == b"PK"
    assert api.get(f"{url}?format=pdf", headers=alice).status_code == 422
    assert api.get(url, headers=token_for(api, "charlie")).status_code == 404
    assert api.get(url).status_code == 401
    # The unit sees the inspection, but not the draft of the whole of it (issue 11, defect 2).
    assert api.get(url, headers=token_for(api, "bob")).status_code == 404


def test_the_publication_workflow_through_the_api(ledger, staff):
    api = Client(enforce_csrf_checks=True)

    def call(method, url, username, body=None):
        headers = token_for(api, username)
        if method == "get":
            return api.get(url, headers=headers)
        return getattr(api, method)(
            url, json.dumps(body or {}), content_type="application/json", headers=headers
        )

    refused = call("post", "/api/v1/publications", "larry", {"inspection": ledger.inspection.pk})
    assert refused.status_code == 403
    assert (
        call("post", "/api/v1/publications", "charlie", {"inspection": ledger.inspection.pk}).status_code
        == 404
    )
    created = call("post", "/api/v1/publications", "alice", {"inspection": ledger.inspection.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert (body["version"], body["state"], body["decisions"]) == (1, "draft", ["submit"])
    assert body["created_by"]["name"] == "艾丽" and body["steps"][0]["action"] == "create"

    edited = call("patch", f"/api/v1/publications/{pk}", "alice", {"problems": {"2": ["打击非法营运。"]}})
    assert edited.status_code == 200, edited.content
    assert edited.json()["document"]["areas"][0]["problems"][1]["measures"][0]["text"].startswith(
        "打击非法营运。"
    )
    bad = call("post", f"/api/v1/publications/{pk}/decide", "alice", {"decision": "launch"})
    assert bad.status_code == 400
    for username, decision in (("alice", "submit"), ("olga", "accept"), ("larry", "approve")):
        moved = call("post", f"/api/v1/publications/{pk}/decide", username, {"decision": decision})
        assert moved.status_code == 200, (decision, moved.content)
    assert (
        call("post", f"/api/v1/publications/{pk}/decide", "vera", {"decision": "publish"}).status_code == 403
    )
    published = call("post", f"/api/v1/publications/{pk}/decide", "alice", {"decision": "publish"})
    assert published.status_code == 200 and published.json()["index_number"].startswith(CREDIT_A)

    listed = call("get", "/api/v1/publications", "vera").json()
    assert listed["count"] == 1 and listed["items"][0]["decisions"] == []
    assert call("get", "/api/v1/publications", "charlie").json()["count"] == 0
    assert call("get", f"/api/v1/publications/{pk}", "charlie").status_code == 404
    as_text = call("get", f"/api/v1/publications/{pk}/notice?format=txt", "vera")
    assert "打击非法营运。" in as_text.content.decode()
    correction = call("post", f"/api/v1/publications/{pk}/correct", "alice")
    assert correction.status_code == 201 and correction.json()["corrects"]["version"] == 1


# ------------------------------------------------------------------ the demo


def test_the_demo_publishes_one_version_and_leaves_a_correction_for_approval(ledger, staff):
    from rectify.notices.demo import publish_demo_notices

    published, correction = publish_demo_notices(
        ledger.inspection, {"office": staff.olga, "leader": staff.larry}, timezone.localdate()
    )
    assert published.state == S.PUBLISHED and published.index_number.startswith(f"{CREDIT_A}/")
    assert "相关草案已提请审议" in published.document["areas"][0]["problems"][0]["measures"][0]["text"]
    assert (correction.state, correction.corrects_id) == (S.AWAITING_APPROVAL, published.pk)
    note = correction.document["opening"].split("\n")[0]
    assert note == (
        f"（本通报更正{published.published_date.year}年{published.published_date.month}月"
        f"{published.published_date.day}日发布的第1版通报，索引号为{published.index_number}，"
        "对第一个问题第1项整改措施的表述作了更正。）"
    )
    assert "相关草案已提请审议" not in correction.document["areas"][0]["problems"][0]["measures"][0]["text"]
    clerk = User.objects.get(username="office2")
    assert clerk.check_password(PASSWORD) and published.created_by == clerk
    assert publishing.decisions_for(staff.larry, correction) == [
        ("approve", "批准发布"),
        ("return", "退回修改"),
    ]
