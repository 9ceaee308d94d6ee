"""Progress, sign-off, follow-up and indicators through the REST API: real HTTP requests through
Django's whole stack (middleware, Bearer tokens, multipart parsing), on the real database."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from rectify.ledger.models import Measure, Mechanism
from rectify.progress import services
from rectify.progress.models import (
    Evidence,
    FollowUp,
    Indicator,
    Observation,
    ProgressReport,
    SignOff,
    SignOffDecision,
)

from .test_api import token_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def api(ledger):
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def pdf(name: str = "整改材料.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post_json(client: Client, url: str, body: dict, headers: dict):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def report(client: Client, headers: dict, measure: int, text: str = "已完成阶段任务。", files=None, **fields):
    data = {"text": text, "files": files if files is not None else [pdf()], **fields}
    return client.post(f"/api/v1/measures/{measure}/reports", data, headers=headers)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def snapshot(measure: Measure) -> dict:
    """Everything a refused action must leave as it was."""
    fresh = Measure.objects.get(pk=measure.pk)
    return {
        "measure": (fresh.status, fresh.version, fresh.reopen_reason),
        "reports": list(ProgressReport.objects.values_list("pk", "state", "reviewer_id")),
        "evidence": Evidence.objects.count(),
        "signoffs": list(SignOff.objects.values_list("pk", "state", "level")),
        "decisions": SignOffDecision.objects.count(),
        "followups": list(FollowUp.objects.values_list("pk", "outcome")),
        "mechanisms": Mechanism.objects.count(),
        "indicators": Indicator.objects.count(),
        "observations": Observation.objects.count(),
        "audit": LogEntry.objects.count(),
    }


# ------------------------------------------------------------------ the whole life


def test_the_whole_life_of_a_measure_through_the_api(api, world, ledger, media):
    measure = ledger.measures[(1, 1)]
    url = f"/api/v1/measures/{measure.pk}"
    bob, alice, hana, larry = (token_for(api, name) for name in ("bob", "alice", "hana", "larry"))

    def approve_all(signoff_id: int) -> dict:
        for person in (hana, alice, larry):
            queue = api.get("/api/v1/signoffs", headers=person).json()
            assert [item["id"] for item in queue["items"]] == [signoff_id]
            response = post_json(
                api, f"/api/v1/signoffs/{signoff_id}/decide", {"decision": "approve"}, person
            )
            assert response.status_code == 200, response.content
        return response.json()

    # 1. Bob reports with a PDF; the office returns it with a reason.
    response = report(api, bob, measure.pk, text="已制定执法规范。", percent=40, stage="制度建设")
    assert response.status_code == 201, response.content
    first = response.json()
    assert (first["state"], first["revision"], first["percent"], first["stage"]) == (
        "submitted",
        1,
        40,
        "制度建设",
    )
    assert first["author"] == {"id": world.bob.pk, "name": "包博"}
    [evidence] = first["evidence"]
    assert evidence["original_name"] == "整改材料.pdf" and evidence["size"] == len(PDF)
    assert evidence["content_type"] == "application/pdf" and evidence["url"] == f"/evidence/{evidence['id']}/"
    assert api.get(url, headers=bob).json()["status"] == "in_progress"
    download = api.get(evidence["api_url"], headers=alice)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf" and "attachment" in download["Content-Disposition"]
    for outsider in ("lisa", "charlie"):
        refused = api.get(evidence["api_url"], headers=token_for(api, outsider))
        assert refused.status_code == 404 and refused.json()["detail"] == "佐证材料不存在，或您无权查看。"
    assert (
        api.get("/api/v1/evidence/999999", headers=alice).json()["detail"] == "佐证材料不存在，或您无权查看。"
    )
    response = post_json(
        api, f"/api/v1/reports/{first['id']}/review", {"decision": "return", "comment": "佐证不完整。"}, alice
    )
    assert response.status_code == 200 and response.json()["state"] == "returned"
    assert response.json()["reviewer"]["id"] == world.alice.pk

    # 2. Bob answers the returned report; the office accepts the new version.
    response = report(api, bob, measure.pk, text="补充了培训记录。", answers=first["id"])
    assert response.status_code == 201, response.content
    second = response.json()
    assert (second["revision"], second["answers"]) == (2, first["id"])
    response = post_json(api, f"/api/v1/reports/{second['id']}/review", {"decision": "accept"}, alice)
    assert response.json()["state"] == "accepted"
    versions = api.get(f"{url}/reports", headers=bob).json()
    assert [(r["id"], r["state"], r["answered_by"]) for r in versions] == [
        (second["id"], "accepted", None),
        (first["id"], "returned", second["id"]),
    ]

    # 3. Sign-off: a stale version is refused; the current one passes unit head, office, leader.
    version = api.get(url, headers=bob).json()["version"]
    stale = post_json(api, f"{url}/signoff", {"note": "已完成。", "version": version - 1}, bob)
    assert stale.status_code == 409 and "已被他人更新" in stale.json()["detail"]
    response = post_json(api, f"{url}/signoff", {"note": "已完成。", "version": version}, bob)
    assert response.status_code == 201, response.content
    signoff = response.json()
    assert (signoff["state"], signoff["level"], signoff["measure"]["status"]) == (
        "pending",
        "unit_head",
        "signoff_requested",
    )
    done = approve_all(signoff["id"])
    assert (done["state"], done["measure"]["status"]) == ("approved", "signed_off")
    assert [(d["level"], d["actor"]["id"]) for d in done["decisions"]] == [
        ("unit_head", world.hana.pk),
        ("office", world.alice.pk),
        ("leader", world.larry.pk),
    ]
    assert api.get(f"/api/v1/signoffs/{signoff['id']}", headers=bob).json()["state"] == "approved"

    # 4. Follow-up: scheduled, then a relapse with its reason reopens the measure.
    response = post_json(api, f"{url}/followups", {"due_on": "2099-12-01"}, alice)
    assert response.status_code == 201, response.content
    followup = response.json()
    assert (followup["outcome"], followup["due_on"]) == ("pending", "2099-12-01")
    response = post_json(
        api,
        f"/api/v1/followups/{followup['id']}/record",
        {"outcome": "relapse", "note": "执法程序问题再次出现。"},
        alice,
    )
    assert response.status_code == 400 and "须确定新的整改时限" in response.json()["detail"]
    assert api.get(url, headers=bob).json()["status"] == "signed_off"  # nothing changed
    response = post_json(
        api,
        f"/api/v1/followups/{followup['id']}/record",
        {"outcome": "relapse", "note": "执法程序问题再次出现。", "new_deadline": "2099-12-31"},
        alice,
    )
    assert response.status_code == 200 and response.json()["checked_by"]["id"] == world.alice.pk
    reopened = api.get(url, headers=bob).json()
    assert reopened["status"] == "reopened" and reopened["reopen_reason"] == "执法程序问题再次出现。"
    assert reopened["deadline"] == "2099-12-31"

    # 5. Reported again, accepted, signed off again; a stable check keeps it signed off.
    third = report(api, bob, measure.pk, text="重新整改完成。").json()
    early = post_json(api, f"{url}/signoff", {}, bob)
    assert early.status_code == 400 and "已采纳" in early.json()["detail"]  # pre-relapse evidence is stale
    post_json(api, f"/api/v1/reports/{third['id']}/review", {"decision": "accept"}, alice)
    response = post_json(api, f"{url}/signoff", {"note": "再次完成。"}, bob)
    assert response.status_code == 201, response.content
    assert approve_all(response.json()["id"])["measure"]["status"] == "signed_off"
    final = api.get(url, headers=bob).json()
    assert (final["status"], final["reopen_reason"]) == ("signed_off", "")
    response = post_json(api, f"{url}/followups", {"outcome": "stable", "note": "未见反弹。"}, alice)
    assert response.status_code == 201 and response.json()["outcome"] == "stable"
    followups = api.get(f"{url}/followups", headers=bob).json()
    assert sorted(f["outcome"] for f in followups) == ["relapse", "stable"]
    assert len(stored_files(media)) == 3

    # 6. The history and the audit trail show every step, each by the person who took it.
    history = api.get(f"{url}/history", headers=bob).json()
    actions = [entry["action"] for entry in history]
    # Attachments are counted on their report's line.
    assert actions.count("创建整改进展") == 3 and "创建佐证材料" not in actions
    reports = [entry["sentence"] for entry in history if entry["action"] == "创建整改进展"]
    assert all(sentence.endswith("（附件 1 个）") for sentence in reports), reports
    assert actions.count("创建销号申请") == 2 and actions.count("创建销号审批") == 6
    assert actions.count("创建回头看") == 2
    changes = [change for entry in history for change in entry["changes"]]
    assert {"field": "反弹原因", "before": "（空）", "after": "执法程序问题再次出现。"} in changes
    assert {"field": "审核意见", "before": "（空）", "after": "佐证不完整。"} in changes

    audit = api.get("/api/v1/audit", {"measure": measure.pk, "page_size": 200}, headers=alice).json()
    assert audit["count"] == LogEntry.objects.filter(additional_data__measure_id=measure.pk).count()
    items = list(reversed(audit["items"]))  # oldest first
    statuses = [
        item["changes"]["status"][1]
        for item in items
        if item["model"] == "ledger.measure" and "status" in item["changes"]
    ]
    assert statuses == [
        "in_progress",
        "signoff_requested",
        "signed_off",
        "reopened",
        "in_progress",
        "signoff_requested",
        "signed_off",
    ]
    # Only the fixture's assignment (the imported bureau replaced by its unit) was made outside a
    # request; every API step names its actor.
    assert [i["model"] for i in items if i["actor"] is None] == ["ledger.measureunit"] * 2
    actors = {(item["model"], item["action"], item["actor"]["id"]) for item in items if item["actor"]}
    assert ("progress.progressreport", "create", world.bob.pk) in actors
    assert ("progress.progressreport", "update", world.alice.pk) in actors
    assert {
        ("progress.signoffdecision", "create", p.pk) for p in (world.hana, world.alice, world.larry)
    } <= actors
    assert ("progress.followup", "update", world.alice.pk) in actors
    relapse = next(i for i in items if i["model"] == "ledger.measure" and "reopen_reason" in i["changes"])
    assert relapse["changes"]["reopen_reason"] == ["", "执法程序问题再次出现。"]
    assert relapse["changes"]["status"] == ["signed_off", "reopened"]
    assert relapse["action_label"] == "修改" and relapse["actor"] == {"id": world.alice.pk, "name": "艾丽"}


# ------------------------------------------------------------------ forbidden actions


@pytest.fixture
def scene(world, ledger, media):
    """(1,1): Hana asked for sign-off, waiting at the unit-head level. (1,2): Bob's report awaits
    review. (3,1): signed off, with a follow-up scheduled. A mechanism and an indicator exist."""
    from rectify.ledger.services import save_mechanism

    m11, m12, m31 = (ledger.measures[key] for key in ((1, 1), (1, 2), (3, 1)))
    accepted = services.submit_report(world.hana, m11.pk, text="完成。", files=[pdf()])
    services.review_report(world.alice, accepted.pk, decision="accept")
    signoff = services.request_signoff(world.hana, m11.pk)
    waiting = services.submit_report(world.bob, m12.pk, text="进展。", files=[pdf()])
    done = services.submit_report(world.bob, m31.pk, text="完成。", files=[pdf()])
    services.review_report(world.alice, done.pk, decision="accept")
    closed = services.request_signoff(world.bob, m31.pk)
    for person in (world.hana, world.alice, world.larry):
        services.decide_signoff(person, closed.pk, decision="approve")
    followup = services.schedule_followup(world.alice, m31.pk, due_on=date(2099, 1, 1))
    mechanism = save_mechanism(
        world.alice, inspection_id=ledger.inspection.pk, title="执法规范", kind="made", status="drafting"
    )
    indicator = services.add_indicator(
        world.alice, m12.pk, name="线上办理率", unit="%", baseline=50, target=90, direction="increase"
    )
    return {
        "m11": m11.pk,
        "m12": m12.pk,
        "m31": m31.pk,
        "signoff": signoff.pk,
        "report": waiting.pk,
        "followup": followup.pk,
        "mechanism": mechanism.pk,
        "indicator": indicator.pk,
        "inspection": ledger.inspection.pk,
    }


APPROVE = {"decision": "approve"}
REFUSED = [
    # (who, method, url, body, expected status): reporting
    ("lisa", "report", "/api/v1/measures/{m12}/reports", None, 404),  # another unit's measure
    ("charlie", "report", "/api/v1/measures/{m12}/reports", None, 404),  # outsider
    ("alice", "report", "/api/v1/measures/{m12}/reports", None, 403),  # the office does not report
    ("larry", "report", "/api/v1/measures/{m12}/reports", None, 403),
    ("vera", "report", "/api/v1/measures/{m12}/reports", None, 403),  # the supervisor only watches
    ("sam", "report", "/api/v1/measures/{m12}/reports", None, 403),
    ("vera", "report-nofile", "/api/v1/measures/{m12}/reports", None, 403),  # refused before "no file"
    ("lisa", "report-nofile", "/api/v1/measures/{m12}/reports", None, 404),
    # reviewing
    ("bob", "post", "/api/v1/reports/{report}/review", {"decision": "accept"}, 403),  # its own report
    ("hana", "post", "/api/v1/reports/{report}/review", {"decision": "accept"}, 403),
    ("larry", "post", "/api/v1/reports/{report}/review", {"decision": "accept"}, 403),
    ("vera", "post", "/api/v1/reports/{report}/review", {"decision": "accept"}, 403),
    ("lisa", "post", "/api/v1/reports/{report}/review", {"decision": "accept"}, 404),
    ("charlie", "post", "/api/v1/reports/{report}/review", {"decision": "accept"}, 404),
    # sign-off requests and decisions
    ("alice", "post", "/api/v1/measures/{m12}/signoff", {}, 403),
    ("vera", "post", "/api/v1/measures/{m12}/signoff", {}, 403),
    ("lisa", "post", "/api/v1/measures/{m12}/signoff", {}, 404),
    ("hana", "post", "/api/v1/signoffs/{signoff}/decide", APPROVE, 403),  # her own request
    ("alice", "post", "/api/v1/signoffs/{signoff}/decide", APPROVE, 403),  # out of turn
    ("larry", "post", "/api/v1/signoffs/{signoff}/decide", APPROVE, 403),  # out of turn
    ("bob", "post", "/api/v1/signoffs/{signoff}/decide", APPROVE, 403),  # a liaison decides nothing
    ("vera", "post", "/api/v1/signoffs/{signoff}/decide", APPROVE, 403),
    ("sam", "post", "/api/v1/signoffs/{signoff}/decide", APPROVE, 403),
    ("lisa", "post", "/api/v1/signoffs/{signoff}/decide", APPROVE, 404),
    ("charlie", "post", "/api/v1/signoffs/{signoff}/decide", APPROVE, 404),
    ("charlie", "get", "/api/v1/signoffs/{signoff}", None, 404),
    # follow-up
    ("vera", "post", "/api/v1/measures/{m31}/followups", {"due_on": "2099-02-01"}, 403),
    ("vera", "post", "/api/v1/measures/{m31}/followups", {"outcome": "stable"}, 403),
    ("bob", "post", "/api/v1/measures/{m31}/followups", {"due_on": "2099-02-01"}, 403),
    ("larry", "post", "/api/v1/measures/{m31}/followups", {"outcome": "relapse", "note": "x"}, 403),
    ("charlie", "post", "/api/v1/measures/{m31}/followups", {"due_on": "2099-02-01"}, 404),
    ("vera", "post", "/api/v1/followups/{followup}/record", {"outcome": "relapse", "note": "反弹"}, 403),
    ("bob", "post", "/api/v1/followups/{followup}/record", {"outcome": "stable"}, 403),
    ("charlie", "post", "/api/v1/followups/{followup}/record", {"outcome": "stable"}, 404),
    ("charlie", "get", "/api/v1/measures/{m31}/followups", None, 404),
    # mechanisms
    ("vera", "post", "/api/v1/mechanisms", {"inspection": "{inspection}", "title": "越权制度"}, 403),
    ("bob", "post", "/api/v1/mechanisms", {"inspection": "{inspection}", "title": "越权制度"}, 403),
    ("larry", "post", "/api/v1/mechanisms", {"inspection": "{inspection}", "title": "越权制度"}, 403),
    ("charlie", "post", "/api/v1/mechanisms", {"inspection": "{inspection}", "title": "越权制度"}, 404),
    ("vera", "patch", "/api/v1/mechanisms/{mechanism}", {"title": "改名"}, 403),
    ("charlie", "patch", "/api/v1/mechanisms/{mechanism}", {"title": "改名"}, 404),
    # indicators
    ("vera", "post", "/api/v1/measures/{m12}/indicators", {"name": "n", "baseline": 1, "target": 2}, 403),
    ("larry", "post", "/api/v1/measures/{m12}/indicators", {"name": "n", "baseline": 1, "target": 2}, 403),
    ("lisa", "post", "/api/v1/measures/{m12}/indicators", {"name": "n", "baseline": 1, "target": 2}, 404),
    (
        "vera",
        "post",
        "/api/v1/indicators/{indicator}/observations",
        {"observed_on": "2025-01-01", "value": 1},
        403,
    ),
    (
        "lisa",
        "post",
        "/api/v1/indicators/{indicator}/observations",
        {"observed_on": "2025-01-01", "value": 1},
        404,
    ),
    ("charlie", "get", "/api/v1/measures/{m12}/indicators", None, 404),
    ("charlie", "get", "/api/v1/measures/{m12}/reports", None, 404),
]


@pytest.mark.parametrize(
    "name, method, url, body, expected",
    REFUSED,
    ids=[f"{case[0]}-{case[1]}-{case[2].split('/')[3]}-{case[4]}-{n}" for n, case in enumerate(REFUSED)],
)
def test_forbidden_actions_are_refused_and_change_nothing(
    api, world, ledger, media, scene, name, method, url, body, expected
):
    headers = token_for(api, name)
    url = url.format(**scene)
    if body:
        body = {
            key: int(value.format(**scene)) if value == "{inspection}" else value
            for key, value in body.items()
        }
    before, files_before = snapshot(ledger.measures[(1, 1)]), stored_files(media)
    if method == "report":
        response = report(api, headers, int(url.split("/")[4]), text="越权报送。")
    elif method == "report-nofile":
        response = report(api, headers, int(url.split("/")[4]), text="越权报送。", files=[])
    elif method == "get":
        response = api.get(url, headers=headers)
    elif method == "patch":
        response = api.patch(url, json.dumps(body), content_type="application/json", headers=headers)
    else:
        response = post_json(api, url, body, headers)
    assert response.status_code == expected, response.content
    detail = response.json()["detail"]
    assert detail and any("\u4e00" <= char <= "\u9fff" for char in detail)  # answered in Chinese
    assert snapshot(ledger.measures[(1, 1)]) == before
    assert stored_files(media) == files_before
    for key in ("m11", "m12", "m31"):
        measure = Measure.objects.get(pk=scene[key])
        assert measure.status == {"m11": "signoff_requested", "m12": "in_progress", "m31": "signed_off"}[key]


def test_callers_without_a_token_are_refused(api, world, ledger, scene):
    before = snapshot(ledger.measures[(1, 1)])
    assert api.get("/api/v1/signoffs").status_code == 401
    assert api.get(f"/api/v1/measures/{scene['m12']}/reports").status_code == 401
    bogus = {"Authorization": "Bearer not-a-token"}
    assert api.get(f"/api/v1/signoffs/{scene['signoff']}", headers=bogus).status_code == 401
    # A write without a token is unauthenticated (401 in Chinese), not a CSRF failure.
    response = report(api, {}, scene["m12"])
    assert response.status_code == 401 and "令牌" in response.json()["detail"]
    assert post_json(api, f"/api/v1/signoffs/{scene['signoff']}/decide", APPROVE, bogus).status_code == 401
    assert snapshot(ledger.measures[(1, 1)]) == before


# ------------------------------------------------------------------ bad uploads


def docx_not_zip() -> bytes:
    return b"PK\x03\x04" + b"\x00" * 64  # a zip signature, then nothing a zip reader accepts


BAD_UPLOADS = {  # case: (files, what the Chinese message says[, status when not 400])
    "exe-renamed-pdf": ([("报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200)], "内容不是"),
    "empty-file": ([("空文件.pdf", b"")], "空文件"),
    "over-the-limit": ([("大文件.pdf", PDF + b"0" * 4096)], "超过上限 2 KB", 413),
    "docx-not-a-zip": ([("方案.docx", docx_not_zip())], "内容不是"),
    "pdf-named-docx": ([("方案.docx", PDF)], "扩展名与内容不符"),
    "leading-dots-in-name": ([("..整改.pdf", PDF)], "文件名"),
    "good-then-bad": ([("好.pdf", PDF), ("坏.pdf", b"MZ" + b"\x00" * 100)], "坏.pdf"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_uploads_are_refused_and_nothing_is_stored(api, world, ledger, media, settings, case):
    settings.RECTIFY_EVIDENCE_MAX_BYTES = 2048
    measure = ledger.measures[(1, 1)]
    before = snapshot(measure)
    uploads, message, *status = BAD_UPLOADS[case]
    files = [SimpleUploadedFile(name, content) for name, content in uploads]
    response = report(api, token_for(api, "bob"), measure.pk, files=files)
    assert response.status_code == (status or [400])[0], response.content
    assert message in response.json()["detail"]
    assert snapshot(measure) == before and ProgressReport.objects.count() == 0
    assert stored_files(media) == []


def multipart(
    fields: dict, files: list[tuple[str, bytes]], boundary: str = "RectifyBoundary7MA4YWxk"
) -> bytes:
    """A multipart body written by hand, so a file name carries exactly what an attacker sends
    (Django's test client and SimpleUploadedFile would strip a path before it is sent)."""
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    for filename, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def test_a_path_in_the_file_name_is_refused_and_never_reaches_the_disk(api, world, ledger, media, tmp_path):
    measure = ledger.measures[(1, 1)]
    bob = token_for(api, "bob")
    url = f"/api/v1/measures/{measure.pk}/reports"
    kind = "multipart/form-data; boundary=RectifyBoundary7MA4YWxk"
    assert SimpleUploadedFile("../../etc/passwd.pdf", PDF).name == "passwd.pdf"  # why the body is hand-made

    # What an attacker sends: the password file under a traversing name. Refused, nothing stored.
    body = multipart({"text": "进展"}, [("../../etc/passwd.pdf", b"root:x:0:0:root:/root:/bin/bash\n")])
    response = api.post(url, body, content_type=kind, headers=bob)
    assert response.status_code == 400 and "passwd.pdf" in response.json()["detail"]
    assert ProgressReport.objects.count() == 0 and stored_files(media) == []

    # A real PDF under a name with a path, however it is written: Django would keep only the last part
    # of the name; the product checks the name as sent and refuses it, as documented.
    for name in (
        "../../etc/passwd.pdf",
        "..\\..\\windows\\win.pdf",
        "/etc/abs.pdf",
        "..%2F..%2Fetc%2Fpasswd.pdf",
        "..&#47;x.pdf",
        "C:x.pdf",
    ):
        response = api.post(url, multipart({"text": "进展"}, [(name, PDF)]), content_type=kind, headers=bob)
        assert response.status_code == 400, (name, response.content)
        assert "包含路径" in response.json()["detail"]
    assert ProgressReport.objects.count() == 0 and stored_files(tmp_path) == []


def test_report_input_is_checked(api, world, ledger, media):
    measure = ledger.measures[(1, 1)]
    bob = token_for(api, "bob")
    no_file = report(api, bob, measure.pk, files=[])
    assert no_file.status_code == 400 and "至少上传一份" in no_file.json()["detail"]
    assert report(api, bob, measure.pk, percent=150).status_code == 400
    assert report(api, bob, measure.pk, text="   ").status_code == 400
    bad_percent = report(api, bob, measure.pk, percent="很多")
    assert bad_percent.status_code == 422 and "percent" in bad_percent.json()["detail"]
    missing = api.post(f"/api/v1/measures/{measure.pk}/reports", {"files": [pdf()]}, headers=bob)
    assert missing.status_code == 422 and "text" in missing.json()["detail"]
    first = report(api, bob, measure.pk, percent="", answers="", stage="").json()  # empty fields: not given
    assert (first["percent"], first["answers"], first["stage"]) == (None, None, "")
    answered = report(api, bob, measure.pk, answers=first["id"])
    assert answered.status_code == 400 and "已退回" in answered.json()["detail"]
    assert ProgressReport.objects.count() == 1 and Evidence.objects.count() == 1
    assert report(api, bob, 999999).status_code == 404


def test_review_is_checked_and_happens_once(api, world, ledger, media):
    measure = ledger.measures[(1, 1)]
    alice = token_for(api, "alice")
    first = report(api, token_for(api, "bob"), measure.pk).json()
    url = f"/api/v1/reports/{first['id']}/review"
    no_reason = post_json(api, url, {"decision": "return", "comment": "  "}, alice)
    assert no_reason.status_code == 400 and "理由" in no_reason.json()["detail"]
    assert post_json(api, url, {"decision": "maybe"}, alice).status_code == 422
    assert post_json(api, url, {"decision": "accept", "comment": "好"}, alice).status_code == 200
    again = post_json(api, url, {"decision": "return", "comment": "改主意了"}, alice)
    assert again.status_code == 409 and again.json()["detail"] == "该报告已采纳，不能重复审核。"
    assert api.get(f"/api/v1/reports/{first['id']}", headers=alice).json()["review_comment"] == "好"
    assert api.get(f"/api/v1/reports/{first['id']}", headers=token_for(api, "lisa")).status_code == 404


def test_signoff_rules_and_queues(api, world, ledger, media, scene):
    bob, hana, alice = token_for(api, "bob"), token_for(api, "hana"), token_for(api, "alice")
    not_ready = post_json(api, f"/api/v1/measures/{scene['m12']}/signoff", {}, bob)
    assert not_ready.status_code == 400 and "已采纳" in not_ready.json()["detail"]
    twice = post_json(api, f"/api/v1/measures/{scene['m11']}/signoff", {}, bob)
    assert twice.status_code == 409
    long_term = ledger.measures[(3, 2)]
    Measure.objects.filter(pk=long_term.pk).update(category="long_term")
    assert post_json(api, f"/api/v1/measures/{long_term.pk}/signoff", {}, bob).status_code == 409

    assert api.get("/api/v1/signoffs", headers=hana).json()["count"] == 0  # her own request
    assert api.get("/api/v1/signoffs", headers=alice).json()["count"] == 0  # not at her level yet
    assert api.get("/api/v1/signoffs", headers=token_for(api, "lisa")).json()["count"] == 0
    detail = api.get(f"/api/v1/signoffs/{scene['signoff']}", headers=token_for(api, "vera")).json()
    assert (detail["level_label"], detail["requested_by"]["id"]) == ("责任单位负责人审核", world.hana.pk)

    # Another head of unit A1 returns it with a reason; deciding again is a conflict.
    from rectify.org.models import Membership, Role, User

    head = User.objects.create_user("hugo", password="Correct-horse-42", full_name="胡戈")
    Membership.objects.create(user=head, organisation=world.orgs["a1"], role=Role.UNIT_HEAD)
    hugo = token_for(api, "hugo")
    assert [item["id"] for item in api.get("/api/v1/signoffs", headers=hugo).json()["items"]] == [
        scene["signoff"]
    ]
    url = f"/api/v1/signoffs/{scene['signoff']}/decide"
    assert post_json(api, url, {"decision": "return"}, hugo).status_code == 400
    returned = post_json(api, url, {"decision": "return", "comment": "材料不足。"}, hugo).json()
    assert (returned["state"], returned["measure"]["status"]) == ("returned", "in_progress")
    assert returned["decisions"][0]["decision_label"] == "退回"
    again = post_json(api, url, APPROVE, hugo)
    assert again.status_code == 409 and "已退回" in again.json()["detail"]
    assert SignOffDecision.objects.filter(signoff_id=scene["signoff"]).count() == 1


def test_followup_input(api, world, ledger, media, scene):
    alice = token_for(api, "alice")
    url = f"/api/v1/measures/{scene['m31']}/followups"
    for body in ({}, {"due_on": "2099-03-01", "outcome": "stable"}):
        response = post_json(api, url, body, alice)
        assert response.status_code == 400 and "二选一" in response.json()["detail"]
    assert post_json(api, url, {"outcome": "relapse", "note": ""}, alice).status_code == 400
    past = post_json(api, url, {"outcome": "relapse", "note": "反弹。", "new_deadline": "2020-01-01"}, alice)
    assert past.status_code == 400 and "应晚于今天" in past.json()["detail"]
    assert post_json(api, url, {"outcome": "worse"}, alice).status_code == 422
    not_signed_off = post_json(
        api, f"/api/v1/measures/{scene['m12']}/followups", {"due_on": "2099-03-01"}, alice
    )
    assert not_signed_off.status_code == 409 and "已销号" in not_signed_off.json()["detail"]
    record = f"/api/v1/followups/{scene['followup']}/record"
    assert post_json(api, record, {"outcome": "stable", "note": "巩固。"}, alice).status_code == 200
    again = post_json(api, record, {"outcome": "relapse", "note": "反弹。"}, alice)
    assert again.status_code == 409 and "不能重复记录" in again.json()["detail"]
    listed = api.get(url, headers=token_for(api, "vera")).json()
    assert [(f["id"], f["outcome_label"]) for f in listed] == [(scene["followup"], "巩固")]
    assert Measure.objects.get(pk=scene["m31"]).status == "signed_off"


def test_indicators_and_observations(api, world, ledger, media):
    measure = ledger.measures[(3, 2)]
    bob, alice = token_for(api, "bob"), token_for(api, "alice")
    url = f"/api/v1/measures/{measure.pk}/indicators"
    body = {"name": "审批平均时限", "unit": "天", "baseline": "20", "target": 7.5, "direction": "decrease"}
    response = post_json(api, url, body, bob)
    assert response.status_code == 201, response.content
    indicator = response.json()
    assert (indicator["baseline"], indicator["target"], indicator["direction_label"]) == (
        "20",
        "7.5",
        "越低越好",
    )
    assert (indicator["observations"], indicator["latest"], indicator["short_of_target"]) == ([], None, False)
    assert post_json(api, url, body, alice).status_code == 400  # the same name twice
    wrong_way = post_json(api, url, {**body, "name": "反向", "target": 30}, alice)
    assert wrong_way.status_code == 400 and "方向" in wrong_way.json()["detail"]
    assert post_json(api, url, {**body, "name": "太长", "baseline": "1.23456"}, alice).status_code == 422
    assert post_json(api, url, {**body, "name": "非数", "baseline": "NaN"}, alice).status_code == 422

    observe = f"/api/v1/indicators/{indicator['id']}/observations"
    today = timezone.localdate()
    first = post_json(api, observe, {"observed_on": str(today - timedelta(days=30)), "value": 12}, bob)
    assert first.status_code == 201 and first.json()["meets_target"] is False
    second = post_json(api, observe, {"observed_on": str(today), "value": "7.25", "note": "达标"}, alice)
    assert second.status_code == 201 and (second.json()["value"], second.json()["meets_target"]) == (
        "7.25",
        True,
    )
    duplicate = post_json(api, observe, {"observed_on": str(today), "value": 7}, alice)
    assert duplicate.status_code == 400 and "重复" in duplicate.json()["detail"]
    future = post_json(api, observe, {"observed_on": str(today + timedelta(days=1)), "value": 7}, alice)
    assert future.status_code == 400 and "晚于今天" in future.json()["detail"]

    [listed] = api.get(url, headers=token_for(api, "vera")).json()
    assert [o["value"] for o in listed["observations"]] == ["12", "7.25"]
    assert listed["latest"]["value"] == "7.25" and listed["short_of_target"] is False
    assert listed["latest"]["recorded_by"] == {"id": world.alice.pk, "name": "艾丽"}
    post_json(api, observe, {"observed_on": str(today - timedelta(days=1)), "value": 9}, bob)
    [listed] = api.get(url, headers=bob).json()
    assert listed["latest"]["value"] == "7.25"  # latest by date, not by entry
    assert api.get(url, headers=token_for(api, "lisa")).status_code == 404


# ------------------------------------------------------------------ two decisions at once


def decide_at_once(signoff_id: int, bodies: dict[str, tuple[dict, dict]]) -> dict[str, tuple[int, dict]]:
    """Each caller posts its decision on its own thread and database connection, released together."""
    start = threading.Barrier(len(bodies))
    outcomes: dict[str, tuple[int, dict]] = {}

    def decide(caller: str) -> None:
        body, headers = bodies[caller]
        try:
            start.wait()
            response = post_json(Client(), f"/api/v1/signoffs/{signoff_id}/decide", body, headers)
            outcomes[caller] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(caller,)) for caller in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == len(bodies), outcomes
    return outcomes


@pytest.fixture
def at_office(transactional_db, world, ledger, settings, tmp_path):
    """(1,1)'s sign-off request, approved by the unit head, waiting at the office level."""
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(1, 1)]
    accepted = services.submit_report(world.bob, measure.pk, text="完成。", files=[pdf()])
    services.review_report(world.alice, accepted.pk, decision="accept")
    signoff = services.request_signoff(world.bob, measure.pk)
    services.decide_signoff(world.hana, signoff.pk, decision="approve")
    return signoff


def test_two_office_members_deciding_at_once_cannot_both_win(transactional_db, world, ledger, at_office):
    from rectify.org.models import Membership, Role, User

    olga = User.objects.create_user("olga", password="Correct-horse-42", full_name="奥尔加")
    Membership.objects.create(user=olga, organisation=world.orgs["a"], role=Role.OFFICE)
    measure = ledger.measures[(1, 1)]
    version = Measure.objects.get(pk=measure.pk).version
    setup = Client()
    outcomes = decide_at_once(
        at_office.pk,
        {
            "alice": ({"decision": "approve"}, token_for(setup, "alice")),
            "olga": ({"decision": "return", "comment": "材料不足。"}, token_for(setup, "olga")),
        },
    )
    [winner] = [name for name, (code, _) in outcomes.items() if code == 200]
    [loser] = [name for name, (code, _) in outcomes.items() if code != 200]
    # Whichever commits first wins. An approval moves the request on to the leader, where Olga may
    # not decide (403); a return closes it, so Alice's approval comes too late (409).
    assert outcomes[loser][0] == {"alice": 409, "olga": 403}[loser], outcomes
    office = SignOffDecision.objects.filter(signoff=at_office, level="office")
    assert office.count() == 1 and office.get().actor.username == winner
    assert SignOffDecision.objects.filter(signoff=at_office).count() == 2  # the unit head's and the winner's
    final = SignOff.objects.get(pk=at_office.pk)
    fresh = Measure.objects.get(pk=measure.pk)
    if winner == "alice":
        assert (final.state, final.level, fresh.status, fresh.version) == (
            "pending",
            "leader",
            "signoff_requested",
            version,
        )
    else:
        assert (final.state, fresh.status, fresh.version) == ("returned", "in_progress", version + 1)


def test_the_same_approval_sent_twice_at_once_is_recorded_once(transactional_db, world, ledger, at_office):
    services.decide_signoff(world.alice, at_office.pk, decision="approve")  # now at the leader level
    measure = ledger.measures[(1, 1)]
    version = Measure.objects.get(pk=measure.pk).version
    larry = token_for(Client(), "larry")
    outcomes = decide_at_once(
        at_office.pk, {"first": ({"decision": "approve"}, larry), "second": ({"decision": "approve"}, larry)}
    )
    assert sorted(code for code, _ in outcomes.values()) == [200, 409], outcomes
    [late] = [body for code, body in outcomes.values() if code == 409]
    assert "已销号" in late["detail"]
    assert SignOffDecision.objects.filter(signoff=at_office, level="leader").count() == 1
    fresh = Measure.objects.get(pk=measure.pk)
    assert (SignOff.objects.get(pk=at_office.pk).state, fresh.status, fresh.version) == (
        "approved",
        "signed_off",
        version + 1,
    )
    assert (
        LogEntry.objects.filter(
            additional_data__measure_id=measure.pk, content_type__model="signoffdecision"
        ).count()
        == 3
    )


# ------------------------------------------------------------------ queries do not grow with rows


def test_lists_answer_in_a_fixed_number_of_queries(api, world, ledger, media):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    m11, m12, m31 = (ledger.measures[key] for key in ((1, 1), (1, 2), (3, 1)))
    bob, alice = token_for(api, "bob"), token_for(api, "alice")
    indicator = services.add_indicator(
        world.alice, m11.pk, name="指标一", baseline=0, target=10, direction="increase"
    )
    today = timezone.localdate()

    def ready_for_office(measure) -> None:
        accepted = services.submit_report(world.bob, measure.pk, text="完成。", files=[pdf(), pdf("二.pdf")])
        services.review_report(world.alice, accepted.pk, decision="return", comment="补充。")
        again = services.submit_report(
            world.bob, measure.pk, text="补充。", files=[pdf()], answers=accepted.pk
        )
        services.review_report(world.alice, again.pk, decision="accept")
        services.decide_signoff(
            world.hana, services.request_signoff(world.bob, measure.pk).pk, decision="approve"
        )

    def counts() -> dict[str, int]:
        urls = {
            "reports": (f"/api/v1/measures/{m31.pk}/reports", bob),
            "signoffs": ("/api/v1/signoffs", alice),
            "indicators": (f"/api/v1/measures/{m11.pk}/indicators", bob),
            "followups": (f"/api/v1/measures/{m11.pk}/followups", bob),
        }
        result = {}
        for name, (url, headers) in urls.items():
            api.get(url, headers=headers)  # the token's first use of the minute records it; not counted
            with CaptureQueriesContext(db) as queries:
                assert api.get(url, headers=headers).status_code == 200
            result[name] = len(queries)
        return result

    ready_for_office(m11)
    services.add_observation(world.bob, indicator.pk, observed_on=today, value=1)
    services.decide_signoff(world.alice, m11.signoffs.get().pk, decision="approve")
    services.decide_signoff(world.larry, m11.signoffs.get().pk, decision="approve")
    services.schedule_followup(world.alice, m11.pk, due_on=today)
    ready_for_office(m12)
    services.submit_report(world.bob, m31.pk, text="进展。", files=[pdf()])
    few = counts()
    ready_for_office(m31)
    second = services.add_indicator(
        world.bob, m11.pk, name="指标二", baseline=5, target=1, direction="decrease"
    )
    for days in range(1, 4):
        services.add_observation(
            world.hana, indicator.pk, observed_on=today - timedelta(days=days), value=days
        )
        services.add_observation(world.alice, second.pk, observed_on=today - timedelta(days=days), value=days)
    services.schedule_followup(world.alice, m11.pk, due_on=today + timedelta(days=30))
    many = counts()
    assert many == few, (few, many)
    assert len(api.get("/api/v1/signoffs", headers=alice).json()["items"]) == 2
    assert len(api.get(f"/api/v1/measures/{m31.pk}/reports", headers=bob).json()) == 3
