from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "gongzhi.workorders"
    label = "workorders"
    verbose_name = "工单"
