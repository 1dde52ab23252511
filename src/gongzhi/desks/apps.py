from django.apps import AppConfig


class DesksConfig(AppConfig):
    name = "gongzhi.desks"
    label = "desks"
    verbose_name = "服务站与便民服务中心"
