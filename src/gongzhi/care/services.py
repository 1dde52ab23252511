"""Every write of care, one function per use case; each checks the caller's right on the person's
place (`KEEP_CARE`) and refuses bad input with a Chinese `RuleError` that changes nothing."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gongzhi.care.groups import annotate_groups, registry_residents
from gongzhi.care.manifest import KEEP_CARE
from gongzhi.care.models import (
    Decision, Disability, DisabilityKind, Group, GroupReview, HardshipKind, HardshipReport,
)
from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.people.models import Absence, AbsenceReason, PersonStatus, Resident
from gongzhi.workorders.manifest import KEEP_VISITS

ERR_NO_RIGHT = "只有该居民所在社区、网格的工作人员可以办理"
ERR_GROUP = "请选择人群(独居老人、空巢老人、高龄老人、留守老人、残疾人、留守儿童之一)"
ERR_DECISION = "请选择核实结果:核实属实、核实不属于或补充纳入"
ERR_REASON = "请写明核实或更正的理由(最多 200 字)"
ERR_CONFIRM_NOT_DERIVED = "系统没有把{name}推算为{group},不能“核实属实”;如确属此人群,请选“补充纳入”并写明理由"
ERR_INCLUDE_DERIVED = "系统已把{name}推算为{group},无需补充纳入;请选“核实属实”或“核实不属于”"
ERR_NOT_ACTIVE = "{name}已不在册(迁出或死亡),不能办理"
ERR_ABSENCE_REASON = "请选择外出原因"
ERR_ABSENCE_DATE = "外出日期不能晚于今天"
ERR_ABSENCE_OPEN = "{name}已登记外出(自 {since}),请先登记返回"
ERR_DESTINATION = "外出地点最多 60 字"
ERR_RETURN_DATE = "返回日期不能早于外出日期({since}),也不能晚于今天"
ERR_RETURNED = "这条外出记录已登记返回"
ERR_DISABILITY_KIND = "请选择残疾类别"
ERR_DISABILITY_GRADE = "残疾等级应为一级至四级"


def _check(by, resident: Resident) -> None:
    if not Scope.for_user_capability(by, KEEP_CARE).contains(resident.grid):
        raise PermissionDenied(ERR_NO_RIGHT)
    if resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_NOT_ACTIVE.format(name=resident.name))


def derived_groups(resident: Resident, today: dt.date | None = None) -> dict[str, bool]:
    """What the registry says of one person today, group by group."""
    today = today or timezone.localdate()
    row = annotate_groups(registry_residents().filter(pk=resident.pk), today, reviews=False).first()
    return {g.value: bool(row and getattr(row, f"g_{g.value}")) for g in Group}


def current_groups(resident: Resident, today: dt.date | None = None) -> list[str]:
    """The groups that count for one person today (derived, with the worker's decisions)."""
    from gongzhi.care.groups import groups_of
    row = annotate_groups(registry_residents().filter(pk=resident.pk), today or timezone.localdate()).first()
    return groups_of(row) if row else []


@transaction.atomic
def group_review(*, resident: Resident, group: str, decision: str, reason: str, by, now=None) -> GroupReview:
    """The worker's confirmation or correction of one person's membership of one group."""
    resident = Resident.objects.select_for_update().select_related("grid").get(pk=resident.pk)
    _check(by, resident)
    if group not in Group.values:
        raise RuleError(ERR_GROUP)
    if decision not in Decision.values:
        raise RuleError(ERR_DECISION)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise RuleError(ERR_REASON)
    derived = derived_groups(resident)[group]
    label = Group(group).label
    if decision == Decision.CONFIRM and not derived:
        raise RuleError(ERR_CONFIRM_NOT_DERIVED.format(name=resident.name, group=label))
    if decision == Decision.INCLUDE and derived:
        raise RuleError(ERR_INCLUDE_DERIVED.format(name=resident.name, group=label))
    return GroupReview.objects.create(resident=resident, community_id=resident.community_id, group=group,
                                      decision=decision, derived=derived, reason=reason, by=by,
                                      at=now or timezone.now())


@transaction.atomic
def absence_record(*, resident: Resident, reason: str, since: dt.date, destination: str = "", by) -> Absence:
    """A household member now living away (the left-behind groups read it at once)."""
    resident = Resident.objects.select_for_update().select_related("grid").get(pk=resident.pk)
    _check(by, resident)
    if reason not in AbsenceReason.values:
        raise RuleError(ERR_ABSENCE_REASON)
    if since > timezone.localdate():
        raise RuleError(ERR_ABSENCE_DATE)
    destination = (destination or "").strip()
    if len(destination) > 60:
        raise RuleError(ERR_DESTINATION)
    current = Absence.objects.filter(resident=resident, returned_on__isnull=True).first()
    if current:
        raise RuleError(ERR_ABSENCE_OPEN.format(name=resident.name, since=current.since.isoformat()))
    return Absence.objects.create(resident=resident, household_id=resident.household_id,
                                  community_id=resident.community_id, grid_id=resident.grid_id, reason=reason,
                                  destination=destination, since=since, recorded_by=by)


@transaction.atomic
def absence_return(*, absence: Absence, returned_on: dt.date, by) -> Absence:
    absence = Absence.objects.select_for_update().select_related("resident__grid").get(pk=absence.pk)
    if not Scope.for_user_capability(by, KEEP_CARE).contains(absence.resident.grid):
        raise PermissionDenied(ERR_NO_RIGHT)
    if absence.returned_on:
        raise RuleError(ERR_RETURNED)
    if returned_on < absence.since or returned_on > timezone.localdate():
        raise RuleError(ERR_RETURN_DATE.format(since=absence.since.isoformat()))
    absence.returned_on = returned_on
    absence.save(update_fields=["returned_on"])
    return absence


@transaction.atomic
def disability_record(*, resident: Resident, kind: str, grade: int | str, by) -> Disability:
    resident = Resident.objects.select_for_update().select_related("grid").get(pk=resident.pk)
    _check(by, resident)
    if kind not in DisabilityKind.values:
        raise RuleError(ERR_DISABILITY_KIND)
    try:
        grade = int(grade)
    except (TypeError, ValueError):
        raise RuleError(ERR_DISABILITY_GRADE) from None
    if grade not in (1, 2, 3, 4):
        raise RuleError(ERR_DISABILITY_GRADE)
    record, _ = Disability.objects.update_or_create(resident=resident,
                                                    defaults={"kind": kind, "grade": grade, "recorded_by": by})
    return record


# -- visits (关爱走访) ----------------------------------------------------------------------
ERR_NOT_ON_LIST = "{name}不在您的关爱走访名单内(只能走访本人负责网格或社区内、按走访规则需要走访的关爱对象)"
ERR_CONDITION = "请选择被走访人的身体和生活状况"
ERR_VISIT_NOTES = "请填写走访情况"
ERR_VISIT_DATE = "走访日期不能晚于今天,也不能早于一年前"
ERR_FOLLOW_UP_FINDINGS = "转为工单或困难上报前,请填写发现的问题和需求"
ERR_FOLLOW_UP = "请选择处理方式"
ERR_ORDER_CATEGORY = "转为工单请选择工单类别"
ERR_HARDSHIP_KIND = "请选择困难类型"
ERR_TEXT_LONG = "{field}最多 {n} 字"
ERR_NOT_PAIRED = "{name}不是您的结对关爱对象,不能记录走访(结对由社区工作者安排)"
ERR_PAIRED_FOLLOW_UP = "结对走访人不能直接转工单或困难上报;请把发现的问题写在“发现的问题和需求”中,网格员会收到提醒并跟进"
ERR_BEFORE_PAIRING = "走访日期不能早于结对开始日期({since})"
NOTICE_VISIT = "care_visit"  # the notice kind of the visit network (care/manifest.py registers it)


PAIRED_MARK = "(结对{kind}走访)"  # after the text of a paired visit's 民情日记 row (and of the rows migration 0013 wrote)


def _visit_log_text(resident, condition_label: str, groups: list[str]) -> str:
    """What the grid's visit log (民情日记, read more widely than care data) says: no health detail."""
    from gongzhi.care.visits import visit_log_text
    return visit_log_text(resident.name, condition_label, groups)


@transaction.atomic
def care_visit_record(*, resident: Resident, by, visited_on: dt.date, condition: str, notes: str,
                      findings: str = "", follow_up: str = "", order_category=None, hardship_kind: str = "",
                      now=None):
    """Record a visit to a person on the visitor's list; with `follow_up` the findings become a work order
    (through the grid's visit log) or a hardship report in the same step."""
    from gongzhi.care.models import CareVisit, Condition, FollowUp
    from gongzhi.care.visits import on_list
    from gongzhi.workorders import services as workorders
    from gongzhi.workorders.models import VisitLog
    from gongzhi.care import pairings
    today = timezone.localdate(now or timezone.now())
    resident = Resident.objects.select_for_update().select_related("grid", "household").get(pk=resident.pk)
    pairing = None
    if not on_list(Scope.for_user_capability(by, KEEP_CARE), resident, today):
        # an assigned volunteer or neighbour: only the people paired with them
        pairing = pairings.open_pairing(by, resident.pk)
        if pairing is None or not pairings.may_visit(by):
            raise RuleError(ERR_NOT_ON_LIST.format(name=resident.name) if pairing is None and
                            Scope.for_user_capability(by, KEEP_CARE) else ERR_NOT_PAIRED.format(name=resident.name))
        if follow_up:
            raise RuleError(ERR_PAIRED_FOLLOW_UP)
        if visited_on < pairing.starts_on:
            raise RuleError(ERR_BEFORE_PAIRING.format(since=pairing.starts_on.isoformat()))
    if condition not in Condition.values:
        raise RuleError(ERR_CONDITION)
    notes, findings = (notes or "").strip(), (findings or "").strip()
    if not notes:
        raise RuleError(ERR_VISIT_NOTES)
    if len(notes) > 2000 or len(findings) > 2000:
        raise RuleError(ERR_TEXT_LONG.format(field="走访情况和发现的问题", n=2000))
    if visited_on > today or visited_on < today - dt.timedelta(days=365):
        raise RuleError(ERR_VISIT_DATE)
    if follow_up not in FollowUp.values:
        raise RuleError(ERR_FOLLOW_UP)
    if follow_up and not findings:
        raise RuleError(ERR_FOLLOW_UP_FINDINGS)
    if follow_up == FollowUp.ORDER and order_category is None:
        raise RuleError(ERR_ORDER_CATEGORY)
    if follow_up == FollowUp.HARDSHIP and hardship_kind not in HardshipKind.values:
        raise RuleError(ERR_HARDSHIP_KIND)
    labels = [Group(g).label for g in current_groups(resident, today)]
    visit_log = None
    if Scope.for_user_capability(by, KEEP_VISITS).contains(resident.grid):
        visit_log = workorders.visit_record(
            by=by, grid=resident.grid, visited_on=visited_on, household=resident.household,
            notes=_visit_log_text(resident, Condition(condition).label, labels),
            concerns=findings if follow_up == FollowUp.ORDER else "",
            order_category=order_category if follow_up == FollowUp.ORDER else None, now=now)
    if visit_log is None:
        # a paired volunteer or neighbour keeps no 民情日记 of their own (no `keep_visits`): the visit still enters
        # the grid's, written by the work, with what a worker's care visit writes there (name, groups, condition;
        # never the notes or the findings, which stay care data)
        visit_log = VisitLog.objects.create(
            grid=resident.grid, household=resident.household if resident.household_id and
            resident.household.grid_id == resident.grid_id else None, visitor=by, visited_on=visited_on,
            notes=_visit_log_text(resident, Condition(condition).label, labels) + PAIRED_MARK.format(
                kind=pairing.get_kind_display() if pairing else ""))
    hardship = None
    if follow_up == FollowUp.HARDSHIP:
        hardship = hardship_report(resident=resident, kind=hardship_kind, description=findings, by=by, now=now)
    visit = CareVisit.objects.create(
        resident=resident, community_id=resident.community_id, grid_id=resident.grid_id, visitor=by,
        visited_on=visited_on, condition=condition, notes=notes, findings=findings, follow_up=follow_up,
        visit_log=visit_log, work_order=visit_log.work_order if visit_log else None, hardship=hardship,
        pairing=pairing)
    if pairing is not None and (findings or condition in (Condition.POOR, Condition.URGENT)):
        _tell_grid(visit, resident, pairing, now)
    return visit


def _tell_grid(visit, resident, pairing, now) -> None:
    """A paired visitor's findings (or a poor condition) go to the grid's workers as a notice: the visitor
    cannot raise a work order or a hardship report, the worker follows up. No health detail in the text."""
    from gongzhi.accounts.models import Role
    from gongzhi.workorders import notify
    who = pairing.visitor_resident.name if pairing.visitor_resident_id else "结对走访人"
    text = (f"结对走访:{who} {visit.visited_on:%Y-%m-%d} 走访{resident.name}时发现需要跟进的情况,"
            f"请查看其关爱档案并上门核实")
    notify.notify(notify.users_at(resident.grid, [Role.GRID]) or notify.users_at(resident.community, [Role.COMMUNITY]),
                  order=None, kind=NOTICE_VISIT, text=text, now=now)


@transaction.atomic
def hardship_report(*, resident: Resident, kind: str, description: str, by, now=None) -> HardshipReport:
    """困难上报 on a person and their household, from a visit or by a worker."""
    resident = Resident.objects.select_related("grid").get(pk=resident.pk)
    _check(by, resident)
    if kind not in HardshipKind.values:
        raise RuleError(ERR_HARDSHIP_KIND)
    description = (description or "").strip()
    if not description:
        raise RuleError("请填写困难情况说明")
    if len(description) > 2000:
        raise RuleError(ERR_TEXT_LONG.format(field="困难情况说明", n=2000))
    return HardshipReport.objects.create(
        resident=resident, household_id=resident.household_id, community_id=resident.community_id,
        grid_id=resident.grid_id, kind=kind, description=description, reported_by=by,
        reported_at=now or timezone.now())
