"""Builders shared by the estates tests: an estate of community A (the factories' 东虹社区小区) with a
firm, a manager and a current contract."""
import datetime as dt

from django.utils import timezone

from gongzhi.estates import services
from gongzhi.places.models import Estate

CODE_1 = "91320282MA1XYC0001"
CODE_2 = "91320282MA1XYC0002"


def estate_of(hh) -> Estate:
    return hh.dwelling.building.estate


def firm_and_manager(code=CODE_1, name="宜兴市阳光物业管理有限公司", manager="赵六"):
    firm = services.firm_create(name=name, credit_code=code)
    return firm, services.manager_add(firm=firm, name=manager)


def contract(w, estate, firm, manager, *, start=None, years=3):
    start = start or timezone.localdate() - dt.timedelta(days=30)
    return services.contract_create(estate=estate, firm=firm, manager=manager, starts_on=start,
                                    ends_on=start.replace(year=start.year + years), fee_residential="1.20",
                                    by=w.community_worker_a)
