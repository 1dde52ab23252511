"""Two new access-log actions: an attempt to register a number or household that belongs outside
the caller's scope (probe), and a search by a whole ID or phone number (lookup)."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0002_job")]

    operations = [
        migrations.AlterField(
            model_name="accesslog", name="action",
            field=models.CharField(choices=[("unmask", "查看完整信息"), ("export", "导出"), ("import", "导入"),
                                            ("backup", "备份"), ("probe", "辖区外号码登记尝试"),
                                            ("lookup", "按完整号码查找")], max_length=10, verbose_name="操作"),
        ),
    ]
