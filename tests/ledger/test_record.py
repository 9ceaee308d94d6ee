"""The record reads as an official writes it: the measure timeline (page and API) says what each person
did in a sentence ("包博 报送第 2 版进展（附件 2 个）", "韩娜 同意销号申请（责任单位负责人审核）"), with no
field names, True/False, storage paths, byte sizes or "已删除" for what was made; the raw change stays one
click away for the office and supervisors."""

from __future__ import annotations

import re
from datetime import date

import pytest
from auditlog.context import set_actor
from django.core.files.uploadedfile import SimpleUploadedFile

from rectify.ledger import services as ledger_services
from rectify.progress import services

from ..api.test_api import token_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def as_(user, action, *args, **kwargs):
    with set_actor(user):
        return action(user, *args, **kwargs)


@pytest.fixture
def lived(world, ledger, settings, tmp_path):
    """Measure 1.1 through a returned and an accepted report, three approvals and a follow-up."""
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(1, 1)]
    as_(
        world.alice,
        ledger_services.update_measure_assignment,
        measure.pk,
        version=1,
        deadline=date(2026, 11, 30),
    )
    first = as_(
        world.bob,
        services.submit_report,
        measure.pk,
        text="已制定规范。",
        files=[pdf("规范.pdf")],
        percent=40,
    )
    as_(world.alice, services.review_report, first.pk, decision="return", comment="佐证材料不完整。")
    second = as_(
        world.bob,
        services.submit_report,
        measure.pk,
        text="补充了培训记录。",
        files=[pdf("培训记录.pdf"), pdf("签到表.pdf")],
        percent=100,
        answers=first.pk,
    )
    as_(world.alice, services.review_report, second.pk, decision="accept")
    signoff = as_(world.bob, services.request_signoff, measure.pk, note="已全部完成。")
    for person in (world.hana, world.alice, world.larry):
        signoff = as_(person, services.decide_signoff, signoff.pk, decision="approve", comment="同意。")
    followup = as_(world.alice, services.schedule_followup, measure.pk, due_on=date(2099, 12, 1))
    as_(world.alice, services.record_followup, followup.pk, outcome="stable", note="未发现反弹。")
    return measure


EXPECTED = [
    "艾丽 将整改时限设为2026年11月30日",
    "包博 报送第 1 版进展",
    "（附件 1 个）",
    "艾丽 退回进展报告，理由：佐证材料不完整。",
    "包博 报送第 2 版进展",
    "完成比例 100%（附件 2 个）",
    "艾丽 采纳进展报告",
    "包博 申请销号，说明：已全部完成。",
    "韩娜 同意销号申请（责任单位负责人审核），意见：同意。",
    "艾丽 同意销号申请（整改办审核），意见：同意。",
    "李瑞 同意销号申请（牵头领导审批），意见：同意。",
    "李瑞 销号申请审批通过，措施销号",
    "艾丽 安排回头看，计划于2099年12月1日检查",
    "艾丽 记录回头看结果：整改成果巩固，未发现反弹。",
]
NEVER = ["True", "False", "已删除", "evidence/", "字节", "（空）", "None", "sha256", "SHA-256"]


def test_the_measure_page_reads_as_sentences(client, world, ledger, lived):
    client.force_login(world.bob)
    html = client.get(f"/measures/{lived.pk}/").content.decode()
    timeline = html[html.index('id="history-title"') :]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", timeline))
    for sentence in EXPECTED:
        assert sentence.replace(" ", "") in text.replace(" ", ""), sentence
    for word in NEVER:
        assert word not in text, word
    assert "原始变更" not in timeline  # a liaison reads the sentences only


def test_the_raw_change_is_one_click_away_for_the_office(client, world, ledger, lived):
    client.force_login(world.alice)
    html = client.get(f"/measures/{lived.pk}/").content.decode()
    timeline = html[html.index('id="history-title"') :]
    assert "<summary>原始变更" in timeline and "审核状态：待审核 → 已退回" in timeline


def test_the_api_gives_the_sentence_beside_the_raw_change(client, world, ledger, lived):
    history = client.get(f"/api/v1/measures/{lived.pk}/history", headers=token_for(client, "vera")).json()
    sentences = [f"{entry['actor']} {entry['sentence']}" for entry in history]
    assert "韩娜 同意销号申请（责任单位负责人审核），意见：同意。" in sentences
    assert "包博 报送第 2 版进展（报送周期" in " ".join(sentences) or any(
        s.startswith("包博 报送第 2 版进展") and s.endswith("（附件 2 个）") for s in sentences
    )
    assert not any("上传附件" in s for s in sentences)  # counted on the report's line
