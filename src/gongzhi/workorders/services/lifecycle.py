"""The life of a work order: the report and every step after it
(上报 → 受理 → 派遣 → 处置 → 反馈 → 核查 → 结案 → 评价).

`STEPS`, at the end, is the state machine: for each step the states it may
start from, the state it leads to, who may take it, the form of the order page
and the function here that takes it. `allowed_actions`, `check_step` and the
page (`views.order_act`) all read it.

Each step locks the order and refuses a stale form (ConflictError), checks
the step against the table, changes the order, and records the event and its
notices (`events.record_event`), in one transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.core import crypto, modules, uploads
from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.places.models import Level, Place
from gongzhi.workorders import duplicates, forms, locate, notify
from gongzhi.workorders.calendar import add_working_days
from gongzhi.workorders.events import Notice, record_event
from gongzhi.workorders.manifest import REPORT_ORDERS, VERIFY_ORDERS, VIEW_ORDERS
from gongzhi.workorders.models import (
    Action, Attachment, Category, Channel, Dispute, Escalation, Outcome, RouteLevel, State, WorkOrder,
)
from gongzhi.workorders.rights import (
    is_reporter, is_supervisor, may_close, may_handle, may_rate, may_supervise, may_verify,
)
from gongzhi.workorders.services.errors import WorkflowError, lock_row

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
ERR_DISPATCH_DEPARTMENT_LEVEL = "职能部门只能在街道(镇)或区(市)一级承办,不能派到网格或社区"
ERR_DISPATCH_NO_HANDLER = "「{unit}」没有可以处理工单的账号,请选择其他承办单位"
ERR_RATING = "评价须为 1–5 分"
ERR_RATED = "该工单已评价"
ERR_MERGE = "只能合并到同一类别、尚未结案的另一张工单"
ERR_LATLON = "位置坐标无效"
ERR_OUTCOME = "调解结果无效"
ERR_PARTIES = "请至少填写一名当事人"


# -- helpers ------------------------------------------------------------------
def _begin(order: WorkOrder, action: str, by, version: int | None) -> WorkOrder:
    """The order, locked and re-read, once the form's version and the step table allow the step."""
    order = _lock(order, version)
    check_step(order, action, by)
    return order


def _lock(order: WorkOrder, version: int | None) -> WorkOrder:
    # Lock the bare row, then read it with what the steps use: a FOR UPDATE over the joins
    # would lock the category and places too (and PostgreSQL refuses it on outer joins).
    lock_row(WorkOrder.objects.only("version"), order.pk, version)
    return WorkOrder.objects.select_related(
        "category", "district", "street", "community", "grid", "handling_place", "escalation").get(pk=order.pk)


def _enter(order: WorkOrder, action: str) -> str:
    """Move the order to the state the step table gives `action`; returns the state it left."""
    from_state = order.state
    order.state = STEPS[action].to or order.state
    return from_state


def _order_place(order: WorkOrder) -> Place:
    return order.grid or order.community or order.street or order.district


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
    accepted_at_window = staff and channel == Channel.WINDOW  # the acceptance tells the resident instead
    event = record_event(
        order, Action.REPORT, from_state="", by=by, now=now, note=description,
        data={"channel": channel, "on_behalf": bool(on_behalf)},
        actor_name=None if by is not None else (reporter_name or "匿名"),
        notices=() if accepted_at_window else
        [Notice(notify.supervisors_of(order, 0), f"新工单 {order.number}「{order.title}」待受理")])
    _attach(order, event, checked, by)
    if category.is_dispute:
        Dispute.objects.create(order=order, parties=parties or [],
                               dispute_type=(extra or {}).get("dispute_type", ""))
    if accepted_at_window:
        _accept(order, by=by, now=now, note="窗口受理")
    return order


# -- steps ------------------------------------------------------------------------
def _accept(order, *, by, now, note=""):
    from_state = _enter(order, Action.ACCEPT)
    order.accepted_at = order.accepted_at or now
    _respond(order, now)
    order.owner = order.owner or by
    order.due_at = add_working_days(now, order.category.handle_days)
    _save(order, step_due=add_working_days(now, order.category.accept_days))
    record_event(order, Action.ACCEPT, from_state=from_state, by=by, now=now, note=note,
                 data={"due_at": order.due_at.isoformat()},
                 notices=[Notice([order.reporter_user_id],
                                 f"您反映的「{order.title}」已受理,工单号 {order.number},"
                                 f"承诺 {order.due_at:%m月%d日} 前办结")])


@transaction.atomic
def order_accept(*, order: WorkOrder, by, version: int | None, note: str = "", now=None) -> WorkOrder:
    order = _begin(order, Action.ACCEPT, by, version)
    _accept(order, by=by, now=now or timezone.now(), note=note.strip())
    return order


@transaction.atomic
def order_decline(*, order: WorkOrder, by, version: int | None, reason: str, now=None) -> WorkOrder:
    order = _begin(order, Action.DECLINE, by, version)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(ERR_REASON)
    now = now or timezone.now()
    from_state = _enter(order, Action.DECLINE)
    _respond(order, now)
    order.closed_at = now
    order.owner = order.owner or by
    _save(order, clear_due=True)
    record_event(order, Action.DECLINE, from_state=from_state, by=by, now=now, note=reason,
                 notices=[Notice([order.reporter_user_id], f"您反映的「{order.title}」不予受理:{reason}")])
    return order


@transaction.atomic
def order_dispatch(*, order: WorkOrder, by, version: int | None, place: Place | None, department: str = "",
                   note: str = "", now=None) -> WorkOrder:
    """Send the order to a handling unit: a grid, community or street in the
    order's area, the district, or a department at one of those."""
    order = _begin(order, Action.DISPATCH, by, version)
    if place is None:
        raise WorkflowError(ERR_DISPATCH_TARGET)
    order_place = _order_place(order)
    if not (place.is_within(order.district) and (order_place.is_within(place) or place.is_within(order_place))):
        raise WorkflowError(ERR_DISPATCH_SCOPE)
    department = (department or "").strip()[:50]
    if department and place.level in (Level.GRID, Level.COMMUNITY):
        raise WorkflowError(ERR_DISPATCH_DEPARTMENT_LEVEL)
    if place.level in (Level.GRID, Level.COMMUNITY):
        # modules above may refuse work sent to a community (admission: only items of its lists)
        for check in modules.extras("dispatch_checks"):
            try:
                import_string(check)(order=order, place=place, by=by)
            except RuleError as exc:
                raise WorkflowError(str(exc), after_rollback=exc.after_rollback) from None
    now = now or timezone.now()
    from_state = _enter(order, Action.DISPATCH)
    order.handling_place = place
    order.handling_department = department
    if not notify.unit_has_account(place, department):  # one named handler an account can act for, or none
        raise WorkflowError(ERR_DISPATCH_NO_HANDLER.format(unit=f"{place.name}{department}"))
    late = order.due_at is None or order.due_at <= now
    _save(order, step_due=add_working_days(now, 1) if late else order.due_at)
    unit = f"{place.name}{order.handling_department}"
    record_event(order, Action.DISPATCH, from_state=from_state, by=by, now=now, note=note.strip(),
                 data={"place": place.code, "department": order.handling_department, "unit": unit},
                 notices=[Notice(notify.handlers_of(order) + [order.owner_id],
                                 f"工单 {order.number}「{order.title}」已派至 {unit},"
                                 f"请于 {order.step_due_at:%m月%d日} 前处置")])
    return order


@transaction.atomic
def order_handle(*, order: WorkOrder, by, version: int | None, note: str, files=(), now=None) -> WorkOrder:
    order = _begin(order, Action.HANDLE, by, version)
    note = (note or "").strip()
    if not note:
        raise WorkflowError(ERR_NOTE)
    checked = check_attachments(files)
    now = now or timezone.now()
    from_state = _enter(order, Action.HANDLE)
    _save(order)
    event = record_event(order, Action.HANDLE, from_state=from_state, by=by, now=now, note=note)
    _attach(order, event, checked, by)
    return order


@transaction.atomic
def order_reply(*, order: WorkOrder, by, version: int | None, reply: str, resolved: bool = True, files=(),
                now=None) -> WorkOrder:
    """The handling unit reports what it did; the order waits for verification."""
    order = _begin(order, Action.REPLY, by, version)
    reply = (reply or "").strip()
    if not reply:
        raise WorkflowError(ERR_REPLY)
    checked = check_attachments(files)
    now = now or timezone.now()
    from_state = _enter(order, Action.REPLY)
    order.replied_at = now
    order.resolved = bool(resolved)
    _save(order, step_due=add_working_days(now, order.category.verify_days))
    verifiers = [order.reporter_user_id, order.owner_id]
    if order.grid_id:
        verifiers += notify.users_at(order.grid, sorted(VERIFY_ORDERS.roles))  # who may verify there
    text = f"工单 {order.number}「{order.title}」已处置反馈,请核查:{reply[:80]}"
    event = record_event(order, Action.REPLY, from_state=from_state, by=by, now=now, note=reply,
                         data={"resolved": bool(resolved)}, notices=[Notice(verifiers, text)])
    _attach(order, event, checked, by)
    return order


@transaction.atomic
def order_verify(*, order: WorkOrder, by, version: int | None, passed: bool, note: str = "", files=(),
                 now=None) -> WorkOrder:
    """Check the work on site or with the reporter. A failure sends it back as rework."""
    action = Action.VERIFY_PASS if passed else Action.VERIFY_FAIL
    order = _begin(order, action, by, version)
    note = (note or "").strip()
    if not passed and not note:
        raise WorkflowError(ERR_VERIFY_NOTE)
    checked = check_attachments(files)
    now = now or timezone.now()
    from_state = _enter(order, action)
    if passed:
        _save(order, step_due=add_working_days(now, 1))
        notice = Notice([order.owner_id], f"工单 {order.number} 核查通过,请结案")
    else:
        order.rework_count += 1
        _save(order, step_due=add_working_days(now, order.category.handle_days))
        notice = Notice(notify.handlers_of(order) + [order.owner_id],
                        f"工单 {order.number} 核查未通过,请返工:{note[:80]}")
    event = record_event(order, action, from_state=from_state, by=by, now=now, note=note, notices=[notice])
    _attach(order, event, checked, by)
    return order


@transaction.atomic
def order_close(*, order: WorkOrder, by, version: int | None, note: str = "", now=None) -> WorkOrder:
    order = _begin(order, Action.CLOSE, by, version)
    now = now or timezone.now()
    from_state = _enter(order, Action.CLOSE)
    order.closed_at = now
    _save(order, clear_due=True)
    on_time = order.due_at is None or now <= order.due_at
    notices = [Notice([order.reporter_user_id, order.agent_id], f"您反映的「{order.title}」已办结,欢迎评价")]
    notices += [Notice([merged.reporter_user_id], f"您反映的「{merged.title}」已随工单 {order.number} 办结",
                       about=merged)
                for merged in order.merged_orders.exclude(reporter_user=None)]
    record_event(order, Action.CLOSE, from_state=from_state, by=by, now=now, note=note.strip(),
                 data={"on_time": on_time}, notices=notices)
    return order


@transaction.atomic
def order_rate(*, order: WorkOrder, by, version: int | None, rating: int, comment: str = "", now=None) -> WorkOrder:
    order = _begin(order, Action.RATE, by, version)
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
    notices = [Notice(notify.supervisors_of(order, 0) + [order.owner_id],
                      f"工单 {order.number} 收到差评({rating} 分):{order.rating_comment[:60]}")] \
        if rating <= 2 else []
    record_event(order, Action.RATE, by=by, now=now, note=order.rating_comment,
                 data={"rating": rating, "by_reporter": is_reporter(by, order)}, notices=notices)
    return order


@transaction.atomic
def order_merge(*, order: WorkOrder, into: WorkOrder, by, version: int | None, now=None) -> WorkOrder:
    """Fold a duplicate into the order already open for the same problem."""
    order = _lock(order, version)
    scope = check_step(order, Action.MERGE, by)
    target = WorkOrder.objects.select_for_update().get(pk=into.pk)
    if target.pk == order.pk or target.category_id != order.category_id or not target.is_open \
            or target.duplicate_of_id or not is_supervisor(scope, target):
        raise WorkflowError(ERR_MERGE)
    now = now or timezone.now()
    from_state = _enter(order, Action.MERGE)
    order.duplicate_of = target
    order.closed_at = now
    _respond(order, now)
    _save(order, clear_due=True)
    record_event(order, Action.MERGE, from_state=from_state, by=by, now=now,
                 note=f"与工单 {target.number} 反映同一问题,已合并", data={"into": target.pk},
                 notices=[Notice([order.reporter_user_id],
                                 f"您反映的「{order.title}」与已在办理的工单 {target.number} 是同一问题,将一并办理")])
    target.version += 1
    target.save(update_fields=["version"])
    record_event(target, Action.MERGED_IN, by=by, now=now, note=f"并入重复工单 {order.number}",
                 data={"merged": order.pk})
    return order


@transaction.atomic
def dispute_mediate(*, order: WorkOrder, by, version: int | None, mediator: str, mediation: str, outcome: str,
                    agreement: bool = False, mediated_on: dt.date | None = None, parties=None,
                    now=None) -> WorkOrder:
    """Record the mediation of a dispute (parties, mediator, outcome); the state stays."""
    order = _begin(order, Action.MEDIATE, by, version)
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
    record_event(order, Action.MEDIATE, by=by, now=now, note=mediation,
                 data={"outcome": outcome, "agreement": bool(agreement)})
    return order


# -- the step table -------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One step on an order: the states it may start from, the state it leads to
    (None: the order stays where it is), who may take it (a `rights.may_*`), the
    form of the order page and the service above that takes it. `when` is a
    further condition on the order, refused with `refusal` (state and action
    filled in)."""
    action: Action
    start: tuple[State, ...]
    to: State | None
    right: Callable[[Scope, object, WorkOrder], bool]
    form: type[forms.StepForm]
    service: Callable[..., WorkOrder]
    when: Callable[[WorkOrder], bool] | None = None
    refusal: str = ERR_TRANSITION

    def allows(self, scope: Scope, user, order: WorkOrder) -> bool:
        return order.state in self.start and self.right(scope, user, order) and self.allows_order(order)

    def allows_order(self, order: WorkOrder) -> bool:
        return self.when is None or self.when(order)


def _not_rated(order: WorkOrder) -> bool:
    return order.rating is None


def _is_dispute(order: WorkOrder) -> bool:
    return order.category.is_dispute


S = State  # short, for the table
STEPS: dict[str, Step] = {step.action: step for step in (
    # Step(action, may start from, leads to (None: stays), who may, page form, service[, when, refusal])
    Step(Action.ACCEPT, (S.REPORTED,), S.ACCEPTED, may_supervise, forms.NoteForm, order_accept),
    Step(Action.DECLINE, (S.REPORTED,), S.DECLINED, may_supervise, forms.DeclineForm, order_decline),
    Step(Action.MERGE, (S.REPORTED, S.ACCEPTED), S.MERGED, may_supervise, forms.MergeForm, order_merge),
    Step(Action.DISPATCH, (S.ACCEPTED, S.DISPATCHED, S.HANDLING), S.DISPATCHED, may_supervise, forms.DispatchForm,
         order_dispatch),
    Step(Action.HANDLE, (S.DISPATCHED, S.HANDLING), S.HANDLING, may_handle, forms.HandleForm, order_handle),
    Step(Action.MEDIATE, (S.ACCEPTED, S.DISPATCHED, S.HANDLING), None, may_handle, forms.MediationForm,
         dispute_mediate, when=_is_dispute),
    Step(Action.REPLY, (S.DISPATCHED, S.HANDLING), S.REPLIED, may_handle, forms.ReplyForm, order_reply),
    Step(Action.VERIFY_PASS, (S.REPLIED,), S.VERIFIED, may_verify, forms.VerifyForm,
         partial(order_verify, passed=True)),
    Step(Action.VERIFY_FAIL, (S.REPLIED,), S.DISPATCHED, may_verify, forms.VerifyForm,  # rework
         partial(order_verify, passed=False)),
    Step(Action.CLOSE, (S.VERIFIED,), S.CLOSED, may_close, forms.NoteForm, order_close),
    Step(Action.RATE, (S.CLOSED,), None, may_rate, forms.RateForm, order_rate, when=_not_rated, refusal=ERR_RATED),
)}
del S


def check_step(order: WorkOrder, action: str, by) -> Scope:
    """Refuse a step the table does not allow on this order now: not from this state
    (or not a step at all: WorkflowError), not by this user (PermissionDenied), not on
    this order (the step's `refusal`). Returns the user's scope for the step."""
    step = STEPS.get(action)
    label = Action(action).label if action in Action.values else action
    if step is None or order.state not in step.start:
        raise WorkflowError(ERR_TRANSITION.format(state=order.get_state_display(), action=label))
    # Each right asks for its own capability at the order's place (scope.can), whatever the narrowing.
    scope = Scope.for_user_capability(by, VIEW_ORDERS)
    if not step.right(scope, by, order):
        explain = getattr(step.right, "explain", None)  # a right may say why (e.g. one's own work)
        raise PermissionDenied((explain and explain(by, order)) or ERR_NO_RIGHT.format(action=label))
    if not step.allows_order(order):
        raise WorkflowError(step.refusal.format(state=order.get_state_display(), action=label))
    return scope


def allowed_actions(user, order: WorkOrder, scope: Scope | None = None) -> list[str]:
    """The steps this user may take on this order now (for buttons and forms)."""
    scope = scope if scope is not None else Scope.for_user_capability(user, VIEW_ORDERS)
    return [action for action, step in STEPS.items() if step.allows(scope, user, order)]
