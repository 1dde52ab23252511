"""Runs keep the pack they were computed with. Runs made before this have no copy;
the nearest thing is the pack file as it is when migrating, so they get that
(a run whose pack file is gone keeps an empty copy and renders from the file name)."""
import hashlib

from django.db import migrations, models


def keep_current_packs(apps, schema_editor):
    from gongzhi.standards import packs
    AssessmentRun = apps.get_model("standards", "AssessmentRun")
    for pack_id in AssessmentRun.objects.values_list("pack_id", flat=True).distinct():
        try:
            text = packs.pack_path(pack_id).read_text(encoding="utf-8")
        except (packs.PackError, OSError):
            continue
        AssessmentRun.objects.filter(pack_id=pack_id, pack_text="").update(
            pack_text=text, pack_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


class Migration(migrations.Migration):
    dependencies = [("standards", "0003_run_published")]

    operations = [
        migrations.AddField(model_name="assessmentrun", name="pack_text",
                            field=models.TextField(blank=True, verbose_name="所用政策包")),
        migrations.AddField(model_name="assessmentrun", name="pack_sha256",
                            field=models.CharField(blank=True, max_length=64)),
        migrations.RunPython(keep_current_packs, migrations.RunPython.noop),
    ]
