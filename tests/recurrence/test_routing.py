"""Routing suggestions for public feedback: the problems an item concerns and the unit to answer it,
on the demo notice's 17 problems, and measured on the labelled demo feedback."""

import json
from datetime import date

import pytest
from django.utils import timezone

from rectify.feedback.models import FeedbackItem
from rectify.ledger.models import Measure, MeasureUnit
from rectify.notices.importer import import_notice
from rectify.notices.parser import parse_file
from rectify.recurrence.evaluation import DEMO_FEEDBACK, routing_figures
from rectify.recurrence.services import suggest_routing

from ..conftest import GUANGZHOU

# Measured on demo_feedback.json (45 items): top-1 0.84, top-3 0.93. The floors leave room for small
# changes without hiding a real regression.
TOP1_FLOOR = 0.75
TOP3_FLOOR = 0.85


@pytest.fixture
def guangzhou(world):
    """The demo notice imported for bureau A: problem 10 (南站非法营运) assigned to the enforcement
    unit A1, problem 6 (行业经营困难, 网约车 among them) to A2, and the others to nobody yet."""
    inspection = import_notice(parse_file(GUANGZHOU), organisation=world.orgs["a"], user=world.alice)
    for number, unit in ((10, "a1"), (6, "a2")):
        for measure in Measure.objects.filter(problem__inspection=inspection, problem__number=number):
            MeasureUnit.objects.create(
                measure=measure, unit=world.orgs[unit], role=MeasureUnit.Role.RESPONSIBLE
            )
    return inspection


def item(world, content: str, organisation: str = "a") -> FeedbackItem:
    count = FeedbackItem.objects.count()
    return FeedbackItem.objects.create(
        organisation=world.orgs[organisation],
        code=f"TEST{count:08d}",
        kind="opinion",
        channel="portal",
        content=content,
        received_at=timezone.now(),
        due_date=date(2026, 12, 31),
    )


def test_a_citizen_s_words_lead_to_the_problem_and_its_unit(world, guangzhou):
    suggestion = suggest_routing(
        item(world, "在广州南站出站口总有人拉客，说是网约车其实是黑车，开口就要两百")
    )
    top = suggestion.problems[0]
    assert top.problem.number == 10 and top.problem.inspection == guangzhou
    assert "南站" in top.terms and 0 < top.score <= 1
    assert suggestion.unit == world.orgs["a1"]
    assert suggestion.explanation.startswith("与第10个问题“加强南站非法营运监管的整改”共同出现“南站”")
    assert suggestion.explanation.endswith(f"该问题的措施由{world.orgs['a1'].display_name}负责。")
    assert len(suggestion.problems) <= 3


def test_the_unit_is_weighted_over_the_suggested_problems(world, guangzhou):
    # Problem 6 mentions 网约车; its unit is A2, though 10 (A1) may come too.
    suggestion = suggest_routing(item(world, "网约车平台乱加价，抽成越来越高，司机跑一天挣不到钱"))
    assert suggestion.problems[0].problem.number == 6
    assert suggestion.unit == world.orgs["a2"]


def test_no_unit_when_the_similar_problems_are_not_assigned(world, guangzhou):
    suggestion = suggest_routing(item(world, "公路养护招标文件的财务资格条件太高，中小企业报不上名"))
    assert suggestion.problems[0].problem.number == 11
    assert suggestion.unit is None and "尚未分配责任单位" in suggestion.explanation


def test_nothing_similar_enough_suggests_nothing(world, guangzhou):
    suggestion = suggest_routing(item(world, "谢谢你们，辛苦了"))
    assert (suggestion.problems, suggestion.unit) == ([], None)
    assert "人工判断" in suggestion.explanation


def test_only_the_item_s_own_organisation_is_searched(world, guangzhou):
    suggestion = suggest_routing(item(world, "南站出站口黑车拉客", organisation="b"))
    assert suggestion.problems == [] and suggestion.unit is None


def test_the_right_problem_is_in_the_first_three_for_most_demo_feedback(world, guangzhou):
    items = json.loads(DEMO_FEEDBACK.read_text(encoding="utf-8"))["items"]
    first = within_three = 0
    for entry in items:
        numbers = [s.problem.number for s in suggest_routing(item(world, entry["content"])).problems]
        first += bool(numbers) and numbers[0] == entry["problem"]
        within_three += entry["problem"] in numbers
    top1, top3 = first / len(items), within_three / len(items)
    print(f"\n分办建议命中率（{len(items)} 条演示意见）：首位 {top1:.0%}，前三 {top3:.0%}")
    assert top1 >= TOP1_FLOOR and top3 >= TOP3_FLOOR
    # The benchmark measures the same ranking without the database, and must agree.
    figures = routing_figures()
    assert (figures.top1, figures.top3) == (top1, top3)


def test_the_demo_feedback_is_labelled_for_every_problem_and_written_in_people_s_words():
    data = json.loads(DEMO_FEEDBACK.read_text(encoding="utf-8"))
    items = data["items"]
    assert len(items) >= 40
    assert {entry["problem"] for entry in items} == set(range(1, 18))
    assert {entry["kind"] for entry in items} == {"opinion", "demand"}
    assert {"portal", "phone", "email", "letter", "visit", "association", "hotline"} <= {
        entry["channel"] for entry in items
    }
    assert all(entry.get("association") for entry in items if entry["channel"] == "association")
    notice = GUANGZHOU.read_text(encoding="utf-8")
    # Not copied from the notice: no item repeats a run of 12 characters of it.
    for entry in items:
        content = entry["content"]
        assert not any(content[i : i + 12] in notice for i in range(len(content) - 11)), content
