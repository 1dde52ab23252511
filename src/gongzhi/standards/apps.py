from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "gongzhi.standards"
    label = "standards"
    verbose_name = "标准与评估"
