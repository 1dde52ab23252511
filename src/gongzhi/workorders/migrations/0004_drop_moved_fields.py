# The fields that moved to Escalation (0003), and single-column indexes that a
# composite index already covers. Separate from 0003 so that PostgreSQL never
# alters the table in the transaction that copied rows out of it.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workorders', '0003_escalation_table'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='workorder',
            name='wo_sweep',
        ),
        migrations.RemoveField(
            model_name='workorder',
            name='escalation_level',
        ),
        migrations.RemoveField(
            model_name='workorder',
            name='next_escalation_at',
        ),
        migrations.RemoveField(
            model_name='workorder',
            name='overdue',
        ),
        migrations.AlterField(
            model_name='workorder',
            name='category',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='workorders.category', verbose_name='类别'),
        ),
        migrations.AlterField(
            model_name='workorder',
            name='community',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.place'),
        ),
        migrations.AlterField(
            model_name='workorder',
            name='grid',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.place'),
        ),
        migrations.AlterField(
            model_name='workorder',
            name='handling_place',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.place', verbose_name='承办单位'),
        ),
        migrations.AlterField(
            model_name='workorder',
            name='possible_duplicate_of',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='workorders.workorder', verbose_name='疑似重复'),
        ),
        migrations.AlterField(
            model_name='workorder',
            name='street',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.place'),
        ),
    ]
