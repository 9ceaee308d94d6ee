"""Testing a data migration: go back to the migration before it, write rows as the database then
held them, go forward to it, read what it made; and every app forward again afterwards, also when the
test fails, for the tests that come after."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader


@contextmanager
def back_at(before: list[tuple[str, str]]) -> Iterator[Apps]:
    """The apps as the database holds them at `before`: that app taken back, with whatever depends on
    its later migrations, and every other app as it stands."""
    MigrationExecutor(connection).migrate(before)
    try:
        loader = MigrationLoader(connection)
        yield loader.project_state(list(loader.applied_migrations)).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def forward_to(after: list[tuple[str, str]]) -> Apps:
    """Migrate to `after`; the apps as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    return executor.loader.project_state(after).apps
