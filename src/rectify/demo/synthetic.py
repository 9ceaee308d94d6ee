"""A synthetic province for `rectify benchmark --scale`: an organisation tree, several inspection
rounds, measures, progress reports with evidence, feedback, and the search index over all of it.

Written with bulk inserts in batches: no per-row save, no signals, no audit entries (the data is
synthetic). The text is recombined from the shipped vocabulary (the Guangzhou notice, the labelled
problems of 举一反三, the demo feedback), so searches and similarity see varied, realistic Chinese.
Everything respects the models' constraints; `random.Random(seed)` makes a run repeatable.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import islice
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from rectify.console import ProgressBar
from rectify.dbstats import refresh_statistics
from rectify.feedback import tallies as feedback_tallies
from rectify.feedback.choices import Channel
from rectify.feedback.models import CloseReason, FeedbackItem, FeedbackKind, FeedbackStatus
from rectify.feedback.services import new_tracking_code
from rectify.ledger.choices import MeasureCategory, MeasureStatus, UnitRole
from rectify.ledger.models import Area, Inspection, Measure, MeasureUnit, Problem
from rectify.notices.parser import parse_file
from rectify.org.models import PATH_STEP, Membership, Organisation, OrganisationKind, Role, User
from rectify.progress.models import Evidence, ProgressReport, ReportState
from rectify.recurrence.evaluation import DEMO_FEEDBACK, DEMO_NOTICE, LABELLED_PROBLEMS
from rectify.search.indexing import indexed_total, reindex
from rectify.search.models import SearchEntry
from rectify.supervision import tallies

BATCH = 5000
MEASURES_PER_PROBLEM = 5
PROBLEMS_PER_AREA = 10
EXPORT_MEASURES = 5000  # the first inspection is this large: the Excel export is measured on it


@dataclass(frozen=True)
class Scale:
    name: str
    cities: int
    bureaus_per_city: int
    departments_per_bureau: int
    rounds: int  # every bureau is inspected once per round
    measures: int
    reports: int
    feedback: int

    @property
    def organisations(self) -> int:
        bureaus = self.cities * self.bureaus_per_city
        # province + its office + per city: the city, its office; the bureaus and their departments
        return 2 + 2 * self.cities + bureaus * (1 + self.departments_per_bureau)


SCALES = {
    "small": Scale("small", 2, 3, 4, 2, 10_000, 20_000, 5_000),
    "city": Scale("city", 4, 6, 4, 3, 30_000, 200_000, 40_000),
    "province": Scale("province", 21, 4, 2, 4, 100_000, 1_000_000, 200_000),
}


def scale_named(name: str, **overrides: int) -> Scale:
    """A scale of SCALES with some counts replaced (`--measures`, or a tiny one for a test)."""
    return replace(SCALES[name], **{key: value for key, value in overrides.items() if value is not None})


@dataclass
class Province:
    """What the benchmark needs to know of the generated data."""

    province: Organisation
    bureau: Organisation  # the bureau of the first, largest inspection
    units: list[Organisation]  # that bureau's departments
    office: User  # the province office: sees everything
    liaison: User  # liaison of units[0]
    supervisor: User  # the province supervisor: sees everything
    inspections: list[Inspection]
    seconds: float = 0.0


# ------------------------------------------------------------------ vocabulary


class Vocabulary:
    """Clauses cut from the shipped texts, recombined into titles, measures, reports, feedback."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        notice = parse_file(DEMO_NOTICE)
        labelled = json.loads(LABELLED_PROBLEMS.read_text(encoding="utf-8"))
        feedback = json.loads(DEMO_FEEDBACK.read_text(encoding="utf-8"))
        titles = [p.title for area in notice.areas for p in area.problems]
        measures = [m.text for area in notice.areas for p in area.problems for m in p.measures]
        descriptions = []
        for inspection in labelled["inspections"]:
            for problem in inspection["problems"]:
                titles.append(problem["title"])
                descriptions.append(problem["description"])
                measures.extend(problem["measures"])
        self.areas = [area.title for area in notice.areas if area.title] or ["关于整改落实方面"]
        self.titles = [title.removesuffix("的整改").removesuffix("的问题") for title in titles]
        self.measure_clauses = _clauses(measures)
        self.description_clauses = _clauses(descriptions) or self.measure_clauses
        self.feedback_clauses = _clauses(item["content"] for item in feedback["items"])

    def pick(self, pool: list[str], count: int) -> str:
        return "，".join(self.rng.sample(pool, min(count, len(pool))))

    def problem_title(self) -> str:
        return f"{self.rng.choice(self.titles)}的问题"[:255]

    def description(self) -> str:
        return self.pick(self.description_clauses, 2) + "。"

    def measure(self) -> str:
        return self.pick(self.measure_clauses, self.rng.randint(2, 3)) + "。"

    def report(self) -> str:
        return f"本期{self.pick(self.measure_clauses, 2)}，已取得阶段性成效。"

    def feedback(self) -> str:
        return self.pick(self.feedback_clauses, self.rng.randint(2, 3)) + "。"


def _clauses(texts: Iterable[str]) -> list[str]:
    found = {
        clause.strip()
        for text in texts
        for clause in re.split(r"[，。；;！？、\n]", text)
        if 6 <= len(clause.strip()) <= 40
    }
    return sorted(found)


# ------------------------------------------------------------------ writing


def _batched(rows: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(model, rows: Iterable, total: int, label: str, stream: TextIO | None) -> list:
    """Bulk-insert `rows` in batches with a progress bar; the saved objects (with their ids)."""
    saved = []
    with ProgressBar(label, total, stream) as bar:
        for chunk in _batched(rows):
            saved.extend(model.objects.bulk_create(chunk))
            bar.advance(len(chunk))
    return saved


def _with_paths(parent_paths: dict[int | None, str], organisations: list[Organisation]) -> list[Organisation]:
    """Insert one level of the tree, then set each materialised path (save() would, row by row)."""
    organisations = Organisation.objects.bulk_create(organisations)
    for organisation in organisations:
        organisation.path = parent_paths.get(organisation.parent_id, "") + f"{organisation.pk:0{PATH_STEP}d}/"
    Organisation.objects.bulk_update(organisations, ["path"])
    return organisations


def generate(scale: Scale, *, seed: int = 2025, stream: TextIO | None = None) -> Province:
    """Fill an empty database with `scale`; `stream` gets the progress bars (stderr by default)."""
    import time

    started = time.perf_counter()
    rng = random.Random(seed)
    words = Vocabulary(rng)
    with transaction.atomic():
        tree = _organisations(scale)
        people = _people(tree)
        inspections = _inspections(scale, tree, people, rng, stream)
        measures = _measures(scale, inspections, tree, people, words, rng, stream)
        _reports(scale, measures, people, words, rng, stream)
        _feedback(scale, tree, people, words, rng, stream)
        # The bulk inserts bypass the services that keep the summary rows: counted once here.
        tallies.refresh()
        feedback_tallies.refresh()
    _index(stream)
    refresh_statistics(bulk_load=True)  # what autovacuum (PostgreSQL) or the daily tick (SQLite) does
    first_bureau = tree["bureaus"][0]
    return Province(
        province=tree["province"],
        bureau=first_bureau,
        units=tree["departments"][first_bureau.pk],
        office=people["office"],
        liaison=people["liaisons"][tree["departments"][first_bureau.pk][0].pk],
        supervisor=people["supervisor"],
        inspections=inspections,
        seconds=time.perf_counter() - started,
    )


def _organisations(scale: Scale) -> dict:
    kind = OrganisationKind
    (province,) = _with_paths(
        {}, [Organisation(name="合成省委", short_name="省委", code="syn-p", kind=kind.PARTY_ORGAN)]
    )
    paths = {province.pk: province.path}
    offices = [
        Organisation(name="省委巡视办", code="syn-p-xsb", kind=kind.INSPECTION_OFFICE, parent=province)
    ]
    cities = [
        Organisation(name=f"合成第{c + 1}市委", code=f"syn-c{c}", kind=kind.PARTY_ORGAN, parent=province)
        for c in range(scale.cities)
    ]
    cities = _with_paths(paths, offices + cities)[1:]
    paths.update({city.pk: city.path for city in cities})
    level = []
    for c, city in enumerate(cities):
        level.append(
            Organisation(
                name=f"{city.name}巡察办", code=f"syn-c{c}-xcb", kind=kind.INSPECTION_OFFICE, parent=city
            )
        )
        level.extend(
            Organisation(
                name=_numbered(f"第{c + 1}市", BUREAU_NAMES, b),
                code=f"syn-c{c}-b{b}",
                kind=kind.PARTY_ORGAN,
                parent=city,
            )
            for b in range(scale.bureaus_per_city)
        )
    bureaus = [o for o in _with_paths(paths, level) if o.kind == kind.PARTY_ORGAN]
    paths.update({bureau.pk: bureau.path for bureau in bureaus})
    level = [
        Organisation(
            name=bureau.name
            + DEPARTMENT_NAMES[d % len(DEPARTMENT_NAMES)]
            + str(d // len(DEPARTMENT_NAMES) or ""),
            code=f"{bureau.code}-d{d}",
            kind=kind.DEPARTMENT,
            parent=bureau,
        )
        for bureau in bureaus
        for d in range(scale.departments_per_bureau)
    ]
    departments: dict[int, list[Organisation]] = {bureau.pk: [] for bureau in bureaus}
    for department in _with_paths(paths, level):
        departments[department.parent_id].append(department)
    return {"province": province, "bureaus": bureaus, "departments": departments}


def _numbered(prefix: str, names: list[str], index: int) -> str:
    """prefix + the index-th name, numbered once the names run out (…办公室, …办公室1)."""
    return prefix + names[index % len(names)] + str(index // len(names) or "")


BUREAU_NAMES = ["交通运输局", "住房城乡建设局", "市场监督管理局", "生态环境局", "自然资源局", "城市管理局"]
DEPARTMENT_NAMES = ["办公室", "政策法规处", "综合执法支队", "行政审批处", "财务处", "规划处"]


def _people(tree: dict) -> dict:
    """An office, a leader and a liaison per department of each bureau; the province's office and
    supervisor, who see everything."""
    unusable = make_password(None)
    users, roles = [], []

    def person(username: str, role: str, organisation: Organisation) -> User:
        user = User(username=username, full_name=username, password=unusable)
        users.append(user)
        roles.append((user, organisation, role))
        return user

    people = {
        "office": person("syn-office", Role.OFFICE, tree["province"]),
        "supervisor": person("syn-supervisor", Role.SUPERVISOR, tree["province"]),
        "leaders": {},
        "liaisons": {},
    }
    for bureau in tree["bureaus"]:
        person(f"{bureau.code}-office", Role.OFFICE, bureau)
        people["leaders"][bureau.pk] = person(f"{bureau.code}-leader", Role.LEADER, bureau)
        for department in tree["departments"][bureau.pk]:
            people["liaisons"][department.pk] = person(f"{department.code}-liaison", Role.LIAISON, department)
    User.objects.bulk_create(users, batch_size=1000)
    Membership.objects.bulk_create(
        [Membership(user=user, organisation=organisation, role=role) for user, organisation, role in roles],
        batch_size=1000,
    )
    return people


def _inspections(scale: Scale, tree: dict, people: dict, rng: random.Random, stream) -> list[Inspection]:
    bureaus = tree["bureaus"]
    rows = []
    for round_number in range(1, scale.rounds + 1):
        year = 2021 + round_number
        for bureau in bureaus:
            onsite_start = date(year, 3, 1) + timedelta(days=rng.randint(0, 120))
            onsite_end = onsite_start + timedelta(days=42)
            rows.append(
                Inspection(
                    title=f"第{round_number}轮巡察{bureau.name}",
                    inspecting_body=f"第{rng.randint(1, 12)}巡察组",
                    inspected=bureau,
                    inspected_name=f"{bureau.name}党组",
                    theme="常规巡察",
                    round_name=f"第{round_number}轮",
                    onsite_start=onsite_start,
                    onsite_end=onsite_end,
                    feedback_date=onsite_end + timedelta(days=60),
                    deadline=onsite_end + timedelta(days=240),
                )
            )
    return _insert(Inspection, rows, len(rows), "写入巡察", stream)


def _measure_counts(scale: Scale, inspections: list[Inspection]) -> list[int]:
    """Measures per inspection: the first has EXPORT_MEASURES (at most half), the rest share."""
    first = min(EXPORT_MEASURES, scale.measures // 2)
    rest = scale.measures - first
    others = len(inspections) - 1
    if others == 0:
        return [scale.measures]
    return [first] + [rest // others + (1 if i < rest % others else 0) for i in range(others)]


def _measures(scale, inspections, tree, people, words: Vocabulary, rng, stream) -> list[tuple[int, int, int]]:
    """Areas, problems, measures and their units; (measure id, bureau id, status index) per measure."""
    areas, problems, plan = [], [], []
    for inspection, count in zip(inspections, _measure_counts(scale, inspections), strict=True):
        problem_count = -(-count // MEASURES_PER_PROBLEM)
        area_count = -(-problem_count // PROBLEMS_PER_AREA)
        own_areas = [
            Area(
                inspection=inspection,
                order=n + 1,
                title=f"关于{words.areas[n % len(words.areas)].strip('关于')}",
            )
            for n in range(max(area_count, 1))
        ]
        areas.extend(own_areas)
        for number in range(1, problem_count + 1):
            text = words.description()
            problem = Problem(
                inspection=inspection,
                area=own_areas[(number - 1) // PROBLEMS_PER_AREA],
                number=number,
                title=words.problem_title(),
                description=text,
                source_text=text,
            )
            problems.append(problem)
            plan.append((problem, min(MEASURES_PER_PROBLEM, count - (number - 1) * MEASURES_PER_PROBLEM)))
    _insert(Area, areas, len(areas), "写入问题方面", stream)
    _insert(Problem, problems, len(problems), "写入问题", stream)

    statuses = [
        MeasureStatus.SIGNED_OFF,
        MeasureStatus.SIGNED_OFF,
        MeasureStatus.IN_PROGRESS,
        MeasureStatus.IN_PROGRESS,
        MeasureStatus.NOT_STARTED,
        MeasureStatus.SIGNOFF_REQUESTED,
        MeasureStatus.ONGOING,
        MeasureStatus.REOPENED,
    ]

    def rows() -> Iterator[Measure]:
        for problem, count in plan:
            inspection = problem.inspection
            units = tree["departments"][inspection.inspected_id]
            for order in range(1, count + 1):
                status = rng.choice(statuses)
                yield Measure(
                    problem=problem,
                    order=order,
                    responsible_unit=units[rng.randrange(len(units))],
                    text=words.measure(),
                    lead_leader=people["leaders"][inspection.inspected_id],
                    deadline=inspection.deadline + timedelta(days=rng.randint(-200, 200)),
                    category=MeasureCategory.LONG_TERM
                    if status == MeasureStatus.ONGOING
                    else MeasureCategory.DEADLINE,
                    status=status,
                    reopen_reason="回头看发现问题反弹，重新整改。"
                    if status == MeasureStatus.REOPENED
                    else "",
                )

    measures = _insert(Measure, rows(), scale.measures, "写入整改措施", stream)
    problem_bureau = {problem.pk: problem.inspection.inspected_id for problem, _ in plan}
    links = []
    for measure in measures:
        units = tree["departments"][problem_bureau[measure.problem_id]]
        responsible = units.index(measure.responsible_unit)
        links.append(MeasureUnit(measure=measure, unit=units[responsible], role=UnitRole.RESPONSIBLE))
        if len(units) > 1 and rng.random() < 0.3:
            supporting = (responsible + 1 + rng.randrange(len(units) - 1)) % len(units)
            links.append(MeasureUnit(measure=measure, unit=units[supporting], role=UnitRole.SUPPORTING))
    _insert(MeasureUnit, links, len(links), "写入责任分工", stream)
    return [(m.id, m.problem_id, problem_bureau[m.problem_id]) for m in measures]


def _reports(scale, measures, people, words: Vocabulary, rng, stream) -> None:
    """scale.reports reports spread over the measures (monthly, oldest first); the latest of each
    measure may still wait for review, a few earlier ones were returned; every fifth has evidence."""
    per_measure, extra = divmod(scale.reports, len(measures)) if measures else (0, 0)
    liaisons_of = {}
    for link in MeasureUnit.objects.filter(role=UnitRole.RESPONSIBLE).values_list("measure_id", "unit_id"):
        liaisons_of[link[0]] = people["liaisons"][link[1]]
    reviewed_at = timezone.now() - timedelta(days=1)
    stages = ["调查摸底", "制定方案", "推进落实", "巩固提升", "总结验收"]

    def rows() -> Iterator[ProgressReport]:
        for index, (measure_id, _problem_id, bureau_id) in enumerate(measures):
            count = per_measure + (1 if index < extra else 0)
            author, reviewer = liaisons_of[measure_id], people["leaders"][bureau_id]
            for n in range(count):
                month = date(2023, 1, 1) + timedelta(days=31 * n)
                last = n == count - 1
                state = ReportState.SUBMITTED if last and rng.random() < 0.3 else ReportState.ACCEPTED
                if not last and rng.random() < 0.05:
                    state = ReportState.RETURNED
                yield ProgressReport(
                    measure_id=measure_id,
                    period_start=month.replace(day=1),
                    period_label=f"{month.year}年{month.month}月",
                    text=words.report(),
                    percent=min(100, (n + 1) * 100 // max(count, 1)),
                    stage=rng.choice(stages),
                    state=state,
                    author=author,
                    reviewer=None if state == ReportState.SUBMITTED else reviewer,
                    reviewed_at=None if state == ReportState.SUBMITTED else reviewed_at,
                    review_comment="佐证材料不充分，请补充。" if state == ReportState.RETURNED else "",
                )

    name = "evidence/synthetic/整改佐证.pdf"
    content = b"%PDF-1.4 synthetic evidence\n"
    if not default_storage.exists(name):
        default_storage.save(name, _bytes_file(content))
    digest = hashlib.sha256(content).hexdigest()
    with ProgressBar("写入整改进展与佐证材料", scale.reports, stream) as bar:
        for chunk in _batched(rows()):
            saved = ProgressReport.objects.bulk_create(chunk)
            Evidence.objects.bulk_create(
                Evidence(
                    report=report,
                    file=name,
                    original_name="整改佐证.pdf",
                    content_type="application/pdf",
                    size=len(content),
                    sha256=digest,
                    uploaded_by=report.author,
                )
                for report in saved[::5]
            )
            bar.advance(len(chunk))


def _bytes_file(content: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(content)


def _feedback(scale, tree, people, words: Vocabulary, rng, stream) -> None:
    """Feedback to the bureaus: a spread of channels, kinds and states, a fifth still waiting."""
    bureaus = tree["bureaus"]
    channels = Channel.values
    now = timezone.now()

    def rows() -> Iterator[FeedbackItem]:
        for n in range(scale.feedback):
            bureau = bureaus[n % len(bureaus)]
            units = tree["departments"][bureau.pk]
            received = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440))
            item = FeedbackItem(
                organisation=bureau,
                code=new_tracking_code(),
                kind=FeedbackKind.DEMAND if n % 3 == 0 else FeedbackKind.OPINION,
                channel=channels[n % len(channels)],
                content=words.feedback(),
                received_at=received,
                due_date=(received + timedelta(days=21)).date(),
                created_by=people["office"],
            )
            state = n % 5
            if state >= 1:
                item.status, item.unit, item.routed_at = FeedbackStatus.ROUTED, rng.choice(units), received
            if state == 2:
                item.status = FeedbackStatus.REPLY_PENDING
            if state >= 3:
                item.status, item.closed_at, item.close_reason = (
                    FeedbackStatus.REPLIED,
                    received + timedelta(days=9),
                    CloseReason.REPLIED,
                )
            yield item

    _insert(FeedbackItem, rows(), scale.feedback, "写入意见诉求", stream)


def _index(stream) -> None:
    """The search index, as `rectify reindex` builds it."""
    SearchEntry.objects.all().delete()
    reindex_with_progress(stream)


def reindex_with_progress(stream: TextIO | None = None) -> int:
    with ProgressBar("重建检索索引", indexed_total(), stream) as bar:
        return reindex(on_written=bar.advance)
