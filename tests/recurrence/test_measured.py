"""How good the similar-problem ranking and the recurrence flags are, measured on the labelled set
(recurrence/data/labelled_problems.json). The floors sit below the measured figures so that small
changes pass and a real regression fails; the figures are printed (pytest -s) and by the benchmark."""

import json
from collections import Counter

from rectify.recurrence.evaluation import LABELLED_PROBLEMS, flag_figures, labelled_problems, ranking_figures

# Measured: P@5 0.93, R@5 0.93 (90 problems with relevant ones elsewhere); flags at 0.15: 96% right,
# 83% of the same-kind pairs found.
PRECISION_AT_5_FLOOR = 0.85
RECALL_AT_5_FLOOR = 0.85
FLAG_PRECISION_FLOOR = 0.9
FLAG_RECALL_FLOOR = 0.7


def test_the_labelled_set_spans_organisations_years_and_kinds_of_problem():
    data = json.loads(LABELLED_PROBLEMS.read_text(encoding="utf-8"))
    inspections = data["inspections"]
    assert len({inspection["organisation"] for inspection in inspections}) >= 10
    assert len({inspection["year"] for inspection in inspections}) >= 3
    groups = Counter(problem.get("group") for problem in labelled_problems())
    assert set(data["groups"]) == {group for group in groups if group}
    assert all(count >= 5 for group, count in groups.items() if group)
    assert groups[None] >= 5  # distractors: problems nothing else is about
    # Every member of a group comes from a different inspection and says it in its own words (a
    # standard title like 违规发放津补贴的问题 may recur, as it does in real notices).
    for group in data["groups"]:
        members = [p for p in labelled_problems() if p.get("group") == group]
        assert len({p["inspection"] for p in members}) == len(members)
        assert len({p["description"] for p in members}) == len(members)


def test_similar_problems_rank_the_same_kind_of_problem_first():
    figures = ranking_figures()
    print(f"\n相似问题（{figures.problems} 个问题）：", end="")
    print(f"P@5 {figures.precision_at_5:.2f}，R@5 {figures.recall_at_5:.2f}")
    assert figures.precision_at_5 >= PRECISION_AT_5_FLOOR
    assert figures.recall_at_5 >= RECALL_AT_5_FLOOR


def test_recurrence_flags_are_mostly_right_and_find_most_pairs():
    figures = flag_figures()
    print(f"\n导入提示（≥{figures.threshold}）：{figures.flagged} 对，", end="")
    print(f"准确 {figures.precision:.0%}，召回 {figures.recall:.0%}")
    assert figures.precision >= FLAG_PRECISION_FLOOR
    assert figures.recall >= FLAG_RECALL_FLOOR
