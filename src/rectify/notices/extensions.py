"""Where the apps above notices plug into it. Notices may not import them (DESIGN §6: nothing imports
upwards), so they register here from their AppConfig.ready: supervision, whose warning policy names an
organisation's party head (党组（党委）书记), says who approves the rectification notice, and, from its
延期 procedure, which measures' deadlines were moved by an approved extension (the notice says so)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from rectify.org.models import Organisation

# lookup(organisation) -> the user id of the organisation's party head, or None; by the app that knows.
party_head_lookups: dict[str, Callable[[Organisation], int | None]] = {}


def party_head_id(organisation: Organisation) -> int | None:
    """The organisation's party head, if one is named (then only he or she approves the notice)."""
    return next((head for lookup in party_head_lookups.values() if (head := lookup(organisation))), None)


# lookup(measure ids) -> those whose deadline an approved extension (延期) moved; by the app that knows.
extended_lookups: dict[str, Callable[[Collection[int]], set[int]]] = {}


def extended_measures(measure_ids: Collection[int]) -> set[int]:
    """The measures among these whose deadline was extended with approval (one query per lookup)."""
    extended: set[int] = set()
    for lookup in extended_lookups.values():
        extended |= lookup(measure_ids)
    return extended
