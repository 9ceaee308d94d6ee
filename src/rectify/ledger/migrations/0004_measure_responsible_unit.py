"""A measure's one responsible unit (主责单位), added empty, filled by 0005, required by 0006.

Three migrations, so that PostgreSQL never alters a table with rows written in the same transaction."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_measure_outside_units"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="responsible_unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="measures_in_charge",
                to="org.organisation",
                verbose_name="主责单位",
            ),
        ),
    ]
