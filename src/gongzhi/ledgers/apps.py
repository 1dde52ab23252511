from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "gongzhi.ledgers"
    verbose_name = "社区台账"
