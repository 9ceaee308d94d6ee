"""举一反三: which problems a text or a problem resembles, and why.

- `suggest_routing` reads a piece of public feedback and suggests the problems it concerns and the
  unit that should answer it (the office decides; this only suggests).
- `similar_problems` finds, for a problem, the most similar problems of other inspections and
  earlier rounds that the user may see.
- `flag_recurrences` runs when an inspection is imported: its problems that resemble problems
  already signed off elsewhere are flagged (可能反弹或共性问题) for the office to confirm or dismiss
  (`decide_flag`).

Scores are cosine similarities of TF-IDF vectors of character n-grams (rectify.similarity), 0..1.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput, StaleEdit
from rectify.ledger.choices import MeasureStatus
from rectify.ledger.models import Inspection, Measure, MeasureUnit, Problem
from rectify.org.access import DECIDE, VIEW
from rectify.org.models import Organisation, User
from rectify.similarity import EXAMINED_PER_RESULT, Match

from . import corpus
from .models import FlagKind, FlagStatus, RecurrenceFlag

if TYPE_CHECKING:
    from rectify.feedback.models import FeedbackItem

# Below these scores a match is noise: on the labelled sets (recurrence/bench.py) right answers
# scored 0.11 and more, while unrelated texts reach 0.07 on characters they happen to share.
MIN_ROUTING_SCORE = 0.08
MIN_SIMILAR_SCORE = 0.08
MAX_SIMILAR = 20
# A new problem is flagged against a signed-off one from this score: on the labelled problems
# (recurrence/bench.py) 96% of the pairs above it are the same kind of problem, and 83% of the
# same-kind pairs reach it. At most FLAGS_PER_PROBLEM flags per new problem, the strongest.
FLAG_THRESHOLD = 0.15
FLAGS_PER_PROBLEM = 3


@dataclass(frozen=True)
class ProblemSuggestion(Match):
    """A problem that resembles a text: the corpus's match (key: the problem's id, the cosine score
    0..1, the key terms both share) with the problem loaded."""

    problem: Problem = field(kw_only=True)


@dataclass(frozen=True)
class RoutingSuggestion:
    """The problems a feedback item most likely concerns, the unit most likely to answer it (None
    when nothing is similar enough), and one sentence saying why."""

    problems: list[ProblemSuggestion]
    unit: Organisation | None
    explanation: str


def _loaded(problem_ids: list[int]) -> dict[int, Problem]:
    """The problems with what a suggestion shows (inspection, area, measures and their units)."""
    links = MeasureUnit.objects.select_related("unit")
    measures = Measure.objects.order_by("order").prefetch_related(Prefetch("unit_links", queryset=links))
    problems = (
        Problem.objects.filter(pk__in=problem_ids)
        .select_related("inspection__inspected", "area")
        .prefetch_related(Prefetch("measures", queryset=measures))
    )
    return {problem.pk: problem for problem in problems}


def _suggestions(matches: list[Match]) -> list[ProblemSuggestion]:
    problems = _loaded([match.key for match in matches])
    return [
        ProblemSuggestion(match.key, match.score, match.terms, problem=problems[match.key])
        for match in matches
    ]


def _quoted(terms: list[str]) -> str:
    return "".join(f"“{term}”" for term in terms)


def suggest_routing(item: FeedbackItem, limit: int = 3) -> RoutingSuggestion:
    """The problems of the item's organisation (and the organisations below it) that its content
    most resembles, and the unit responsible for their measures, weighted by score."""
    fitted = corpus.organisation_corpus(item.organisation.path)
    matches = fitted.rank(item.content, limit=limit, min_score=MIN_ROUTING_SCORE)
    suggestions = _suggestions(matches)
    if not suggestions:
        return RoutingSuggestion([], None, "没有找到与该意见内容足够相似的问题，请人工判断承办单位。")
    unit = _likely_unit(suggestions)
    top = suggestions[0]
    reason = f"与第{top.problem.number}个问题“{top.problem.title}”"
    reason += f"共同出现{_quoted(top.terms)}" if top.terms else "用词相近"
    if unit is None:
        reason += "，但相关问题的措施尚未分配责任单位，请人工判断承办单位。"
    elif unit in _responsible_units(top.problem):
        reason += f"，该问题的措施由{unit.display_name}负责。"
    else:
        reason += f"，相似问题的措施多由{unit.display_name}负责。"
    return RoutingSuggestion(suggestions, unit, reason)


def _responsible_units(problem: Problem) -> list[Organisation]:
    return [unit for measure in problem.measures.all() for unit in measure.responsible_units]


def _likely_unit(suggestions: list[ProblemSuggestion]) -> Organisation | None:
    """Each suggested problem gives its score to the responsible units of its measures, shared out
    by how many of its measures each unit is responsible for; the unit with most weight wins (the
    earlier suggestion's unit on a tie). The inspected organisation itself, which holds a measure
    until the office gives it to one of its units, is no unit to route to."""
    weights: dict[int, float] = defaultdict(float)
    units: dict[int, Organisation] = {}
    for suggestion in suggestions:
        measures = list(suggestion.problem.measures.all())
        whole = suggestion.problem.inspection.inspected_id
        for measure in measures:
            for unit in measure.responsible_units:
                if unit.pk == whole:
                    continue
                weights[unit.pk] += suggestion.score / len(measures)
                units.setdefault(unit.pk, unit)
    if not weights:
        return None
    best = max(units, key=lambda pk: weights[pk])  # max keeps the first of equals, in suggestion order
    return units[best]


def similar_problems(problem: Problem, *, user: User, limit: int = 5) -> list[ProblemSuggestion]:
    """The problems of other inspections (other organisations, earlier rounds) most similar to
    `problem`, among those the user may see, best first."""
    fitted = corpus.all_problems_corpus()
    if problem.pk not in fitted:
        return []
    visible = Problem.objects.restrict(user, VIEW).exclude(inspection_id=problem.inspection_id)
    matches = fitted.rank(
        key=problem.pk,
        limit=min(limit, MAX_SIMILAR),
        min_score=MIN_SIMILAR_SCORE,
        allowed=lambda candidates: corpus.visible_among(visible, candidates),
    )
    return _suggestions(matches)


# ------------------------------------------------------------------ recurrence flags on import


def signed_off_problems() -> QuerySet[Problem]:
    """Problems whose measures are all signed off (销号); a problem without measures is not."""
    return Problem.objects.filter(
        Exists(Measure.objects.filter(problem=OuterRef("pk"))),
        ~Exists(Measure.objects.filter(problem=OuterRef("pk")).exclude(status=MeasureStatus.SIGNED_OFF)),
    )


def flag_imported_inspection(sender, inspection: Inspection, **kwargs) -> None:
    """Receiver of ledger.signals.inspection_imported."""
    flag_recurrences(inspection)


def flag_recurrences(inspection: Inspection) -> list[RecurrenceFlag]:
    """Flag the inspection's problems that resemble problems already signed off in other inspections
    of the same organisation or the organisations below it (whose office may see both), at most
    FLAGS_PER_PROBLEM per problem, strongest first. Called by the importer inside its transaction.

    The score is the cosine of the two problems in the corpus of all problems, computed for every
    pair in one sparse product."""
    new_ids = list(inspection.problems.order_by("number").values_list("pk", flat=True))
    earlier_ids = list(
        signed_off_problems()
        .filter(inspection__inspected__path__startswith=inspection.inspected.path)
        .exclude(inspection=inspection)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not new_ids or not earlier_ids:
        return []
    fitted = corpus.all_problems_corpus()
    scores = fitted.pair_scores(new_ids, earlier_ids)
    flags = []
    for row, problem_id in enumerate(new_ids):
        found = 0
        for column in np.argsort(-scores[row], kind="stable")[: FLAGS_PER_PROBLEM * EXAMINED_PER_RESULT]:
            score = float(scores[row, column])
            if score < FLAG_THRESHOLD or found == FLAGS_PER_PROBLEM:
                break
            earlier_id = earlier_ids[column]
            terms = fitted.shared_terms(fitted.text_of(problem_id), fitted.text_of(earlier_id))
            if not terms:
                continue
            flags.append(
                RecurrenceFlag(
                    problem_id=problem_id, earlier_id=earlier_id, score=round(min(score, 1.0), 4), terms=terms
                )
            )
            found += 1
    return RecurrenceFlag.objects.bulk_create(flags)


def pending_flags(user: User) -> QuerySet[RecurrenceFlag]:
    """Flags waiting for this user's decision (counted in the navigation)."""
    return RecurrenceFlag.objects.restrict(user, DECIDE).filter(status=FlagStatus.PENDING)


def flag_list(user: User, status: str | None = FlagStatus.PENDING) -> QuerySet[RecurrenceFlag]:
    """Visible flags in one status (all when None), with both problems and their inspections."""
    flags = RecurrenceFlag.objects.restrict(user, VIEW).select_related(
        "problem__inspection__inspected",
        "problem__area",
        "earlier__inspection__inspected",
        "earlier__area",
        "decided_by",
    )
    if status:
        if status not in FlagStatus.values:
            raise InvalidInput("状态只能是待确认、已确认或已排除。")
        flags = flags.filter(status=status)
    return flags.order_by("-created_at", "-score", "id")


def get_flag(user: User, flag_id: int) -> RecurrenceFlag:
    return flag_list(user, status=None).get_or_not_found("该举一反三提示不存在，或您无权查看。", pk=flag_id)


MAX_NOTE = 2000


@transaction.atomic
def decide_flag(user: User, flag_id: int, *, confirm: bool, kind: str = "", note: str = "") -> RecurrenceFlag:
    """Confirm a waiting flag as a common weakness or a relapse (with a note saying why), or dismiss
    it. The row is locked and must still be waiting: a flag is decided once."""
    get_flag(user, flag_id)  # 404 before 403: the flag must be visible at all
    try:
        flag = RecurrenceFlag.objects.restrict(user, DECIDE).select_for_update().get(pk=flag_id)
    except RecurrenceFlag.DoesNotExist:
        raise AccessDenied("只有该问题所属组织的整改办可以确认或排除举一反三提示。") from None
    if flag.status != FlagStatus.PENDING:
        who = flag.decided_by.display_name if flag.decided_by else "他人"
        raise StaleEdit(f"该提示已由{who}处理（{flag.get_status_display()}），未重复处理。")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"说明不能超过 {MAX_NOTE} 字。")
    if confirm:
        if kind not in FlagKind.values:
            raise InvalidInput("请选择认定为“共性问题”还是“问题反弹”。")
        if not note:
            raise InvalidInput("确认时请填写说明：为何认定为共性问题或问题反弹、下一步如何处理。")
        flag.status, flag.kind = FlagStatus.CONFIRMED, kind
    else:
        flag.status, flag.kind = FlagStatus.DISMISSED, ""
    flag.note = note
    flag.decided_by = user
    flag.decided_at = timezone.now()
    flag.save(update_fields=["status", "kind", "note", "decided_by", "decided_at"])
    return flag
