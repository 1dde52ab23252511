"""A candidate is a resident (an elector of the community), with their roll entry when they have one:
in a household or representatives' election a candidate need not be one who votes."""
import django.db.models.deletion
from django.db import migrations, models


def _from_voter(apps, schema_editor):
    schema_editor.execute("UPDATE elections_candidate SET resident_id = "
                          "(SELECT v.resident_id FROM elections_voter v WHERE v.id = elections_candidate.voter_id)")


class Migration(migrations.Migration):

    dependencies = [
        ("elections", "0002_write_in_decisions"),
        ("people", "__first__"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="candidate", name="candidate_once"),
        migrations.AddField(
            model_name="candidate", name="resident",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="people.resident"),
        ),
        migrations.RunPython(_from_voter, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="candidate", name="resident",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="people.resident"),
        ),
        migrations.AlterField(
            model_name="candidate", name="voter",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="elections.voter"),
        ),
        migrations.AddConstraint(
            model_name="candidate",
            constraint=models.UniqueConstraint(fields=("election", "round", "resident"), name="candidate_once"),
        ),
    ]
