"""Signals of the ledger for the apps built on it (search index, recurrence flags)."""

from django.dispatch import Signal

# Sent with `inspection=` once an importer (a notice, an Excel ledger) has written a whole ledger,
# inside its transaction. The importers bulk-create rows, which sends no post_save.
inspection_imported = Signal()
