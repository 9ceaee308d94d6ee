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


def signatures(problems: QuerySet[Problem], up_to: int | None) -> tuple[tuple, tuple | None]:
    """The signature of `problems` (it changes whenever a problem or measure of the set is added,
    removed or reworded: counts, largest ids and total text lengths), and that of those among them
    whose id is at most `up_to` (None without it), in the same two aggregate queries."""
    names = ("count", "last", "length")

    def facts(rows: QuerySet, length, kept: Q) -> list:
        found = {"count": Count("id"), "last": Max("id"), "length": Sum(length)}
        if up_to is not None:
            found |= {
                "kept_count": Count("id", filter=kept),
                "kept_last": Max("id", filter=kept),
                "kept_length": Sum(length, filter=kept),
            }
        return rows.aggregate(**found)

    problem_facts = facts(problems, Length("title") + Length("description"), Q(pk__lte=up_to))
    measure_facts = facts(
        Measure.objects.filter(problem__in=problems), Length("text"), Q(problem_id__lte=up_to)
    )
    whole = tuple(found[name] for found in (problem_facts, measure_facts) for name in names)
    if up_to is None:
        return whole, None
    return whole, tuple(found[f"kept_{name}"] for found in (problem_facts, measure_facts) for name in names)


def corpus_for(scope: str, problems: QuerySet[Problem]) -> Corpus:
    """The fitted corpus of `problems`, from the cache while they have not changed; when the only
    change is problems added after the last one it had (a notice imported), extended by them, which
    reads and counts only theirs."""
    before = _cache.signature_of(scope)
    last = before[1] if before is not None else None  # the largest problem id the corpus has
    now, kept = signatures(problems, last)

    def build() -> Corpus:
        return Corpus(*problem_texts(problems))

    def extend(signature_before: tuple, fitted: Corpus) -> Corpus | None:
        if last is None or kept != signature_before:
            return None  # a problem or measure it has was changed or removed, or one was added to it
        return fitted.extended(*problem_texts(problems.filter(pk__gt=last)))

    return _cache.get(scope, now, build, extend)


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
