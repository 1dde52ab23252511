from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "gongzhi.workorders"
    label = "workorders"
    verbose_name = "工单"

    def ready(self):
        from gongzhi.workorders import cache_signals
        cache_signals.connect()
