from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "gongzhi.cadres"
    label = "cadres"
    verbose_name = "村干部监督"
