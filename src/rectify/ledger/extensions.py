"""Where the apps above the ledger plug into it. The ledger may not import them (DESIGN §6: nothing
imports upwards), so they register here from their AppConfig.ready: progress adds the Excel ledger's
时间节点 column, which the export writes (progress.ledger_excel) and the import reads back here."""

from __future__ import annotations

from collections.abc import Callable
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
