from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gongzhi.audit"
    label = "audit"
    verbose_name = "安全审计"

    def ready(self):
        # sign-ins, failed sign-ins, sign-outs, accounts and posts are recorded from Django's signals
        from gongzhi.audit import signals  # noqa: F401
