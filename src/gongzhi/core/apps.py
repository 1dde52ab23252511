from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = "共治核心"

    def ready(self):
        # every installed app's manifest registers its module (capabilities, URLs, nav, demo part ...)
        from gongzhi.core import modules, validators
        # no form anywhere takes control characters (core/validators.py says why); before any form is defined
        validators.refuse_control_characters_in_every_form()
        validators.refuse_ids_out_of_range()  # no id a database column cannot hold reaches a query
        modules.autodiscover()
