"""Absence now belongs to the registry (people 0010): forgotten here, its table kept."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0004_rename_check_hardshipreport_scheme_check"),
        ("people", "0010_absence"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[],
                                            state_operations=[migrations.DeleteModel(name="Absence")]),
    ]
