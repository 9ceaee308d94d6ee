"""The staff pages of consultations, and what they publish on the portal, through Django's test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client

from rectify.feedback.consultations import services as consultations
from rectify.feedback.models import Consultation, ConsultationComment

from .conftest import DRAFT_TEXT

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_office_creates_publishes_and_the_portal_shows_the_draft_with_a_form(world, mechanism, today):
    office = client_for(world.alice)
    page = office.get(f"/consultations/new/?mechanism={mechanism.pk}")
    assert (
        page.status_code == 200
        and "关于《甲市停车场条例》（征求意见稿）公开征求意见的公告" in page.content.decode()
    )
    response = office.post(
        "/consultations/new/",
        {
            "kind": "online",
            "mechanism": mechanism.pk,
            "title": "关于《甲市停车场条例》公开征求意见",
            "draft_text": DRAFT_TEXT,
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=14)).isoformat(),
        },
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and response.url == f"/consultations/{consultation.pk}/"
    assert (
        Client().get(f"/portal/consultations/{consultation.pk}/").status_code == 404
    )  # a draft is not public
    response = office.post(f"/consultations/{consultation.pk}/open/", {"status": "draft"})
    assert response.status_code == 302
    page = Client().get(f"/portal/consultations/{consultation.pk}/").content.decode()
    assert "征求意见中" in page and 'name="content"' in page and 'name="csrfmiddlewaretoken"' in page
    # The draft keeps its paragraphs.
    assert page.count("<p>第") == 3 and "<br>" not in page.split("征求意见稿")[-1].split("提出意见")[0]
    listing = Client().get("/portal/consultations/").content.decode()
    assert "关于《甲市停车场条例》公开征求意见" in listing
    # The rule's list of consultations shows it; the mechanism page links there.
    assert (
        "关于《甲市停车场条例》公开征求意见"
        in office.get(f"/consultations/?mechanism={mechanism.pk}").content.decode()
    )
    mechanisms = office.get(f"/inspections/{mechanism.inspection_id}/mechanisms/").content.decode()
    assert f"/consultations/?mechanism={mechanism.pk}" in mechanisms
    assert f"/consultations/new/?mechanism={mechanism.pk}" in mechanisms


def test_a_form_with_mistakes_keeps_what_was_typed(world, mechanism, today):
    response = client_for(world.alice).post(
        "/consultations/new/",
        {
            "kind": "online",
            "mechanism": mechanism.pk,
            "title": "保留的标题",
            "draft_text": "保留的正文",
            "opens_on": today.isoformat(),
            "closes_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "截止日期不能早于开始日期" in page
    assert "保留的标题" in page and "保留的正文" in page
    response = client_for(world.alice).post(
        "/consultations/new/", {"kind": "online", "mechanism": mechanism.pk, "opens_on": "2025-13-01"}
    )
    assert response.status_code == 400 and "日期格式不正确" in response.content.decode()
    assert not Consultation.objects.exists()


def test_pages_refuse_who_may_not_see_or_act(world, open_consultation):
    url = f"/consultations/{open_consultation.pk}/"
    assert client_for(world.larry).get(url).status_code == 200
    assert "在门户公开征求意见" not in client_for(world.larry).get(url).content.decode()
    for outsider in (world.charlie, world.bob):
        assert client_for(outsider).get(url).status_code == 404
    assert client_for(world.bob).get("/consultations/new/").status_code == 403
    assert (
        client_for(world.larry)
        .post(f"/consultations/{open_consultation.pk}/close/", {"status": "open"})
        .status_code
        == 403
    )
    response = client_for(world.larry).post(
        f"/consultations/{open_consultation.pk}/comments/",
        {"comment-channel": "letter", "comment-content": "领导补录"},
    )
    assert response.status_code == 403 and not ConsultationComment.objects.exists()
    assert Client().get(url).status_code == 302  # sign in first


def test_staff_see_masked_contacts_and_the_office_reveals_with_an_audit_entry(world, open_consultation):
    comment = consultations.submit_public_comment(
        open_consultation.pk, content="建议增加夜间共享时段。", name="王小明", contact="13812345678"
    )
    office = client_for(world.alice)
    page = office.get(f"/consultations/{open_consultation.pk}/").content.decode()
    assert "138****5678" in page and "王**" in page
    assert "13812345678" not in page and "王小明" not in page
    assert office.get(f"/consultations/comments/{comment.pk}/reveal/").status_code == 405  # POST only
    response = office.post(f"/consultations/comments/{comment.pk}/reveal/")
    page = response.content.decode()
    assert response.status_code == 200 and "13812345678" in page and "王小明" in page
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == world.alice and entry.object_pk == str(comment.pk)
    leader = client_for(world.larry)
    assert leader.post(f"/consultations/comments/{comment.pk}/reveal/").status_code == 403
    assert "13812345678" not in leader.get(f"/consultations/{open_consultation.pk}/").content.decode()
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 1
    # The API's staff detail is masked too.
    detail = office.get(f"/api/v1/consultations/{open_consultation.pk}").json()
    assert detail["comments"][0]["contact"] == "138****5678" and detail["comments"][0]["name"] == "王**"


def test_deciding_and_publishing_the_summary_on_the_page(world, lapsed_consultation):
    office = client_for(world.alice)
    url = f"/consultations/{lapsed_consultation.pk}/"
    assert office.post(f"{url}close/", {"status": "open"}).status_code == 302
    first, second = lapsed_consultation.comments.order_by("id")
    response = office.post(
        f"/consultations/comments/{second.pk}/decide/", {f"c{second.pk}-decision": "not_adopted"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "请填写理由" in page and "第 2 条意见" in page
    office.post(f"/consultations/comments/{first.pk}/decide/", {f"c{first.pk}-decision": "adopted"})
    office.post(
        f"/consultations/comments/{second.pk}/decide/",
        {f"c{second.pk}-decision": "not_adopted", f"c{second.pk}-reason": "与上位法规定不符。"},
    )
    page = office.get(url).content.decode()
    assert "共收到意见建议 2 条" in page and "与上位法规定不符。" in page  # the generated draft
    response = office.post(f"{url}summary/", {"summary": "", "status": "closed", "publish": "1"})
    assert response.status_code == 400 and "请填写采纳情况说明" in response.content.decode()
    response = office.post(
        f"{url}summary/", {"summary": "采纳 1 条，未采纳 1 条。", "status": "closed", "publish": "1"}
    )
    assert response.status_code == 302
    public = Client().get(f"/portal/consultations/{lapsed_consultation.pk}/").content.decode()
    assert (
        "采纳 1 条，未采纳 1 条。" in public
        and "与上位法规定不符。" in public
        and "建议删除第三条。" in public
    )
    assert "张" not in public.split("意见采纳情况")[1] and "1234" not in public
    assert 'name="content"' not in public and "征求意见已截止" in public
    response = office.post(f"{url}summary/", {"summary": "改写", "status": "published", "save": "1"})
    assert response.status_code == 409 and "采纳情况已公布，不能再修改" in response.content.decode()
    assert Consultation.objects.get(pk=lapsed_consultation.pk).summary == "采纳 1 条，未采纳 1 条。"


def test_a_stale_move_answers_409_with_the_page(world, open_consultation):
    response = client_for(world.alice).post(
        f"/consultations/{open_consultation.pk}/open/", {"status": "draft"}
    )
    assert response.status_code == 409 and "请刷新页面" in response.content.decode()


def test_nav_links_for_the_office_leaders_and_supervisors_only(world, open_consultation):
    for user in (world.alice, world.larry, world.vera):
        assert 'href="/consultations/"' in client_for(user).get("/mechanisms/").content.decode()
    assert 'href="/consultations/"' not in client_for(world.bob).get("/mechanisms/").content.decode()
    portal = Client().get("/portal/consultations/").content.decode()
    assert 'href="/portal/consultations/" aria-current="page"' in portal
