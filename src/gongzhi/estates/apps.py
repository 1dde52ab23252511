from django.apps import AppConfig


class EstatesConfig(AppConfig):
    name = "gongzhi.estates"
    label = "estates"
    verbose_name = "物业服务"
