from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "gongzhi.admission"
    label = "admission"
    verbose_name = "准入与减负"
