# The auditor and the security administrator (三员分立, MLPS level 3).
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="roleassignment",
            name="role",
            field=models.CharField(choices=[("admin", "市/区管理员"), ("street", "街道干部"), ("community", "社区工作者"),
                                            ("grid", "网格员"), ("department", "职能部门"), ("resident", "居民"),
                                            ("auditor", "审计员"), ("security", "安全管理员")],
                                   max_length=12, verbose_name="角色"),
        ),
    ]
