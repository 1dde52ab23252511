from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "gongzhi.disclosure"
    label = "disclosure"
    verbose_name = "居务公开"
