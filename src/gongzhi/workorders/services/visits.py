"""民情日记 (the visit log, P-GRID-5): a grid or community worker records a
household visit; a concern heard on it becomes a work order."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gongzhi.core import codes
from gongzhi.core.scope import Scope
from gongzhi.places.models import Place
from gongzhi.workorders.manifest import KEEP_VISITS
from gongzhi.workorders.models import Category, Channel, VisitLog, WorkOrder
from gongzhi.workorders.services.errors import WorkflowError
from gongzhi.workorders.services.lifecycle import order_report

ERR_VISIT_GRID = "只能记录本人负责网格的走访"
ERR_VISIT_HOUSEHOLD = "走访户不在该网格内"
ERR_VISIT_NOTES = "请填写走访情况"
ERR_VISIT_DATE = "走访日期不能晚于今天"
ERR_VISIT_NO_CONCERN = "这次走访没有记录群众诉求,无需转为工单"
ERR_VISIT_HAS_ORDER = "这次走访的诉求已转为工单 {number}"


def _may_visit(by, grid: Place) -> bool:
    """Posts granting KEEP_VISITS (grid and community workers) keep the visit log of their grids."""
    return Scope.for_user_capability(by, KEEP_VISITS).contains(grid)


@transaction.atomic
def visit_record(*, by, grid: Place, visited_on: dt.date, notes: str, concerns: str = "", household=None,
                 order_category: Category | None = None, now=None) -> VisitLog:
    """Record a household visit; with `order_category`, the concern becomes a work order in the same step."""
    if not _may_visit(by, grid):
        raise PermissionDenied(ERR_VISIT_GRID)
    if household is not None and household.grid_id != grid.pk:
        raise WorkflowError(ERR_VISIT_HOUSEHOLD)
    notes = (notes or "").strip()
    if not notes:
        raise WorkflowError(ERR_VISIT_NOTES)
    if visited_on > timezone.localdate(now or timezone.now()):
        raise WorkflowError(ERR_VISIT_DATE)
    visit = VisitLog.objects.create(grid=grid, household=household, visitor=by, visited_on=visited_on, notes=notes,
                                    concerns=(concerns or "").strip())
    if order_category is not None:
        visit.work_order = visit_to_order(visit=visit, by=by, category=order_category, now=now)
    return visit


@transaction.atomic
def visit_to_order(*, visit: VisitLog, by, category: Category, now=None) -> WorkOrder:
    """Turn the concern heard on a visit into a work order (one step for the grid worker)."""
    visit = (VisitLog.objects.select_for_update(of=("self",))
             .select_related("grid__parent", "household__dwelling").get(pk=visit.pk))
    if not _may_visit(by, visit.grid):
        raise PermissionDenied(ERR_VISIT_GRID)
    if not visit.concerns:
        raise WorkflowError(ERR_VISIT_NO_CONCERN)
    if visit.work_order_id:
        raise WorkflowError(ERR_VISIT_HAS_ORDER.format(number=visit.work_order.number))
    head = visit.household.members.filter(relation=codes.HEAD_RELATION).first() if visit.household else None
    order = order_report(category=category, description=visit.concerns, channel=Channel.VISIT, by=by,
                         grid=visit.grid, household=visit.household,
                         address=visit.household.dwelling.address if visit.household and visit.household.dwelling
                         else "", reporter_name=head.name if head else "", now=now)
    visit.work_order = order
    visit.save(update_fields=["work_order"])
    return order
