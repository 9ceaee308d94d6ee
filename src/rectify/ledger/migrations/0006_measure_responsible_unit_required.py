import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_fill_measure_responsible_unit")]

    operations = [
        migrations.AlterField(
            model_name="measure",
            name="responsible_unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="measures_in_charge",
                to="org.organisation",
                verbose_name="主责单位",
            ),
        ),
    ]
