"""Every read of work orders goes through the caller's scope, narrowed to the
capability of the page (VIEW_ORDERS for the list and an order, VIEW_ORDER_REPORTS
for figures and dispute reports, VIEW_VISITS for the visit log): only the posts
whose role grants it count, so a user's other posts never widen what they read.

Who sees an order, per post of that scope:
- staff at a grid, community, street or district: orders located there or
  below, and orders handled by a unit there or below;
- a department officer: orders dispatched to that department at their place
  or below;
- anyone: orders they reported, own (首问) or act for as agent (代办).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment
from gongzhi.core import caching
from gongzhi.core.scope import Scope, ScopeNotNarrowed
from gongzhi.places.models import Level, Place
from gongzhi.workorders import duplicates
from gongzhi.workorders.models import (
    FINAL_STATES, OPEN_STATES, Action, Category, Notification, State, VisitLog, WorkOrder, WorkOrderEvent,
)

_COLUMN = {Level.DISTRICT: "district_id", Level.STREET: "street_id", Level.COMMUNITY: "community_id",
           Level.GRID: "grid_id"}


def _narrowed(scope: Scope) -> Scope:
    if scope.capability is None:
        raise ScopeNotNarrowed("先用 for_capability 把数据范围收窄到页面所需的权限")
    return scope


def order_q(scope: Scope, *, with_own: bool = True) -> Q:
    """Orders the scope reaches: each post of the (narrowed) scope adds what it sees, and (`with_own`)
    the orders the user reported, owns or acts for wherever they are. Figures leave those out:
    a unit's figures count the unit's places, not what its staff reported elsewhere."""
    user = scope.user
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(reporter_user_id=user.pk) | Q(owner_id=user.pk) | Q(agent_id=user.pk) if with_own else Q(pk__in=[])
    for a in _narrowed(scope).assignments:
        if a.role == Role.RESIDENT:
            continue
        handled_here = Q(handling_place__path__startswith=a.place.path)
        if a.role == Role.DEPARTMENT:
            q |= handled_here & Q(handling_department=a.department) & ~Q(handling_department="")
        else:
            q |= Q(**{_COLUMN[a.place.level]: a.place.id}) | (handled_here & Q(handling_department=""))
    return q


def orders_in(scope: Scope, *, with_own: bool = True) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(order_q(scope, with_own=with_own))


def orders_at(scope: Scope, place: Place) -> QuerySet[WorkOrder]:
    """The caller's orders of one place (district, street, community or grid)."""
    return orders_in(scope).filter(**{_COLUMN[place.level]: place.id})


def access_order(scope: Scope, pk) -> WorkOrder:
    """Fetch one order through the scope; out of scope looks like absent."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("未找到或无权访问") from None
    order = (orders_in(scope).filter(pk=pk)
             .select_related("category", "district", "street", "community", "grid", "household__grid",
                             "handling_place", "escalation", "owner", "agent", "reporter_user", "duplicate_of",
                             "possible_duplicate_of")
             .first())
    if order is None:
        raise Http404("未找到或无权访问")
    return order


def order_list(*, scope: Scope, state: str = "", category: str = "", q: str = "", overdue: bool = False,
               mine: bool = False, place: Place | None = None, kind: str = "") -> QuerySet[WorkOrder]:
    qs = orders_in(scope)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state == "final":
        qs = qs.filter(state__in=FINAL_STATES)
    elif state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category__code=category)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, step_due_at__lt=timezone.now())
    if mine:
        user = scope.user
        qs = qs.filter(Q(owner_id=user.pk) | Q(agent_id=user.pk) | Q(reporter_user_id=user.pk))
    if place is not None:
        qs = qs.filter(**{_COLUMN[place.level]: place.id})
    q = (q or "").strip()
    if q:
        pk = WorkOrder.pk_from_number(q)
        qs = qs.filter(Q(pk=pk) if pk else Q(title__contains=q) | Q(address__contains=q))
    return qs.order_by("-created_at", "-id")


def orders_from_query(*, scope: Scope, params) -> QuerySet[WorkOrder]:
    """The order list's filters, read from its query string (`request.GET`): the list page
    and its Excel export both build their rows here, so the file holds what the list shows."""
    return order_list(scope=scope, state=params.get("state", "open"), category=params.get("category") or "",
                      q=params.get("q") or "", overdue=params.get("overdue") == "1", mine=params.get("mine") == "1",
                      kind=params.get("kind") or "")


def order_filter_text(params) -> str:
    """The order list's filter as the access log names it."""
    from gongzhi.core.exports import describe_filter
    from gongzhi.workorders.models import Kind

    shown = {"state": params.get("state", "open") or "全部", "category": params.get("category") or "",
             "kind": params.get("kind") or "", "q": params.get("q") or "",
             "overdue": "是" if params.get("overdue") == "1" else "", "mine": "是" if params.get("mine") == "1" else ""}
    return describe_filter(shown, {"state": "状态", "category": "类别", "kind": "类型", "q": "查询", "overdue": "已超时",
                                   "mine": "与我有关"},
                           {"state": {"open": "办理中", "final": "已办结", **dict(State.choices)},
                            "category": dict(Category.objects.values_list("code", "name")), "kind": dict(Kind.choices)})


def order_events(order: WorkOrder):
    return order.events.select_related("actor").prefetch_related("attachments")


def possible_duplicates(scope: Scope, order: WorkOrder) -> list[WorkOrder]:
    """Open orders of the same category nearby that this one may repeat (for merging)."""
    candidates = []
    if order.possible_duplicate_of_id:
        candidates.append(order.possible_duplicate_of)
    found = duplicates.find_possible_duplicate(order)
    if found is not None and found not in candidates:
        candidates.append(found)
    visible = set(orders_in(scope).filter(pk__in=[c.pk for c in candidates], state__in=OPEN_STATES)
                  .values_list("pk", flat=True))
    return [c for c in candidates if c.pk in visible]


def _category_key(code: str) -> str:
    return f"gongzhi:category:{code}"


def active_category_cached(code: str) -> Category | None:
    """An active category by code, kept a minute in the shared cache (Open311 asks on every
    request; the catalogue changes a few times a year). An edit calls `forget_category`, which
    every node sees at once (core/caching.py)."""
    category = caching.remember(_category_key(code), lambda: categories().filter(code=code).first() or False, 60)
    return category or None


def forget_category(code: str) -> None:
    caching.forget(_category_key(code))


def categories(*, kind: str = "", active_only: bool = True, locality: Place | None = None) -> QuerySet[Category]:
    qs = Category.objects.all()
    if active_only:
        qs = qs.filter(active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if locality is not None:
        qs = qs.filter(Q(locality=None) | Q(locality__in=_self_and_ancestors(locality)))
    return qs


def _self_and_ancestors(place: Place) -> list[int]:
    ids = []
    while place is not None:
        ids.append(place.id)
        place = place.parent
    return ids


def dispatch_targets(scope: Scope, order: WorkOrder) -> list[Place]:
    """Units the order can be sent to: its grid, community, street, district."""
    targets = [p for p in (order.grid, order.community, order.street, order.district) if p is not None]
    return targets


def dispatch_options(order: WorkOrder) -> list[tuple[str, str]]:
    """(value, label) of every unit the order can be sent to, one handler each: its grid, community,
    street and district, and each department with an active account at that street or district.
    The value is the place's code, or "code|department"."""
    places = dispatch_targets(None, order)
    options = [(p.code, f"{p.get_level_display()} · {p.name}") for p in places]
    upper = [p for p in places if p.level in (Level.STREET, Level.DISTRICT)]
    departments = (RoleAssignment.objects.filter(role=Role.DEPARTMENT, active=True, user__is_active=True,
                                                 place__in=upper).exclude(department="")
                   .values_list("place__code", "place__name", "department").distinct()
                   .order_by("place__path", "department"))
    options += [(f"{code}|{dept}", f"职能部门 · {name}{dept}") for code, name, dept in departments]
    return options


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at=None).count()


def inbox(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("order")


def visits_in(scope: Scope) -> QuerySet[VisitLog]:
    """Visits in the grids under the places of a scope narrowed to VIEW_VISITS (or KEEP_VISITS)."""
    q = Q(pk__in=[])
    for place in scope.staff_places:  # raises ScopeNotNarrowed on a whole-user scope
        q |= Q(grid__path__startswith=place.path)
    return VisitLog.objects.filter(q)


ERR_VISIT_DATE = "{label}应为 yyyy-mm-dd 格式的日期(收到 {value}),已忽略"
VISIT_FILTERS = {"start": "起始日期", "end": "截止日期", "q": "查询"}


def visit_filters(params) -> tuple[dict, list[str]]:
    """The visit log's filters from its query string: ({start, end: dates or None, q}, errors
    naming each date that could not be read, which is then left out)."""
    out, errors = {"q": (params.get("q") or "").strip()[:100]}, []
    for key in ("start", "end"):
        value = (params.get(key) or "").strip()
        try:
            out[key] = dt.date.fromisoformat(value) if value else None
        except ValueError:
            out[key] = None
            errors.append(ERR_VISIT_DATE.format(label=VISIT_FILTERS[key], value=value[:20]))
    return out, errors


def visits_from_query(*, scope: Scope, params) -> QuerySet[VisitLog]:
    """The visit log the caller may read, filtered by its query string (start, end: the visit
    day; q: words of the notes or concerns, or a household number): the page and its export."""
    f, _ = visit_filters(params)
    qs = visits_in(scope)
    if f["start"]:
        qs = qs.filter(visited_on__gte=f["start"])
    if f["end"]:
        qs = qs.filter(visited_on__lte=f["end"])
    if f["q"]:
        qs = qs.filter(Q(notes__contains=f["q"]) | Q(concerns__contains=f["q"]) | Q(household__number=f["q"]))
    return qs.order_by("-visited_on", "-id")


# -- figures --------------------------------------------------------------------------
GROUPS = {
    "handling": ("handling_place__name", "handling_department"),
    "grid": ("grid__name",),
    "community": ("community__name",),
    "street": ("street__name",),
    "community_id": ("community_id",),  # for the standards engine
}


def figures(*, scope: Scope, start: dt.date, end: dt.date, group: str = "community") -> list[dict]:
    return figures_of(orders_in(scope, with_own=False), start=start, end=end, group=group)


RATE_COUNTS = ("due", "closed", "on_time", "rated", "satisfied")  # what closure, on-time and 满意率 need


def figures_of(orders: QuerySet, *, start: dt.date, end: dt.date, group: str = "community",
               only: tuple[str, ...] | None = None) -> list[dict]:
    """Per unit for the period [start, end]: counts and rates computed by the database.
    `only` limits the counts computed (e.g. RATE_COUNTS for the standards engine);
    the rates whose counts are missing come back as None.

    应结案数 (due): orders whose time limit falls in the period, plus those
    closed in the period before their limit; closed, on-time and rework counts
    are taken over that set. 响应率: orders taken (accepted or declined with a
    reason) within the acceptance limit, of those reported in the period.
    解决率: replied as resolved and closed, of those reported in the period.
    满意率: ratings of 4 or 5, of rated orders reported in the period.
    """
    tz = timezone.get_current_timezone()
    t0 = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    t1 = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    in_period = Q(created_at__gte=t0, created_at__lt=t1)
    due = Q(due_at__gte=t0, due_at__lt=t1) | Q(closed_at__gte=t0, closed_at__lt=t1, state=State.CLOSED)
    closed = due & Q(state=State.CLOSED)
    handling_time = ExpressionWrapper(F("closed_at") - F("accepted_at"), output_field=DurationField())
    keys = GROUPS[group]
    aggregates = {
        "reported": Count("id", filter=in_period),
        "accepted": Count("id", filter=Q(accepted_at__gte=t0, accepted_at__lt=t1)),
        "due": Count("id", filter=due),
        "closed": Count("id", filter=closed),
        "on_time": Count("id", filter=closed & Q(closed_at__lte=F("due_at"))),
        "rework": Count("id", filter=due & Q(rework_count__gt=0)),
        "overdue": Count("id", filter=(in_period | due) & Q(escalation__overdue=True)),
        "responded": Count("id", filter=in_period & Q(responded_on_time=True)),
        "resolved": Count("id", filter=in_period & Q(state=State.CLOSED, resolved=True)),
        "rated": Count("id", filter=in_period & Q(rating__isnull=False)),
        "satisfied": Count("id", filter=in_period & Q(rating__gte=4)),
        "avg_handling": Avg(handling_time, filter=closed & Q(accepted_at__isnull=False)),
    }
    if only is not None:
        aggregates = {k: v for k, v in aggregates.items() if k in only}
    rows = orders.filter(in_period | due).values(*keys).annotate(**aggregates).order_by(*keys)
    result = []
    for row in rows:
        unit = "".join(str(row[k] or "") for k in keys) or "(未定位)"
        get = row.get
        handling = get("avg_handling")
        result.append({**row, "unit": unit,
                       "closure_rate": _rate(get("closed"), get("due")),
                       "on_time_rate": _rate(get("on_time"), get("due")),
                       "rework_rate": _rate(get("rework"), get("due")),
                       "response_rate": _rate(get("responded"), get("reported")),
                       "resolution_rate": _rate(get("resolved"), get("reported")),
                       "satisfaction_rate": _rate(get("satisfied"), get("rated")),
                       "avg_handling_days": handling.total_seconds() / 86400 if handling is not None else None})
    return result


def _rate(numerator: int | None, denominator: int | None) -> float | None:
    return round(100.0 * numerator / denominator, 1) if denominator and numerator is not None else None


def monthly_trend(*, scope: Scope, months: int = 12, today: dt.date | None = None) -> dict:
    """Reported and closed orders per month for the last `months` months (database-grouped)."""
    from django.db.models.functions import TruncMonth

    today = today or timezone.localdate()
    back = today.year * 12 + today.month - 1 - (months - 1)  # the month `months - 1` before this one
    first = dt.date(back // 12, back % 12 + 1, 1)
    since = dt.datetime.combine(first, dt.time.min, tzinfo=timezone.get_current_timezone())
    base = orders_in(scope, with_own=False)
    def per_month(qs, field):
        rows = qs.annotate(m=TruncMonth(field)).values("m").annotate(n=Count("id")).values_list("m", "n")
        return {m.date(): n for m, n in rows if m}
    reported = per_month(base.filter(created_at__gte=since), "created_at")
    closed = per_month(base.filter(closed_at__gte=since, state=State.CLOSED), "closed_at")
    labels, r, c = [], [], []
    month = first
    while month <= today:
        labels.append(f"{month:%Y-%m}")
        r.append(reported.get(month, 0))
        c.append(closed.get(month, 0))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return {"labels": labels, "reported": r, "closed": c}


def public_orders() -> QuerySet[WorkOrder]:
    """Orders anyone may see: public categories only, contact details never loaded.
    One query, whatever the number of rows."""
    events = WorkOrderEvent.objects.filter(order=OuterRef("pk")).order_by("-at", "-id")
    return (WorkOrder.objects.filter(category__is_public=True)
            .select_related("category", "handling_place", "duplicate_of", "escalation")
            .defer("reporter_name", "reporter_phone_enc", "reporter_phone_masked", "reporter_email_enc",
                   "rating_comment", "extra")
            .annotate(last_event_at=Subquery(events.values("at")[:1]),
                      decline_reason=Subquery(events.filter(action=Action.DECLINE).values("note")[:1]))
            .order_by("-created_at", "-id"))


PUBLIC_MAP_LIMIT = 2000


def public_open_incidents() -> list[dict]:
    """Open orders of public categories for the public map: category, state,
    date and place names only, location rounded to ~100 m. No text anyone wrote,
    no reporter, no household."""
    rows = (WorkOrder.objects.filter(category__is_public=True, state__in=OPEN_STATES, lat__isnull=False)
            .order_by("-created_at").values_list("category__name", "state", "created_at", "street__name",
                                                 "community__name", "lat", "lon")[:PUBLIC_MAP_LIMIT])
    labels = dict(State.choices)
    return [{"category": c, "state": labels[s], "date": f"{timezone.localtime(t):%Y-%m-%d}", "street": st or "",
             "community": cm or "", "lat": round(lat, 3), "lon": round(lon, 3)}
            for c, s, t, st, cm, lat, lon in rows]


def public_grid_outlines() -> list[dict]:
    """Every grid's outline with its name (the public map labels them), e.g. 东虹社区第1网格."""
    rows = (Place.objects.filter(level=Level.GRID, boundary__isnull=False)
            .values_list("boundary", "name", "parent__name"))
    return [{"type": "Feature", "geometry": b,
             "properties": {"name": name if not community or name.startswith(community) else f"{community}{name}"}}
            for b, name, community in rows]
