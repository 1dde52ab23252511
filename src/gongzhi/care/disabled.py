"""残疾人之家 (P-CARE-6): day care and rehabilitation places, enrolment of disabled residents (the care group
`disabled`), daily attendance (one row per person per day) and job help (就业帮扶) with its outcome.

The community's workers (`keep_care`) enrol and end enrolments and record job help; the home's staff (provider
accounts bound to the home with dates in `care.staff`, capability `staff_disability_home`) see only their homes'
enrolled people and record the day's attendance, as stations' staff see only their orders. The street reads counts per community.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongzhi.care.manifest import KEEP_CARE
from gongzhi.care.models import (
    DisabilityHome, Group, HomeAttendance, HomeEnrolment, HomeService, JobHelp, JobHelpKind, JobOutcome,
)
from gongzhi.care import staff
from gongzhi.care.pairings import CONTROL
from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.people.models import PersonStatus, Resident

ERR_RIGHT = "只有该居民所在社区、网格的工作人员可以办理"
ERR_NOT_ACTIVE = "{name}已不在册(迁出或死亡),不能办理"
ERR_NOT_DISABLED = "{name}不在残疾人关爱对象中(无残疾证登记或残疾人标签),不能入托残疾人之家或登记就业帮扶"
ERR_HOME = "请选择为{name}所在社区服务的残疾人之家"
ERR_SERVICE = "请选择服务:日间照料或康复训练"
ERR_FULL = "{home}的{service}名额({places} 人)已满"
ERR_ENROLLED = "{name}已在{home}{service},不能重复入托"
ERR_START = "入托日期不能晚于今天后 30 天,也不能早于一年前"
ERR_END_REASON = "请写明结束的原因(最多 200 字,不含控制字符)"
ERR_ENDED = "这条入托记录已经结束"
ERR_DAY = "出勤日期不能晚于今天,也不能早于 31 天前"
ERR_NOT_ENROLLED = "{name}{day}不在{home}的入托期内,不能登记出勤"
ERR_TWICE = "{name}{day}已登记出勤,同一天不能登记两次"
ERR_STAFF = "只有该残疾人之家的工作人员或所在社区的工作人员可以登记出勤"
ERR_JOB_KIND = "请选择帮扶方式:职业培训、岗位推荐、就业安置或扶持自主创业"
ERR_JOB_DETAIL = "请填写帮扶内容(2 至 300 字,不含控制字符)"
ERR_JOB_DATE = "帮扶日期不能晚于今天,也不能早于一年前"
ERR_OUTCOME = "请选择结果:跟进中、已就业、已完成培训或未就业"
ERR_OUTCOME_NOTE = "结果说明最多 300 字,不含控制字符"
ERR_STALE = "这条帮扶记录已被他人修改,请刷新后重试"


def _staff_scope(by) -> Scope:
    return Scope.for_user_capability(by, KEEP_CARE)


def _is_disabled(resident: Resident) -> bool:
    from gongzhi.care.services import current_groups
    return Group.DISABLED in current_groups(resident)


def homes_for(resident: Resident) -> QuerySet:
    """Homes serving the resident's community: the community's own and its street's."""
    return DisabilityHome.objects.filter(active=True, place_id__in=[resident.community_id,
                                                                    resident.community.parent_id])


def _text(value: str, lo: int, hi: int) -> str | None:
    value = (value or "").strip()
    return value if lo <= len(value) <= hi and not CONTROL.search(value) else None


@transaction.atomic
def enrol(*, resident: Resident, home: DisabilityHome | None, service: str, starts_on: dt.date, by) -> HomeEnrolment:
    resident = Resident.objects.select_for_update().select_related("grid", "community").get(pk=resident.pk)
    if not _staff_scope(by).contains(resident.grid):
        raise PermissionDenied(ERR_RIGHT)
    if resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_NOT_ACTIVE.format(name=resident.name))
    if service not in HomeService.values:
        raise RuleError(ERR_SERVICE)
    if home is None or not homes_for(resident).filter(pk=home.pk).exists():
        raise RuleError(ERR_HOME.format(name=resident.name))
    today = timezone.localdate()
    if starts_on > today + dt.timedelta(days=30) or starts_on < today - dt.timedelta(days=365):
        raise RuleError(ERR_START)
    if not _is_disabled(resident):
        raise RuleError(ERR_NOT_DISABLED.format(name=resident.name))
    home = DisabilityHome.objects.select_for_update().get(pk=home.pk)  # the capacity count below is not raced
    label = HomeService(service).label
    current = HomeEnrolment.objects.filter(resident=resident, service=service, ended_on__isnull=True).first()
    if current is not None:
        raise RuleError(ERR_ENROLLED.format(name=resident.name, home=current.home.name, service=label))
    taken = HomeEnrolment.objects.filter(home=home, service=service, ended_on__isnull=True).count()
    if taken >= home.places_for(service):
        raise RuleError(ERR_FULL.format(home=home.name, service=label, places=home.places_for(service)))
    try:
        with transaction.atomic():
            return HomeEnrolment.objects.create(home=home, resident=resident, community_id=resident.community_id,
                                                grid_id=resident.grid_id, service=service, starts_on=starts_on,
                                                created_by=by)
    except IntegrityError:
        raise RuleError(ERR_ENROLLED.format(name=resident.name, home=home.name, service=label)) from None


@transaction.atomic
def enrolment_end(*, enrolment: HomeEnrolment, reason: str, by) -> HomeEnrolment:
    enrolment = HomeEnrolment.objects.select_related("grid").get(pk=enrolment.pk)
    if not _staff_scope(by).contains(enrolment.grid):
        raise PermissionDenied(ERR_RIGHT)
    reason = _text(reason, 1, 200)
    if reason is None:
        raise RuleError(ERR_END_REASON)
    ended_on = max(timezone.localdate(), enrolment.starts_on)
    if not HomeEnrolment.objects.filter(pk=enrolment.pk, ended_on__isnull=True).update(
            ended_on=ended_on, end_reason=reason):
        raise RuleError(ERR_ENDED)
    enrolment.refresh_from_db()
    return enrolment


def _may_record(by, home: DisabilityHome, resident: Resident) -> bool:
    return staff.works_at_home(by, home) or _staff_scope(by).contains(resident.grid)


@transaction.atomic
def attendance_record(*, home: DisabilityHome, resident: Resident, day: dt.date, by) -> HomeAttendance:
    """The day's attendance of a person enrolled at the home on that day; a second one the same day is refused."""
    resident = Resident.objects.select_for_update().select_related("grid").get(pk=resident.pk)
    if not _may_record(by, home, resident):
        raise PermissionDenied(ERR_STAFF)
    today = timezone.localdate()
    if day > today or day < today - dt.timedelta(days=31):
        raise RuleError(ERR_DAY)
    day_text = day.isoformat()
    enrolment = (HomeEnrolment.objects.filter(home=home, resident=resident, starts_on__lte=day)
                 .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day)).order_by("-starts_on").first())
    if enrolment is None:
        raise RuleError(ERR_NOT_ENROLLED.format(name=resident.name, day=day_text, home=home.name))
    if HomeAttendance.objects.filter(resident=resident, day=day).exists():
        raise RuleError(ERR_TWICE.format(name=resident.name, day=day_text))
    try:
        with transaction.atomic():
            return HomeAttendance.objects.create(enrolment=enrolment, home=home, resident=resident,
                                                 community_id=resident.community_id, grid_id=resident.grid_id,
                                                 day=day, recorded_by=by)
    except IntegrityError:
        raise RuleError(ERR_TWICE.format(name=resident.name, day=day_text)) from None


@transaction.atomic
def job_help_record(*, resident: Resident, kind: str, given_on: dt.date, detail: str, by,
                    outcome: str = JobOutcome.PENDING, home: DisabilityHome | None = None) -> JobHelp:
    resident = Resident.objects.select_for_update().select_related("grid", "community").get(pk=resident.pk)
    if not _staff_scope(by).contains(resident.grid):
        raise PermissionDenied(ERR_RIGHT)
    if resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_NOT_ACTIVE.format(name=resident.name))
    if kind not in JobHelpKind.values:
        raise RuleError(ERR_JOB_KIND)
    detail = _text(detail, 2, 300)
    if detail is None:
        raise RuleError(ERR_JOB_DETAIL)
    today = timezone.localdate()
    if given_on > today or given_on < today - dt.timedelta(days=365):
        raise RuleError(ERR_JOB_DATE)
    if outcome not in JobOutcome.values:
        raise RuleError(ERR_OUTCOME)
    if not _is_disabled(resident):
        raise RuleError(ERR_NOT_DISABLED.format(name=resident.name))
    if home is not None and not homes_for(resident).filter(pk=home.pk).exists():
        raise RuleError(ERR_HOME.format(name=resident.name))
    return JobHelp.objects.create(resident=resident, community_id=resident.community_id, grid_id=resident.grid_id,
                                  home=home, kind=kind, given_on=given_on, detail=detail, outcome=outcome,
                                  recorded_by=by)


@transaction.atomic
def job_help_outcome(*, job: JobHelp, outcome: str, note: str, version: int, by) -> JobHelp:
    """The outcome of a help given; a stale form (another worker changed it meanwhile) changes nothing."""
    job = JobHelp.objects.select_related("grid").get(pk=job.pk)
    if not _staff_scope(by).contains(job.grid):
        raise PermissionDenied(ERR_RIGHT)
    if outcome not in JobOutcome.values:
        raise RuleError(ERR_OUTCOME)
    note = (note or "").strip()
    if len(note) > 300 or CONTROL.search(note):
        raise RuleError(ERR_OUTCOME_NOTE)
    if not JobHelp.objects.filter(pk=job.pk, version=version).update(outcome=outcome, outcome_note=note,
                                                                     version=version + 1):
        raise RuleError(ERR_STALE)
    job.refresh_from_db()
    return job


def counts_per_community(community_ids: list[int], today: dt.date) -> dict[int, dict[str, int]]:
    """{community id: enrolled, attended this month, job help this year, employed this year} by the database."""
    first = today.replace(day=1)
    year = today.replace(month=1, day=1)
    out: dict[int, dict[str, int]] = {c: {"enrolled": 0, "attended": 0, "job_help": 0, "employed": 0}
                                      for c in community_ids}
    for cid, n in (HomeEnrolment.objects.filter(community_id__in=community_ids, ended_on__isnull=True)
                   .order_by().values("community_id").annotate(n=Count("resident_id", distinct=True))
                   .values_list("community_id", "n")):
        out[cid]["enrolled"] = n
    for cid, n in (HomeAttendance.objects.filter(community_id__in=community_ids, day__gte=first, day__lte=today)
                   .order_by().values("community_id").annotate(n=Count("pk")).values_list("community_id", "n")):
        out[cid]["attended"] = n
    for cid, n, employed in (JobHelp.objects.filter(community_id__in=community_ids, given_on__gte=year)
                             .order_by().values("community_id")
                             .annotate(n=Count("pk"), e=Count("pk", filter=Q(outcome=JobOutcome.EMPLOYED)))
                             .values_list("community_id", "n", "e")):
        out[cid]["job_help"], out[cid]["employed"] = n, employed
    return out
