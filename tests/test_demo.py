"""`rectify demo --no-serve` builds the whole demo through the importer."""

import email
import email.policy
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from rectify.ledger.filters import filter_measures
from rectify.ledger.models import Inspection, Measure, Mechanism
from rectify.org.models import Role, User

from .conftest import PASSWORD
from .demo_copy import demo as demo_copy


@pytest.fixture
def demo(transactional_db, capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    call_command("demo", no_serve=True, password="Demo-pass-2025")
    return capsys.readouterr().out


@pytest.fixture
def demo_data(db, settings, tmp_path):
    """The demo the command builds, for the tests that only read it: built once (tests/demo_copy.py)."""
    settings.MEDIA_ROOT = tmp_path
    return demo_copy(PASSWORD)


def test_demo_builds_the_guangzhou_inspection_with_every_role(demo):
    inspection = Inspection.objects.get(inspecting_body="市委第七巡察组")
    assert inspection.inspected.name == "广州市交通运输局"
    assert inspection.problems.count() == 17
    assert Measure.objects.filter(problem__inspection=inspection).count() == 36
    assert not Measure.objects.filter(lead_leader__isnull=True).exists()
    assert not Measure.objects.filter(unit_links__isnull=True).exists()
    assert Mechanism.objects.count() >= 3
    for username, role in [
        ("office", Role.OFFICE),
        ("leader", Role.LEADER),
        ("unithead", Role.UNIT_HEAD),
        ("unit", Role.LIAISON),
        ("supervisor", Role.SUPERVISOR),
    ]:
        assert User.objects.get(username=username).memberships.filter(role=role).exists()
        assert username in demo
    assert "Demo-pass-2025" in demo


def test_demo_spreads_statuses_and_has_overdue_measures(demo_data):
    special = Measure.objects.filter(problem__inspection__inspecting_body="市委第七巡察组")
    statuses = set(special.values_list("status", flat=True))
    assert {"not_started", "in_progress", "signoff_requested", "signed_off", "ongoing"} <= statuses
    office = User.objects.get(username="office")
    overdue = filter_measures(office, {"overdue": True}, on=date.today())
    assert 0 < overdue.count() < 36


def test_demo_accounts_log_in_and_see_their_part(demo_data):
    client = Client()
    response = client.post("/login/", {"username": "unit", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/measures/").content.decode()
    assert "南站" in page  # the enforcement squad's measures


def test_demo_can_be_rebuilt(demo):
    counts = (Inspection.objects.count(), Measure.objects.count())
    call_command("demo", no_serve=True, password="Demo-pass-2025")
    assert (Inspection.objects.count(), Measure.objects.count()) == counts == (3, 36 + 15 + 5)


def test_demo_measures_have_lived_through_the_services(demo_data, tmp_path):
    from rectify.progress.models import Evidence, FollowUp, Indicator, ProgressReport, SignOff

    states = set(ProgressReport.objects.values_list("state", flat=True))
    assert states == {"submitted", "accepted", "returned"}
    assert (
        Evidence.objects.count() > 0
        and len(list((tmp_path / "evidence").rglob("*.pdf")))
        == Evidence.objects.filter(content_type="application/pdf").count()
    )
    pending_levels = set(SignOff.objects.filter(state="pending").values_list("level", flat=True))
    assert pending_levels == {"unit_head", "office", "leader"}
    assert (
        SignOff.objects.filter(state="returned").exists()
        and SignOff.objects.filter(state="approved").exists()
    )
    reopened = Measure.objects.get(status="reopened")  # the special inspection's, at its 回头看
    assert reopened.reopen_reason and FollowUp.objects.filter(measure=reopened, outcome="relapse").exists()
    assert FollowUp.objects.filter(outcome="stable").exists()
    assert Indicator.objects.count() == 2
    # Every signed-off measure has an accepted report with evidence and three approvals behind it.
    for measure in Measure.objects.filter(status="signed_off"):
        assert measure.reports.filter(state="accepted", evidence__isnull=False).exists()
        assert measure.signoffs.filter(state="approved").get().decisions.count() == 3


def test_demo_supervision_has_every_warning_level_orders_and_dispatches(demo_data):
    import io

    import openpyxl
    from docx import Document

    from rectify.supervision.dispatch_render import docx_bytes, xlsx_bytes
    from rectify.supervision.models import DispatchReport, MeasureAlert, Notification, SupervisionOrder
    from rectify.supervision.order_docx import build_order_docx

    assert set(MeasureAlert.objects.values_list("level", flat=True)) >= {1, 2, 3, 4}
    assert Notification.objects.filter(kind="warning_escalated").exists()
    answered = SupervisionOrder.objects.get(state="answered")
    overdue = SupervisionOrder.objects.get(state="issued")
    assert overdue.escalated_at is not None and answered.answer
    assert "督办" in "\n".join(p.text for p in Document(io.BytesIO(build_order_docx(answered))).paragraphs)
    latest = DispatchReport.objects.order_by("-created_at", "-id").first()
    assert DispatchReport.objects.count() == 2 and latest.data["comparison"] is not None
    assert "调度" in "\n".join(p.text for p in Document(io.BytesIO(docx_bytes(latest))).paragraphs)
    assert "总体" in openpyxl.load_workbook(io.BytesIO(xlsx_bytes(latest))).sheetnames


def test_demo_first_screen_is_the_address_and_the_accounts_and_its_mail_is_in_files(demo, tmp_path, settings):
    lines = demo.splitlines()
    assert lines[0].startswith("巡察整改督办平台演示：http://127.0.0.1:8000/")
    assert lines[-1] == "运行 rectify demo（不加 --no-serve）启动服务后，访问 http://127.0.0.1:8000/ 登录。"
    # The accounts table: username, name, role, organisation, password.
    header = lines.index(next(line for line in lines if line.split()[:1] == ["用户名"]))
    assert lines[header].split() == ["用户名", "姓名", "角色", "单位", "密码"]
    rows = {line.split()[0]: line.split() for line in lines[header + 1 : header + 16]}
    assert rows["office"] == ["office", "周敏", "整改办", "广州市交通运输局", "Demo-pass-2025"]
    assert rows["unit"] == ["unit", "孙丽", "责任单位联络员", "市交通运输综合行政执法支队", "Demo-pass-2025"]
    assert rows["supervisor"][2:4] == ["纪检监察/巡察办", "广州市交通运输局"]
    assert rows["water"][1:4] == ["冯志强", "整改办", "广州市水务局"]
    assert rows["admin"][2] == "系统管理员（可进入管理后台" and rows["admin"][-1] == "Demo-pass-2025"
    # Not one e-mail on the screen; they are files in the mail folder, one a message, readable.
    for mark in ("Content-Type", "Subject:", "MIME-Version", "您好", "查询码"):
        assert mark not in demo
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert files and f"演示发出的邮件（{len(files)} 封）不在此显示" in demo and str(tmp_path / "mail") in demo
    messages = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files]
    reply = next(message for message in messages if "答复" in message["Subject"])
    assert reply["To"] in files[messages.index(reply)].name
    assert "查询码" in reply.get_content() and "查询码" in files[messages.index(reply)].read_text("utf-8")
    # The next tests' mail is Django's test outbox again.
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


def test_demo_measures_have_time_nodes_done_with_evidence_and_one_warning_by_its_node(demo_data):
    from rectify.progress.models import Milestone
    from rectify.supervision.models import Notification

    assert Milestone.objects.values("measure").distinct().count() >= 3
    done = Milestone.objects.filter(state="done")
    assert done.exists() and all(node.report.evidence.exists() for node in done)
    assert Notification.objects.filter(
        title__contains="的时间节点“完成问题排查，制定整改工作方案”已于"
    ).exists()
