"""The portal form (我要留言), the confirmation with the tracking code, and the tracking page
(查询答复): an anonymous visitor leaves a message from a plain link, a published notice or a problem
link, reads the code, and looks the item up; mistakes are shown beside their fields and keep what
was typed; links to what is not public lead nowhere."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import timezone

from rectify.feedback.models import Channel, FeedbackItem, FeedbackStatus
from rectify.feedback.services import due_date_for

NEW = "/portal/feedback/new/"
TRACK = "/portal/feedback/track/"


def values(**changes) -> dict:
    return {"kind": "opinion", "content": "施工围挡占用人行道，行人只能走机动车道。"} | changes


def submit(client: Client, url: str, data: dict):
    response = client.post(url, data)
    return response, response.content.decode()


def test_a_visitor_leaves_an_opinion_and_reads_the_tracking_code(world, ledger):
    client = Client()
    response = client.get(NEW)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_organisation">受理单位</label>' in html
    assert f'<option value="{world.orgs["a"].pk}">甲局</option>' in html
    assert "甲局执法支队" not in html  # only organisations that were inspected or publish notices
    assert 'name="csrfmiddlewaretoken"' in html
    assert "提交留言" in html

    response = client.post(NEW, values(organisation=world.orgs["a"].pk))
    assert response.status_code == 302 and response["Location"] == "/portal/feedback/submitted/"
    item = FeedbackItem.objects.get()
    assert (item.organisation, item.channel, item.kind, item.status) == (
        world.orgs["a"],
        Channel.PORTAL,
        "opinion",
        FeedbackStatus.RECEIVED,
    )
    assert item.code not in response["Location"]  # the code never travels in a URL

    response = client.get("/portal/feedback/submitted/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<title>留言已提交 · 查询码 {item.code} · 政府信息公开</title>" in html
    assert f'<p class="feedback-code" data-tracking-code>{item.code}</p>' in html
    due = due_date_for(world.orgs["a"], timezone.localdate(item.received_at))
    assert f"{due.year}年{due.month}月{due.day}日" in html and "前答复" in html
    assert "no-store" in response["Cache-Control"]
    assert 'href="/portal/feedback/track/"' in html
    # The confirmation is only the sender's: another visitor's session has nothing to show.
    assert Client().get("/portal/feedback/submitted/").status_code == 404


def test_the_tracking_page_finds_an_item_by_its_code_as_typed(world, ledger):
    client = Client()
    client.post(NEW, values(organisation=world.orgs["a"].pk))
    item = FeedbackItem.objects.get()
    typed = item.code.lower().replace("-", " ")
    response = client.post(TRACK, {"code": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert "查询结果" in html and item.code in html
    assert "已受理" in html and "意见建议" in html and "甲局" in html
    assert "no-store" in response["Cache-Control"]


def test_unknown_and_malformed_codes_get_the_same_kind_answer(world):
    answers = []
    for code in ("AAAA-BBBB-CCCC", "not-a-code", "0000-1111-OOOO"):
        response = Client().post(TRACK, {"code": code})
        html = response.content.decode()
        answers.append((response.status_code, "未找到与该查询码对应的留言" in html, "查询结果" in html))
    assert answers == [(200, True, False)] * 3
    response = Client().post(TRACK, {"code": ""})
    html = response.content.decode()
    assert response.status_code == 400 and "请输入查询码" in html
    assert 'href="#id_code"' in html  # the error summary links to the field
    assert 'aria-describedby="id_code_helptext id_code_error"' in html


def test_a_link_from_a_published_notice_ties_the_form_to_its_inspection(published, ledger, world):
    client = Client()
    notice = client.get(f"/portal/notices/{published.pk}/").content.decode()
    link = f"/portal/feedback/new/?inspection={ledger.inspection.pk}"
    assert f'href="{link}"' in notice and "对本通报提出意见建议" in notice

    html = client.get(link).content.decode()
    assert "id_organisation" not in html  # the inspection says who receives it
    assert "<dt>受理单位</dt><dd>甲局</dd>" in html and f"<dd>{ledger.inspection.title}</dd>" in html
    problem = ledger.measures[(3, 1)].problem
    assert f'<option value="{problem.pk}">问题3：审批时限过长的整改</option>' in html
    assert 'href="tel:020-88886666"' in html  # the notice's own ways of reaching the office

    response = client.post(link, values(problem=problem.pk))
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert (item.organisation, item.inspection, item.problem) == (world.orgs["a"], ledger.inspection, problem)


def test_a_problem_link_preselects_the_problem_and_a_measure_link_fixes_it(published, ledger):
    problem = ledger.measures[(2, 1)].problem
    html = Client().get(f"{NEW}?problem={problem.pk}").content.decode()
    assert f'<option value="{problem.pk}" selected>问题2：非法营运打击不力的整改</option>' in html

    measure = ledger.measures[(1, 2)]
    url = f"{NEW}?measure={measure.pk}"
    html = Client().get(url).content.decode()
    assert "id_problem" not in html
    assert "<dt>问题</dt><dd>问题1：执法不规范的整改</dd>" in html and "<dd>加强执法培训。</dd>" in html
    assert Client().post(url, values()).status_code == 302
    item = FeedbackItem.objects.get()
    assert (item.measure, item.problem, item.inspection) == (measure, measure.problem, ledger.inspection)


def test_links_to_unpublished_unknown_or_contradicting_things_are_not_found(ledger, world):
    problem = ledger.measures[(1, 1)].problem  # bureau A's notice is not published here
    for query in (
        f"inspection={ledger.inspection.pk}",
        f"problem={problem.pk}",
        f"measure={ledger.measures[(1, 1)].pk}",
        "problem=999999",
        "problem=abc",
        "org=999999",
        f"org={world.orgs['a1'].pk}",  # a unit: neither inspected nor publishing
    ):
        response = Client().get(f"{NEW}?{query}")
        html = response.content.decode()
        assert response.status_code == 404, query
        assert "无法打开留言页面" in html and problem.title not in html, query
        assert Client().post(f"{NEW}?{query}", values()).status_code == 404, query
    assert not FeedbackItem.objects.exists()


def test_a_contradicting_link_is_not_found(published, ledger, world):
    problem = ledger.measures[(1, 1)].problem
    for query in (
        f"problem={problem.pk}&measure={ledger.measures[(2, 1)].pk}",
        f"problem={problem.pk}&org={world.orgs['b'].pk}",
    ):
        assert Client().get(f"{NEW}?{query}").status_code == 404, query


def test_an_enterprise_demand_with_contacts_and_consent(world, ledger):
    client = Client()
    response = client.post(
        NEW,
        values(
            organisation=world.orgs["a"].pk,
            kind="demand",
            content="企业办理道路运输许可需重复提交材料。",
            name="张三",
            phone="138 1234 5678",
            email="Zhang@Example.com",
            enterprise="某某物流有限公司",
            credit_code="91350100M000100Y43",
            consent_to_contact="on",
        ),
    )
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert (item.kind, item.enterprise, item.credit_code, item.consent_to_contact) == (
        "demand",
        "某某物流有限公司",
        "91350100M000100Y43",
        True,
    )
    assert (item.sender_name, item.sender_phone, item.sender_email) == (
        "张三",
        "13812345678",
        "zhang@example.com",
    )
    html = client.get("/portal/feedback/submitted/").content.decode()
    for private in ("张三", "13812345678", "zhang@example.com"):
        assert private not in html


def test_mistakes_are_shown_beside_their_fields_and_nothing_typed_is_lost(world, ledger):
    response, html = submit(
        Client(),
        NEW,
        {
            "kind": "opinion",
            "content": "",
            "phone": "12345",
            "email": "not-an-email",
            "credit_code": "91350100M000100Y44",
            "name": "李四",
            "enterprise": "某某公司",
        },
    )
    assert response.status_code == 400
    assert "未能提交，请修改以下内容：" in html and "<title>未能提交 · 我要留言" in html
    for anchor, message in (
        ("id_organisation", "受理单位：请选择受理单位。"),
        ("id_content", "内容：请填写内容。"),
        ("id_phone", "联系电话（可不填）：联系电话格式不正确"),
        ("id_email", "电子邮箱（可不填）：电子邮箱格式不正确"),
        ("id_credit_code", "统一社会信用代码：统一社会信用代码的校验位不正确"),
    ):
        assert re.search(f'<a href="#{anchor}">{re.escape(message)}', html), anchor
        assert f'aria-describedby="{anchor}_helptext {anchor}_error"' in html, anchor
        assert 'aria-invalid="true"' in html
    for typed in ('value="12345"', 'value="not-an-email"', 'value="李四"', 'value="某某公司"'):
        assert typed in html
    assert not FeedbackItem.objects.exists()


def test_contacts_need_consent_and_consent_needs_a_contact(world, ledger):
    org = world.orgs["a"].pk
    response, html = submit(Client(), NEW, values(organisation=org, phone="13812345678"))
    assert response.status_code == 400 and "留下电话或电子邮箱时，请勾选同意联系" in html
    response, html = submit(Client(), NEW, values(organisation=org, consent_to_contact="on"))
    assert response.status_code == 400 and "勾选同意联系时，请至少留下电话或电子邮箱" in html
    assert not FeedbackItem.objects.exists()
    # A name alone is not a way to be contacted: no consent needed.
    response, _html = submit(Client(), NEW, values(organisation=org, name="王五"))
    assert response.status_code == 302


def test_the_form_explains_privacy_and_keeps_its_honeypot_out_of_reach(world):
    html = Client().get(NEW).content.decode()
    assert "不留联系方式也可以留言，凭查询码查看答复" in html and "加密保存" in html
    trap = re.search(r'<div class="feedback-trap" aria-hidden="true">(.*?)</div>', html, re.S).group(1)
    assert 'name="website"' in trap and 'tabindex="-1"' in trap and 'autocomplete="off"' in trap


def test_the_portal_navigation_leads_to_the_form_and_the_tracking_page(db):
    html = Client().get("/portal/").content.decode()
    assert f'<a href="{NEW}">我要留言</a>' in html and f'<a href="{TRACK}">查询答复</a>' in html
    html = Client().get(TRACK).content.decode()
    assert f'<a href="{TRACK}" aria-current="page">查询答复</a>' in html
    assert Client().get("/portal/feedback/").headers["Location"] == TRACK
