"""What the dashboard's charts draw, built from the same Dashboard the tables show: one JSON object
per chart (read by insights/dashboard.js through json_script) and, for each chart, the sentence its
`aria-label` says. Nothing here counts; it only arranges the numbers already counted."""

from __future__ import annotations

from dataclasses import dataclass

from rectify.ledger.choices import MeasureStatus

from .services import CountRow, Dashboard, GroupRow

# The colours of the stylesheet (rectify.css): signed off green, long-term purple, running blue,
# not started grey; the warning ladder green, amber, red, dark red.
STATUS_COLOURS = {
    MeasureStatus.NOT_STARTED: "#8a929c",
    MeasureStatus.IN_PROGRESS: "#1f4e8c",
    MeasureStatus.SIGNOFF_REQUESTED: "#8a5a00",
    MeasureStatus.SIGNED_OFF: "#1e6b3a",
    MeasureStatus.ONGOING: "#5a3d8a",
    MeasureStatus.REOPENED: "#b3261e",
}
STACK = [
    ("signed_off", "已销号", "#1e6b3a"),
    ("ongoing", "长期坚持", "#5a3d8a"),
    ("in_progress", "推进中", "#1f4e8c"),
    ("not_started", "未启动", "#8a929c"),
]
TIMELINE = [
    ("reports_submitted", "报送进展", "bar", "#8a929c"),
    ("reports_accepted", "采纳进展", "bar", "#1f4e8c"),
    ("signoffs_approved", "销号审批通过", "bar", "#5a3d8a"),
    ("signed_off_cumulative", "累计销号措施", "line", "#1e6b3a"),
]
LEVEL_COLOURS = {"green": "#1e6b3a", "yellow": "#d49a00", "red": "#b3261e", "escalated": "#6e1510"}
MET, SHORT = "#1e6b3a", "#b3261e"
FEEDBACK = "#1f4e8c"


@dataclass(frozen=True)
class Chart:
    id: str  # the container's id is chart-<id>
    label: str  # the aria-label: what the chart shows, in a sentence
    data: dict

    @property
    def element_id(self) -> str:
        return f"chart-{self.id}"


def charts(board: Dashboard) -> dict[str, Chart]:
    """Every chart of the page that has something to draw, by id."""
    found: list[Chart | None] = [
        _status(board),
        _parts(board),
        _problems(board),
        _groups("units", "按责任单位统计的整改措施", board.by_unit, clickable=False),
        None if board.led_by else _groups("leaders", "按牵头领导统计的整改措施", board.by_leader),
        _groups("categories", "按整改类型统计的整改措施", board.by_category),
        _warnings(board),
        _timeline(board),
        _indicators(board),
        _behind(board),
        *_feedback(board),
    ]
    return {chart.id: chart for chart in found if chart is not None}


def chart_json(found: dict[str, Chart]) -> dict[str, dict]:
    return {chart.element_id: chart.data for chart in found.values()}


def _counted(items: list[tuple[str, int]]) -> str:
    return "，".join(f"{name} {count} 条" for name, count in items)


def _status(board: Dashboard) -> Chart | None:
    if not board.totals.measures:
        return None
    items = [row for row in board.by_status if row.count]
    return Chart(
        "status",
        f"整改措施状态分布图，共 {board.totals.measures} 条："
        f"{_counted([(r.label, r.count) for r in items])}。具体数字见下方数据表。",
        {
            "kind": "pie",
            "items": [
                {"name": r.label, "value": r.count, "colour": STATUS_COLOURS[r.status], "url": r.url}
                for r in items
            ],
        },
    )


def _stack(rows: list[GroupRow], clickable: bool) -> dict:
    return {
        "kind": "stack",
        "categories": [row.name for row in rows],
        "urls": [row.url if clickable else "" for row in rows],
        "series": [
            {"name": name, "colour": colour, "values": [getattr(row.figures, key) for row in rows]}
            for key, name, colour in STACK
        ],
    }


def _rates(rows: list[GroupRow]) -> str:
    return "；".join(
        f"{row.name} {row.figures.total} 条、完成率 {row.figures.completion_rate}%" for row in rows[:8]
    ) + ("等" if len(rows) > 8 else "")


def _groups(chart_id: str, title: str, rows: list[GroupRow], clickable: bool = True) -> Chart | None:
    """A stacked bar per row. A click opens the row's ledger, unless that shows other figures (a unit's
    ledger holds also what it supports: its table says how many)."""
    rows = [row for row in rows if row.figures.total]
    if not rows:
        return None
    return Chart(
        chart_id,
        f"{title}（堆叠条形图，分已销号、长期坚持、推进中、未启动）：{_rates(rows)}。具体数字见下方数据表。",
        _stack(rows, clickable),
    )


def _parts(board: Dashboard) -> Chart | None:
    if board.inspection is not None:
        return _groups("parts", "按问题方面统计的整改措施", board.by_area)
    return _groups("parts", "按巡察统计的整改措施", board.by_inspection)


def _problems(board: Dashboard) -> Chart | None:
    rows = board.by_area if board.inspection is not None else board.by_inspection
    rows = [row for row in rows if row.problems]
    if not rows:
        return None
    return Chart(
        "problems",
        f"问题整改到位情况（堆叠条形图），共 {board.totals.problems} 个问题，已整改到位 "
        f"{board.totals.rectified_problems} 个："
        + "；".join(f"{row.name} {row.rectified_problems}/{row.problems} 个" for row in rows[:8])
        + "。具体数字见下方数据表。",
        {
            "kind": "stack",
            "unit": "个",
            "categories": [row.name for row in rows],
            "urls": [row.url for row in rows],
            "series": [
                {
                    "name": "已整改到位",
                    "colour": "#1e6b3a",
                    "values": [row.rectified_problems for row in rows],
                },
                {
                    "name": "未完成",
                    "colour": "#8a929c",
                    "values": [row.problems - row.rectified_problems for row in rows],
                },
            ],
        },
    )


def _warnings(board: Dashboard) -> Chart | None:
    if not any(row.count for row in board.warnings):
        return None
    return Chart(
        "warnings",
        f"三色预警柱状图：{_counted([(row.label, row.count) for row in board.warnings])}。"
        "具体数字见下方数据表。",
        {
            "kind": "bar",
            "categories": [row.label for row in board.warnings],
            "values": [row.count for row in board.warnings],
            "colours": [LEVEL_COLOURS[row.slug] for row in board.warnings],
            "urls": [row.url for row in board.warnings],
        },
    )


def _timeline(board: Dashboard) -> Chart | None:
    points = board.timeline
    if not points:
        return None
    last = points[-1]
    return Chart(
        "timeline",
        f"逐月整改进展图，{points[0].month} 至 {last.month}：柱为每月报送进展、采纳进展和销号审批通过的份数，"
        f"折线为累计销号措施数（截至 {last.month} 累计 {last.signed_off_cumulative} 条）。"
        "具体数字见下方数据表。",
        {
            "kind": "timeline",
            "months": [point.month for point in points],
            "series": [
                {"name": name, "type": kind, "colour": colour, "values": [getattr(p, key) for p in points]}
                for key, name, kind, colour in TIMELINE
            ],
        },
    )


def _indicators(board: Dashboard) -> Chart | None:
    rows = [row for row in board.indicators.rows if row.progress is not None]
    if not rows:
        return None
    summary = board.indicators
    return Chart(
        "indicators",
        f"量化指标目标达成进度条形图：共 {summary.total} 项指标，已达目标 {summary.met} 项，未达目标 "
        f"{summary.short} 项，尚未填报 {summary.no_data} 项；进度为最新值从基线值走向目标值的百分比。"
        "具体数值见下方数据表。",
        {
            "kind": "progress",
            "categories": [f"{row.measure_label} {row.name}" for row in rows],
            "values": [row.progress for row in rows],
            "colours": [MET if row.meets_target else SHORT for row in rows],
            "urls": [row.url for row in rows],
        },
    )


def _behind(board: Dashboard) -> Chart | None:
    rows = [row for row in board.behind if row.figures.overdue]
    if not rows:
        return None
    return Chart(
        "behind",
        "超期措施最多的责任单位条形图："
        + "；".join(
            f"第 {n} 名 {row.name} 超期 {row.figures.overdue} 条、完成率 {row.figures.completion_rate}%"
            for n, row in enumerate(rows, start=1)
        )
        + "。具体数字见下方数据表。",
        {
            "kind": "bar",
            "horizontal": True,
            "categories": [row.name for row in rows],
            "values": [row.figures.overdue for row in rows],
            "colours": ["#b3261e" for _ in rows],
            "urls": ["" for _ in rows],  # the unit's ledger holds also what it supports: see the table
        },
    )


def _feedback(board: Dashboard) -> list[Chart | None]:
    panel = board.feedback
    if panel is None or not panel.figures.total:
        return [None, None]

    def bar(chart_id: str, title: str, rows: list[CountRow]) -> Chart:
        listed = "，".join(f"{row.label} {row.count} 件" for row in rows if row.count)
        return Chart(
            chart_id,
            f"{title}条形图，共 {panel.figures.total} 件：{listed}。具体数字见下方数据表。",
            {
                "kind": "bar",
                "horizontal": True,
                "unit": "件",
                "categories": [row.label for row in rows],
                "values": [row.count for row in rows],
                "colours": [FEEDBACK for _ in rows],
                "urls": [row.url for row in rows],
            },
        )

    return [
        bar("feedback_channels", "意见诉求按渠道", panel.by_channel),
        bar("feedback_status", "意见诉求按办理状态", panel.by_status),
    ]
