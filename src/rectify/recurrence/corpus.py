"""The ledger's problems as a similarity corpus (rectify.similarity), fitted once per scope and kept
until the problems of that scope change."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Length

from rectify.ledger.models import Measure, Problem
from rectify.similarity import Corpus, CorpusCache

_cache = CorpusCache()


def problem_text(title: str, description: str, measure_texts: list[str]) -> str:
    """What a problem is about: its title, its description and its measures. An imported problem's
    description already holds its measures' text; a measure is added only when it is not in it."""
    extra = [text for text in measure_texts if text and text not in description]
    return "\n".join([title, description, *extra])


def problem_texts(problems: QuerySet[Problem]) -> tuple[list[int], list[str]]:
    """Ids and texts of the problems, read in two queries whatever their number."""
    rows = list(problems.order_by("id").values_list("id", "title", "description"))
    measures: dict[int, list[str]] = {}
    for problem_id, text in (
        Measure.objects.filter(problem__in=problems)
        .order_by("problem_id", "order")
        .values_list("problem_id", "text")
    ):
        measures.setdefault(problem_id, []).append(text)
    return (
        [row[0] for row in rows],
        [problem_text(title, description, measures.get(pk, [])) for pk, title, description in rows],
    )


def signature(problems: QuerySet[Problem]) -> tuple:
    """Changes whenever a problem or measure of the set is added, removed or reworded: counts,
    largest ids and total text lengths, in two aggregate queries."""
    problem_facts = problems.aggregate(
        count=Count("id"), last=Max("id"), length=Sum(Length("title") + Length("description"))
    )
    measure_facts = Measure.objects.filter(problem__in=problems).aggregate(
        count=Count("id"), last=Max("id"), length=Sum(Length("text"))
    )
    return (*problem_facts.values(), *measure_facts.values())


def corpus_for(scope: str, problems: QuerySet[Problem]) -> Corpus:
    """The fitted corpus of `problems`, from the cache while they have not changed."""

    def build() -> Corpus:
        return Corpus(*problem_texts(problems))

    return _cache.get(scope, signature(problems), build)


def organisation_problems(path: str) -> QuerySet[Problem]:
    """The problems of every inspection of an organisation and the organisations below it."""
    return Problem.objects.filter(inspection__inspected__path__startswith=path)


def organisation_corpus(path: str) -> Corpus:
    return corpus_for(f"organisation:{path}", organisation_problems(path))


def all_problems_corpus() -> Corpus:
    return corpus_for("all", Problem.objects.all())


def visible_among(problems: QuerySet[Problem], candidates) -> list[int]:
    """Which of the candidate ids lie in `problems` (one query)."""
    return list(problems.filter(Q(pk__in=list(candidates))).values_list("pk", flat=True))


def clear_cache() -> None:
    _cache.clear()
