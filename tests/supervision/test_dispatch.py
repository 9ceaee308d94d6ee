"""Dispatch reports (调度): the figures against direct counts, the comparison with the previous
dispatch, the Word and Excel files read back, who may build and read, the pages, and queries that
do not grow with the ledger."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document as WordDocument
from openpyxl import load_workbook

from rectify.documents import DOCX_TYPE, XLSX_TYPE
from rectify.errors import AccessDenied, InvalidInput, NotFound
from rectify.ledger.choices import OPEN_STATUSES, MeasureCategory, MeasureStatus
from rectify.ledger.models import Area, Measure, MeasureUnit, Problem
from rectify.org.models import User
from rectify.progress.models import ProgressReport, ReportState, SignOff, SignOffState
from rectify.supervision import dispatch, dispatch_render
from rectify.supervision.models import DispatchReport

TODAY = timezone.localdate()
START = TODAY - timedelta(days=30)
SECTIONS = [
    "一、总体进展",
    "二、本期完成情况",
    "三、超期及原因",
    "四、分方面、分单位、分领导情况",
    "五、与上次调度相比",
]


def moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def report(
    measure: Measure, author: User, text: str, *, state=ReportState.SUBMITTED, on: date = TODAY, reviewer=None
):
    created = ProgressReport.objects.create(
        measure=measure,
        period_start=on.replace(day=1),
        period_label=f"{on.year}年{on.month}月",
        text=text,
        author=author,
        state=state,
        reviewer=reviewer if state != ReportState.SUBMITTED else None,
        reviewed_at=moment(on) if state != ReportState.SUBMITTED else None,
        review_comment="请补充材料。" if state == ReportState.RETURNED else "",
    )
    ProgressReport.objects.filter(pk=created.pk).update(submitted_at=moment(on))
    return created


def sign_off(measure: Measure, by: User, on: datetime | None = None) -> SignOff:
    signoff = SignOff.objects.create(
        measure=measure,
        requested_by=by,
        state=SignOffState.APPROVED,
        level="",
        closed_at=on or timezone.now(),
    )
    Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.SIGNED_OFF)
    return signoff


@pytest.fixture
def lived(world, ledger):
    """Bureau A's five measures brought to different places:
    1.1 signed off yesterday; 1.2 in progress, 10 days late, last report returned;
    2.1 not started, 3 days late, never reported; 3.1 long-term and reported (ongoing);
    3.2 in progress, due in 5 days (yellow warning)."""
    m = ledger.measures
    bob, alice = world.bob, world.alice
    Measure.objects.filter(pk=m[1, 1].pk).update(deadline=TODAY - timedelta(days=40))
    report(
        m[1, 1],
        bob,
        "执法程序已规范。",
        state=ReportState.ACCEPTED,
        on=TODAY - timedelta(days=20),
        reviewer=alice,
    )
    sign_off(m[1, 1], bob, moment(TODAY - timedelta(days=1)))
    Measure.objects.filter(pk=m[1, 2].pk).update(
        status=MeasureStatus.IN_PROGRESS, deadline=TODAY - timedelta(days=10)
    )
    report(
        m[1, 2],
        bob,
        "培训方案已起草。",
        state=ReportState.ACCEPTED,
        on=TODAY - timedelta(days=50),
        reviewer=alice,
    )
    report(
        m[1, 2],
        bob,
        "已完成两期培训。",
        state=ReportState.RETURNED,
        on=TODAY - timedelta(days=5),
        reviewer=alice,
    )
    Measure.objects.filter(pk=m[2, 1].pk).update(deadline=TODAY - timedelta(days=3))
    Measure.objects.filter(pk=m[3, 1].pk).update(
        status=MeasureStatus.ONGOING, category=MeasureCategory.LONG_TERM, deadline=None
    )
    report(m[3, 1], bob, "常态化推进。", on=TODAY - timedelta(days=2))
    Measure.objects.filter(pk=m[3, 2].pk).update(
        status=MeasureStatus.IN_PROGRESS, deadline=TODAY + timedelta(days=5)
    )
    return ledger


# ------------------------------------------------------------------ figures


def test_small_ledger_figures(world, lived):
    m = lived.measures
    data = dispatch.build_dispatch(world.alice, lived.inspection.pk, START, TODAY).data
    assert data["totals"] == {
        "problems": 3,
        "rectified_problems": 0,
        "measures": 5,
        "signed_off": 1,
        "ongoing": 1,
        "in_progress": 2,
        "not_started": 1,
        "overdue": 2,
        "red_warnings": 2,
        "reports_missing": 0,
        "completion_rate": 40.0,
    }
    assert [item["label"] for item in data["late"]] == ["1.2", "2.1"]  # longest overdue first
    late = {item["label"]: item for item in data["late"]}
    assert late["1.2"]["days_overdue"] == 10 and late["2.1"]["days_overdue"] == 3
    assert late["1.2"]["reason"] == "已完成两期培训。" and late["1.2"]["report"]["state"] == "returned"
    assert late["2.1"]["reason"] == "未报送进展" and late["2.1"]["report"] is None
    assert late["1.2"]["units"] == ["甲局执法支队"] and late["2.1"]["units"] == ["甲局法规处"]
    assert late["1.2"]["leader"] == "李瑞"
    period = data["period"]
    assert [item["id"] for item in period["signed_off"]] == [m[1, 1].pk]
    assert period["reports_accepted"] == 1  # the one 20 days ago; the one 50 days ago is before the range
    assert (period["reports_returned"], period["reports_submitted"]) == (1, 3)
    areas = {row["name"]: row for row in data["by_area"]}
    assert {
        k: areas["关于执法方面"][k] for k in ("total", "signed_off", "in_progress", "not_started", "overdue")
    } == {
        "total": 3,
        "signed_off": 1,
        "in_progress": 1,
        "not_started": 1,
        "overdue": 2,
    }
    assert areas["关于服务方面"]["ongoing"] == 1 and areas["关于服务方面"]["completion_rate"] == 50.0
    units = {row["name"]: row["total"] for row in data["by_unit"]}
    assert units == {"甲局执法支队": 4, "甲局法规处": 1}  # supporting units do not count
    assert [(row["name"], row["total"], row["overdue"]) for row in data["by_leader"]] == [("李瑞", 5, 2)]
    warnings = {row["level"]: row["count"] for row in data["warnings"]}
    assert warnings == {1: 0, 2: 1, 3: 2, 4: 0}
    assert data["reports_missing"] == []  # the inspection was created this period
    assert data["comparison"] is None
    assert data["inspection"]["inspected"]["name"] == "甲局" and data["start"] == START.isoformat()
    assert json.loads(json.dumps(data)) == data  # plain JSON: reads the same later


def test_figures_equal_direct_counts_on_the_demo(db, settings, tmp_path):
    from rectify.supervision.deadlines import with_report_missing

    from ..conftest import PASSWORD
    from ..demo_copy import demo as demo_copy

    settings.MEDIA_ROOT = tmp_path
    inspection = demo_copy(PASSWORD).inspection
    office = User.objects.get(username="office")
    start = TODAY - timedelta(days=90)
    data = dispatch.build_dispatch(office, inspection.pk, start, TODAY).data
    measures = Measure.objects.filter(problem__inspection=inspection)
    totals = data["totals"]

    assert totals["measures"] == measures.count() == 36
    assert {row["status"]: row["count"] for row in data["by_status"]} == {
        status: measures.filter(status=status).count() for status in MeasureStatus.values
    }
    overdue = measures.filter(deadline__lt=TODAY, status__in=OPEN_STATUSES)
    assert totals["overdue"] == overdue.count() > 0
    assert {item["id"] for item in data["late"]} == set(overdue.values_list("pk", flat=True))
    for item in data["late"]:
        latest = ProgressReport.objects.filter(measure_id=item["id"]).order_by("-submitted_at", "-id").first()
        assert item["reason"] == (latest.text if latest else "未报送进展")
        assert item["days_overdue"] == (TODAY - date.fromisoformat(item["deadline"])).days
    signed = measures.filter(status="signed_off").count()
    ongoing = measures.filter(status="ongoing").count()
    assert totals["completion_rate"] == round(100 * (signed + ongoing) / 36, 1)
    assert totals["problems"] == 17

    # Signed off in the period: measures 已销号 now whose last approval fell in the range (one that was
    # reopened since is not 销号 any more), so the period never shows more than 已销号.
    last_approval = {
        measure.pk: SignOff.objects.filter(measure=measure, state="approved").order_by("-closed_at", "-pk")[0]
        for measure in measures.filter(status="signed_off", signoffs__state="approved").distinct()
    }
    in_range = {
        pk
        for pk, signoff in last_approval.items()
        if start <= timezone.localtime(signoff.closed_at).date() <= TODAY
    }
    assert {item["id"] for item in data["period"]["signed_off"]} == in_range
    assert 0 < data["period"]["signed_off_count"] <= totals["signed_off"]
    accepted = ProgressReport.objects.filter(
        measure__in=measures, state="accepted", reviewed_at__date__gte=start, reviewed_at__date__lte=TODAY
    )
    assert data["period"]["reports_accepted"] == accepted.count() > 0

    for row in data["by_area"]:
        area_measures = measures.filter(problem__area_id=row["id"])
        assert row["total"] == area_measures.count()
        assert row["signed_off"] == area_measures.filter(status="signed_off").count()
        assert row["overdue"] == area_measures.filter(deadline__lt=TODAY, status__in=OPEN_STATUSES).count()
    assert sum(row["total"] for row in data["by_area"]) == 36
    assert len(data["by_area"]) == Area.objects.filter(inspection=inspection).count()
    for row in data["by_unit"]:
        links = MeasureUnit.objects.filter(unit_id=row["id"], role="responsible", measure__in=measures)
        assert row["total"] == links.count()
        assert (
            row["in_progress"]
            == links.filter(measure__status__in=["in_progress", "signoff_requested", "reopened"]).count()
        )
    for row in data["by_leader"]:
        led = measures.filter(lead_leader_id=row["id"])
        assert row["total"] == led.count() and row["name"] == User.objects.get(pk=row["id"]).full_name
        assert row["not_started"] == led.filter(status="not_started").count()
    assert sum(row["total"] for row in data["by_leader"]) == 36

    # The three-colour ladder under the default policy, counted by hand from each open measure's due
    # date: its next open time node's (the demo has some), else its deadline.
    dues = []
    for measure in measures.filter(status__in=OPEN_STATUSES):
        node = measure.milestones.filter(state="open").order_by("due_on").first()
        due = node.due_on if node else measure.deadline
        if due is not None:
            dues.append(due)
    expected = {
        4: sum(due < TODAY - timedelta(days=15) for due in dues),
        3: sum(TODAY - timedelta(days=15) <= due < TODAY for due in dues),
        2: sum(TODAY <= due <= TODAY + timedelta(days=10) for due in dues),
        1: sum(TODAY + timedelta(days=10) < due <= TODAY + timedelta(days=20) for due in dues),
    }
    assert {row["level"]: row["count"] for row in data["warnings"]} == expected
    missing = with_report_missing(measures, TODAY).filter(report_missing=True)
    assert {item["id"] for item in data["reports_missing"]} == set(missing.values_list("pk", flat=True))
    assert json.loads(json.dumps(data)) == data


def test_overdue_is_counted_at_the_end_of_the_range(world, lived):
    """A measure due between the range's end and today is not yet late in that dispatch."""
    end = TODAY - timedelta(days=5)
    data = dispatch.build_dispatch(world.alice, lived.inspection.pk, end - timedelta(days=30), end).data
    assert [item["label"] for item in data["late"]] == ["1.2"] and data["late"][0]["days_overdue"] == 5
    assert data["as_of"] == end.isoformat()


def test_range_must_be_ordered_and_not_in_the_future(world, lived):
    with pytest.raises(InvalidInput, match="不能早于起始日期"):
        dispatch.build_dispatch(world.alice, lived.inspection.pk, TODAY, TODAY - timedelta(days=1))
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        dispatch.build_dispatch(world.alice, lived.inspection.pk, TODAY, TODAY + timedelta(days=1))
    assert not DispatchReport.objects.exists()


# ------------------------------------------------------------------ comparison


def test_comparison_with_the_previous_dispatch(world, lived):
    m = lived.measures
    first = dispatch.build_dispatch(world.alice, lived.inspection.pk, START, TODAY)
    assert first.data["comparison"] is None
    # Since then: 1.2 (late) is signed off; 3.2 is now late; 2.1 stays late.
    sign_off(m[1, 2], world.bob)
    Measure.objects.filter(pk=m[3, 2].pk).update(
        status=MeasureStatus.IN_PROGRESS, deadline=TODAY - timedelta(days=1)
    )
    second = dispatch.build_dispatch(world.alice, lived.inspection.pk, TODAY - timedelta(days=7), TODAY)
    comparison = second.data["comparison"]
    assert comparison["previous"] == {
        "id": first.pk,
        "start": START.isoformat(),
        "end": TODAY.isoformat(),
        "generated_at": timezone.localtime(first.created_at).isoformat(timespec="seconds"),
    }
    assert [item["id"] for item in comparison["newly_signed_off"]] == [m[1, 2].pk]  # not 1.1, signed before
    assert [item["id"] for item in comparison["newly_overdue"]] == [m[3, 2].pk]
    assert [(item["id"], item["status"]) for item in comparison["no_longer_overdue"]] == [
        (m[1, 2].pk, "signed_off")
    ]
    deltas = {row["key"]: row for row in comparison["deltas"]}
    assert (deltas["signed_off"]["before"], deltas["signed_off"]["now"], deltas["signed_off"]["change"]) == (
        1,
        2,
        1,
    )
    assert deltas["overdue"]["change"] == 0 and deltas["in_progress"]["change"] == -1
    assert deltas["completion_rate"]["change"] == 20.0
    # The previous dispatch reads the same as before.
    first.refresh_from_db()
    assert first.data["comparison"] is None and first.data["totals"]["signed_off"] == 1
    # A third compares with the second, not the first.
    third = dispatch.build_dispatch(world.alice, lived.inspection.pk, TODAY, TODAY)
    assert third.data["comparison"]["previous"]["id"] == second.pk
    assert third.data["comparison"]["newly_signed_off"] == []


def test_other_inspections_do_not_count(world, lived):
    data = dispatch.build_dispatch(world.charlie, lived.other.pk, START, TODAY).data
    assert data["totals"]["measures"] == 5 and data["totals"]["signed_off"] == 0 and data["late"] == []
    assert dispatch.build_dispatch(world.alice, lived.inspection.pk, START, TODAY).data["comparison"] is None


# ------------------------------------------------------------------ who may


def test_who_may_build_and_read(world, lived):
    inspection = lived.inspection.pk
    for name in ("alice", "vera", "sam"):
        built = dispatch.build_dispatch(getattr(world, name), inspection, START, TODAY)
        assert built.created_by == getattr(world, name)
    with pytest.raises(AccessDenied, match="整改办"):
        dispatch.build_dispatch(world.larry, inspection, START, TODAY)  # leaders read only
    with pytest.raises(AccessDenied):
        dispatch.build_dispatch(world.bob, inspection, START, TODAY)  # a unit sees the inspection, not this
    for name in ("charlie", "nobody"):
        with pytest.raises(NotFound):
            dispatch.build_dispatch(getattr(world, name), inspection, START, TODAY)
    stored = DispatchReport.objects.filter(inspection=inspection).first()
    for name in ("alice", "vera", "sam", "larry"):
        assert dispatch.get_dispatch(getattr(world, name), stored.pk) == stored
    for name in ("bob", "hana", "lisa"):
        with pytest.raises(AccessDenied):
            dispatch.get_dispatch(getattr(world, name), stored.pk)
    for name in ("charlie", "nobody"):
        with pytest.raises(NotFound):
            dispatch.get_dispatch(getattr(world, name), stored.pk)
    assert DispatchReport.objects.count() == 3
    assert set(dispatch.readable_dispatches(world.larry)) == set(DispatchReport.objects.all())
    assert not dispatch.readable_dispatches(world.bob).exists()
    assert not dispatch.readable_dispatches(world.charlie).exists()


# ------------------------------------------------------------------ queries


def _grow(world, ledger, number: int, count: int) -> None:
    """Add a problem with `count` measures in every state: late, signed off in the range, reported."""
    area = Area.objects.filter(inspection=ledger.inspection).first()
    problem = Problem.objects.create(
        inspection=ledger.inspection, area=area, number=number, title=f"新增问题{number}"
    )
    for order in range(1, count + 1):
        late = order % 3 == 0
        measure = Measure.objects.create(
            problem=problem,
            order=order,
            text=f"新增措施{number}.{order}",
            lead_leader=world.larry,
            responsible_unit=world.orgs["a1" if order % 2 else "a2"],
            deadline=TODAY - timedelta(days=order) if late else TODAY + timedelta(days=order),
            status=MeasureStatus.IN_PROGRESS if order % 2 else MeasureStatus.NOT_STARTED,
        )
        MeasureUnit.objects.create(
            measure=measure, unit=world.orgs["a1" if order % 2 else "a2"], role="responsible"
        )
        if order % 2:
            report(measure, world.bob, f"进展{order}", state=ReportState.ACCEPTED, reviewer=world.alice)
        if order % 4 == 1:
            sign_off(measure, world.bob)


def test_queries_do_not_grow_with_the_ledger(world, lived):
    def build() -> int:
        with CaptureQueriesContext(connection) as queries:
            dispatch.build_dispatch(world.alice, lived.inspection.pk, START, TODAY)
        return len(queries)

    _grow(world, lived, 4, 3)
    build()  # the first has nothing to compare with
    _grow(world, lived, 5, 3)
    small = build()
    _grow(world, lived, 6, 60)
    large = build()
    assert Measure.objects.filter(problem__inspection=lived.inspection).count() == 71
    assert large == small, (small, large)


# ------------------------------------------------------------------ the files


def _two_dispatches(world, lived) -> DispatchReport:
    dispatch.build_dispatch(world.alice, lived.inspection.pk, START, TODAY)
    sign_off(lived.measures[1, 2], world.bob)
    return dispatch.build_dispatch(world.alice, lived.inspection.pk, TODAY - timedelta(days=7), TODAY)


def test_docx_reads_back(world, lived):
    stored = _two_dispatches(world, lived)
    word = WordDocument(BytesIO(dispatch_render.docx_bytes(stored)))
    section = word.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    texts = [paragraph.text for paragraph in word.paragraphs]
    assert texts[0].replace("\n", "") == f"关于{lived.inspection.title}整改工作调度情况的报告"
    positions = [texts.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    assert any("整改措施5项" in text and "整改完成率60.0%" in text for text in texts)
    assert "（一）分方面情况" in texts and "（三）分牵头领导情况" in texts

    def table_with(header: str):
        return next(table for table in word.tables if table.rows[0].cells[0].text == header)

    areas = table_with("问题方面")
    assert [cell.text for cell in areas.rows[0].cells] == ["问题方面", *dispatch_render.GROUP_HEADERS]
    assert [cell.text for cell in areas.rows[1].cells] == [
        "关于执法方面",
        "3",
        "2",
        "0",
        "0",
        "1",
        "1",
        "66.7",
    ]
    late = next(table for table in word.tables if table.rows[0].cells[-1].text == "超期原因（最新进展）")
    assert (
        len(late.rows) == 2
        and late.rows[1].cells[1].text == "2.1"
        and late.rows[1].cells[-1].text == "未报送进展"
    )
    deltas = table_with("指标")
    signed_row = next(row for row in deltas.rows if row.cells[0].text == "已销号")
    assert [cell.text for cell in signed_row.cells] == ["已销号", "1", "2", "+1"]
    assert word.core_properties.title == texts[0].replace("\n", "")


def test_xlsx_reads_back(world, lived):
    stored = _two_dispatches(world, lived)
    book = load_workbook(BytesIO(dispatch_render.xlsx_bytes(stored)))
    assert book.sheetnames == ["总体", "按方面", "按单位", "按领导", "超期事项", "变化"]
    overall = {row[0]: row[1] for row in book["总体"].iter_rows(min_row=2, values_only=True)}
    assert overall["整改措施总数"] == 5 and overall["超期未完成"] == 1 and overall["整改完成率（%）"] == 60.0
    assert overall["本期销号措施"] == 2 and overall["调度期间"].endswith(f"{TODAY.month}月{TODAY.day}日")
    areas = book["按方面"]
    assert [cell.value for cell in areas[1]] == ["问题方面", *dispatch_render.GROUP_HEADERS]
    assert [cell.value for cell in areas[2]] == ["关于执法方面", 3, 2, 0, 0, 1, 1, 66.7]
    assert areas.freeze_panes == "A2" and areas.auto_filter.ref == "A1:H3"
    assert areas.column_dimensions["A"].width == 30 and areas["A2"].alignment.wrap_text
    units = {row[0]: row[1] for row in book["按单位"].iter_rows(min_row=2, values_only=True)}
    assert units == {"甲局执法支队": 4, "甲局法规处": 1}
    leaders = list(book["按领导"].iter_rows(min_row=2, values_only=True))
    assert leaders == [("李瑞", 5, 2, 1, 1, 1, 1, 60.0)]
    late = list(book["超期事项"].iter_rows(min_row=2, values_only=True))
    assert len(late) == 1 and late[0][1] == "2.1" and late[0][6] == 3 and late[0][-1] == "未报送进展"
    changes = book["变化"]
    assert [cell.value for cell in changes[1]][:4] == ["指标", "上次", "本次", "增减"]
    signed = next(row for row in changes.iter_rows(min_row=2, values_only=True) if row[0] == "已销号")
    assert signed[:4] == ("已销号", 1, 2, 1)
    assert any(
        row[0] and str(row[0]).startswith("上次调度以来新增销号的措施（1项）")
        for row in changes.iter_rows(values_only=True)
    )
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_first_dispatch_files_say_there_is_nothing_to_compare(world, lived):
    stored = dispatch.build_dispatch(world.alice, lived.inspection.pk, START, TODAY)
    texts = [
        paragraph.text for paragraph in WordDocument(BytesIO(dispatch_render.docx_bytes(stored))).paragraphs
    ]
    assert "本次为该巡察的首次调度，没有可比较的上次调度。" in texts
    changes = load_workbook(BytesIO(dispatch_render.xlsx_bytes(stored)))["变化"]
    assert changes["A3"].value.startswith("本次为该巡察的首次调度")


# ------------------------------------------------------------------ pages


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_build_show_and_download(world, lived):
    alice = _client(world.alice)
    page = alice.get("/dispatch/")
    assert page.status_code == 200 and lived.inspection.title in page.content.decode()
    assert f"?inspection={lived.other.pk}" not in page.content.decode()
    form = alice.get(f"/dispatch/new/?inspection={lived.inspection.pk}")
    assert form.status_code == 200 and 'type="date"' in form.content.decode()
    response = alice.post(
        "/dispatch/new/",
        {"inspection": lived.inspection.pk, "start": START.isoformat(), "end": TODAY.isoformat()},
    )
    stored = DispatchReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dispatch/{stored.pk}/"
    detail = alice.get(f"/dispatch/{stored.pk}/").content.decode()
    for text in [
        *SECTIONS,
        "<caption>按问题方面统计</caption>",
        "未报送进展",
        f"/dispatch/{stored.pk}/docx/",
    ]:
        assert text in detail
    assert (
        f'<th scope="row" class="nowrap"><a href="/measures/{lived.measures[2, 1].pk}/">2.1</a></th>'
        in detail
    )
    docx = alice.get(f"/dispatch/{stored.pk}/docx/")
    assert docx["Content-Type"] == DOCX_TYPE and "attachment" in docx["Content-Disposition"]
    assert WordDocument(BytesIO(docx.content)).paragraphs[0].text.startswith("关于")
    xlsx = alice.get(f"/dispatch/{stored.pk}/xlsx/")
    assert xlsx["Content-Type"] == XLSX_TYPE
    assert load_workbook(BytesIO(xlsx.content)).sheetnames[0] == "总体"
    listing = alice.get(f"/dispatch/?inspection={lived.inspection.pk}").content.decode()
    assert f"/dispatch/{stored.pk}/" in listing and "40.0" in listing


def test_the_next_form_starts_the_day_after_the_last_dispatch(world, lived):
    end = TODAY - timedelta(days=10)
    dispatch.build_dispatch(world.alice, lived.inspection.pk, end - timedelta(days=30), end)
    form = _client(world.alice).get(f"/dispatch/new/?inspection={lived.inspection.pk}").content.decode()
    assert f'name="start" value="{(end + timedelta(days=1)).isoformat()}"' in form
    assert f'name="end" value="{TODAY.isoformat()}"' in form and f'max="{TODAY.isoformat()}"' in form


def test_form_refuses_a_bad_range(world, lived):
    alice = _client(world.alice)
    backwards = alice.post(
        "/dispatch/new/",
        {
            "inspection": lived.inspection.pk,
            "start": TODAY.isoformat(),
            "end": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert backwards.status_code == 400 and "截止日期不能早于起始日期" in backwards.content.decode()
    future = alice.post(
        "/dispatch/new/",
        {
            "inspection": lived.inspection.pk,
            "start": TODAY.isoformat(),
            "end": (TODAY + timedelta(days=1)).isoformat(),
        },
    )
    assert future.status_code == 400 and "截止日期不能晚于今天" in future.content.decode()
    other = alice.post(
        "/dispatch/new/", {"inspection": lived.other.pk, "start": "2025-01-01", "end": "2025-01-31"}
    )
    assert other.status_code == 400 and "无权为其生成" in other.content.decode()
    empty = alice.post("/dispatch/new/", {"inspection": lived.inspection.pk, "start": "", "end": "x"})
    assert "请填写起始日期" in empty.content.decode() and "截止日期格式不正确" in empty.content.decode()
    assert not DispatchReport.objects.exists()


def test_pages_by_role(world, lived):
    stored = dispatch.build_dispatch(world.alice, lived.inspection.pk, START, TODAY)
    larry = _client(world.larry)
    assert larry.get("/dispatch/").status_code == 200
    assert larry.get(f"/dispatch/{stored.pk}/").status_code == 200
    assert larry.get(f"/dispatch/{stored.pk}/xlsx/").status_code == 200
    assert larry.get("/dispatch/new/").status_code == 403
    assert "新建调度" not in larry.get("/dispatch/").content.decode()
    sam = _client(world.sam)
    assert (
        sam.get(f"/dispatch/{stored.pk}/").status_code == 200 and sam.get("/dispatch/new/").status_code == 200
    )
    bob = _client(world.bob)
    assert bob.get("/dispatch/").status_code == 403
    assert bob.get(f"/dispatch/{stored.pk}/").status_code == 403
    assert bob.get(f"/dispatch/{stored.pk}/docx/").status_code == 403
    charlie = _client(world.charlie)
    assert charlie.get(f"/dispatch/{stored.pk}/").status_code == 404
    assert charlie.get(f"/dispatch/{stored.pk}/xlsx/").status_code == 404
    assert f"/dispatch/{stored.pk}/" not in charlie.get("/dispatch/").content.decode()
    assert _client(world.nobody).get("/dispatch/").status_code == 403
    assert Client().get("/dispatch/").status_code == 302  # to the login page


def test_a_stored_dispatch_reads_the_same_later(world, lived):
    """Renamed units and measures changed since do not change a stored dispatch; text is escaped."""
    Measure.objects.filter(pk=lived.measures[2, 1].pk).update(text="<script>alert(1)</script>规范")
    stored = dispatch.build_dispatch(world.alice, lived.inspection.pk, START, TODAY)
    alice = _client(world.alice)
    before = alice.get(f"/dispatch/{stored.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;规范" in before and "<script>alert" not in before
    world.orgs["a2"].name = "甲局政策法规处"
    world.orgs["a2"].save()
    Measure.objects.filter(pk=lived.measures[2, 1].pk).update(status=MeasureStatus.IN_PROGRESS, text="新文字")
    sign_off(lived.measures[1, 2], world.bob)
    after = alice.get(f"/dispatch/{stored.pk}/").content.decode()
    assert after.split('<article class="dispatch-doc"')[1] == before.split('<article class="dispatch-doc"')[1]
    assert "甲局法规处" in after and "甲局政策法规处" not in after
