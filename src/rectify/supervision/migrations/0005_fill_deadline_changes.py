"""The ledger keeps one history of deadline moves (ledger.DeadlineChange); the extensions approved
before it existed are written into it, with the time and the person who approved them."""

from django.db import migrations


def fill(apps, schema_editor):
    DeadlineExtension = apps.get_model("supervision", "DeadlineExtension")
    DeadlineChange = apps.get_model("ledger", "DeadlineChange")
    for extension in DeadlineExtension.objects.filter(state="approved").order_by("decided_at", "id"):
        change = DeadlineChange.objects.create(
            measure_id=extension.measure_id,
            kind="extension",
            old_deadline=extension.old_deadline,
            new_deadline=extension.new_deadline,
            reason=extension.reason,
            decided_by_id=extension.decided_by_id or extension.requested_by_id,
        )
        DeadlineChange.objects.filter(pk=change.pk).update(decided_at=extension.decided_at)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_deadline_extension"),
        ("ledger", "0008_deadline_change"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
