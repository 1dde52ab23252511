from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = "共治核心"

    def ready(self):
        # every installed app's manifest registers its module (capabilities, URLs, nav, demo part ...)
        from gongzhi.core import modules
        modules.autodiscover()
