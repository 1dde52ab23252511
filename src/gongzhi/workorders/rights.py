"""Who may take a step on an order. Each right is a capability held at a post
that covers the order: a user's other posts (a department post elsewhere, a
resident's home) never widen it. The `may_*` functions are the rights the step
table (`services.lifecycle.STEPS`) names, each (scope, user, order) → bool."""
from __future__ import annotations

from django.db.models import Exists, OuterRef

from gongzhi.accounts.models import Role
from gongzhi.core.scope import Scope
from gongzhi.workorders.manifest import HANDLE_ORDERS, SUPERVISE_ORDERS, VERIFY_ORDERS
from gongzhi.workorders.models import Action, WorkOrder, WorkOrderEvent


def is_supervisor(scope: Scope, order: WorkOrder) -> bool:
    """A post granting SUPERVISE_ORDERS (community, street, admin) over the place of the order."""
    place = order.community or order.street or order.district
    return scope.can(SUPERVISE_ORDERS, place)


def is_handler(scope: Scope, order: WorkOrder) -> bool:
    """A post granting HANDLE_ORDERS at or above the handling unit: for an order
    sent to a department, a post of that department; otherwise a post of no department."""
    place = order.handling_place
    if place is None:
        return False
    for a in scope.for_capability(HANDLE_ORDERS).assignments:
        if not place.is_within(a.place):
            continue
        if order.handling_department:
            if a.role == Role.DEPARTMENT and a.department == order.handling_department:
                return True
        elif a.role != Role.DEPARTMENT:
            return True
    return False


def is_grid_worker(scope: Scope, order: WorkOrder) -> bool:
    """A post granting VERIFY_ORDERS at the order's grid."""
    return order.grid_id is not None and any(
        a.place_id == order.grid_id for a in scope.for_capability(VERIFY_ORDERS).assignments)


def is_reporter(user, order: WorkOrder) -> bool:
    return order.reporter_user_id is not None and order.reporter_user_id == user.pk


def may_supervise(scope: Scope, user, order: WorkOrder) -> bool:
    """Accept, decline, merge, dispatch: a supervisor of the order."""
    return is_supervisor(scope, order)


def may_handle(scope: Scope, user, order: WorkOrder) -> bool:
    """Handle, reply, mediate: the handling unit or a supervisor."""
    return is_handler(scope, order) or is_supervisor(scope, order)


ERR_OWN_WORK = "核查须由处置人以外的人进行:这张工单由您处置或反馈"


def own_work(user_pk, order):
    """`user_pk`'s handling and replies on `order` (an order, or OuterRef("pk") inside a query over
    orders) since it was last dispatched: this round's work, which they may not verify."""
    dispatched_later = WorkOrderEvent.objects.filter(order=OuterRef("order"), action=Action.DISPATCH,
                                                     at__gt=OuterRef("at"))
    return (WorkOrderEvent.objects.filter(order=order, actor_id=user_pk, action__in=(Action.HANDLE, Action.REPLY))
            .exclude(Exists(dispatched_later)))


def did_the_work(user, order: WorkOrder) -> bool:
    """Did `user` handle or reply to the order since it was last dispatched (this round's work)?"""
    return own_work(user.pk, order).exists()  # one query


def may_verify(scope: Scope, user, order: WorkOrder) -> bool:
    """Verify: the grid's worker, the reporter or a supervisor, but never the one who did the
    work (separation of duties: nobody signs off their own work)."""
    if not (is_grid_worker(scope, order) or is_reporter(user, order) or is_supervisor(scope, order)):
        return False
    return not did_the_work(user, order)


may_verify.explain = lambda user, order: ERR_OWN_WORK if did_the_work(user, order) else None


def may_close(scope: Scope, user, order: WorkOrder) -> bool:
    """Close: a supervisor or the owner (首问)."""
    return is_supervisor(scope, order) or order.owner_id == user.pk


def may_rate(scope: Scope, user, order: WorkOrder) -> bool:
    """Rate: the reporter, or staff recording a rating they took by phone (回访) for the resident."""
    return is_reporter(user, order) or order.owner_id == user.pk or order.agent_id == user.pk \
        or is_supervisor(scope, order)
