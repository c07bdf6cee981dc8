"""Load Denmark's 98 municipalities: reference data every round depends on."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"


def load(apps, schema_editor):
    Municipality = apps.get_model("questionnaire", "Municipality")
    with open(DATA, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Municipality.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("questionnaire", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
