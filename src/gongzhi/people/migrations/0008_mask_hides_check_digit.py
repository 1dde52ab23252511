"""Masked ID numbers hide the check digit as well (3202**********123*): rewrite the
stored masks, in the residents and in their history, from the masks themselves."""
from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr


def hide_check_digit(apps, schema_editor):
    for name in ("Resident", "HistoricalResident"):
        model = apps.get_model("people", name)
        (model.objects.filter(id_number_masked__regex=r"^.{17}[0-9Xx]$")
         .update(id_number_masked=Concat(Substr("id_number_masked", 1, 17), Value("*"))))


class Migration(migrations.Migration):
    dependencies = [("people", "0007_resident_party_index")]

    operations = [migrations.RunPython(hide_check_digit, migrations.RunPython.noop)]
