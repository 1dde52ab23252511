"""gongzhi purge_access_log --before YYYY-MM-DD: retention clean-up, refusing
anything younger than six months."""
from gongzhi.core.access_log import access_log_purge
from gongzhi.core.management.purge import PurgeCommand


class Command(PurgeCommand):
    help = "删除早于指定日期的访问日志(至少保留六个月)"
    purge = staticmethod(access_log_purge)
