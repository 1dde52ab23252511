from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "gongzhi.governance"
    label = "governance"
    verbose_name = "居民自治"
