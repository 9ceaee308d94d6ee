"""Dashboard endpoint (数据看板): the same figures as the dashboard page, as JSON. Thin: every number
comes from insights.services.dashboard."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from rectify.errors import AccessDenied
from rectify.schemas import Message, OptionalId

from . import services

router = Router(tags=["数据看板"])


class StatsQuery(Schema):
    inspection: OptionalId = Field(None, description="巡察编号；不填则统计您可查看的全部巡察")
    led: bool = Field(False, description="只统计您作为牵头领导负责的措施（“我牵头的”），仅限领导小组成员")


@router.get(
    "/stats",
    response={200: services.Dashboard, 400: Message, 403: Message, 404: Message},
    url_name="stats",
    summary="数据看板统计",
)
def stats(request, query: Query[StatsQuery]):
    """整改措施和问题的完成情况（按方面或巡察、责任单位、牵头领导、整改类型）、超期和三色预警、
    逐月进展、量化指标与目标的对比、进度最落后的单位。与数据看板页面同一口径：只统计您可查看的措施；
    各分组的 `url` 为整改台账中对应的筛选（单位行按责任单位筛选，与该行的条数相同）。
    `led=true` 时只统计您牵头的措施及其问题，不含意见诉求（`feedback` 为 null）。"""
    if query.led and not services.leads_measures(request.user):
        raise AccessDenied(services.LEADERS_ONLY)
    return services.dashboard(request.user, query.inspection, led_only=query.led)
