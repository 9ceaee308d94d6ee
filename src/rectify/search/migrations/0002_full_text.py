"""The full-text part of the index, per database (see rectify.search.models and .backends).

SQLite: an FTS5 table with external content over search_searchentry, kept in step by triggers.
PostgreSQL: a tsvector column computed by a trigger (title weight A, body B) and a GIN index.
Django remakes a SQLite table to alter it, which drops its triggers: a later migration that alters
search_searchentry must create them again (SQLITE_FORWARD[1:4]).
Entries written before this migration (none in a new database) are indexed by `rectify reindex`.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_tokens, body_tokens,
        content='search_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE OF title_tokens, body_tokens ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
        INSERT INTO search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_FORWARD = [
    "ALTER TABLE search_searchentry ADD COLUMN vector tsvector",
    """CREATE FUNCTION search_entry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.vector := setweight(to_tsvector('simple', coalesce(NEW.title_tokens, '')), 'A')
                   || setweight(to_tsvector('simple', coalesce(NEW.body_tokens, '')), 'B');
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER search_entry_vector BEFORE INSERT OR UPDATE OF title_tokens, body_tokens
        ON search_searchentry FOR EACH ROW EXECUTE FUNCTION search_entry_vector()""",
    "UPDATE search_searchentry SET title_tokens = title_tokens",
    # fastupdate off: a search never scans a pending list of recent writes (10 ms per query measured
    # after a bulk import of 20,000 entries); the index is written a row at a time anyway.
    "CREATE INDEX search_entry_vector_gin ON search_searchentry USING gin (vector) WITH (fastupdate = off)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    "DROP TRIGGER IF EXISTS search_entry_vector ON search_searchentry",
    "DROP FUNCTION IF EXISTS search_entry_vector()",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS vector",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _run(schema_editor, backward: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"全文检索只支持 SQLite 和 PostgreSQL，当前数据库为 {vendor}。")
    for statement in STATEMENTS[vendor][backward]:
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, backward=False)


def backward(apps, schema_editor):
    _run(schema_editor, backward=True)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_entry")]

    operations = [migrations.RunPython(forward, backward)]
