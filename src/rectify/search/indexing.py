"""Keeping the search index up to date.

- Every save or delete of an indexed model updates its entry at once, inside the same transaction
  (signal receivers connected in apps.py): the index lives in the same database, so a rolled-back
  change rolls its entry back too. A save whose `update_fields` touch no indexed field is skipped.
- Bulk writes send no signals: whoever writes in bulk calls `reindex(inspection=…)` afterwards (the
  notice importer does, for the measures it bulk-creates).
- `reindex()` rebuilds everything (the `rectify reindex` command), in one transaction.

Writes are upserts on (kind, object_id), so two processes indexing the same object never collide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from rectify.ledger.models import Inspection
from rectify.ledger.signals import inspection_imported
from rectify.supervision.models import SupervisionOrder

from .backends import backend
from .kinds import KIND_OF_MODEL, KINDS, Kind, Row
from .models import SearchEntry
from .text import index_tokens

BATCH = 1000


def _entries(kind: Kind, rows: Iterable[Row]) -> Iterable[SearchEntry]:
    for object_id, inspection_id, title, body in rows:
        yield SearchEntry(
            kind=kind.key,
            object_id=object_id,
            inspection_id=inspection_id,
            title=title,
            body=body,
            title_tokens=index_tokens(title),
            body_tokens=index_tokens(body),
        )


def _write(kind: Kind, rows: Iterable[Row], on_written: Callable[[int], None] | None = None) -> int:
    """Insert or update the entries of `rows`; the number written. `on_written(n)` after each batch
    (a progress bar)."""
    written = 0
    batch: list[SearchEntry] = []
    for entry in _entries(kind, rows):
        batch.append(entry)
        if len(batch) == BATCH:
            written += _upsert(batch)
            if on_written:
                on_written(len(batch))
            batch = []
    if batch:
        written += _upsert(batch)
        if on_written:
            on_written(len(batch))
    return written


def _upsert(entries: list[SearchEntry]) -> int:
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["inspection", "title", "body", "title_tokens", "body_tokens", "indexed_at"],
    )
    return len(entries)


def index_objects(kind: Kind, object_ids: Iterable[int]) -> None:
    """Index these objects as they are now in the database; drop the entries of those gone."""
    ids = list(object_ids)
    present = {row[0]: row for row in kind.rows(kind.model.objects.filter(pk__in=ids))}
    _write(kind, present.values())
    gone = [pk for pk in ids if pk not in present]
    if gone:
        SearchEntry.objects.filter(kind=kind.key, object_id__in=gone).delete()


def _objects(kind: Kind, inspection_id: int | None):
    objects = kind.model.objects.all()
    if inspection_id is not None:
        conditions = kind.in_inspection(inspection_id)
        if isinstance(conditions, Q):
            conditions = (conditions,)
        first, *others = [
            kind.model.objects.filter(condition).order_by().values("pk") for condition in conditions
        ]
        objects = objects.filter(pk__in=first.union(*others, all=True) if others else first)
    return objects


def indexed_total(inspection: Inspection | int | None = None) -> int:
    """How many entries reindex(inspection) writes (the length of its progress bar)."""
    inspection_id = inspection.pk if isinstance(inspection, Inspection) else inspection
    return sum(_objects(kind, inspection_id).count() for kind in KINDS.values())


@transaction.atomic
def reindex(
    inspection: Inspection | int | None = None, on_written: Callable[[int], None] | None = None
) -> int:
    """Rebuild the entries of one inspection's objects, or of everything; the number of entries
    written. Entries whose objects are gone are removed. `on_written(n)` after each batch."""
    inspection_id = inspection.pk if isinstance(inspection, Inspection) else inspection
    written = 0
    for kind in KINDS.values():
        objects = _objects(kind, inspection_id)
        stale = SearchEntry.objects.filter(kind=kind.key)
        if inspection_id is not None:
            stale = stale.filter(inspection_id=inspection_id)
        written += _write(kind, kind.rows(objects.order_by("pk")), on_written)
        # NOT EXISTS, not NOT IN: PostgreSQL runs NOT IN over a million ids row by row (a province's
        # reports: the delete alone ran for over ten minutes); NOT EXISTS is one anti-join.
        stale.filter(~Exists(objects.filter(pk=OuterRef("object_id")))).delete()
    if inspection_id is None:
        backend().optimise()
    return written


# ------------------------------------------------------------------ signal receivers (see apps.py)


def _touches_index(kind: Kind, update_fields: Iterable[str] | None) -> bool:
    if update_fields is None:
        return True
    names = {kind.model._meta.get_field(name).name for name in update_fields}
    return bool(names & kind.fields)


def object_saved(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    kind = KIND_OF_MODEL[sender]
    if raw or not _touches_index(kind, update_fields):
        return
    index_objects(kind, [instance.pk])


def object_deleted(sender, instance, **kwargs) -> None:
    SearchEntry.objects.filter(kind=KIND_OF_MODEL[sender].key, object_id=instance.pk).delete()


def order_measures_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """The measures of an order decide the inspection it is filed under."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    order_ids = list(pk_set or ()) if reverse else [instance.pk]
    if order_ids:
        index_objects(KIND_OF_MODEL[SupervisionOrder], order_ids)


def inspection_imported_receiver(sender, inspection, **kwargs) -> None:
    reindex(inspection)


def connect_signals() -> None:
    for model in KIND_OF_MODEL:
        post_save.connect(object_saved, sender=model, dispatch_uid=f"search-saved-{model._meta.label}")
        post_delete.connect(object_deleted, sender=model, dispatch_uid=f"search-deleted-{model._meta.label}")
    inspection_imported.connect(inspection_imported_receiver, dispatch_uid="search-inspection-imported")
    m2m_changed.connect(
        order_measures_changed, sender=SupervisionOrder.measures.through, dispatch_uid="search-order-measures"
    )
