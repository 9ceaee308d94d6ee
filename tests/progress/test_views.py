"""The progress pages through the full stack, for every role: who sees what, what each may do,
and that a refused action (by rule or by a bad upload) is explained in Chinese and changes nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.ledger.models import Measure
from rectify.progress import services
from rectify.progress.models import (
    Evidence,
    FollowUp,
    ProgressReport,
    ReportState,
    SignOff,
    SignOffDecision,
    SignOffState,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "整改材料.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def signed_in(username: str) -> Client:
    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def m11(ledger, media):
    """Measure 1.1: unit A1 responsible (Bob liaison, Hana head), Larry leads."""
    return ledger.measures[(1, 1)]


def page_of(response) -> str:
    return response.content.decode()


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def snapshot(measure: Measure) -> tuple:
    """Everything an action on the measure could change."""
    measure = Measure.objects.get(pk=measure.pk)
    return (
        measure.status,
        measure.version,
        measure.reopen_reason,
        sorted(ProgressReport.objects.filter(measure=measure).values_list("pk", "state", "review_comment")),
        sorted(SignOff.objects.filter(measure=measure).values_list("pk", "state", "level")),
        SignOffDecision.objects.filter(signoff__measure=measure).count(),
        sorted(FollowUp.objects.filter(measure=measure).values_list("pk", "outcome")),
        Evidence.objects.count(),
    )


def accepted_report(world, measure, by="bob") -> ProgressReport:
    report = services.submit_report(world.people[by], measure.pk, text="已完成整改。", files=[pdf()])
    return services.review_report(world.alice, report.pk, decision="accept")


def signed_off(world, measure) -> Measure:
    accepted_report(world, measure)
    signoff = services.request_signoff(world.bob, measure.pk)
    for person in (world.hana, world.alice, world.larry):
        services.decide_signoff(person, signoff.pk, decision="approve")
    return Measure.objects.get(pk=measure.pk)


# ------------------------------------------------------------------ login, methods, CSRF


def test_every_page_and_action_needs_a_login(m11):
    client = Client()
    for url in ("/my/", "/review/", "/signoffs/", f"/measures/{m11.pk}/report/", "/evidence/1/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    for url in (
        "/reports/1/review/",
        f"/measures/{m11.pk}/signoff/",
        "/signoffs/1/decide/",
        f"/measures/{m11.pk}/followups/",
        "/followups/1/record/",
    ):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_actions_take_only_post_and_need_the_csrf_token(m11, world):
    client = signed_in("bob")
    assert client.get(f"/measures/{m11.pk}/signoff/").status_code == 405
    assert client.get(f"/measures/{m11.pk}/followups/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.bob)
    before = snapshot(m11)
    response = strict.post(f"/measures/{m11.pk}/report/", {"text": "无令牌的报送。"})
    assert response.status_code == 403 and snapshot(m11) == before


# ------------------------------------------------------------------ 我的整改


def test_my_measures_lists_the_units_measures_with_what_each_needs(m11, ledger, world):
    page = page_of(signed_in("bob").get("/my/"))
    for text in ("规范执法程序", "加强执法培训", "压缩审批时限", "推行网上办理"):
        assert text in page
    assert "打击非法营运车辆" not in page  # unit A2's
    assert page.count("尚未报送整改进展") == 4
    assert f'href="/measures/{m11.pk}/report/"' in page
    hana = page_of(signed_in("hana").get("/my/"))
    assert "规范执法程序" in hana
    lisa = page_of(signed_in("lisa").get("/my/"))
    assert "打击非法营运车辆" in lisa and "规范执法程序" not in lisa


@pytest.mark.parametrize("name", ["alice", "larry", "vera", "sam", "charlie", "nobody"])
def test_my_measures_is_empty_for_those_who_are_not_a_unit(m11, name):
    response = signed_in(name).get("/my/")
    assert response.status_code == 200 and "没有负责的整改措施" in page_of(response)
    assert "规范执法程序" not in page_of(response)


def test_my_measures_shows_returns_reopenings_signoff_returns_and_deadlines(m11, ledger, world):
    today = timezone.localdate()
    report = services.submit_report(world.bob, m11.pk, text="初稿。", files=[pdf()])
    services.review_report(world.alice, report.pk, decision="return", comment="缺少会议纪要。")
    m12 = ledger.measures[(1, 2)]
    accepted_report(world, m12)
    signoff = services.request_signoff(world.bob, m12.pk)
    services.decide_signoff(world.hana, signoff.pk, decision="return", comment="培训签到表不全。")
    m31 = ledger.measures[(3, 1)]
    signed_off(world, m31)
    followup = services.schedule_followup(world.alice, m31.pk, due_on=today)
    services.record_followup(
        world.alice,
        followup.pk,
        outcome="relapse",
        note="审批时限再次超标。",
        new_deadline=today + timedelta(days=60),
    )
    m32 = ledger.measures[(3, 2)]
    Measure.objects.filter(pk=m32.pk).update(deadline=today - timedelta(days=3))
    Measure.objects.filter(pk=m11.pk).update(deadline=today + timedelta(days=5))

    page = page_of(signed_in("bob").get("/my/"))
    assert "被退回：缺少会议纪要。" in page and f"?answers={report.pk}" in page and "答复退回" in page
    assert "销号申请被退回（责任单位负责人审核）：培训签到表不全。" in page and "重新申请销号" in page
    assert "回头看发现反弹：审批时限再次超标。" in page
    assert "已超期 3 天" in page and "还有 5 天到期" in page
    # A returned report is answered rather than reported anew; a reported period is not asked again.
    assert page.count("尚未报送整改进展") == 1  # only 3.2


def test_my_measures_queries_do_not_grow_with_rows(m11, ledger, world):
    client = signed_in("bob")
    signed_off(world, m11)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/my/").status_code == 200
    for key in ((1, 2), (3, 1)):
        report = services.submit_report(world.bob, ledger.measures[key].pk, text="进展。", files=[pdf()])
        services.review_report(world.alice, report.pk, decision="return", comment="请补充。")
    signed_off(world, ledger.measures[(3, 2)])
    Measure.objects.filter(pk=ledger.measures[(1, 2)].pk).update(deadline=date(2020, 1, 1))
    with CaptureQueriesContext(connection) as many:
        assert client.get("/my/").status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("period", ["monthly", "quarterly", "half_yearly"])
def test_reported_this_period_in_bulk_agrees_with_the_service(m11, ledger, world, period):
    from rectify.ledger.models import Inspection

    Inspection.objects.filter(pk=ledger.inspection.pk).update(report_period=period)
    services.submit_report(world.bob, m11.pk, text="本期进展。")
    returned = services.submit_report(world.bob, ledger.measures[(1, 2)].pk, text="退回的进展。")
    services.review_report(world.alice, returned.pk, decision="return", comment="不具体。")
    old = services.submit_report(world.bob, ledger.measures[(3, 1)].pk, text="上期进展。")
    ProgressReport.objects.filter(pk=old.pk).update(period_start=date(2000, 1, 1))
    today = timezone.localdate()
    measures = Measure.objects.filter(problem__inspection=ledger.inspection).select_related(
        "problem__inspection"
    )
    bulk = {m.pk: m.reported_this_period for m in services.with_reported_this_period(measures, today)}
    one_by_one = {m.pk: services.reported_this_period(m, today) for m in measures}
    assert bulk == one_by_one and bulk[m11.pk] and not bulk[ledger.measures[(1, 2)].pk]


# ------------------------------------------------------------------ the report form


def test_the_report_form_is_for_the_responsible_unit_only(m11, ledger):
    page = page_of(signed_in("bob").get(f"/measures/{m11.pk}/report/"))
    for text in ("报送整改进展", "进展情况", "完成比例", "所处阶段", "佐证材料", 'type="file"', "multiple"):
        assert text in page
    assert signed_in("hana").get(f"/measures/{m11.pk}/report/").status_code == 200
    for name in ("alice", "larry", "vera", "sam"):
        response = signed_in(name).get(f"/measures/{m11.pk}/report/")
        assert response.status_code == 403 and "只有该措施的责任单位" in page_of(response), name
    for name in ("lisa", "charlie", "nobody"):
        assert signed_in(name).get(f"/measures/{m11.pk}/report/").status_code == 404, name


def test_a_unit_reports_with_several_files_through_the_page(m11, media):
    client = signed_in("bob")
    response = client.post(
        f"/measures/{m11.pk}/report/",
        {
            "text": "已制定执法规范。",
            "percent": "40",
            "stage": "推进实施",
            "files": [pdf("方案.pdf"), pdf("通知.pdf")],
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/measures/{m11.pk}/#reports"
    report = ProgressReport.objects.get()
    assert (report.text, report.percent, report.stage, report.revision) == (
        "已制定执法规范。",
        40,
        "推进实施",
        1,
    )
    assert sorted(report.evidence.values_list("original_name", flat=True)) == ["方案.pdf", "通知.pdf"]
    assert len(stored_files(media)) == 2
    page = page_of(client.get(response["Location"]))
    assert "已报送措施 1.1的整改进展" in page and "附佐证材料 2 份" in page
    assert "方案.pdf" in page and "待审核" in page and "推进中" in page
    size = report.evidence.first().size
    assert f"{size} 字节" in page and "bytes" not in page  # the size as people read it


def test_answering_a_returned_report_shows_the_reason_and_makes_the_next_version(m11, world):
    first = services.submit_report(world.bob, m11.pk, text="初稿。", files=[pdf()])
    services.review_report(world.alice, first.pk, decision="return", comment="缺少会议纪要。")
    client = signed_in("bob")
    page = page_of(client.get(f"/measures/{m11.pk}/report/?answers={first.pk}"))
    assert "答复退回的报告" in page and "缺少会议纪要。" in page and "第 2 版" in page
    assert f'name="answers" value="{first.pk}"' in page
    response = client.post(
        f"/measures/{m11.pk}/report/", {"text": "已补充会议纪要。", "answers": first.pk, "files": [pdf()]}
    )
    assert response.status_code == 302
    second = ProgressReport.objects.get(supersedes=first)
    assert second.revision == 2
    again = client.post(f"/measures/{m11.pk}/report/", {"text": "再答复一次。", "answers": first.pk})
    assert again.status_code == 400 and "已经答复过" in page_of(again)


def test_form_errors_keep_what_the_user_typed(m11, media):
    client = signed_in("bob")
    response = client.post(f"/measures/{m11.pk}/report/", {"text": "  ", "percent": "20"})
    assert response.status_code == 400 and "请填写整改进展情况" in page_of(response)
    response = client.post(f"/measures/{m11.pk}/report/", {"text": "进展顺利。", "percent": "150"})
    page = page_of(response)
    assert response.status_code == 400 and "完成比例应在 0 到 100 之间" in page and "进展顺利。" in page
    assert not ProgressReport.objects.exists()


MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.mark.parametrize(
    "name, content, message, status",
    [
        ("整改方案.pdf", MZ, "不是可接受的佐证材料类型", 400),  # a program renamed .pdf
        ("空白.pdf", b"", "是空文件", 400),
        ("太大.pdf", PDF + b"0" * 2048, "超过上限 1 KB", 413),
        ("..%2F..%2Fsettings.pdf", PDF, "包含路径", 400),  # a traversal Django's parser leaves in the name
        (".材料.pdf", PDF, "不合规", 400),
        ("照片.png", PDF, "扩展名与内容不符", 400),
    ],
)
def test_bad_uploads_are_refused_in_chinese_and_nothing_is_stored(
    m11, media, settings, name, content, message, status
):
    settings.RECTIFY_EVIDENCE_MAX_BYTES = 1024
    response = signed_in("bob").post(
        f"/measures/{m11.pk}/report/",
        {"text": "本期进展，附材料。", "files": [pdf("正常.pdf"), SimpleUploadedFile(name, content)]},
    )
    page = page_of(response)
    assert response.status_code == status and message in page, page
    assert 'role="alert"' in page and "本期进展，附材料。" in page and "需要重新选择" in page
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert stored_files(media) == []
    assert Measure.objects.get(pk=m11.pk).status == "not_started"


def test_a_path_in_an_upload_name_is_refused_and_never_reaches_the_disk(m11, media, tmp_path):
    """Browsers send only a file's base name; Django's parser would quietly cut a path a client
    sends down to that, so the name is checked as sent (rectify.multipart) and refused."""
    boundary = "rectifyboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n进展。\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="../../evil.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = signed_in("bob").post(
        f"/measures/{m11.pk}/report/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    page = page_of(response)
    assert response.status_code == 400 and "“../../evil.pdf”包含路径" in page and "进展。" in page
    assert not ProgressReport.objects.exists() and stored_files(tmp_path) == []


@pytest.mark.parametrize("name, status", [("lisa", 404), ("alice", 403), ("vera", 403), ("sam", 403)])
def test_reporting_on_a_measure_not_ones_own_is_refused_and_stores_nothing(m11, media, name, status):
    before = snapshot(m11)
    response = signed_in(name).post(f"/measures/{m11.pk}/report/", {"text": "越权报送。", "files": [pdf()]})
    assert response.status_code == status
    assert snapshot(m11) == before and stored_files(media) == []


def test_a_measure_waiting_for_signoff_cannot_be_reported(m11, world):
    accepted_report(world, m11)
    services.request_signoff(world.bob, m11.pk)
    response = signed_in("bob").get(f"/measures/{m11.pk}/report/")
    assert response.status_code == 409 and "不能报送整改进展" in page_of(response)
    response = signed_in("bob").post(f"/measures/{m11.pk}/report/", {"text": "再报一次。"})
    assert response.status_code == 409 and ProgressReport.objects.count() == 1


# ------------------------------------------------------------------ review


def test_the_review_queue_shows_each_report_with_its_earlier_version(m11, ledger, world):
    first = services.submit_report(world.bob, m11.pk, text="初稿。", files=[pdf("旧材料.pdf")], percent=30)
    services.review_report(world.alice, first.pk, decision="return", comment="缺少会议纪要。")
    second = services.submit_report(
        world.bob,
        m11.pk,
        text="已补充纪要。",
        files=[pdf("会议纪要.pdf")],
        stage="基本完成",
        answers=first.pk,
    )
    services.submit_report(world.lisa, ledger.measures[(2, 1)].pk, text="法规处进展。")
    page = page_of(signed_in("alice").get("/review/"))
    for text in (
        "共 <strong>2</strong> 份",
        "措施 1.1",
        "执法不规范的整改",
        "甲局执法支队",
        "甲局法规处",
        "已补充纪要。",
        "基本完成",
        "会议纪要.pdf",
        "缺少会议纪要。",
        "旧材料.pdf",
        "第 2 版",
        "法规处进展。",
    ):
        assert text in page, text
    assert f"/reports/{second.pk}/review/" in page and "退回理由（必填）" in page
    evidence = second.evidence.get()
    assert f'href="/evidence/{evidence.pk}/"' in page


@pytest.mark.parametrize("name", ["bob", "hana", "larry", "vera", "sam", "charlie", "lisa"])
def test_the_review_queue_is_empty_for_everyone_but_the_office(m11, world, name):
    services.submit_report(world.bob, m11.pk, text="待审核的进展。")
    response = signed_in(name).get("/review/")
    assert response.status_code == 200 and "待审核的进展。" not in page_of(response)


def test_the_office_returns_with_a_reason_and_accepts(m11, world):
    report = services.submit_report(world.bob, m11.pk, text="初稿。", files=[pdf()])
    client = signed_in("alice")
    response = client.post(
        f"/reports/{report.pk}/review/", {"decision": "return", "comment": "  ", "next": "/review/"}
    )
    page = page_of(response)
    assert response.status_code == 400 and "退回报告时必须写明退回理由" in page and 'role="alert"' in page
    assert "待审核进展" in page  # the queue it came from, shown again with the reason to fix
    assert ProgressReport.objects.get().state == ReportState.SUBMITTED
    response = client.post(
        f"/reports/{report.pk}/review/",
        {"decision": "return", "comment": "缺少会议纪要。", "next": "/review/"},
    )
    assert response.status_code == 302 and response["Location"] == "/review/"
    assert ProgressReport.objects.get().state == ReportState.RETURNED
    second = services.submit_report(world.bob, m11.pk, text="补充。", files=[pdf()], answers=report.pk)
    response = client.post(f"/reports/{second.pk}/review/", {"decision": "accept"})
    assert response.status_code == 302 and response["Location"] == f"/measures/{m11.pk}/#reports"
    assert "已采纳措施 1.1的整改进展" in page_of(client.get(response["Location"]))
    again = client.post(f"/reports/{second.pk}/review/", {"decision": "return", "comment": "改主意"})
    assert again.status_code == 409 and "该报告已采纳，不能重复审核。" in page_of(again)


@pytest.mark.parametrize(
    "name, status", [("bob", 403), ("hana", 403), ("larry", 403), ("vera", 403), ("sam", 403), ("lisa", 404)]
)
def test_only_the_office_reviews(m11, world, name, status):
    report = services.submit_report(world.bob, m11.pk, text="进展。", files=[pdf()])
    before = snapshot(m11)
    response = signed_in(name).post(f"/reports/{report.pk}/review/", {"decision": "accept"})
    assert response.status_code == status and snapshot(m11) == before
    assert (
        signed_in("charlie").post(f"/reports/{report.pk}/review/", {"decision": "accept"}).status_code == 404
    )


def test_the_review_form_itself_is_checked(m11, world):
    report = services.submit_report(world.bob, m11.pk, text="进展。")
    response = signed_in("alice").post(f"/reports/{report.pk}/review/", {"decision": "approve-all"})
    assert response.status_code == 400 and "审核意见应为" in page_of(response)


# ------------------------------------------------------------------ sign-off


def test_a_unit_requests_signoff_and_three_levels_approve_through_the_queues(m11, world):
    accepted_report(world, m11)
    bob = signed_in("bob")
    page = page_of(bob.get(f"/measures/{m11.pk}/"))
    assert "申请销号" in page and "责任单位负责人审核 → 整改办审核 → 牵头领导审批" in page
    version = Measure.objects.get(pk=m11.pk).version
    response = bob.post(f"/measures/{m11.pk}/signoff/", {"note": "已全部完成。", "version": version})
    assert response.status_code == 302 and Measure.objects.get(pk=m11.pk).status == "signoff_requested"
    signoff = SignOff.objects.get()
    assert signed_in("bob").get("/signoffs/").content.decode().count("已全部完成。") == 0  # not his to decide

    levels = [("hana", "责任单位负责人审核"), ("alice", "整改办审核"), ("larry", "牵头领导审批")]
    for index, (name, label) in enumerate(levels):
        client = signed_in(name)
        page = page_of(client.get("/signoffs/"))
        assert "已全部完成。" in page and label in page and f"/signoffs/{signoff.pk}/decide/" in page
        for earlier_name, _ in levels[:index]:
            assert world.people[earlier_name].full_name in page  # earlier levels' decisions are shown
        for other, _ in levels[index + 1 :]:
            assert "已全部完成。" not in page_of(signed_in(other).get("/signoffs/"))  # not yet at their level
        response = client.post(
            f"/signoffs/{signoff.pk}/decide/",
            {"decision": "approve", "comment": f"{label}同意", "next": "/signoffs/"},
        )
        assert response.status_code == 302 and response["Location"] == "/signoffs/"
    assert Measure.objects.get(pk=m11.pk).status == "signed_off"
    page = page_of(signed_in("vera").get(f"/measures/{m11.pk}/"))
    assert "已销号" in page and "牵头领导审批同意" in page and "责任单位负责人审核同意" in page


def test_a_stale_signoff_request_is_refused_on_the_measure_page(m11, world):
    accepted_report(world, m11)
    response = signed_in("bob").post(f"/measures/{m11.pk}/signoff/", {"note": "完成了。", "version": 1})
    page = page_of(response)
    assert response.status_code == 409 and "已被他人更新" in page and "完成了。" in page
    assert not SignOff.objects.exists()


def test_a_signoff_needs_accepted_evidence(m11, world):
    services.submit_report(world.bob, m11.pk, text="进展。")  # submitted, not accepted
    response = signed_in("bob").post(f"/measures/{m11.pk}/signoff/", {"note": "申请。"})
    assert response.status_code == 400 and "已采纳且附有佐证材料" in page_of(response)
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("name, status", [("alice", 403), ("larry", 403), ("vera", 403), ("lisa", 404)])
def test_only_the_responsible_unit_requests_signoff(m11, world, name, status):
    accepted_report(world, m11)
    before = snapshot(m11)
    response = signed_in(name).post(f"/measures/{m11.pk}/signoff/", {"note": "越权申请。"})
    assert response.status_code == status and snapshot(m11) == before


def test_a_unit_cannot_approve_its_own_signoff(m11, world):
    accepted_report(world, m11, by="hana")
    signoff = services.request_signoff(world.hana, m11.pk)
    hana = signed_in("hana")
    assert f"/signoffs/{signoff.pk}/decide/" not in page_of(hana.get("/signoffs/"))  # not in her queue
    assert f"/signoffs/{signoff.pk}/decide/" not in page_of(hana.get(f"/measures/{m11.pk}/"))
    before = snapshot(m11)
    response = hana.post(f"/signoffs/{signoff.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403 and "不能审批自己提出的销号申请" in page_of(response)
    assert snapshot(m11) == before


@pytest.mark.parametrize(
    "name, status",
    [
        ("bob", 403),
        ("vera", 403),
        ("sam", 403),
        ("alice", 403),
        ("larry", 403),
        ("lisa", 404),
        ("charlie", 404),
    ],
)
def test_only_the_current_level_decides(m11, world, name, status):
    accepted_report(world, m11)
    signoff = services.request_signoff(world.bob, m11.pk)
    before = snapshot(m11)
    response = signed_in(name).post(f"/signoffs/{signoff.pk}/decide/", {"decision": "approve"})
    assert response.status_code == status and snapshot(m11) == before


def test_a_return_needs_a_reason_and_goes_back_to_the_unit(m11, world):
    accepted_report(world, m11)
    signoff = services.request_signoff(world.bob, m11.pk)
    hana = signed_in("hana")
    response = hana.post(f"/signoffs/{signoff.pk}/decide/", {"decision": "return", "next": "/signoffs/"})
    page = page_of(response)
    assert response.status_code == 400 and "必须写明理由" in page and "待审批销号" in page
    assert SignOff.objects.get().state == SignOffState.PENDING
    response = hana.post(f"/signoffs/{signoff.pk}/decide/", {"decision": "return", "comment": "签到表不全。"})
    assert response.status_code == 302 and SignOff.objects.get().state == SignOffState.RETURNED
    page = page_of(signed_in("bob").get(f"/measures/{m11.pk}/"))
    assert "签到表不全。" in page and "已退回" in page and f'action="/measures/{m11.pk}/signoff/"' in page


def test_the_measure_page_shows_the_decision_form_only_to_the_current_level(m11, world):
    accepted_report(world, m11)
    signoff = services.request_signoff(world.bob, m11.pk)
    form = f'action="/signoffs/{signoff.pk}/decide/"'
    assert form in page_of(signed_in("hana").get(f"/measures/{m11.pk}/"))
    for name in ("bob", "alice", "larry", "vera"):
        page = page_of(signed_in(name).get(f"/measures/{m11.pk}/"))
        assert form not in page and "当前环节，待审批" in page, name


def test_a_long_term_measure_offers_no_signoff(m11, world):
    Measure.objects.filter(pk=m11.pk).update(category="long_term")
    accepted_report(world, m11)
    page = page_of(signed_in("bob").get(f"/measures/{m11.pk}/"))
    assert "不申请销号" in page and f'action="/measures/{m11.pk}/signoff/"' not in page
    assert "报送进展" in page


# ------------------------------------------------------------------ follow-up


def test_the_office_schedules_a_followup_and_a_relapse_reopens_the_measure(m11, ledger, world):
    signed_off(world, m11)
    alice = signed_in("alice")
    assert f'action="/measures/{m11.pk}/followups/"' in page_of(alice.get(f"/measures/{m11.pk}/"))
    response = alice.post(f"/measures/{m11.pk}/followups/", {"due_on": "2099-06-01"})
    assert response.status_code == 302 and response["Location"] == f"/measures/{m11.pk}/#followups"
    followup = FollowUp.objects.get()
    assert followup.due_on == date(2099, 6, 1)
    response = alice.post(f"/followups/{followup.pk}/record/", {"outcome": "relapse", "note": ""})
    page = page_of(response)
    assert response.status_code == 400 and "发现反弹时必须写明反弹情况" in page
    assert Measure.objects.get(pk=m11.pk).status == "signed_off"
    # A relapse asks for a new deadline: refused without one, nothing changed, nothing typed lost.
    response = alice.post(
        f"/followups/{followup.pk}/record/", {"outcome": "relapse", "note": "执法程序问题再次出现。"}
    )
    page = page_of(response)
    assert response.status_code == 400 and "须确定新的整改时限" in page and "执法程序问题再次出现。" in page
    assert Measure.objects.get(pk=m11.pk).status == "signed_off"
    response = alice.post(
        f"/followups/{followup.pk}/record/",
        {"outcome": "relapse", "note": "执法程序问题再次出现。", "new_deadline": "2099-09-30"},
    )
    assert response.status_code == 302
    measure = Measure.objects.get(pk=m11.pk)
    assert measure.status == "reopened" and measure.reopen_reason == "执法程序问题再次出现。"
    assert measure.deadline == date(2099, 9, 30)
    change = measure.deadline_changes.get()
    assert (change.kind, change.new_deadline, change.reason) == (
        "relapse",
        date(2099, 9, 30),
        measure.reopen_reason,
    )
    page = page_of(alice.get(f"/measures/{m11.pk}/"))
    assert "2099年9月30日前重新整改到位" in page and "回头看发现反弹，重新确定整改时限" in page
    for name in ("bob", "vera", "larry"):
        page = page_of(signed_in(name).get(f"/measures/{m11.pk}/"))
        assert "回头看发现反弹，措施重新整改" in page and "执法程序问题再次出现。" in page, name
    ledger_page = page_of(signed_in("bob").get("/measures/"))
    assert "反弹：执法程序问题再次出现。" in ledger_page
    problem_page = page_of(signed_in("larry").get(f"/problems/{m11.problem_id}/"))
    assert "反弹：执法程序问题再次出现。" in problem_page


def test_a_stable_followup_keeps_the_measure_signed_off(m11, world):
    signed_off(world, m11)
    followup = services.schedule_followup(world.alice, m11.pk, due_on=date(2099, 1, 1))
    response = signed_in("alice").post(
        f"/followups/{followup.pk}/record/", {"outcome": "stable", "note": "未见反弹。"}
    )
    assert response.status_code == 302 and Measure.objects.get(pk=m11.pk).status == "signed_off"
    assert "未见反弹。" in page_of(signed_in("bob").get(f"/measures/{m11.pk}/"))


@pytest.mark.parametrize(
    "name, status", [("bob", 403), ("hana", 403), ("larry", 403), ("vera", 403), ("sam", 403)]
)
def test_only_the_office_schedules_and_records_followups(m11, world, name, status):
    signed_off(world, m11)
    followup = services.schedule_followup(world.alice, m11.pk, due_on=date(2099, 1, 1))
    before = snapshot(m11)
    client = signed_in(name)
    assert client.post(f"/measures/{m11.pk}/followups/", {"due_on": "2099-02-01"}).status_code == status
    response = client.post(f"/followups/{followup.pk}/record/", {"outcome": "relapse", "note": "越权记录。"})
    assert response.status_code == status and snapshot(m11) == before
    assert f'action="/followups/{followup.pk}/record/"' not in page_of(client.get(f"/measures/{m11.pk}/"))


def test_a_followup_needs_a_signed_off_measure_and_a_date(m11, world):
    alice = signed_in("alice")
    response = alice.post(f"/measures/{m11.pk}/followups/", {"due_on": "2099-01-01"})
    assert response.status_code == 409 and "只有已销号" in page_of(response)
    signed_off(world, m11)
    response = alice.post(f"/measures/{m11.pk}/followups/", {"due_on": "明天"})
    assert response.status_code == 400 and "有效的日期" in page_of(response)
    assert not FollowUp.objects.exists()


# ------------------------------------------------------------------ the supervisor watches, never acts


def test_the_supervisor_sees_everything_and_can_do_nothing(m11, world, media):
    report = services.submit_report(world.bob, m11.pk, text="进展。", files=[pdf()])
    page = page_of(signed_in("vera").get(f"/measures/{m11.pk}/"))
    assert "进展。" in page and "整改材料.pdf" in page
    assert "<form" not in page.split("<main", 1)[1]  # no action form at all on her measure page
    vera = signed_in("vera")
    before = snapshot(m11)
    attempts = [
        vera.post(f"/measures/{m11.pk}/report/", {"text": "监督报送。", "files": [pdf()]}),
        vera.post(f"/reports/{report.pk}/review/", {"decision": "accept"}),
        vera.post(f"/measures/{m11.pk}/signoff/", {"note": "监督申请。"}),
        vera.post(f"/measures/{m11.pk}/followups/", {"due_on": "2099-01-01"}),
    ]
    assert [response.status_code for response in attempts] == [403, 403, 403, 403]
    assert snapshot(m11) == before and len(stored_files(media)) == 1
    services.review_report(world.alice, report.pk, decision="accept")
    signoff = services.request_signoff(world.bob, m11.pk)
    before = snapshot(m11)
    assert vera.post(f"/signoffs/{signoff.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert snapshot(m11) == before


# ------------------------------------------------------------------ evidence download


@pytest.mark.parametrize("name", ["bob", "hana", "alice", "larry", "vera", "sam"])
def test_evidence_downloads_as_an_attachment_for_those_who_see_the_measure(m11, world, name):
    report = services.submit_report(world.bob, m11.pk, text="进展。", files=[pdf("会议纪要 2025.pdf")])
    evidence = report.evidence.get()
    response = signed_in(name).get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Its own policy, stricter than the site's (which django-csp leaves alone): a file runs nothing.
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81%202025.pdf" in response["Content-Disposition"]
    )


@pytest.mark.parametrize("name", ["lisa", "charlie", "nobody"])
def test_evidence_is_not_found_for_those_who_may_not_see_the_measure(m11, world, name):
    report = services.submit_report(world.bob, m11.pk, text="进展。", files=[pdf()])
    response = signed_in(name).get(f"/evidence/{report.evidence.get().pk}/")
    assert response.status_code == 404 and "佐证材料不存在" in page_of(response)
    assert signed_in("alice").get("/evidence/999999/").status_code == 404


# ------------------------------------------------------------------ redirects, the measure page, queries


def test_next_must_stay_on_this_site(m11, world):
    report = services.submit_report(world.bob, m11.pk, text="进展。")
    response = signed_in("alice").post(
        f"/reports/{report.pk}/review/", {"decision": "accept", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/measures/{m11.pk}/#reports"


def test_the_measure_page_shows_versions_reviews_and_the_right_buttons(m11, world):
    first = services.submit_report(world.bob, m11.pk, text="初稿。", files=[pdf("初稿.pdf")], percent=20)
    services.review_report(world.alice, first.pk, decision="return", comment="缺少会议纪要。")
    services.submit_report(world.bob, m11.pk, text="第二稿。", files=[pdf("二稿.pdf")], answers=first.pk)
    bob = page_of(signed_in("bob").get(f"/measures/{m11.pk}/"))
    for text in (
        "第二稿。",
        "较早版本",
        "初稿。",
        "缺少会议纪要。",
        "艾丽",
        "初稿.pdf",
        "二稿.pdf",
        "20%",
        "第 2 版",
    ):
        assert text in bob, text
    assert f'href="/measures/{m11.pk}/report/"' in bob and "/review/" not in bob.split("<main", 1)[1]
    alice = page_of(signed_in("alice").get(f"/measures/{m11.pk}/"))
    assert (
        "采纳" in alice and "退回理由（必填）" in alice and f'href="/measures/{m11.pk}/report/"' not in alice
    )
    assert 'id="indicators"' in alice and "变更记录" in alice


def test_measure_page_queries_do_not_grow_with_reports_and_signoffs(m11, world):
    client = signed_in("alice")
    accepted_report(world, m11)
    signoff = services.request_signoff(world.bob, m11.pk)
    services.decide_signoff(world.hana, signoff.pk, decision="return", comment="再补充。")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/measures/{m11.pk}/").status_code == 200
    for _ in range(3):
        accepted_report(world, m11)
    signoff = services.request_signoff(world.bob, m11.pk)
    services.decide_signoff(world.hana, signoff.pk, decision="approve")
    services.decide_signoff(world.alice, signoff.pk, decision="return", comment="再补充。")
    returned = services.submit_report(world.bob, m11.pk, text="又一稿。", files=[pdf(), pdf("二.pdf")])
    services.review_report(world.alice, returned.pk, decision="return", comment="不清楚。")
    services.submit_report(world.bob, m11.pk, text="答复。", files=[pdf()], answers=returned.pk)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/measures/{m11.pk}/").status_code == 200
    assert len(many) == len(few)


def test_queue_pages_queries_do_not_grow_with_items(ledger, world, media):
    alice = signed_in("alice")
    first = services.submit_report(world.bob, ledger.measures[(1, 1)].pk, text="初稿。", files=[pdf()])
    services.review_report(world.alice, first.pk, decision="return", comment="补充。")
    services.submit_report(
        world.bob, ledger.measures[(1, 1)].pk, text="二稿。", files=[pdf()], answers=first.pk
    )
    with CaptureQueriesContext(connection) as few:
        alice.get("/review/")
    for key in ((1, 2), (3, 1), (3, 2)):
        first = services.submit_report(world.bob, ledger.measures[key].pk, text="初稿。", files=[pdf()])
        services.review_report(world.alice, first.pk, decision="return", comment="补充。")
        services.submit_report(
            world.bob, ledger.measures[key].pk, text="二稿。", files=[pdf()], answers=first.pk
        )
    with CaptureQueriesContext(connection) as many:
        alice.get("/review/")
    assert len(many) == len(few)

    hana = signed_in("hana")
    accepted = ProgressReport.objects.filter(measure=ledger.measures[(1, 1)])
    ProgressReport.objects.filter(pk__in=accepted.values("pk")).update(state="accepted", reviewer=world.alice)
    services.request_signoff(world.bob, ledger.measures[(1, 1)].pk)
    with CaptureQueriesContext(connection) as few:
        hana.get("/signoffs/")
    for key in ((1, 2), (3, 1), (3, 2)):
        latest = ProgressReport.objects.filter(measure=ledger.measures[key], state="submitted").get()
        services.review_report(world.alice, latest.pk, decision="accept")
        services.request_signoff(world.bob, ledger.measures[key].pk)
    with CaptureQueriesContext(connection) as many:
        page = page_of(hana.get("/signoffs/"))
    assert page.count("/decide/") == 8 and len(many) == len(few)


def test_progress_pages_load_nothing_from_outside_the_machine(m11, world):
    report = services.submit_report(world.bob, m11.pk, text="进展。", files=[pdf()])
    services.review_report(world.alice, report.pk, decision="accept")
    services.request_signoff(world.bob, m11.pk)
    for name, url in (
        ("bob", "/my/"),
        ("bob", f"/measures/{m11.pk}/report/"),
        ("alice", "/review/"),
        ("hana", "/signoffs/"),
        ("hana", f"/measures/{m11.pk}/"),
    ):
        page = page_of(signed_in(name).get(url))
        assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", page), url
        assert '<html lang="zh-CN">' in page and "<h1>" in page
