"""gongzhi purge_audit_log --before YYYY-MM-DD: retention clean-up of the audit trail, refusing
anything younger than six months (the database refuses it too)."""
from gongzhi.audit.services import audit_purge
from gongzhi.core.management.purge import PurgeCommand


class Command(PurgeCommand):
    help = "删除早于指定日期的审计日志(至少保留六个月)"
    purge = staticmethod(audit_purge)
