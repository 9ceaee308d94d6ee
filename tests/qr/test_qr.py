"""QR codes (二维码): the office of an organisation makes them for a site, a problem or a measure,
downloads them (SVG, PNG), prints the A4 poster, and switches them off and on; a scan opens the form
tied to what the code names and is counted, and the items sent through it record the code. Nobody
else sees or touches them."""

from __future__ import annotations

import io

import pytest
import segno
from django.conf import settings
from django.test import Client
from lxml import etree

from rectify.feedback.models import FeedbackItem
from rectify.feedback.qr.models import QrCode
from rectify.feedback.qr.services import create_qr, portal_url, svg_bytes
from rectify.org.models import User

from .conftest import CONTACT

SVG = "{http://www.w3.org/2000/svg}"


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def code(ledger, world):
    """A code on the permit board of a road-works site, about measure 1.2 of bureau A."""
    ledger.inspection.contact = CONTACT
    ledger.inspection.save()
    return create_qr(
        world.alice,
        organisation=world.orgs["a"],
        label="环市路施工围挡公示牌",
        site="环市路与建设路交叉口",
        measure=ledger.measures[(1, 2)],
    )


def test_the_office_creates_a_code_for_a_measure(ledger, world):
    alice = signed_in("alice")
    html = alice.get("/feedback/qr/new/").content.decode()
    assert f'<option value="{world.orgs["a"].pk}" selected>甲局</option>' in html
    assert "措施1.2：加强执法培训。" in html and "问题3：审批时限过长的整改" in html
    assert "中共乙局党组" not in html  # bureau B's ledger is not alice's
    measure = ledger.measures[(3, 2)]
    response = alice.post(
        "/feedback/qr/new/",
        {
            "organisation": world.orgs["a"].pk,
            "label": "政务大厅海报",
            "site": "政务服务大厅",
            "measure": measure.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/feedback/qr/"
    qr = QrCode.objects.get()
    assert (qr.organisation, qr.measure, qr.problem, qr.created_by, qr.active) == (
        world.orgs["a"],
        measure,
        measure.problem,
        world.alice,
        True,
    )
    assert len(qr.token) >= 16
    html = alice.get("/feedback/qr/").content.decode()
    assert "已生成二维码“政务大厅海报”" in html and "政务服务大厅" in html


def test_the_form_refuses_what_does_not_fit(ledger, world):
    alice = signed_in("alice")
    a = world.orgs["a"].pk
    for data, words in (
        ({"organisation": a, "label": ""}, "这个字段是必填项"),
        (
            {"organisation": a, "label": "x", "measure": ledger.other.problems.first().measures.first().pk},
            "选择一个有效的选项",
        ),
        ({"organisation": world.orgs["b"].pk, "label": "x"}, "选择一个有效的选项"),
        (
            {
                "organisation": a,
                "label": "x",
                "problem": ledger.measures[(2, 1)].problem.pk,
                "measure": ledger.measures[(1, 1)].pk,
            },
            "所选整改措施不属于所选问题",
        ),
    ):
        response = alice.post("/feedback/qr/new/", data)
        assert response.status_code == 400, data
        assert words in response.content.decode(), data
    assert not QrCode.objects.exists()


def test_only_the_office_of_the_organisation_sees_and_manages_its_codes(code, world):
    urls = [f"/feedback/qr/{code.pk}/{end}" for end in ("qr.svg", "qr.png", "poster/", "poster.svg")]
    for username in ("bob", "hana", "larry", "vera", "sam", "nobody"):
        client = signed_in(username)
        assert client.get("/feedback/qr/").status_code == 403, username
        assert client.get("/feedback/qr/new/").status_code == 403, username
        for url in urls:
            assert client.get(url).status_code == 404, (username, url)
        assert client.post(f"/feedback/qr/{code.pk}/deactivate/").status_code == 404, username
    charlie = signed_in("charlie")  # another bureau's office
    assert "环市路施工围挡公示牌" not in charlie.get("/feedback/qr/").content.decode()
    for url in urls:
        assert charlie.get(url).status_code == 404, url
    assert charlie.post(f"/feedback/qr/{code.pk}/deactivate/").status_code == 404
    assert QrCode.objects.get(pk=code.pk).active
    assert Client().get("/feedback/qr/").status_code == 302  # to the login page


def test_svg_and_png_downloads_carry_the_portal_address(code):
    alice = signed_in("alice")
    assert portal_url(code) == f"{settings.RECTIFY_SITE_URL.rstrip('/')}/portal/feedback/q/{code.token}/"
    response = alice.get(f"/feedback/qr/{code.pk}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"].startswith("attachment;")
    root = etree.fromstring(response.content)
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}path") is not None
    expected = io.BytesIO()
    segno.make(portal_url(code), error="m").save(expected, kind="svg", scale=10, border=4, title=code.label)
    assert response.content == expected.getvalue() == svg_bytes(code)

    response = alice.get(f"/feedback/qr/{code.pk}/qr.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(response.content[16:20], "big")  # IHDR
    modules = segno.make(portal_url(code), error="m").symbol_size(scale=1, border=4)[0]
    assert width == modules * 10
    large = alice.get(f"/feedback/qr/{code.pk}/qr.png?scale=1000").content
    assert int.from_bytes(large[16:20], "big") == modules * 40  # the scale is bounded


def test_the_poster_page_and_the_poster_svg(code):
    alice = signed_in("alice")
    response = alice.get(f"/feedback/qr/{code.pk}/poster/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="poster-title">扫码反映问题</h1>' in html and "甲局" in html
    for words in (
        "<dt>地点</dt><dd>环市路与建设路交叉口</dd>",
        "<dt>问题</dt><dd>问题1：执法不规范的整改</dd>",
        "<dt>整改措施</dt><dd>加强执法培训。</dd>",
        "用手机扫描二维码",
        "提交后记下页面上的查询码",
        "凭查询码在网上查询答复",
        "监督电话：020-88886666",
        "电子邮箱：jubao@example.gov.cn",
        "15 个工作日内答复",
        portal_url(code),
        'href="/static/feedback/poster.css"',
    ):
        assert words in html, words
    assert (
        '<svg shape-rendering="crispEdges" role="img" aria-label="二维码：扫码打开留言页面" '
        'xmlns="http://www.w3.org/2000/svg"'
    ) in html
    assert 'class="poster-symbol"' in html and "viewBox=" in html

    response = alice.get(f"/feedback/qr/{code.pk}/poster.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = etree.fromstring(response.content)
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("210mm", "297mm", "0 0 210 297")
    texts = ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]
    assert "扫码反映问题" in texts and "甲局" in texts and "1. 用手机扫描二维码" in texts
    assert any(text.startswith("地点：环市路与建设路交叉口") for text in texts)
    assert "监督电话：020-88886666" in texts
    symbol = root.find(f"{SVG}svg")
    assert symbol is not None and symbol.get("width") == "110" and symbol.find(f"{SVG}path") is not None


def test_a_scan_opens_the_tied_form_counts_and_records_the_code(code, ledger, world):
    url = f"/portal/feedback/q/{code.token}/"
    visitor = Client()
    html = visitor.get(url).content.decode()
    assert "<dt>地点</dt><dd>环市路与建设路交叉口</dd>" in html and "<dd>加强执法培训。</dd>" in html
    assert "id_organisation" not in html and "id_problem" not in html
    Client().get(url)
    assert QrCode.objects.get(pk=code.pk).scan_count == 2
    response = visitor.post(url, {"kind": "opinion", "content": "围挡遮挡了盲道"})
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert (item.qr, item.measure, item.problem, item.inspection, item.organisation) == (
        code,
        ledger.measures[(1, 2)],
        ledger.measures[(1, 2)].problem,
        ledger.inspection,
        world.orgs["a"],
    )
    assert QrCode.objects.get(pk=code.pk).scan_count == 2  # submitting is not a scan

    html = signed_in("alice").get("/feedback/qr/").content.decode()
    assert '<td class="num">2</td>\n      <td class="num">1</td>' in html  # scans, then submissions


def test_a_switched_off_code_says_so_and_can_be_switched_on_again(code):
    alice = signed_in("alice")
    response = alice.post(f"/feedback/qr/{code.pk}/deactivate/")
    assert response.status_code == 302
    url = f"/portal/feedback/q/{code.token}/"
    response = Client().get(url)
    assert response.status_code == 404 and "该二维码已停用" in response.content.decode()
    assert Client().post(url, {"kind": "opinion", "content": "x"}).status_code == 404
    assert QrCode.objects.get(pk=code.pk).scan_count == 0 and not FeedbackItem.objects.exists()
    html = alice.get("/feedback/qr/").content.decode()
    assert "已停用二维码" in html and "重新启用" in html
    assert alice.get(f"/feedback/qr/{code.pk}/deactivate/").status_code == 405
    alice.post(f"/feedback/qr/{code.pk}/activate/")
    assert Client().get(url).status_code == 200

    response = Client().get("/portal/feedback/q/no-such-token/")
    assert response.status_code == 404 and "该二维码无效" in response.content.decode()


def test_labels_are_plain_text(ledger, world):
    qr = create_qr(
        world.alice, organisation=world.orgs["a"], label='<script>alert(1)</script>公示牌"><img src=x>'
    )
    assert "<" not in qr.label
    html = signed_in("alice").get("/feedback/qr/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
