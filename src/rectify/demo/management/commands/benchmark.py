"""rectify benchmark: print how fast the core paths are on a large synthetic ledger.

Figures, not pass/fail: run it before and after a change (`make bench` uses a throwaway database).

Two modes:
- `--scale small|city|province`: builds a synthetic province (rectify.demo.synthetic) and prints each
  target of issue 12 beside its figure, with 达标/未达标; above `small`, the small scale is built and
  measured first, so each figure has its small-scale time and the ratio beside it.
- without `--scale`: the earlier detailed figures on `--measures` measures of `--units` units (kept
  as it was, so figures stay comparable with earlier runs).
"""

import io
import os
import resource
import statistics
import time
from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import override_settings

from rectify.demo import targets
from rectify.demo.builder import DEMO_NOTICE
from rectify.demo.synthetic import SCALES, generate
from rectify.feedback import bench as feedback_bench
from rectify.insights import bench as insights_bench
from rectify.ledger import services
from rectify.ledger.filters import filter_measures
from rectify.ledger.models import Inspection, Measure, MeasureUnit
from rectify.notices.document import InspectionFacts, NoticeArea, NoticeDocument, NoticeMeasure, NoticeProblem
from rectify.notices.importer import import_notice
from rectify.notices.parser import parse_bytes
from rectify.org.models import Membership, Organisation, OrganisationKind, Role, User
from rectify.recurrence import bench as recurrence_bench
from rectify.search import bench as search_bench
from rectify.supervision import tallies


class Command(BaseCommand):
    help = "在合成的大规模台账上测量解析、导入、台账查询和接口的耗时（仅用于测试数据库）。"

    def add_arguments(self, parser):
        parser.add_argument("--measures", type=int, default=20000, help="合成台账的整改措施总数")
        parser.add_argument("--units", type=int, default=60, help="责任单位数")
        parser.add_argument("--wipe", action="store_true", help="确认清空当前数据库中已有的数据")
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            help="按规模生成合成的全省数据并逐项对照性能目标（small 约 1 分钟；province 较重）",
        )
        parser.add_argument("--repeat", type=int, default=5, help="每项测量的次数（取中位数）")

    def handle(self, *args, measures: int, units: int, wipe: bool, scale: str | None = None, **options):
        if settings.PRODUCTION:
            raise CommandError("不能在生产环境运行基准测试（会写入大量合成数据）。", returncode=2)
        call_command("migrate", interactive=False, verbosity=0)
        if Organisation.objects.exists() and not wipe:
            raise CommandError(
                "当前数据库已有数据，基准测试会清空它。请用 make bench（临时数据库）运行，或加 --wipe 确认。",
                returncode=2,
            )
        call_command("flush", interactive=False, verbosity=0)
        if scale is not None:
            return self.against_targets(scale, options["repeat"])
        self.rows: list[tuple[str, str]] = []

        data = DEMO_NOTICE.read_bytes()
        self.timed("解析广州通报 .txt（每次）", lambda: parse_bytes(data, "notice.txt"), repeat=100)
        docx = _as_docx(parse_bytes(data, "notice.txt"))
        self.timed("解析同一通报 .docx（每次）", lambda: parse_bytes(docx, "notice.docx"), repeat=20)

        people = _organisations_and_people(units)
        started = time.perf_counter()
        inspections = _synthetic_ledger(measures, people["units"])
        self.row(f"写入合成台账（{measures} 条措施）", f"{time.perf_counter() - started:.1f} s")
        document = parse_bytes(data, "notice.txt")
        self.timed(
            "导入广州通报（36 条措施，一个事务）",
            lambda: import_notice(document, organisation=people["bureau"]),
        )

        today = date.today()
        for label, user in (
            ("整改办", people["office"]),
            ("责任单位联络员", people["liaison"]),
            ("纪检监察组", people["supervisor"]),
        ):
            user = User.objects.get(pk=user.pk)

            def first_page(user=user):
                rows = filter_measures(user, on=today)
                return rows.count(), list(rows[:50])

            self.timed(f"{label}：台账首页（50 行）与总数", first_page, repeat=10, count_queries=True)
            self.timed(
                f"{label}：超期措施筛选",
                lambda user=user: filter_measures(user, {"overdue": True}, on=today).count(),
                repeat=10,
            )
        self.timed(
            "整改办：巡察进展统计", lambda: services.summarise(people["office"], inspections[0]), repeat=10
        )

        client = Client()
        client.force_login(people["office"])
        with override_settings(ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
            self.timed(
                "接口 GET /api/v1/measures?page_size=200",
                lambda: client.get("/api/v1/measures?page_size=200"),
                repeat=10,
            )
            self.timed("网页 /measures/（整改台账）", lambda: client.get("/measures/"), repeat=10)

        # Feedback first: its thousands of public submissions are then counted by the dashboard and
        # indexed by search, which starts with a full reindex.
        for part in (feedback_bench, insights_bench, search_bench, recurrence_bench):
            part.run(self, people, inspections)

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.row("进程内存峰值", f"{peak:.0f} MiB")
        self.row(
            "数据库",
            f"{connection.vendor}，{Measure.objects.count()} 条措施，{Inspection.objects.count()} 次巡察",
        )
        width = max(len(name) for name, _ in self.rows) + 2
        for name, value in self.rows:
            self.stdout.write(f"{name:<{width}}{value}")

    def against_targets(self, scale: str, repeat: int) -> None:
        baseline: dict[str, float] = {}
        if scale != "small":
            baseline = {figure.name: figure.value for figure in self.figures_at("small", repeat)}
            call_command("flush", interactive=False, verbosity=0)
        figures = self.figures_at(scale, repeat)
        for figure in figures:
            verdict = "达标" if figure.met else "未达标"
            unit = figure.unit
            line = f"{figure.name}：{figure.value:.1f} {unit}（目标 ≤ {figure.limit:g} {unit}）{verdict}"
            if figure.cpu is not None:
                line += f"；CPU {figure.cpu:.1f} ms"
            small = baseline.get(figure.name)
            if small:
                ratio = figure.value / small
                over = "" if ratio <= 2 else "（超过 2 倍）"
                line += f"；small {small:.1f} {unit}，{ratio:.1f} 倍{over}"
            if figure.note:
                line += f"；{figure.note}"
            self.stdout.write(line)
        met = sum(figure.met for figure in figures)
        self.stdout.write(
            f"{met}/{len(figures)} 项达标（{connection.vendor}，每项 {repeat} 次取中位数，进程内测量；"
            "CPU 为本进程的 CPU 时间，SQLite 含数据库的工作，PostgreSQL 不含数据库服务器的）"
        )
        load = os.getloadavg() if hasattr(os, "getloadavg") else None
        if load:  # other work on the machine inflates the wall times: say how busy it was
            averages = " / ".join(f"{value:.2f}" for value in load)
            self.stdout.write(f"测量结束时的系统负载（1/5/15 分钟）：{averages}")

    def figures_at(self, scale: str, repeat: int) -> list:
        chosen = SCALES[scale]
        province = generate(chosen, stream=self.stderr._out)
        self.stdout.write(
            f"{scale}：{chosen.organisations} 个组织，{len(province.inspections)} 次巡察，"
            f"{chosen.measures} 条措施，{chosen.reports} 条进展，{chosen.feedback} 件意见诉求；"
            f"生成用时 {province.seconds:.0f} s"
            f"（{connection.vendor}，测量开始时系统负载 {os.getloadavg()[0]:.2f}）"
        )
        return targets.measure(province, repeat)

    def row(self, name: str, value: str) -> None:
        self.rows.append((name, value))

    def timed(self, name: str, action, repeat: int = 1, count_queries: bool = False) -> None:
        samples = []
        queries = 0
        for _ in range(repeat):
            reset_queries()
            with override_settings(DEBUG=count_queries):
                started = time.perf_counter()
                action()
                samples.append(time.perf_counter() - started)
                queries = len(connection.queries) if count_queries else 0
        median = statistics.median(samples) * 1000
        extra = f"，{queries} 次查询" if count_queries else ""
        self.row(name, f"中位数 {median:.2f} ms（{repeat} 次）{extra}")


def _as_docx(document: NoticeDocument) -> bytes:
    from docx import Document

    out = Document()
    out.add_paragraph(document.title)
    out.add_paragraph(document.opening)
    for number, area in enumerate(document.areas, start=1):
        out.add_paragraph(f"（{'一二三四五六七八九十'[number - 1]}）{area.title}")
        for problem in area.problems:
            out.add_paragraph(f"{problem.number}.{problem.title}")
            out.add_paragraph(problem.source_text)
    out.add_paragraph(document.issuer)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _organisations_and_people(unit_count: int) -> dict:
    city = Organisation.objects.create(
        name="基准市委巡察办", code="bench-city", kind=OrganisationKind.INSPECTION_OFFICE
    )
    bureau = Organisation.objects.create(
        name="基准局", code="bench-bureau", kind=OrganisationKind.PARTY_ORGAN, parent=city
    )
    units = [
        Organisation.objects.create(
            name=f"基准单位{i}", code=f"bench-unit-{i}", kind=OrganisationKind.DEPARTMENT, parent=bureau
        )
        for i in range(unit_count)
    ]

    def person(username: str, role: str, organisation: Organisation) -> User:
        user = User.objects.create_user(username, password=None, full_name=username)
        Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    return {
        "bureau": bureau,
        "units": units,
        "office": person("bench-office", Role.OFFICE, bureau),
        "liaison": person("bench-liaison", Role.LIAISON, units[0]),
        "supervisor": person("bench-supervisor", Role.SUPERVISOR, city),
    }


def _synthetic_ledger(measure_total: int, units: list[Organisation]) -> list[Inspection]:
    """Inspections of 20 problems × 10 measures each until `measure_total` measures exist."""
    bureau = units[0].parent
    per_inspection = 200
    inspections = []
    for index in range(max(1, measure_total // per_inspection)):
        problems = [
            NoticeProblem(
                number,
                f"第{index}次巡察第{number}个问题：非法营运监管不到位",
                [
                    NoticeMeasure(f"措施{order}：加强重点时段巡查打击，提升执法效率。")
                    for order in range(1, 11)
                ],
            )
            for number in range(1, 21)
        ]
        document = NoticeDocument(
            title=f"基准通报{index}",
            inspection=InspectionFacts(body="市委巡察组", theme="基准巡察", feedback_date=date(2024, 1, 1)),
            areas=[NoticeArea(title="关于执法方面", problems=problems)],
        )
        inspections.append(import_notice(document, organisation=bureau))
    links = []
    for position, measure_id in enumerate(Measure.objects.values_list("id", flat=True)):
        links.append(
            MeasureUnit(measure_id=measure_id, unit=units[position % len(units)], role="responsible")
        )
    MeasureUnit.objects.bulk_create(links, batch_size=2000)
    Measure.objects.filter(order__in=(1, 2, 3)).update(deadline=date(2024, 6, 30), status="in_progress")
    tallies.refresh()  # the update above bypasses the services that keep the summary rows
    return inspections
