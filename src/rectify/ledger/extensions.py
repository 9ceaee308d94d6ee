"""Where the apps above the ledger plug into it. The ledger may not import them (DESIGN §6: nothing
imports upwards), so they register here from their AppConfig.ready: progress adds the Excel ledger's
时间节点 column, which the export writes (progress.ledger_excel) and the import reads back here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .models import Measure


@dataclass(frozen=True)
class ImportColumn:
    """A column of the Excel ledger that a higher app reads back on import, found by its header when
    no ledger field took the column.

    `read(text, deadline, feedback_date)` -> (value, note): the cell's value for the row's measure, and
    a note to show as the row's warning ("" for none); InvalidInput (in Chinese) when the cell is wrong.
    `write(pairs)` writes the values of the measures just created, [(measure, value)], inside the
    import's transaction."""

    header: str
    read: Callable[[str, date | None, date | None], tuple[Any, str]]
    write: Callable[[list[tuple[Measure, Any]]], None]


import_columns: dict[str, ImportColumn] = {}


# Called with the ids of the inspections whose measures changed in status, deadline or time nodes,
# in number (an import) or in their reports (submitted, reviewed), inside the change's transaction:
# supervision keeps its summary rows (supervision.tallies) from here. Every service that makes such
# a change calls measures_changed.
change_listeners: dict[str, Callable[[Iterable[int]], None]] = {}


def measures_changed(inspection_ids: Iterable[int]) -> None:
    """Tell the apps above that these inspections' measures changed (see change_listeners)."""
    ids = sorted(set(inspection_ids))
    if ids:
        for listener in change_listeners.values():
            listener(ids)
