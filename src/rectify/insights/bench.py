"""Figures of the dashboard on the benchmark's synthetic ledger (see demo/management/commands/
benchmark.py, which calls run()): the service for one inspection and for all of them, per role, the
pages and the API, with their numbers of queries."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

from rectify.org.models import User

from . import services


def run(bench, people: dict, inspections: list) -> None:
    first = inspections[0]
    for label, key in (("整改办", "office"), ("责任单位联络员", "liaison"), ("纪检监察组", "supervisor")):
        user = User.objects.get(pk=people[key].pk)
        bench.timed(
            f"数据看板（{label}，全部巡察）",
            lambda user=user: services.dashboard(user),
            repeat=5,
            count_queries=True,
        )
        bench.timed(
            f"数据看板（{label}，一次巡察）",
            lambda user=user: services.dashboard(user, first.pk),
            repeat=5,
            count_queries=True,
        )
    board = services.dashboard(User.objects.get(pk=people["office"].pk))
    bench.row(
        "数据看板统计口径（整改办，全部巡察）",
        f"{board.totals.measures} 条措施，{len(board.by_inspection)} 次巡察，{len(board.by_unit)} 个责任单位",
    )

    client = Client()
    client.force_login(people["office"])
    with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        bench.timed(
            "网页 /dashboard/（整改办）", lambda: client.get("/dashboard/"), repeat=5, count_queries=True
        )
        bench.timed(
            "网页 /dashboard/inspections/<id>/（整改办）",
            lambda: client.get(f"/dashboard/inspections/{first.pk}/"),
            repeat=5,
            count_queries=True,
        )
        bench.timed("接口 GET /api/v1/stats（整改办）", lambda: client.get("/api/v1/stats"), repeat=5)
