from django.db import migrations

from gongzhi.people.models import BUILTIN_CARE_TAGS


def add_tags(apps, schema_editor):
    CareTag = apps.get_model("people", "CareTag")
    for sort, (code, name) in enumerate(BUILTIN_CARE_TAGS):
        CareTag.objects.update_or_create(code=code, defaults={"name": name, "builtin": True, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
