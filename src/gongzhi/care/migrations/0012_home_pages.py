import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def services_from_places(apps, schema_editor):
    """Homes made before the pages offered what they had places for (no job help was recorded as offered)."""
    DisabilityHome = apps.get_model("care", "DisabilityHome")
    for home in DisabilityHome.objects.all():
        offers = [s for s, n in (("day_care", home.day_care_places), ("rehab", home.rehab_places)) if n]
        DisabilityHome.objects.filter(pk=home.pk).update(services=offers)


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0011_family_outside_registry'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='disabilityhome',
            name='services',
            field=models.JSONField(blank=True, default=list, verbose_name='服务'),
        ),
        migrations.AddField(
            model_name='disabilityhome',
            name='contact',
            field=models.CharField(blank=True, max_length=40, verbose_name='联系人'),
        ),
        migrations.AddField(
            model_name='disabilityhome',
            name='phone',
            field=models.CharField(blank=True, max_length=20, verbose_name='联系电话'),
        ),
        migrations.AddField(
            model_name='disabilityhome',
            name='closed_on',
            field=models.DateField(blank=True, null=True, verbose_name='停办日期'),
        ),
        migrations.AddField(
            model_name='disabilityhome',
            name='close_reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='停办原因'),
        ),
        migrations.AddField(
            model_name='disabilityhome',
            name='closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='disabilityhome',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='disabilityhome',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.RunPython(services_from_places, migrations.RunPython.noop),
    ]
