"""On PostgreSQL, the audit trail refuses UPDATE and DELETE in the database itself, whoever connects.

Two exceptions, both narrow:
- deleting a user or an organisation sets the reference to it to NULL (Django's SET_NULL), and only
  that: every other column must stay as it was;
- the retention purge (rectify.security.services.purge_expired) deletes rows older than the retention,
  after `SET LOCAL rectify.audit_purge = 'on'` and `rectify.audit_retention_days` in its transaction;
  the trigger checks the age itself and never lets a row younger than 180 days go, whatever is set.

On SQLite nothing is created: there the product's guards (the models, the admin) are what there is.
"""

from django.db import migrations

TABLES = {
    # table: (time column, columns that may be set to NULL when what they point to is deleted)
    "auditlog_logentry": ("timestamp", ["actor_id"]),
    "security_securityevent": ("created_at", ["user_id", "organisation_id"]),
}

MINIMUM_DAYS = 180


def function_sql(table: str, time_column: str, nullable: list[str]) -> str:
    unchanged = "to_jsonb(NEW) - ARRAY[{0}] = to_jsonb(OLD) - ARRAY[{0}]".format(
        ", ".join(f"'{column}'" for column in nullable)
    )
    nulled = " AND ".join(
        f"(NEW.{column} IS NULL OR NEW.{column} IS NOT DISTINCT FROM OLD.{column})" for column in nullable
    )
    return f"""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
DECLARE
    days integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF {unchanged} AND {nulled} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '审计记录只能追加，不能修改（{table}）。' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF current_setting('rectify.audit_purge', true) = 'on' THEN
        days := GREATEST(
            COALESCE(NULLIF(current_setting('rectify.audit_retention_days', true), '')::integer, {MINIMUM_DAYS}),
            {MINIMUM_DAYS}
        );
        IF OLD.{time_column} < clock_timestamp() - make_interval(days => days) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '审计记录未满保存期限（% 天），不能删除（{table}）。', days
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION '审计记录只能追加，不能删除（{table}）。' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""


def drop_sql(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; DROP FUNCTION IF EXISTS {table}_append_only();"


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (time_column, nullable) in TABLES.items():
        schema_editor.execute(function_sql(table, time_column, nullable), None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(drop_sql(table), None)


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_security_events"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
