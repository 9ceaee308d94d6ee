"""Issue 13, part 4: a sign-off whose latest accepted report says the work is not finished (below 100%,
or not at a finishing stage) warns the deciders at each of the three levels, on the page and in the
API; they may still decide, but only with a comment (refused in Chinese, 400, nothing changed)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rectify.ledger.choices import MeasureStatus
from rectify.progress import services
from rectify.progress.models import SignOff, SignOffDecision

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WARNING = "最近一次采纳的进展报告完成比例为 70%，所处阶段为“推进实施”，尚未达到完成阶段"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _request(world, measure, **report) -> SignOff:
    upload = SimpleUploadedFile("整改材料.pdf", PDF, content_type="application/pdf")
    first = services.submit_report(world.bob, measure.pk, text="已基本完成。", files=[upload], **report)
    services.review_report(world.alice, first.pk, decision="accept")
    return services.request_signoff(world.bob, measure.pk)


def _state(signoff: SignOff) -> tuple:
    signoff.refresh_from_db()
    return signoff.state, signoff.level, SignOffDecision.objects.filter(signoff=signoff).count()


def test_the_warning_says_what_the_report_says():
    class Report:
        percent, stage = 70, ""

    assert services.completion_warning(Report()) == "最近一次采纳的进展报告完成比例为 70%，尚未达到完成阶段"
    Report.percent, Report.stage = 100, "推进实施"
    assert services.completion_warning(Report()) == (
        "最近一次采纳的进展报告所处阶段为“推进实施”，尚未达到完成阶段"
    )
    for percent, stage in ((100, "已完成"), (None, ""), (100, ""), (None, "持续巩固")):
        Report.percent, Report.stage = percent, stage
        assert services.completion_warning(Report()) == ""


def test_each_level_is_warned_and_must_comment(world, ledger, media):
    measure = ledger.measures[(1, 1)]
    signoff = _request(world, measure, percent=70, stage="推进实施")
    deciders = [
        (world.hana, "/signoffs/", "page"),  # the unit head, in the queue page
        (world.alice, f"/measures/{measure.pk}/", "api"),  # the office, on the measure page; decides by API
        (world.larry, "/signoffs/", "page"),  # the lead leader
    ]
    for person, where, how in deciders:
        client = _client(person)
        page = client.get(where).content.decode()
        assert WARNING in page and "审批意见（必填）" in page, person
        data = client.get(f"/api/v1/signoffs/{signoff.pk}").json()
        assert data["completion_warning"] == WARNING
        queue = client.get("/api/v1/signoffs").json()
        assert [item["completion_warning"] for item in queue["items"]] == [WARNING]
        before = _state(signoff)
        if how == "page":
            refused = client.post(f"/signoffs/{signoff.pk}/decide/", {"decision": "approve", "comment": " "})
            assert refused.status_code == 400
            assert (
                f"{WARNING}。如仍作出审批，须填写审批意见说明理由；本次审批未执行。"
                in refused.content.decode()
            )
            assert _state(signoff) == before
            done = client.post(
                f"/signoffs/{signoff.pk}/decide/",
                {"decision": "approve", "comment": "余下工作已落实，同意。"},
            )
            assert done.status_code == 302
        else:
            url = f"/api/v1/signoffs/{signoff.pk}/decide"
            refused = client.post(url, {"decision": "approve"}, content_type="application/json")
            assert refused.status_code == 400 and refused.json()["detail"].startswith(WARNING)
            assert _state(signoff) == before
            done = client.post(
                url,
                {"decision": "approve", "comment": "同意，余下工作纳入长效机制。"},
                content_type="application/json",
            )
            assert done.status_code == 200
        assert _state(signoff)[2] == before[2] + 1
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.SIGNED_OFF
    comments = list(SignOffDecision.objects.filter(signoff=signoff).values_list("comment", flat=True))
    assert all(comments) and len(comments) == 3


def test_a_finished_report_raises_no_warning_and_needs_no_comment(world, ledger, media):
    measure = ledger.measures[(1, 1)]
    signoff = _request(world, measure, percent=100, stage="已完成")
    client = _client(world.hana)
    page = client.get("/signoffs/").content.decode()
    assert "尚未达到完成阶段" not in page and "审批意见（可不填）" in page
    assert client.get(f"/api/v1/signoffs/{signoff.pk}").json()["completion_warning"] == ""
    assert client.post(f"/signoffs/{signoff.pk}/decide/", {"decision": "approve"}).status_code == 302
    assert _state(signoff)[1] == "office"
