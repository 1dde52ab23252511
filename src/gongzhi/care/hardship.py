"""困难上报: a hardship report checked against the locality's assistance schemes (`localities`), routed to
the office that decides with a time limit, and its outcome. The check reads registry facts; a fact the
registry does not hold (income, assets) is unknown, and the check says which conditions are unknown."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.care import localities
from gongzhi.care.groups import ADULT_AGE, ELDER_AGE, age_on
from gongzhi.care.manifest import DECIDE_HARDSHIP, KEEP_CARE
from gongzhi.care.models import Disability, HardshipKind, HardshipReport, HardshipState
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.scope import Scope
from gongzhi.people.models import Absence, PersonStatus, ResidenceStatus

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
RESULT_LABELS = {MET: "符合", UNMET: "不符合", UNKNOWN: "待核实"}
ERR_VERSION = "这条困难上报已被他人处理,请刷新后再试"
ERR_SCHEME = "请选择要申请的救助项目"
ERR_ROUTE_STATE = "只有刚上报的困难可以转办"
ERR_DECIDE_STATE = "只有已转办的困难可以办结"
ERR_OUTCOME = "请填写办理结果(最多 500 字)"
ERR_DECIDE_RIGHT = "只有街道或区的救助经办人员可以办结困难上报"


def _tags(resident) -> set[str]:
    return set(resident.care_tags.values_list("code", flat=True))


def _facts(report: HardshipReport) -> dict[str, bool | None]:
    r, today = report.resident, timezone.localdate()
    age = age_on(r.birth_date, today)
    tags = _tags(r)
    disability = Disability.objects.filter(resident=r).first()
    away = set(Absence.objects.filter(household_id=r.household_id, returned_on__isnull=True)
               .values_list("resident_id", flat=True))
    at_home = [m for m in r.household.members.filter(status=PersonStatus.ACTIVE) if m.pk not in away and m.pk != r.pk]
    ages = [age_on(m.birth_date, today) for m in at_home]
    severe = disability is not None and disability.grade <= 2
    return {
        "registered_here": r.residence_status == ResidenceStatus.REGISTERED,
        "lives_here": r.residence_status in (ResidenceStatus.REGISTERED, ResidenceStatus.RESIDENT),
        "not_tagged_minimum_living": "minimum_living" not in tags,
        "income_below_standard": None,  # the registry holds no income: the office checks it
        "elder_disabled_or_minor": severe or (None if age is None else (age >= ELDER_AGE or age < ADULT_AGE)),
        "no_supporter_at_home": None if any(a is None for a in ages) else
        not any(ADULT_AGE <= a < ELDER_AGE for a in ages),
        "sudden_hardship": report.kind in (HardshipKind.ILLNESS, HardshipKind.ACCIDENT, HardshipKind.INCOME,
                                           HardshipKind.DISASTER),
        "illness": report.kind == HardshipKind.ILLNESS,
        "assisted_already": bool(tags & {"minimum_living", "extreme_poverty"}),
    }


def check(report: HardshipReport) -> list[dict]:
    """Each scheme of the locality with each condition met, unmet or unknown, and the scheme's result."""
    facts = _facts(report)
    result = []
    for scheme in localities.rules_for(report.community.code)["schemes_assistance"]:
        conditions = []
        for c in scheme["conditions"]:
            value = facts.get(c["fact"])
            conditions.append({"label": c["label"], "result": UNKNOWN if value is None else MET if value else UNMET})
        results = {c["result"] for c in conditions}
        outcome = UNMET if UNMET in results else UNKNOWN if UNKNOWN in results else MET
        result.append({"scheme": scheme["code"], "name": scheme["name"], "office": scheme["office"],
                       "days": scheme["days"], "result": outcome, "conditions": conditions,
                       "unknown": [c["label"] for c in conditions if c["result"] == UNKNOWN]})
    return result


def _lock(report: HardshipReport, version) -> HardshipReport:
    current = HardshipReport.objects.select_for_update().select_related("community", "grid", "resident").get(
        pk=report.pk)
    if str(current.version) != str(version):
        raise ConflictError(ERR_VERSION)
    return current


@transaction.atomic
def hardship_route(*, report: HardshipReport, scheme: str, by, version, today: dt.date | None = None):
    """Route the report to the office deciding `scheme`, with the scheme's time limit; the check is stored."""
    report = _lock(report, version)
    if not Scope.for_user_capability(by, KEEP_CARE).contains(report.grid):
        raise PermissionDenied("只有该居民所在社区、网格的工作人员可以转办")
    if report.state != HardshipState.REPORTED:
        raise RuleError(ERR_ROUTE_STATE)
    checked = check(report)
    chosen = next((s for s in checked if s["scheme"] == scheme), None)
    if chosen is None:
        raise RuleError(ERR_SCHEME)
    today = today or timezone.localdate()
    report.scheme_check = checked
    report.office = f"{chosen['office']}({chosen['name']})"
    report.due_on = today + dt.timedelta(days=chosen["days"])
    report.state = HardshipState.ROUTED
    report.version += 1
    report.save(update_fields=["scheme_check", "office", "due_on", "state", "version"])
    return report


@transaction.atomic
def hardship_decide(*, report: HardshipReport, granted: bool, outcome: str, by, version, now=None):
    report = _lock(report, version)
    scope = Scope.for_user_capability(by, DECIDE_HARDSHIP)
    if not any(a.role in (Role.STREET, Role.ADMIN) and report.community.is_within(a.place) for a in scope.assignments):
        raise PermissionDenied(ERR_DECIDE_RIGHT)
    if report.state != HardshipState.ROUTED:
        raise RuleError(ERR_DECIDE_STATE)
    outcome = (outcome or "").strip()
    if not outcome or len(outcome) > 500:
        raise RuleError(ERR_OUTCOME)
    report.outcome = outcome
    report.state = HardshipState.DECIDED if granted else HardshipState.DECLINED
    report.decided_at = now or timezone.now()
    report.version += 1
    report.save(update_fields=["outcome", "state", "decided_at", "version"])
    return report
