"""Every write to work orders. One function per step; each locks the order,
checks the caller's version (so two people acting at once cannot overwrite
each other), checks that the step is allowed from the current state and by
this user, changes the order, appends the event and sends the notices, all in
one transaction. Pages, the Open311 API and the command line call these."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.core import codes, crypto, uploads
from gongzhi.core.scope import Scope
from gongzhi.people.services import ERR_CONFLICT, ConflictError
from gongzhi.places.models import Level, Place
from gongzhi.workorders import calendar, duplicates, notify, selectors
from gongzhi.workorders.calendar import add_working_days
from gongzhi.workorders.manifest import (
    EDIT_CATALOGUE, HANDLE_ORDERS, KEEP_VISITS, REPORT_ORDERS, SUPERVISE_ORDERS, VERIFY_ORDERS, VIEW_ORDERS,
)
from gongzhi.workorders.models import (
    Action, Attachment, Category, Channel, Dispute, Escalation, Kind, Outcome, RouteLevel, State,
    WorkOrder, WorkOrderEvent,
)

__all__ = ["ConflictError", "WorkflowError", "ERR_CONFLICT"]

ERR_TRANSITION = "工单当前状态为「{state}」,不能执行「{action}」"
ERR_NO_RIGHT = "您无权对此工单执行「{action}」"
ERR_NO_REPORT = "职能部门账号不能直接上报工单,请由社区或网格员受理"
ERR_DESCRIPTION = "请填写问题描述"
ERR_CATEGORY = "类别无效或已停用"
ERR_NO_LOCATION = "请填写地址,或选择网格,或提供位置"
ERR_NO_DISTRICT = "系统尚未建立区划,无法接收工单"
ERR_REASON = "请填写不予受理的理由"
ERR_REPLY = "请填写处理结果"
ERR_NOTE = "请填写处置情况"
ERR_VERIFY_NOTE = "核查不通过时请写明原因"
ERR_DISPATCH_TARGET = "请选择承办单位"
ERR_DISPATCH_SCOPE = "承办单位须在本工单所属区域内或为上级单位"
ERR_RATING = "评价须为 1–5 分"
ERR_RATED = "该工单已评价"
ERR_MERGE = "只能合并到同一类别、尚未结案的另一张工单"
ERR_LATLON = "位置坐标无效"
ERR_OUTCOME = "调解结果无效"
ERR_PARTIES = "请至少填写一名当事人"



class WorkflowError(ValueError):
    pass


# -- who may do what --------------------------------------------------------
# Each right is a capability held at a post that covers the order: a user's
# other posts (a department post elsewhere, a resident's home) never widen it.
def _order_place(order: WorkOrder) -> Place:
    return order.grid or order.community or order.street or order.district


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


RIGHTS = {
    Action.ACCEPT: lambda s, u, o: is_supervisor(s, o),
    Action.DECLINE: lambda s, u, o: is_supervisor(s, o),
    Action.DISPATCH: lambda s, u, o: is_supervisor(s, o),
    Action.MERGE: lambda s, u, o: is_supervisor(s, o),
    Action.HANDLE: lambda s, u, o: is_handler(s, o) or is_supervisor(s, o),
    Action.REPLY: lambda s, u, o: is_handler(s, o) or is_supervisor(s, o),
    Action.MEDIATE: lambda s, u, o: is_handler(s, o) or is_supervisor(s, o),
    Action.VERIFY_PASS: lambda s, u, o: is_grid_worker(s, o) or is_reporter(u, o) or is_supervisor(s, o),
    Action.VERIFY_FAIL: lambda s, u, o: is_grid_worker(s, o) or is_reporter(u, o) or is_supervisor(s, o),
    Action.CLOSE: lambda s, u, o: is_supervisor(s, o) or o.owner_id == u.pk,
    # Staff may record a rating they took by phone (回访) for the resident.
    Action.RATE: lambda s, u, o: is_reporter(u, o) or o.owner_id == u.pk or o.agent_id == u.pk or is_supervisor(s, o),
}

# Which states each step may start from.
ALLOWED_FROM = {
    Action.ACCEPT: {State.REPORTED},
    Action.DECLINE: {State.REPORTED},
    Action.MERGE: {State.REPORTED, State.ACCEPTED},
    Action.DISPATCH: {State.ACCEPTED, State.DISPATCHED, State.HANDLING},
    Action.HANDLE: {State.DISPATCHED, State.HANDLING},
    Action.MEDIATE: {State.ACCEPTED, State.DISPATCHED, State.HANDLING},
    Action.REPLY: {State.DISPATCHED, State.HANDLING},
    Action.VERIFY_PASS: {State.REPLIED},
    Action.VERIFY_FAIL: {State.REPLIED},
    Action.CLOSE: {State.VERIFIED},
    Action.RATE: {State.CLOSED},
}


def allowed_actions(user, order: WorkOrder, scope: Scope | None = None) -> list[str]:
    """The steps this user may take on this order now (for buttons and forms)."""
    scope = scope if scope is not None else Scope.for_user_capability(user, VIEW_ORDERS)
    actions = [a for a, states in ALLOWED_FROM.items() if order.state in states and RIGHTS[a](scope, user, order)]
    if Action.RATE in actions and order.rating is not None:
        actions.remove(Action.RATE)
    if Action.MEDIATE in actions and not order.category.is_dispute:
        actions.remove(Action.MEDIATE)
    return actions


# -- helpers ------------------------------------------------------------------
def _lock(order: WorkOrder, version: int | None) -> WorkOrder:
    locked = WorkOrder.objects.select_for_update(of=("self",)).select_related(
        "category", "district", "street", "community", "grid", "handling_place", "escalation").get(pk=order.pk)
    if version is not None and locked.version != int(version):
        raise ConflictError(ERR_CONFLICT)
    return locked


def _check(order: WorkOrder, action: str, by) -> Scope:
    if order.state not in ALLOWED_FROM[action]:
        raise WorkflowError(ERR_TRANSITION.format(state=order.get_state_display(), action=Action(action).label))
    # Each right asks for its own capability at the order's place (scope.can), whatever the narrowing.
    scope = Scope.for_user_capability(by, VIEW_ORDERS)
    if not RIGHTS[action](scope, by, order):
        raise PermissionDenied(ERR_NO_RIGHT.format(action=Action(action).label))
    return scope


def _actor_name(by) -> str:
    if by is None:
        return "系统"
    return str(by)


def _event(order, *, action, from_state, by, now, note="", data=None, actor_name=None) -> WorkOrderEvent:
    return WorkOrderEvent.objects.create(
        order=order, action=action, from_state=from_state, to_state=order.state, actor=by,
        actor_name=actor_name or _actor_name(by), at=now, note=note, data=data or {})


def _respond(order: WorkOrder, now) -> None:
    """The first answer to the reporter (accept, decline or merge): 响应."""
    if order.first_response_at is None:
        order.first_response_at = now
        order.responded_on_time = order.step_due_at is None or now <= order.step_due_at


def _save(order: WorkOrder, *, step_due=None, clear_due=False) -> None:
    """Persist a step: new version; the step deadline is also when the sweep looks again."""
    if clear_due:
        order.step_due_at = None
    elif step_due is not None:
        order.step_due_at = step_due
    order.version += 1
    order.save()
    if clear_due or step_due is not None:
        Escalation.objects.filter(order_id=order.pk).update(next_at=order.step_due_at)
        if "escalation" in order._state.fields_cache:  # keep the loaded clock in step
            order.escalation.next_at = order.step_due_at


def check_attachments(files) -> list[tuple]:
    """Validate uploads before anything is written; returns (file, content_type)."""
    try:
        return uploads.check_files(files)
    except uploads.UploadError as exc:
        raise WorkflowError(str(exc)) from None


def _attach(order, event, checked, by) -> None:
    for f, content_type in checked:
        Attachment.objects.create(order=order, event=event, file=f, name=f.name[:120], content_type=content_type,
                                  size=f.size, uploaded_by=by)


def default_handling_place(order: WorkOrder) -> tuple[Place, str]:
    """Where the catalogue routes this order, given where it is."""
    category = order.category
    if category.route_level == RouteLevel.GRID and order.grid_id:
        return order.grid, ""
    if category.route_level in (RouteLevel.GRID, RouteLevel.COMMUNITY) and order.community_id:
        return order.community, ""
    if category.route_level == RouteLevel.DEPARTMENT:
        return order.district, category.route_department
    return order.street or order.district, ""


# -- report ---------------------------------------------------------------------
@transaction.atomic
def order_report(*, category: Category, description: str, channel: str, by=None, title: str = "",
                 grid: Place | None = None, community: Place | None = None, district: Place | None = None,
                 household=None, address: str = "", lat: float | None = None, lon: float | None = None,
                 reporter_name: str = "", reporter_phone: str = "", reporter_email: str = "",
                 on_behalf: bool = False, extra: dict | None = None, files=(), parties=None,
                 now: dt.datetime | None = None) -> WorkOrder:
    """Raise a new order. At the window (channel=window) the desk officer accepts
    it on the spot and owns it (一窗受理、首问负责); with `on_behalf` they also
    act as the resident's agent (全程代办)."""
    from gongzhi.workorders import locate

    now = now or timezone.now()
    description = (description or "").strip()
    if not description:
        raise WorkflowError(ERR_DESCRIPTION)
    if category is None or not category.active:
        raise WorkflowError(ERR_CATEGORY)
    if (lat is None) != (lon is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)):
        raise WorkflowError(ERR_LATLON)
    checked = check_attachments(files)
    if household is not None:
        grid = grid or household.grid
    if grid is None and lat is not None:
        grid = locate.grid_at(lat, lon)
    if grid is not None:
        community = grid.parent
    if community is None and district is None and not address.strip() and lat is None:
        raise WorkflowError(ERR_NO_LOCATION)
    street = community.parent if community is not None else None
    if street is not None:
        district = street.parent
    if district is None:  # a point outside every grid, or an address only: the district sorts it out
        district = Place.objects.filter(level=Level.DISTRICT).order_by("id").first()
        if district is None:
            raise WorkflowError(ERR_NO_DISTRICT)
    if category.is_dispute and parties is not None and not [p for p in parties if p.get("name")]:
        raise WorkflowError(ERR_PARTIES)

    reporter_scope = Scope.for_user_capability(by, REPORT_ORDERS) if by is not None else None
    if reporter_scope is not None and not reporter_scope.assignments:
        raise PermissionDenied(ERR_NO_REPORT)
    staff = bool(reporter_scope is not None and reporter_scope.staff_places)
    # A grid worker who finds a problem is its reporter; at the window, or when
    # acting for a resident, the resident is (by name and phone) and staff is the agent.
    by_is_reporter = by is not None and not on_behalf and channel != Channel.WINDOW
    order = WorkOrder(
        category=category, kind=category.kind, title=(title or description[:30]).strip()[:100],
        description=description, channel=channel, district=district, street=street, community=community,
        grid=grid, household=household, address=address.strip()[:200], lat=lat, lon=lon,
        reporter_user=by if by_is_reporter else None,
        reporter_name=(reporter_name or (str(by) if by_is_reporter else "")).strip()[:50],
        reporter_phone_enc=crypto.encrypt(reporter_phone.strip()) if reporter_phone.strip() else "",
        reporter_phone_masked=crypto.mask_phone(reporter_phone.strip()),
        reporter_email_enc=crypto.encrypt(reporter_email.strip()) if reporter_email.strip() else "",
        agent=by if staff and on_behalf else None, extra=extra or {}, state=State.REPORTED, created_at=now,
    )
    order.step_due_at = add_working_days(now, category.accept_days)
    order.possible_duplicate_of_id = duplicates.possible_duplicate_id(order, now)
    order.save()
    order.escalation = Escalation.objects.create(order=order, next_at=order.step_due_at)
    event = _event(order, action=Action.REPORT, from_state="", by=by, now=now, note=description,
                   data={"channel": channel, "on_behalf": bool(on_behalf)},
                   actor_name=None if by is not None else (reporter_name or "匿名"))
    _attach(order, event, checked, by)
    if category.is_dispute:
        Dispute.objects.create(order=order, parties=parties or [],
                               dispute_type=(extra or {}).get("dispute_type", ""))
    if staff and channel == Channel.WINDOW:
        _accept(order, by=by, now=now, note="窗口受理")
    else:
        notify.notify(notify.supervisors_of(order, 0), order=order, kind="report",
                      text=f"新工单 {order.number}「{order.title}」待受理", now=now)
    return order


# -- steps ------------------------------------------------------------------------
def _accept(order, *, by, now, note=""):
    from_state = order.state
    order.state = State.ACCEPTED
    order.accepted_at = order.accepted_at or now
    _respond(order, now)
    order.owner = order.owner or by
    order.due_at = add_working_days(now, order.category.handle_days)
    _save(order, step_due=add_working_days(now, order.category.accept_days))
    _event(order, action=Action.ACCEPT, from_state=from_state, by=by, now=now, note=note,
           data={"due_at": order.due_at.isoformat()})
    notify.notify([order.reporter_user_id], order=order, kind="accept",
                  text=f"您反映的「{order.title}」已受理,工单号 {order.number},"
                       f"承诺 {order.due_at:%m月%d日} 前办结", now=now)


@transaction.atomic
def order_accept(*, order: WorkOrder, by, version: int | None, note: str = "", now=None) -> WorkOrder:
    order = _lock(order, version)
    _check(order, Action.ACCEPT, by)
    _accept(order, by=by, now=now or timezone.now(), note=note.strip())
    return order


@transaction.atomic
def order_decline(*, order: WorkOrder, by, version: int | None, reason: str, now=None) -> WorkOrder:
    order = _lock(order, version)
    _check(order, Action.DECLINE, by)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(ERR_REASON)
    now = now or timezone.now()
    from_state = order.state
    order.state = State.DECLINED
    _respond(order, now)
    order.closed_at = now
    order.owner = order.owner or by
    _save(order, clear_due=True)
    _event(order, action=Action.DECLINE, from_state=from_state, by=by, now=now, note=reason)
    notify.notify([order.reporter_user_id], order=order, kind="decline",
                  text=f"您反映的「{order.title}」不予受理:{reason}", now=now)
    return order


@transaction.atomic
def order_dispatch(*, order: WorkOrder, by, version: int | None, place: Place | None, department: str = "",
                   note: str = "", now=None) -> WorkOrder:
    """Send the order to a handling unit: a grid, community or street in the
    order's area, the district, or a department at one of those."""
    order = _lock(order, version)
    _check(order, Action.DISPATCH, by)
    if place is None:
        raise WorkflowError(ERR_DISPATCH_TARGET)
    order_place = _order_place(order)
    if not (place.is_within(order.district) and (order_place.is_within(place) or place.is_within(order_place))):
        raise WorkflowError(ERR_DISPATCH_SCOPE)
    now = now or timezone.now()
    from_state = order.state
    order.state = State.DISPATCHED
    order.handling_place = place
    order.handling_department = (department or "").strip()[:50]
    late = order.due_at is None or order.due_at <= now
    _save(order, step_due=add_working_days(now, 1) if late else order.due_at)
    unit = f"{place.name}{order.handling_department}"
    _event(order, action=Action.DISPATCH, from_state=from_state, by=by, now=now, note=note.strip(),
           data={"place": place.code, "department": order.handling_department, "unit": unit})
    notify.notify(notify.handlers_of(order) + [order.owner_id], order=order, kind="dispatch",
                  text=f"工单 {order.number}「{order.title}」已派至 {unit},"
                       f"请于 {order.step_due_at:%m月%d日} 前处置", now=now)
    return order


@transaction.atomic
def order_handle(*, order: WorkOrder, by, version: int | None, note: str, files=(), now=None) -> WorkOrder:
    order = _lock(order, version)
    _check(order, Action.HANDLE, by)
    note = (note or "").strip()
    if not note:
        raise WorkflowError(ERR_NOTE)
    checked = check_attachments(files)
    now = now or timezone.now()
    from_state = order.state
    order.state = State.HANDLING
    _save(order)
    event = _event(order, action=Action.HANDLE, from_state=from_state, by=by, now=now, note=note)
    _attach(order, event, checked, by)
    return order


@transaction.atomic
def order_reply(*, order: WorkOrder, by, version: int | None, reply: str, resolved: bool = True, files=(),
                now=None) -> WorkOrder:
    """The handling unit reports what it did; the order waits for verification."""
    order = _lock(order, version)
    _check(order, Action.REPLY, by)
    reply = (reply or "").strip()
    if not reply:
        raise WorkflowError(ERR_REPLY)
    checked = check_attachments(files)
    now = now or timezone.now()
    from_state = order.state
    order.state = State.REPLIED
    order.replied_at = now
    order.resolved = bool(resolved)
    _save(order, step_due=add_working_days(now, order.category.verify_days))
    event = _event(order, action=Action.REPLY, from_state=from_state, by=by, now=now, note=reply,
                   data={"resolved": bool(resolved)})
    _attach(order, event, checked, by)
    verifiers = [order.reporter_user_id, order.owner_id]
    if order.grid_id:
        verifiers += notify.users_at(order.grid, sorted(VERIFY_ORDERS.roles))  # who may verify there
    notify.notify(verifiers, order=order, kind="reply",
                  text=f"工单 {order.number}「{order.title}」已处置反馈,请核查:{reply[:80]}", now=now)
    return order


@transaction.atomic
def order_verify(*, order: WorkOrder, by, version: int | None, passed: bool, note: str = "", files=(),
                 now=None) -> WorkOrder:
    """Check the work on site or with the reporter. A failure sends it back as rework."""
    action = Action.VERIFY_PASS if passed else Action.VERIFY_FAIL
    order = _lock(order, version)
    _check(order, action, by)
    note = (note or "").strip()
    if not passed and not note:
        raise WorkflowError(ERR_VERIFY_NOTE)
    checked = check_attachments(files)
    now = now or timezone.now()
    from_state = order.state
    if passed:
        order.state = State.VERIFIED
        _save(order, step_due=add_working_days(now, 1))
        recipients, text = [order.owner_id], f"工单 {order.number} 核查通过,请结案"
    else:
        order.state = State.DISPATCHED
        order.rework_count += 1
        _save(order, step_due=add_working_days(now, order.category.handle_days))
        recipients = notify.handlers_of(order) + [order.owner_id]
        text = f"工单 {order.number} 核查未通过,请返工:{note[:80]}"
    event = _event(order, action=action, from_state=from_state, by=by, now=now, note=note)
    _attach(order, event, checked, by)
    notify.notify(recipients, order=order, kind="verify", text=text, now=now)
    return order


@transaction.atomic
def order_close(*, order: WorkOrder, by, version: int | None, note: str = "", now=None) -> WorkOrder:
    order = _lock(order, version)
    _check(order, Action.CLOSE, by)
    now = now or timezone.now()
    from_state = order.state
    order.state = State.CLOSED
    order.closed_at = now
    _save(order, clear_due=True)
    on_time = order.due_at is None or now <= order.due_at
    _event(order, action=Action.CLOSE, from_state=from_state, by=by, now=now, note=note.strip(),
           data={"on_time": on_time})
    notify.notify([order.reporter_user_id, order.agent_id], order=order, kind="close",
                  text=f"您反映的「{order.title}」已办结,欢迎评价", now=now)
    for merged in order.merged_orders.exclude(reporter_user=None):
        notify.notify([merged.reporter_user_id], order=merged, kind="close",
                      text=f"您反映的「{merged.title}」已随工单 {order.number} 办结", now=now)
    return order


@transaction.atomic
def order_rate(*, order: WorkOrder, by, version: int | None, rating: int, comment: str = "", now=None) -> WorkOrder:
    order = _lock(order, version)
    _check(order, Action.RATE, by)
    if order.rating is not None:
        raise WorkflowError(ERR_RATED)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise WorkflowError(ERR_RATING)
    now = now or timezone.now()
    order.rating = rating
    order.rating_comment = (comment or "").strip()[:200]
    _save(order)
    by_reporter = is_reporter(by, order)
    _event(order, action=Action.RATE, from_state=order.state, by=by, now=now, note=order.rating_comment,
           data={"rating": rating, "by_reporter": by_reporter})
    if rating <= 2:
        notify.notify(notify.supervisors_of(order, 0) + [order.owner_id], order=order, kind="rate",
                      text=f"工单 {order.number} 收到差评({rating} 分):{order.rating_comment[:60]}", now=now)
    return order


@transaction.atomic
def order_merge(*, order: WorkOrder, into: WorkOrder, by, version: int | None, now=None) -> WorkOrder:
    """Fold a duplicate into the order already open for the same problem."""
    order = _lock(order, version)
    scope = _check(order, Action.MERGE, by)
    target = WorkOrder.objects.select_for_update().get(pk=into.pk)
    if target.pk == order.pk or target.category_id != order.category_id or not target.is_open \
            or target.duplicate_of_id or not is_supervisor(scope, target):
        raise WorkflowError(ERR_MERGE)
    now = now or timezone.now()
    from_state = order.state
    order.state = State.MERGED
    order.duplicate_of = target
    order.closed_at = now
    _respond(order, now)
    _save(order, clear_due=True)
    _event(order, action=Action.MERGE, from_state=from_state, by=by, now=now,
           note=f"与工单 {target.number} 反映同一问题,已合并", data={"into": target.pk})
    target.version += 1
    target.save(update_fields=["version"])
    _event(target, action=Action.MERGED_IN, from_state=target.state, by=by, now=now,
           note=f"并入重复工单 {order.number}", data={"merged": order.pk})
    notify.notify([order.reporter_user_id], order=order, kind="merge",
                  text=f"您反映的「{order.title}」与已在办理的工单 {target.number} 是同一问题,将一并办理", now=now)
    return order


@transaction.atomic
def dispute_mediate(*, order: WorkOrder, by, version: int | None, mediator: str, mediation: str, outcome: str,
                    agreement: bool = False, mediated_on: dt.date | None = None, parties=None,
                    now=None) -> WorkOrder:
    order = _lock(order, version)
    _check(order, Action.MEDIATE, by)
    if not order.category.is_dispute:
        raise WorkflowError(ERR_TRANSITION.format(state=order.get_state_display(), action=Action.MEDIATE.label))
    if outcome not in Outcome.values:
        raise WorkflowError(ERR_OUTCOME)
    mediation = (mediation or "").strip()
    if not mediation:
        raise WorkflowError(ERR_NOTE)
    now = now or timezone.now()
    dispute, _ = Dispute.objects.get_or_create(order=order)
    if parties is not None:
        if not [p for p in parties if p.get("name")]:
            raise WorkflowError(ERR_PARTIES)
        dispute.parties = parties
    dispute.mediator = (mediator or str(by)).strip()[:50]
    dispute.mediation = mediation
    dispute.outcome = outcome
    dispute.agreement = bool(agreement)
    dispute.mediated_on = mediated_on or timezone.localdate(now)
    dispute.save()
    _save(order)
    _event(order, action=Action.MEDIATE, from_state=order.state, by=by, now=now, note=mediation,
           data={"outcome": outcome, "agreement": bool(agreement)})
    return order


def order_kind_label(order: WorkOrder) -> str:
    return Kind(order.kind).label


# -- visit log (民情日记, P-GRID-5) ----------------------------------------------------
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
                 order_category: Category | None = None, now=None):
    """Record a household visit; with `order_category`, the concern becomes a work order in the same step."""
    from gongzhi.workorders.models import VisitLog

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
def visit_to_order(*, visit, by, category: Category, now=None) -> WorkOrder:
    """Turn the concern heard on a visit into a work order (one step for the grid worker)."""
    from gongzhi.workorders.models import VisitLog

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


# -- catalogue and calendar (admin) ------------------------------------------------------
ERR_CATEGORY_CODE = "代码只能由小写字母、数字、下划线和连字符组成"
ERR_CATEGORY_CODE_TAKEN = "代码 {code} 已被使用"
ERR_CATEGORY_LOCALITY = "只能维护本地区的工单目录"
ERR_CATEGORY_ATTRIBUTES = "附加字段须为 JSON 列表:{detail}"


def _catalogue_place(by) -> Place:
    """The place of the caller's first post granting EDIT_CATALOGUE: the locality they keep."""
    for a in Scope.for_user_capability(by, EDIT_CATALOGUE).assignments:
        return a.place
    raise PermissionDenied(ERR_CATEGORY_LOCALITY)


@transaction.atomic
def category_save(*, by, category: Category | None, version: int | None, fields: dict) -> Category:
    """Create a locality's category or change one (global ones too: the admin of
    the district that uses them keeps them). Bumps `version`, which Open311
    clients see as the discovery changeset."""
    import json
    import re

    from gongzhi.workorders.catalogue import CatalogueError, check_attribute

    locality = _catalogue_place(by)
    if category is None:
        code = (fields.get("code") or "").strip()
        if not re.fullmatch(r"[a-z0-9_-]{2,40}", code):
            raise WorkflowError(ERR_CATEGORY_CODE)
        if Category.objects.filter(code=code).exists():
            raise WorkflowError(ERR_CATEGORY_CODE_TAKEN.format(code=code))
        category = Category(code=code, kind=fields["kind"], locality=locality)
    else:
        category = Category.objects.select_for_update().get(pk=category.pk)
        if category.locality_id and category.locality_id != locality.pk and not category.locality.is_within(locality):
            raise PermissionDenied(ERR_CATEGORY_LOCALITY)
        if version is not None and category.version != int(version):
            raise ConflictError(ERR_CONFLICT)
        category.version += 1
    attributes = fields.get("attributes") or "[]"
    try:
        attributes = json.loads(attributes) if isinstance(attributes, str) else attributes
        if not isinstance(attributes, list):
            raise ValueError("不是列表")
        for i, attribute in enumerate(attributes, start=1):
            check_attribute(attribute, f"第 {i} 个")
    except (ValueError, CatalogueError) as exc:
        raise WorkflowError(ERR_CATEGORY_ATTRIBUTES.format(detail=exc)) from None
    for name in ("name", "description", "is_public", "is_dispute", "route_level", "route_department", "window",
                 "accept_days", "handle_days", "verify_days", "active", "sort"):
        if name in fields:
            setattr(category, name, fields[name])
    category.materials = [m.strip() for m in (fields.get("materials") or "").splitlines() if m.strip()]
    category.attributes = attributes
    if category.route_level == "department" and not category.route_department:
        raise WorkflowError("派往职能部门的类别须填写默认承办部门")
    category.save()
    selectors.forget_category(category.code)  # Open311 keeps categories a minute
    return category


@transaction.atomic
def calendar_day_set(*, by, date: dt.date, is_workday: bool, name: str = ""):
    from gongzhi.workorders.models import CalendarDay

    _catalogue_place(by)
    day, _ = CalendarDay.objects.update_or_create(date=date, defaults={"is_workday": is_workday,
                                                                       "name": (name or "").strip()[:40]})
    calendar.forget()
    transaction.on_commit(calendar.forget)
    return day


@transaction.atomic
def calendar_day_remove(*, by, date: dt.date) -> None:
    from gongzhi.workorders.models import CalendarDay

    _catalogue_place(by)
    CalendarDay.objects.filter(date=date).delete()
    calendar.forget()
    transaction.on_commit(calendar.forget)
