# P-GOV-3: a hearing names the matters it hears and the department (unit and name) it feeds back to.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0009_mailbox_time_limit'),
        ('places', '0002_urban_rural_choices'),
    ]

    operations = [
        migrations.AddField(
            model_name='session',
            name='department_place',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='places.place', verbose_name='反馈部门所在单位'),
        ),
        migrations.CreateModel(
            name='HearingMatter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matters',
                                              to='governance.session')),
                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='hearings',
                                            to='governance.topic', verbose_name='听证事项')),
            ],
            options={
                'verbose_name': '听证事项',
                'indexes': [models.Index(fields=['topic', 'session'], name='hearing_matter_topic')],
                'constraints': [models.UniqueConstraint(fields=('session', 'topic'), name='hearing_matter_once')],
            },
        ),
    ]
