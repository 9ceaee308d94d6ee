"""rectify rotate_field_keys [--batch-size N]: re-encrypt every encrypted field under the first key.

Rotating a key: put the new key first in RECTIFY_FIELD_KEYS (keeping the old ones after it, so the
rows can still be read), run this command, then remove the old keys. Rows are rewritten in batches,
each batch in its own transaction with its rows locked, so the command can be stopped and run again.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from rectify.encrypted import EncryptedTextField


def encrypted_models() -> list[tuple[type, list[str]]]:
    """Every model with encrypted fields, and those fields' names."""
    found = []
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def rotate(model, names: list[str], batch_size: int) -> int:
    """Rewrite the model's non-empty encrypted values under the first key; returns the rows done."""
    holding = Q()
    for name in names:
        holding |= ~Q(**{name: ""}) & Q(**{f"{name}__isnull": False})
    done, last_pk = 0, None
    while True:
        with transaction.atomic():
            rows = (
                model._default_manager.filter(holding).select_for_update().only("pk", *names).order_by("pk")
            )
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows[:batch_size])  # reading decrypts under any key; saving encrypts under the first
            if not batch:
                return done
            model._default_manager.bulk_update(batch, names)
        done += len(batch)
        last_pk = batch[-1].pk


class Command(BaseCommand):
    help = "用 RECTIFY_FIELD_KEYS 中的第一个密钥重新加密所有加密字段（意见诉求、征求意见等的联系方式）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="每批重新加密的记录数（默认 500）")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 须为正整数。")
        total = 0
        for model, names in encrypted_models():
            count = rotate(model, names, batch_size)
            total += count
            self.stdout.write(
                f"{model._meta.verbose_name}：已重新加密 {count} 条记录（字段：{'、'.join(names)}）。"
            )
        self.stdout.write(self.style.SUCCESS(f"完成：共重新加密 {total} 条记录，均已使用当前第一个密钥。"))
