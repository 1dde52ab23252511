"""Figures the platform already holds, per community (一次采集、多方共用): a data request that asks
for one of these is answered from the registry, and the department sees that the community did not
type it. Each figure is one grouped count query over every community asked, done by the database."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from django.db.models import Count, Q
from django.utils import timezone


@dataclass(frozen=True)
class RegistryMetric:
    code: str
    label: str
    count: Callable  # (community ids) -> {community id: n}


def _grouped(qs, ids) -> dict[int, int]:
    return dict(qs.filter(community_id__in=ids).values("community_id").annotate(n=Count("pk"))
                .values_list("community_id", "n"))


def _households(ids):
    from gongzhi.people.models import Household, HouseholdStatus
    return _grouped(Household.objects.filter(status=HouseholdStatus.ACTIVE), ids)


def _residents(status=None, q=None):
    def count(ids):
        from gongzhi.people.models import PersonStatus, Resident
        qs = Resident.objects.filter(status=PersonStatus.ACTIVE)
        if status:
            qs = qs.filter(residence_status=status)
        if q is not None:
            qs = qs.filter(q())
        return _grouped(qs, ids)
    return count


def _born_before(years):
    def q():
        today = timezone.localdate()
        return Q(birth_date__lte=today.replace(year=today.year - years) if not (today.month == 2 and today.day == 29)
                 else dt.date(today.year - years, 2, 28))
    return q


def _care(code):
    return lambda: Q(care_tags__code=code)


def _volunteers(ids):
    from gongzhi.ledgers.models import Volunteer
    return _grouped(Volunteer.objects.filter(left_on__isnull=True), ids)


def _organisations(ids):
    from gongzhi.people.models import Organisation
    return _grouped(Organisation.objects.all(), ids)


METRICS: dict[str, RegistryMetric] = {m.code: m for m in (
    RegistryMetric("households", "在册户数", _households),
    RegistryMetric("residents", "在册人数", _residents()),
    RegistryMetric("registered", "户籍人口", _residents("registered")),
    RegistryMetric("floating", "流动人口", _residents("floating")),
    RegistryMetric("age60", "60 岁以上人数", _residents(q=_born_before(60))),
    RegistryMetric("age80", "80 岁以上人数", _residents(q=_born_before(80))),
    RegistryMetric("minimum_living", "低保人数", _residents(q=_care("minimum_living"))),
    RegistryMetric("disabled", "残疾人数", _residents(q=_care("disabled"))),
    RegistryMetric("living_alone", "独居老人数", _residents(q=_care("living_alone"))),
    RegistryMetric("volunteers", "注册志愿者数", _volunteers),
    RegistryMetric("organisations", "社会组织数", _organisations),
)}


def figures(codes, communities) -> dict[str, dict[int, int]]:
    ids = [c.pk for c in communities]
    return {code: METRICS[code].count(ids) for code in dict.fromkeys(codes)}
