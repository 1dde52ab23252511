from django.db import migrations


def load_defaults(apps, schema_editor):
    # Historical models, so later field changes cannot break this step.
    from gongzhi.workorders import catalogue
    catalogue.load(category_model=apps.get_model("workorders", "Category"),
                   day_model=apps.get_model("workorders", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]
    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
