"""Stations' and homes' staff bound with dates (care.StationStaff, care.HomeStaff) instead of the plain lists kept
in Django's admin (Station.staff, DisabilityHome.staff).

Every account on a list becomes a current binding. The lists kept no dates and no binder, so each copied binding
starts on the day this migration runs (the earliest day known for it) and names no binder (`bound_by` empty); the
lists are then removed. Reversing it puts the accounts of the bindings current on that day back on the lists.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def copy_staff(apps, schema_editor):
    """One current binding per (account, station) and (account, home) of the former lists, from today."""
    from django.utils import timezone
    today = timezone.localdate()  # the lists kept no dates: the migration day is the binding's start
    for unit_model, binding_model, field in (("Station", "StationStaff", "station"),
                                              ("DisabilityHome", "HomeStaff", "home")):
        through = apps.get_model("care", unit_model).staff.through
        Binding = apps.get_model("care", binding_model)
        unit_id = f"{unit_model.lower()}_id"
        pairs = through.objects.order_by("pk").values_list("user_id", unit_id)
        Binding.objects.bulk_create([Binding(user_id=user_id, started_on=today, **{f"{field}_id": unit})
                                     for user_id, unit in pairs], batch_size=1000)


def copy_back(apps, schema_editor):
    from django.utils import timezone
    today = timezone.localdate()
    for unit_model, binding_model, field in (("Station", "StationStaff", "station"),
                                              ("DisabilityHome", "HomeStaff", "home")):
        Unit = apps.get_model("care", unit_model)
        Binding = apps.get_model("care", binding_model)
        through = Unit.staff.through
        unit_id = f"{unit_model.lower()}_id"
        current = (Binding.objects.filter(started_on__lte=today)
                   .exclude(ended_on__lte=today).values_list("user_id", f"{field}_id").distinct())
        through.objects.bulk_create([through(user_id=user_id, **{unit_id: unit}) for user_id, unit in current],
                                    ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0013_paired_visits_in_the_visit_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HomeStaff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='开始日期')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='结束日期')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('bound_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('home', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='staff_bindings', to='care.disabilityhome', verbose_name='残疾人之家')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='care_home_bindings', to=settings.AUTH_USER_MODEL, verbose_name='工作人员账号')),
            ],
            options={
                'verbose_name': '残疾人之家工作人员账号',
                'ordering': ['ended_on', '-started_on', '-pk'],
                'indexes': [models.Index(fields=['user', 'ended_on'], name='care_home_staff_user')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('user', 'home'), name='care_home_staff_current')],
            },
        ),
        migrations.CreateModel(
            name='StationStaff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='开始日期')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='结束日期')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('bound_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('station', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='staff_bindings', to='care.station', verbose_name='养老服务站点')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='care_station_bindings', to=settings.AUTH_USER_MODEL, verbose_name='服务人员账号')),
            ],
            options={
                'verbose_name': '养老服务站点工作人员账号',
                'ordering': ['ended_on', '-started_on', '-pk'],
                'indexes': [models.Index(fields=['user', 'ended_on'], name='care_station_staff_user')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('user', 'station'), name='care_station_staff_current')],
            },
        ),
        migrations.RunPython(copy_staff, copy_back),
        migrations.RemoveField(
            model_name='disabilityhome',
            name='staff',
        ),
        migrations.RemoveField(
            model_name='station',
            name='staff',
        ),
    ]
