from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "gongzhi.digests"
    label = "digests"
    verbose_name = "通知设置与摘要"
