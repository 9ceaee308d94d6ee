"""How good the similarity is, measured on labelled sets (pure: no database).

- Routing: the demo feedback (feedback/data/demo_feedback.json), each item labelled with the problem
  of the demo notice it concerns; is that problem the first suggestion, or among the first three?
- Similar problems: recurrence/data/labelled_problems.json, problems of many inspections grouped by
  what they are really about; for each problem, the relevant ones are those of its group in other
  inspections; precision and recall of the first five.
- Recurrence flags: on the same set, the pairs of problems of different inspections a flag would be
  raised for, and how many of them are the same kind of problem.

The tests assert floors on these figures and recurrence/bench.py prints them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rectify.notices.parser import parse_file
from rectify.similarity import NGRAM_RANGE, Corpus

from .corpus import problem_text
from .services import FLAG_THRESHOLD, MIN_ROUTING_SCORE, MIN_SIMILAR_SCORE

PACKAGE = Path(__file__).resolve().parent.parent
DEMO_NOTICE = PACKAGE / "notices" / "data" / "guangzhou-transport-2025.txt"
DEMO_FEEDBACK = PACKAGE / "feedback" / "data" / "demo_feedback.json"
LABELLED_PROBLEMS = Path(__file__).resolve().parent / "data" / "labelled_problems.json"


@dataclass(frozen=True)
class RoutingFigures:
    items: int
    top1: float
    top3: float
    misses: list[tuple[str, int, list[int]]]  # (content, true problem, suggested problems)


@dataclass(frozen=True)
class RankingFigures:
    problems: int
    precision_at_5: float
    recall_at_5: float
    # Precision of the first five where a group has fewer than five relevant problems elsewhere:
    # hits divided by min(5, relevant), so a perfect ranking scores 1.
    attainable_precision_at_5: float


@dataclass(frozen=True)
class FlagFigures:
    threshold: float
    pairs: int  # pairs of problems of different inspections
    flagged: int
    precision: float  # share of flagged pairs that are the same kind of problem
    recall: float  # share of same-kind pairs that are flagged


def routing_figures(
    notice: Path = DEMO_NOTICE, feedback: Path = DEMO_FEEDBACK, *, ngram_range: tuple[int, int] = NGRAM_RANGE
) -> RoutingFigures:
    """Rank the notice's problems for each feedback item as suggest_routing does."""
    document = parse_file(notice)
    problems = [problem for area in document.areas for problem in area.problems]
    corpus = Corpus(
        [problem.number for problem in problems],
        [
            problem_text(problem.title, problem.source_text, [measure.text for measure in problem.measures])
            for problem in problems
        ],
        ngram_range=ngram_range,
    )
    items = json.loads(feedback.read_text(encoding="utf-8"))["items"]
    first = within_three = 0
    misses = []
    for item in items:
        suggested = [
            match.key for match in corpus.rank(item["content"], limit=3, min_score=MIN_ROUTING_SCORE)
        ]
        first += bool(suggested) and suggested[0] == item["problem"]
        within_three += item["problem"] in suggested
        if item["problem"] not in suggested:
            misses.append((item["content"], item["problem"], suggested))
    return RoutingFigures(len(items), first / len(items), within_three / len(items), misses)


def labelled_problems(path: Path = LABELLED_PROBLEMS) -> list[dict]:
    """The labelled problems, each with its inspection's key and its group."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        {**problem, "inspection": inspection["key"]}
        for inspection in data["inspections"]
        for problem in inspection["problems"]
    ]


def _labelled_corpus(problems: list[dict], ngram_range: tuple[int, int]) -> Corpus:
    return Corpus(
        list(range(len(problems))),
        [problem_text(p["title"], p.get("description", ""), p.get("measures", [])) for p in problems],
        ngram_range=ngram_range,
    )


def flag_figures(
    path: Path = LABELLED_PROBLEMS,
    *,
    threshold: float = FLAG_THRESHOLD,
    ngram_range: tuple[int, int] = NGRAM_RANGE,
) -> FlagFigures:
    """Treat every pair of labelled problems of different inspections as flag_recurrences would (a
    score from the threshold and a shared key term): how many flags are right, how many are missed."""
    problems = labelled_problems(path)
    corpus = _labelled_corpus(problems, ngram_range)
    scores = corpus.score_matrix(corpus.texts)
    pairs = flagged = right = same = 0
    for first in range(len(problems)):
        for second in range(first + 1, len(problems)):
            if problems[first]["inspection"] == problems[second]["inspection"]:
                continue
            pairs += 1
            alike = bool(problems[first].get("group")) and problems[first].get("group") == problems[
                second
            ].get("group")
            same += alike
            if scores[first, second] >= threshold and corpus.shared_terms(
                corpus.texts[first], corpus.texts[second]
            ):
                flagged += 1
                right += alike
    return FlagFigures(threshold, pairs, flagged, right / max(flagged, 1), right / max(same, 1))


def ranking_figures(
    path: Path = LABELLED_PROBLEMS, *, ngram_range: tuple[int, int] = NGRAM_RANGE, k: int = 5
) -> RankingFigures:
    """Rank every labelled problem against all others of other inspections, as similar_problems
    does, and compare the first k with the problems of its group."""
    problems = labelled_problems(path)
    corpus = _labelled_corpus(problems, ngram_range)
    precisions, recalls, attainable = [], [], []
    for index, problem in enumerate(problems):
        elsewhere = {
            other
            for other, candidate in enumerate(problems)
            if candidate["inspection"] != problem["inspection"]
        }
        relevant = {
            other
            for other in elsewhere
            if problem.get("group") and problems[other].get("group") == problem["group"]
        }
        if not relevant:
            continue  # a distractor: nothing to find, it only competes
        ranked = corpus.rank(
            key=index,
            limit=k,
            min_score=MIN_SIMILAR_SCORE,
            allowed=elsewhere.intersection,
        )
        hits = len(relevant & {match.key for match in ranked})
        precisions.append(hits / k)
        recalls.append(hits / len(relevant))
        attainable.append(hits / min(k, len(relevant)))
    return RankingFigures(
        len(precisions), float(np.mean(precisions)), float(np.mean(recalls)), float(np.mean(attainable))
    )
