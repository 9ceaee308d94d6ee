"""Benchmark of the staff side of public feedback: 5,000 items, then the staff list's first page,
the statistics and the API list, timed with their query counts (`rectify benchmark` calls run)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from . import tallies
from .models import Channel, CloseReason, FeedbackItem, FeedbackKind, FeedbackStatus, QrCode
from .services import FeedbackFilter, filter_items, new_tracking_code
from .stats import feedback_figures

ITEMS = 5000
CONTENTS = [
    "施工围挡占用人行道，行人只能走机动车道，存在安全隐患。",
    "网约车平台派单不规范，夜间在机场排队时间过长。",
    "道路运输许可证办理材料重复提交，希望压缩审批时限。",
    "非法营运车辆在地铁站口长期揽客，执法巡查不够。",
    "公交线路调整后换乘不便，建议恢复原站点。",
]


def run(bench, people: dict, inspections: list) -> None:
    office, bureau, units = people["office"], people["bureau"], people["units"]
    qr_codes = [
        QrCode.objects.create(
            organisation=bureau, token=f"bench-{n}", label=f"施工围挡公示牌{n}", created_by=office
        )
        for n in range(5)
    ]
    items = [_item(n, bureau, units, qr_codes, office) for n in range(ITEMS)]
    FeedbackItem.objects.bulk_create(items, batch_size=1000)
    tallies.refresh([bureau.pk])  # the bulk insert bypasses the services that keep the summary rows
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load: fresh statistics
            cursor.execute("ANALYZE feedback_feedbackitem")
    bench.row("写入意见诉求", f"{ITEMS} 件（联系方式均加密）")

    today = timezone.localdate()
    for label, user in (
        ("整改办", office),
        ("责任单位联络员", people["liaison"]),
        ("纪检监察组", people["supervisor"]),
    ):

        def first_page(user=user):
            rows = filter_items(user, FeedbackFilter(), today)
            return rows.count(), list(rows[:50])

        bench.timed(f"{label}：意见诉求首页（50 件）与总数", first_page, repeat=10, count_queries=True)
    bench.timed(
        "整改办：意见诉求统计",
        lambda: feedback_figures(office, on=today),
        repeat=10,
        count_queries=True,
    )
    client = Client()
    client.force_login(office)
    with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        bench.timed(
            "网页 /feedback/（意见诉求）", lambda: client.get("/feedback/"), repeat=10, count_queries=True
        )
        bench.timed("网页 /feedback/stats/（统计）", lambda: client.get("/feedback/stats/"), repeat=10)
        bench.timed(
            "接口 GET /api/v1/feedback?page_size=50",
            lambda: client.get("/api/v1/feedback?page_size=50"),
            repeat=10,
            count_queries=True,
        )


def _item(n: int, bureau, units, qr_codes, office) -> FeedbackItem:
    """Item n: a spread of channels, kinds and states, a fifth of them still waiting, some late."""
    received = timezone.now() - timedelta(days=n % 60, minutes=n)
    state = n % 5
    item = FeedbackItem(
        organisation=bureau,
        code=new_tracking_code(),
        kind=FeedbackKind.DEMAND if n % 3 == 0 else FeedbackKind.OPINION,
        channel=Channel.values[n % len(Channel.values)],
        content=f"{CONTENTS[n % len(CONTENTS)]}（第 {n} 件）",
        qr=qr_codes[n % len(qr_codes)] if n % 4 == 0 else None,
        sender_name="张三" if n % 2 else "",
        sender_phone=f"138{n:08d}" if n % 2 else "",
        sender_email=f"user{n}@example.com" if n % 3 else "",
        consent_to_contact=bool(n % 2),
        received_at=received,
        due_date=(received + timedelta(days=21)).date(),
        created_by=None if n % len(Channel.values) == 0 else office,
    )
    if state >= 1:
        item.status, item.unit, item.routed_at = FeedbackStatus.ROUTED, units[n % len(units)], received
    if state == 2:
        item.status = FeedbackStatus.REPLY_PENDING
    if state == 3:
        item.status, item.closed_at, item.close_reason = (
            FeedbackStatus.REPLIED,
            received + timedelta(days=9),
            CloseReason.REPLIED,
        )
    if state == 4 and n % 10 == 4:
        item.status, item.closed_at, item.close_reason = (
            FeedbackStatus.CLOSED,
            received,
            CloseReason.OUT_OF_SCOPE,
        )
        item.close_note = "不属于本单位受理范围"
    return item
