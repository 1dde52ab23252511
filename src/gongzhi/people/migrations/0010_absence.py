"""The living-away fact (外出) moves from care to the registry, so that lower layers (elections' roll)
can read it: the model changes app, the table `care_absence` and its rows stay as they are."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0009_signup_code"),
        ("places", "0002_urban_rural_choices"),
        ("care", "0004_rename_check_hardshipreport_scheme_check"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Absence",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("reason", models.CharField(choices=[("work", "外出务工"), ("study", "外出求学"),
                                                             ("care", "外出照料家人"), ("other", "其他")],
                                                    max_length=8, verbose_name="外出原因")),
                        ("destination", models.CharField(blank=True, max_length=60, verbose_name="外出地点")),
                        ("since", models.DateField(verbose_name="外出日期")),
                        ("returned_on", models.DateField(blank=True, null=True, verbose_name="返回日期")),
                        ("recorded_at", models.DateTimeField(auto_now_add=True)),
                        ("community", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                        related_name="+", to="places.place")),
                        ("grid", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                   to="places.place")),
                        ("household", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                        related_name="+", to="people.household")),
                        ("recorded_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                          related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("resident", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                       related_name="absences", to="people.resident")),
                    ],
                    options={
                        "db_table": "care_absence",
                        "ordering": ["-since", "-id"],
                        "indexes": [models.Index(condition=models.Q(("returned_on__isnull", True)),
                                                 fields=["household"], name="care_absence_open")],
                    },
                ),
            ],
        ),
    ]
