"""Give every existing measure its 主责单位.

A measure with responsible units takes the first of them (by the unit's place in the tree). A measure
with none (an imported notice the office had not yet assigned) takes the inspected organisation itself,
whose Party group bears the main responsibility (主体责任), and gets it as a responsible unit too, so
it shows in that organisation's 我的整改 and in every count by unit until the office reassigns it."""

from django.db import migrations

RESPONSIBLE = "responsible"


def fill(apps, schema_editor):
    Measure = apps.get_model("ledger", "Measure")
    MeasureUnit = apps.get_model("ledger", "MeasureUnit")
    first: dict[int, int] = {}
    for measure_id, unit_id in (
        MeasureUnit.objects.filter(role=RESPONSIBLE).order_by("measure_id", "unit__path", "unit_id")
    ).values_list("measure_id", "unit_id"):
        first.setdefault(measure_id, unit_id)
    for measure in Measure.objects.filter(responsible_unit__isnull=True).select_related(
        "problem__inspection"
    ):
        unit_id = first.get(measure.pk)
        if unit_id is None:
            unit_id = measure.problem.inspection.inspected_id
            MeasureUnit.objects.update_or_create(
                measure_id=measure.pk, unit_id=unit_id, defaults={"role": RESPONSIBLE}
            )
        Measure.objects.filter(pk=measure.pk).update(responsible_unit_id=unit_id)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_measure_responsible_unit")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
