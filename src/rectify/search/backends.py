"""The two full-text engines behind one interface: SQLite FTS5 and PostgreSQL tsvector.

Both index the same token text (rectify.search.text) and both get a parsed `Query`; each turns it
into its own syntax and ranks in the database:
- `visible(objects)`: the condition on an entry that its object is among `objects`, in the form the
  engine runs fastest;
- `match(entries, query)`: the entries containing every query word as a phrase;
- `ranked(entries, query)`: the same, annotated and ordered by `in_title` (every word in the title),
  then `exact` (all words as one unbroken phrase), then `relevance` (BM25 in SQLite, cover density
  in PostgreSQL; higher is better, comparable only within one search), then newest entry first.

`counted_page(ranked, visible, …)` wraps a ranked query, on either engine, to count the visible hits
per kind and cut the page in one pass.

The tiers make the order the same on both engines where it matters to a reader: a title hit above
a body hit, the exact phrase above scattered words. The raw SQL is Django's `extra()`: the FTS5 table
must be joined in the same SELECT for bm25(), which the ORM cannot express otherwise.
"""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from .text import Phrase, Query

TABLE = "search_searchentry"
ORDER = ("-in_title", "-exact", "-relevance", "-id")


class SqliteBackend:
    """FTS5 table `search_fts` (external content over the entry table, unicode61 tokenizer)."""

    @staticmethod
    def _phrase(phrase: Phrase) -> str:
        return f'"{" ".join(phrase.tokens)}"' + (" *" if phrase.prefix else "")

    def _expression(self, query: Query) -> str:
        return " AND ".join(self._phrase(phrase) for phrase in query.phrases)

    @staticmethod
    def visible(objects: QuerySet) -> Q:
        """Entries whose object is among `objects`, checked hit by hit (EXISTS on its primary key):
        SQLite would list every visible id of the kind for `object_id IN (…)` (a million reports at
        province scale) twice a search, whatever the query."""
        return Q(Exists(objects.filter(pk=OuterRef("object_id"))))

    def match(self, entries: QuerySet, query: Query) -> QuerySet:
        return entries.extra(
            tables=["search_fts"],
            where=[f"search_fts.rowid = {TABLE}.id", "search_fts MATCH %s"],
            params=[self._expression(query)],
        )

    def ranked(self, entries: QuerySet, query: Query) -> QuerySet:
        hits = f"{TABLE}.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
        select = {"relevance": "-bm25(search_fts, 4.0, 1.0)", "in_title": hits, "exact": hits}
        params = [f"{{title_tokens}} : ({self._expression(query)})", self._phrase(query.whole)]
        if len(query.phrases) == 1:  # one word: every hit is the exact phrase
            select["exact"], params = "1", params[:1]
        return self.match(entries, query).extra(select=select, select_params=params).order_by(*ORDER)

    def optimise(self) -> None:
        """After a full reindex: rebuild the FTS index from the entries (repairs any drift) and
        merge its b-trees."""
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")


class PostgresBackend:
    """Column `vector` (tsvector, `simple` configuration; title weight A, body B) with a GIN index."""

    @staticmethod
    def _phrase(phrase: Phrase, weight: str = "") -> str:
        last = len(phrase.tokens) - 1
        return " <-> ".join(
            token + (f":*{weight}" if phrase.prefix and i == last else (f":{weight}" if weight else ""))
            for i, token in enumerate(phrase.tokens)
        )

    def _expression(self, query: Query, weight: str = "") -> str:
        return " & ".join(f"({self._phrase(phrase, weight)})" for phrase in query.phrases)

    @staticmethod
    def visible(objects: QuerySet) -> Q:
        """Entries whose object is among `objects`: PostgreSQL hashes the ids once, while they fit in
        work_mem; an EXISTS under the OR of the kinds would be run hit by hit (three times slower on 营
        at small scale). Past work_mem the subquery is scanned once per entry instead, so the search
        never passes it the records of whole inspections (a province's million reports): see
        `search.services._visibility`."""
        return Q(object_id__in=objects.values("pk"))

    def match(self, entries: QuerySet, query: Query) -> QuerySet:
        return entries.extra(
            where=[f"{TABLE}.vector @@ to_tsquery('simple', %s)"], params=[self._expression(query)]
        )

    def ranked(self, entries: QuerySet, query: Query) -> QuerySet:
        hits = f"{TABLE}.vector @@ to_tsquery('simple', %s)"
        select = {
            # Normalisation 1: divide by 1 + log(length), so long texts do not win by length.
            "relevance": f"ts_rank_cd({TABLE}.vector, to_tsquery('simple', %s), 1)",
            "in_title": hits,
            "exact": hits,
        }
        params = [self._expression(query), self._expression(query, weight="A"), self._phrase(query.whole)]
        if len(query.phrases) == 1:  # one word: every hit is the exact phrase
            select["exact"], params = "TRUE", params[:2]
        return self.match(entries, query).extra(select=select, select_params=params).order_by(*ORDER)

    def optimise(self) -> None:
        """After a full reindex: the trigger has computed every vector; refresh the planner's figures."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")


def counted_page(
    ranked: QuerySet, visible: Q, kinds: Collection[str], limit: int, offset: int
) -> tuple[dict[str, int], list[tuple[int, float]]]:
    """One pass over the `visible` hits of `ranked` (a `ranked()` queryset): how many of each kind
    there are, and the page of those of `kinds` (every kind when empty) in ranking order, as (entry
    id, relevance). Counting and ranking apart read every hit twice, and on a large index the reading
    is most of the time (a province's 88,000 hits for 营: 70,000 pages each time)."""
    hits = ranked.filter(visible).order_by().values("id", "kind", "in_title", "exact", "relevance")
    sql, params = hits.query.sql_with_params()
    of_kinds = f"WHERE kind IN ({', '.join(['%s'] * len(kinds))})" if kinds else ""
    statement = f"""
        WITH hit AS MATERIALIZED ({sql})
        SELECT kind, COUNT(*), NULL, NULL, NULL, NULL FROM hit GROUP BY kind
        UNION ALL
        SELECT * FROM (
            SELECT CAST(NULL AS TEXT), CAST(NULL AS BIGINT), id, in_title, exact, relevance
            FROM hit {of_kinds}
            ORDER BY in_title DESC, exact DESC, relevance DESC, id DESC LIMIT %s OFFSET %s
        ) AS page"""
    counts: dict[str, int] = {}
    page = []
    with connection.cursor() as cursor:
        cursor.execute(statement, (*params, *sorted(kinds), limit, offset))
        for kind, count, entry_id, in_title, exact, relevance in cursor.fetchall():
            if kind is not None:
                counts[kind] = int(count)
            else:
                page.append((bool(in_title), bool(exact), float(relevance), entry_id))
    # The union keeps no order of its own: the page is put in ranking order again.
    page.sort(reverse=True)
    return counts, [(entry_id, relevance) for _, _, relevance, entry_id in page]


def backend() -> SqliteBackend | PostgresBackend:
    if connection.vendor == "sqlite":
        return SqliteBackend()
    if connection.vendor == "postgresql":
        return PostgresBackend()
    raise ImproperlyConfigured(f"全文检索只支持 SQLite 和 PostgreSQL，当前数据库为 {connection.vendor}。")
