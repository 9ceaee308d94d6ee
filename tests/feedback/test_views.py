"""The staff pages through real HTTP: lists, filters, the item page and its actions, entry,
routing with the suggestion, replies, approval, return, closing, statistics, and the query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rectify.feedback.models import FeedbackItem, FeedbackReply, FeedbackStatus
from rectify.feedback.services import route_item, submit_public


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_nav_link_for_the_roles_that_work_with_feedback(client, world, fb):
    for person in ("alice", "larry", "vera", "bob"):
        client.force_login(world.people[person])
        assert 'href="/feedback/"' in _page(client, "/measures/")
    client.force_login(world.nobody)
    assert 'href="/feedback/"' not in _page(client, "/measures/")


def test_list_shows_what_the_user_sees_and_filters(client, world, fb):
    client.force_login(world.alice)
    page = _page(client, "/feedback/")
    assert "共 <strong>4</strong> 件" in page
    assert fb.foreign.code not in page
    assert fb.routed.code in _page(client, "/feedback/?status=routed")
    assert fb.fresh.code not in _page(client, "/feedback/?status=routed")
    assert "共 <strong>1</strong> 件" in _page(client, "/feedback/?channel=phone")
    assert "共 <strong>1</strong> 件" in _page(client, "/feedback/?kind=demand")
    assert "共 <strong>2</strong> 件" in _page(client, f"/feedback/?unit={world.orgs['a1'].pk}")
    assert fb.fresh.code in _page(client, "/feedback/?q=非法营运")
    assert "共 <strong>1</strong> 件" in _page(client, f"/feedback/?q={fb.pending.code.lower()}")
    assert "共 <strong>0</strong> 件" in _page(client, "/feedback/?overdue=1")
    fragment = client.get("/feedback/?status=received", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="feedback-results"') and fb.fresh.code in fragment
    client.force_login(world.bob)
    page = _page(client, "/feedback/")
    assert "共 <strong>2</strong> 件" in page and fb.fresh.code not in page
    client.force_login(world.nobody)
    assert "共 <strong>0</strong> 件" in _page(client, "/feedback/")


def test_overdue_is_said_in_words(client, world, fb):
    FeedbackItem.objects.filter(pk=fb.routed.pk).update(due_date="2020-01-06")
    client.force_login(world.alice)
    page = _page(client, "/feedback/?overdue=1")
    assert fb.routed.code in page and "已超期" in page and re.search(r"超期 \d+ 天", page)


def test_the_qr_filter(client, world, fb):
    from rectify.feedback.models import QrCode

    qr = QrCode.objects.create(
        organisation=world.orgs["a"], token="t1", label="某路段围挡公示牌", created_by=world.alice
    )
    item = submit_public(organisation=world.orgs["a"], kind="opinion", content="围挡占道", qr=qr)
    client.force_login(world.alice)
    page = _page(client, f"/feedback/?qr={qr.pk}")
    assert "共 <strong>1</strong> 件" in page and item.code in page and "某路段围挡公示牌" in page


def test_the_list_costs_the_same_queries_for_5_and_50_items(client, world, fb):
    client.force_login(world.alice)
    client.get("/feedback/")  # warm the session and content types

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/feedback/").status_code == 200
        return len(queries)

    few = count()
    for n in range(46):
        item = submit_public(
            organisation=world.orgs["a"], kind="opinion", content=f"第{n}件", phone="13800001111", qr=None
        )
        if n % 2:
            route_item(world.alice, item, unit=world.orgs["a1" if n % 4 == 1 else "a2"], version=1)
    assert FeedbackItem.objects.filter(organisation=world.orgs["a"]).count() == 50
    assert count() == few
    api_counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/feedback?page_size={size}").status_code == 200
        api_counts.append(len(queries))
    assert api_counts[0] == api_counts[1]


def test_detail_offers_each_user_only_the_actions_allowed(client, world, fb):
    client.force_login(world.alice)
    page = _page(client, f"/feedback/{fb.pending.pk}/")
    assert "通过并发布" in page and "退回" in page and "不予答复办结" in page and "拟写答复" not in page
    assert "已约谈相关执法人员" in page
    page = _page(client, f"/feedback/{fb.fresh.pk}/")
    assert ">分办</a>" in page and "查看完整联系方式" in page
    client.force_login(world.bob)
    page = _page(client, f"/feedback/{fb.routed.pk}/")
    assert (
        "拟写答复" in page
        and f"/feedback/{fb.routed.pk}/route/" not in page
        and "查看完整联系方式" not in page
    )
    page = _page(client, f"/feedback/{fb.pending.pk}/")
    assert "等待整改办审核" in page and "通过并发布" not in page
    client.force_login(world.vera)
    page = _page(client, f"/feedback/{fb.pending.pk}/")
    assert "通过并发布" not in page and "不予答复办结" not in page and "办理过程" in page
    client.force_login(world.lisa)
    _page(client, f"/feedback/{fb.routed.pk}/", status=404)
    client.force_login(world.charlie)
    _page(client, f"/feedback/{fb.fresh.pk}/", status=404)


def test_content_is_escaped_never_reflected_raw(client, world):
    item = submit_public(
        organisation=world.orgs["a"], kind="opinion", content='a < b & "c" <script>x</script>'
    )
    client.force_login(world.alice)
    page = _page(client, f"/feedback/{item.pk}/")
    assert "<script>x" not in page and "a &lt; b &amp; &quot;c&quot;" in page


def test_staff_entry_form(client, world, ledger):
    client.force_login(world.alice)
    assert "登记来电来信" in _page(client, "/feedback/")
    form = {
        "organisation": world.orgs["a"].pk,
        "channel": "association",
        "kind": "demand",
        "content": "会员企业反映网约车运输证办理慢",
        "received_at": "2025-03-07T10:30",
        "association": "",
        "name": "王五",
        "phone": "020-1234",
        "problem": ledger.measures[(3, 1)].problem.pk,
    }
    refused = client.post("/feedback/new/", form)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "须填写转达的行业协会名称" in page and "会员企业反映网约车运输证办理慢" in page and "王五" in page
    form["association"] = "市出租汽车协会"
    refused = client.post("/feedback/new/", form)
    assert "联系电话格式不正确" in refused.content.decode() and not FeedbackItem.objects.exists()
    form["phone"] = "020-12345678"
    response = client.post("/feedback/new/", form)
    item = FeedbackItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/feedback/{item.pk}/"
    assert (item.channel, item.association, item.created_by, item.problem) == (
        "association",
        "市出租汽车协会",
        world.alice,
        ledger.measures[(3, 1)].problem,
    )
    assert item.code in _page(client, response["Location"])
    for person in ("bob", "vera", "nobody"):
        client.force_login(world.people[person])
        assert client.get("/feedback/new/").status_code == 403
        assert client.post("/feedback/new/", form).status_code == 403


def test_routing_page_shows_and_preselects_the_suggestion(client, world, ledger):
    item = submit_public(
        organisation=world.orgs["a"], kind="opinion", content="执法不规范，执法程序混乱，请规范执法程序"
    )
    client.force_login(world.alice)
    page = _page(client, f"/feedback/{item.pk}/route/")
    assert "系统建议" in page and "执法不规范" in page
    problem = ledger.measures[(1, 1)].problem
    assert re.search(rf'<option value="{problem.pk}" selected>', page)
    assert re.search(rf'<option value="{world.orgs["a1"].pk}" selected>', page)
    response = client.post(
        f"/feedback/{item.pk}/route/", {"version": 1, "unit": world.orgs["a1"].pk, "problem": problem.pk}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.unit, item.problem, item.status) == (world.orgs["a1"], problem, FeedbackStatus.ROUTED)
    stale = client.post(f"/feedback/{item.pk}/route/", {"version": 1, "unit": world.orgs["a2"].pk})
    assert stale.status_code == 409 and "他人已处理" in stale.content.decode()
    item.refresh_from_db()
    assert item.unit == world.orgs["a1"]
    client.force_login(world.bob)
    assert client.get(f"/feedback/{item.pk}/route/").status_code == 403


def test_reply_approve_return_over_http(client, world, fb):
    client.force_login(world.bob)
    url = f"/feedback/{fb.routed.pk}/reply/"
    assert client.post(url, {"version": fb.routed.version, "text": "  ", "submit": "1"}).status_code == 400
    saved = client.post(url, {"version": fb.routed.version, "text": "草稿一", "draft": "1"})
    assert saved.status_code == 302 and saved["Location"] == url
    assert "草稿一" in _page(client, url)
    submitted = client.post(
        url, {"version": fb.routed.version, "text": "已压缩审批时限至 5 个工作日。", "submit": "1"}
    )
    assert submitted.status_code == 302
    assert FeedbackItem.objects.get(pk=fb.routed.pk).status == FeedbackStatus.REPLY_PENDING

    client.force_login(world.alice)
    item = FeedbackItem.objects.get(pk=fb.routed.pk)
    refused = client.post(f"/feedback/{item.pk}/reply/return/", {"version": item.version, "reason": ""})
    assert refused.status_code == 400 and "须写明理由" in refused.content.decode()
    returned = client.post(
        f"/feedback/{item.pk}/reply/return/", {"version": item.version, "reason": "请说明依据"}
    )
    assert returned.status_code == 302
    client.force_login(world.bob)
    page = _page(client, url)
    assert "请说明依据" in page
    item = FeedbackItem.objects.get(pk=item.pk)
    client.post(url, {"version": item.version, "text": "依据《行政许可法》已压缩时限。", "submit": "1"})
    client.force_login(world.alice)
    item = FeedbackItem.objects.get(pk=item.pk)
    stale = client.post(f"/feedback/{item.pk}/reply/approve/", {"version": item.version - 1})
    assert stale.status_code == 409
    approved = client.post(f"/feedback/{item.pk}/reply/approve/", {"version": item.version}, follow=True)
    assert "答复已审核发布" in approved.content.decode()
    assert FeedbackItem.objects.get(pk=item.pk).status == FeedbackStatus.REPLIED
    assert list(FeedbackReply.objects.filter(item=item).values_list("status", flat=True).order_by("id")) == [
        "returned",
        "approved",
    ]
    client.force_login(world.vera)
    assert client.post(f"/feedback/{fb.pending.pk}/reply/approve/").status_code == 403
    client.force_login(world.lisa)
    assert client.get(f"/feedback/{fb.routed.pk}/reply/").status_code == 404


def test_close_page_keeps_input_on_error(client, world, fb):
    client.force_login(world.alice)
    url = f"/feedback/{fb.fresh.pk}/close/"
    assert "不予答复办结" in _page(client, url)
    refused = client.post(
        url, {"version": 1, "reason": "duplicate", "duplicate_of": "AAAA-AAAA-AAAA", "note": "同一事"}
    )
    assert refused.status_code == 400 and "没有对应的意见诉求" in refused.content.decode()
    assert "同一事" in refused.content.decode()
    done = client.post(
        url, {"version": 1, "reason": "duplicate", "duplicate_of": fb.routed.code.lower(), "note": "同一事"}
    )
    assert done.status_code == 302
    page = _page(client, f"/feedback/{fb.fresh.pk}/")
    assert "重复反映" in page and fb.routed.code in page and "不予答复办结（重复反映）" in page
    client.force_login(world.larry)
    assert client.get(f"/feedback/{fb.routed.pk}/close/").status_code == 403


def test_to_reply_lists_the_units_work(client, world, fb):
    client.force_login(world.bob)
    page = _page(client, "/feedback/to-reply/")
    assert fb.routed.code in page and fb.pending.code not in page  # submitted: not waiting for the unit
    client.force_login(world.alice)
    assert "共 <strong>0</strong> 件" in _page(client, "/feedback/to-reply/")


def test_statistics_page(client, world, fb):
    client.force_login(world.alice)
    page = _page(client, "/feedback/stats/")
    assert "意见诉求统计" in page and "按渠道" in page and "网上留言" in page
    assert "vendor/echarts/echarts.min.js" in page and 'id="chart-channel-data"' in page
    assert "甲局执法支队" in page
    page = _page(client, f"/feedback/stats/?organisation={world.orgs['b'].pk}")  # not hers: ignored
    assert "意见诉求统计" in page


@pytest.mark.parametrize(
    "url", ["/feedback/", "/feedback/stats/", "/feedback/to-reply/", "/feedback/export/"]
)
def test_pages_need_a_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]
