from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "gongzhi.network"
    label = "network"
    verbose_name = "三社联动"
