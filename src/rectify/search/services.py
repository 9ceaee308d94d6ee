"""One search over problems, measures, progress reports, mechanisms, supervision orders and feedback.

`search(user, q, …)` is what the page, the API and the benchmark call:
1. the query is parsed into phrases of character bigrams (rectify.search.text);
2. the database's engine (rectify.search.backends) finds the entries, checks each against its
   kind's visibility rule for this user (`_visibility`), and counts the visible ones per kind and
   ranks them in one statement (`counted_page`), so no invisible object is listed or counted;
3. the hits of the page are loaded through the same visibility rules (one query per kind present),
   and titles and snippets are highlighted in Python on the stored text, the same on both engines.

Why not one organisation path stored on the entry: a unit sees measures of an organisation above it
through its assignments, and an order is visible through its issuer, its unit or its signer, so no
single path per entry decides visibility. What the entry does store is its inspection, and for a
ledger record that decides what the office, leaders and supervisors see (`_visibility`); the rest
is checked against each kind's own visibility rule, with the same indexes as every list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from rectify.errors import InvalidInput, NotFound
from rectify.ledger.models import Inspection
from rectify.org.access import VIEW, VIEW_ALL, Access
from rectify.org.models import User

from .backends import backend, counted_page
from .kinds import KINDS
from .models import SearchEntry
from .text import Query, parse_query, snippet

MAX_LIMIT = 100
TITLE_WIDTH = 80  # a measure's "title" is its whole text: show the part around the hit


@dataclass(frozen=True)
class SearchHit:
    kind: str
    kind_label: str
    object: object
    heading: str  # what the object is: 问题 2、措施 2.1、督办〔2025〕3号 · 甲局执法支队
    title: str
    title_html: SafeString  # escaped, the query's occurrences in <mark>; a long title cut around the hit
    snippet_html: SafeString
    url: str
    score: float
    inspection_id: int | None
    inspection_title: str


@dataclass(frozen=True)
class Facet:
    kind: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchResults:
    query: Query
    hits: list[SearchHit]
    total: int  # hits over all pages, in the kinds asked for
    counts: dict[str, int]  # per kind, whatever kinds were asked for (the filter's figures)
    types: frozenset[str]  # the kinds asked for; empty means all
    inspection: Inspection | None
    limit: int
    offset: int
    facets: list[Facet] = field(default_factory=list)

    @property
    def single_character(self) -> bool:
        return self.query.single_character

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total


def parse_types(value: str | list[str] | None) -> set[str] | None:
    """Kinds from `type=measure,problem` (or repeated parameters); None for all."""
    if not value:
        return None
    parts = value if isinstance(value, list) else [value]
    kinds = {part.strip() for item in parts for part in item.split(",") if part.strip()}
    _check_kinds(kinds)
    return kinds or None


def _check_kinds(kinds: set[str]) -> None:
    unknown = sorted(kinds - set(KINDS))
    if unknown:
        choices = "、".join(f"{key}（{kind.label}）" for key, kind in KINDS.items())
        raise InvalidInput(f"未知的类型：{'、'.join(unknown)}。可选：{choices}。")


def _visibility(user: User) -> Q | None:
    """The condition on an entry that the user may see its object, by each kind's own rule; None
    for someone signed out."""
    if not Access.of(user).is_authenticated:
        return None
    engine = backend()
    # A ledger record is checked by its entry's inspection against the few hundred inspections the
    # user sees whole, not by its own id against every record they see: a province's office sees a
    # million progress reports, more ids than PostgreSQL hashes (work_mem), and then it scanned them
    # once per hit. Units' people reach their records through their units: small sets, by id.
    whole = Q(inspection__in=Inspection.objects.restrict(user, VIEW_ALL).values("pk"))
    condition = Q()
    for key, kind in KINDS.items():
        if kind.model.objects.reaches_every_row(user):  # a province's office: nothing to check
            seen = Q()
        elif kind.follows_inspection:
            seen = whole
            through_units = kind.model.objects.reached_through_units(user)
            if through_units is not None:
                seen = seen | engine.visible(through_units)
        else:
            seen = engine.visible(kind.visible(user))
        condition |= Q(kind=key) & seen
    return condition


def _visible_entries(user: User) -> QuerySet[SearchEntry] | None:
    """Entries whose objects the user may see; None for someone signed out."""
    condition = _visibility(user)
    return None if condition is None else SearchEntry.objects.filter(condition)


def search(
    user: User,
    q: str,
    *,
    types: set[str] | None = None,
    inspection_id: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """The user's hits for `q`, best first; InvalidInput for an empty, too long or unknown query or
    type, NotFound for an inspection the user may not see."""
    query = parse_query(q)
    _check_kinds(set(types or ()))
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"每页条数应在 1 到 {MAX_LIMIT} 之间。")
    if offset < 0:
        raise InvalidInput("起始位置不能为负数。")
    inspection = None
    if inspection_id is not None:
        inspection = (
            Inspection.objects.restrict(user, VIEW)
            .select_related("inspected")
            .filter(pk=inspection_id)
            .first()
        )
        if inspection is None:
            raise NotFound("巡察不存在，或您无权查看。")
    wanted = frozenset(types or ())
    engine = backend()

    visible = _visibility(user)
    entries = SearchEntry.objects.all()
    if inspection is not None:
        entries = entries.filter(inspection=inspection)
    counts = dict.fromkeys(KINDS, 0)
    hits: list[SearchHit] = []
    page: list[SearchEntry] = []
    if visible is not None:
        found, ranked = counted_page(engine.ranked(entries, query), visible, wanted, limit, offset)
        counts |= found
        loaded = SearchEntry.objects.select_related("inspection").in_bulk([pk for pk, _ in ranked])
        for pk, relevance in ranked:
            entry = loaded.get(pk)
            if entry is not None:  # gone since: as in _hits, show less rather than fail
                entry.relevance = relevance
                page.append(entry)
        hits = _hits(user, page, query)
    total = sum(n for kind, n in counts.items() if not wanted or kind in wanted)
    facets = [
        Facet(kind=key, label=kind.label, count=counts[key], selected=key in wanted)
        for key, kind in KINDS.items()
    ]
    return SearchResults(
        query=query,
        hits=hits,
        total=total,
        counts=counts,
        types=wanted,
        inspection=inspection,
        limit=limit,
        offset=offset,
        facets=facets,
    )


def _hits(user: User, page: list[SearchEntry], query: Query) -> list[SearchHit]:
    """The page's entries as hits, each object loaded through its kind's visibility rule."""
    objects: dict[tuple[str, int], object] = {}
    for key in {entry.kind for entry in page}:
        kind = KINDS[key]
        ids = [entry.object_id for entry in page if entry.kind == key]
        for obj in kind.visible(user).filter(pk__in=ids).select_related(*kind.related):
            objects[key, obj.pk] = obj
    hits = []
    terms = query.terms
    for entry in page:
        obj = objects.get((entry.kind, entry.object_id))
        if obj is None:  # changed hands between the two queries: show nothing rather than too much
            continue
        kind = KINDS[entry.kind]
        hits.append(
            SearchHit(
                kind=entry.kind,
                kind_label=kind.label,
                object=obj,
                heading=kind.heading(obj),
                title=entry.title,
                title_html=mark_safe(snippet(entry.title, terms, width=TITLE_WIDTH)),  # escaped by snippet()
                snippet_html=mark_safe(snippet(entry.body, terms)),  # escaped by snippet()
                url=kind.url(obj),
                score=float(entry.relevance),
                inspection_id=entry.inspection_id,
                inspection_title=entry.inspection.title if entry.inspection else "",
            )
        )
    return hits
