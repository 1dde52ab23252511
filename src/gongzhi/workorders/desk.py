"""The worker's desk (我的待办): the orders whose next step is the caller's, and the
key-group households in their grids that nobody has visited for a while.

The home page shows it first (a home panel of this module) and /orders/desk/ lists it
whole. "Whose next step" follows the step rights in `rights.py`, written as one
query per post instead of asking each order:

- waiting to be accepted or dispatched (待受理, 待派遣): the supervisor of the place —
  the community; the street only for orders at street level or escalated to it; the
  district likewise;
- waiting to be handled (待处置, 处置中): the unit it was sent to (a department post for its
  department's orders, any other post for its unit's), not the units above it;
- waiting to be verified (待核查): the grid's worker, unless they did the work
  (separation of duties: `rights.did_the_work`);
- waiting to be closed (待结案): the supervisor or the first-asked owner (首问).
"""
from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.core.scope import Scope
from gongzhi.people.models import Household, HouseholdStatus, PersonStatus, Resident
from gongzhi.places.models import Level
from gongzhi.workorders import rights
from gongzhi.workorders.manifest import HANDLE_ORDERS, KEEP_VISITS, SUPERVISE_ORDERS, VERIFY_ORDERS
from gongzhi.workorders.models import EscalationLevel, State, VisitLog, WorkOrder

# A key-group household not visited for this many days is due a visit.
VISIT_DUE_DAYS = 30
NOTHING = Q(pk__in=[])


def _supervised_here(place) -> Q:
    """Orders whose supervisor is a post at `place` (see the module docstring)."""
    if place.level == Level.COMMUNITY:
        return Q(community_id=place.pk)
    if place.level == Level.STREET:
        return Q(street_id=place.pk) & (Q(community=None) | Q(escalation__level__gte=EscalationLevel.STREET))
    if place.level == Level.DISTRICT:
        return Q(district_id=place.pk) & (Q(street=None) | Q(escalation__level__gte=EscalationLevel.DISTRICT))
    return NOTHING


def waiting_q(scope: Scope) -> Q:
    """Orders whose next step is the user's, over the user's posts for each step's capability."""
    user = scope.user
    supervise = Q(state__in=(State.REPORTED, State.ACCEPTED, State.VERIFIED))
    supervised = NOTHING
    for a in scope.for_capability(SUPERVISE_ORDERS).assignments:
        supervised |= _supervised_here(a.place)
    handled = NOTHING
    for a in scope.for_capability(HANDLE_ORDERS).assignments:
        if a.role == Role.RESIDENT:
            continue
        # the unit it was sent to, not the units above it (they may step in, but it is not their desk)
        here = Q(handling_place_id=a.place_id)
        if a.role == Role.DEPARTMENT:
            handled |= here & Q(handling_department=a.department) & ~Q(handling_department="")
        else:
            handled |= here & Q(handling_department="")
    grids = [a.place_id for a in scope.for_capability(VERIFY_ORDERS).assignments]
    did_it = Exists(rights.own_work(user.pk, OuterRef("pk")))
    return ((supervise & supervised)
            | (Q(state__in=(State.DISPATCHED, State.HANDLING)) & handled)
            | (Q(state=State.REPLIED, grid_id__in=grids) & ~did_it)
            | Q(state=State.VERIFIED, owner_id=user.pk))


def waiting(scope: Scope) -> QuerySet[WorkOrder]:
    """The orders waiting for the user, the most urgent first (overdue, then by the step's deadline)."""
    return (WorkOrder.objects.filter(waiting_q(scope))
            .order_by(F("step_due_at").asc(nulls_last=True), "-id"))


def waiting_counts(scope: Scope) -> dict:
    """How many wait, how many are past their step's deadline and how many fall due today: one query."""
    now = timezone.now()
    end_of_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.max))
    return WorkOrder.objects.filter(waiting_q(scope)).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(step_due_at__lt=now)),
        due_today=Count("pk", filter=Q(step_due_at__gte=now, step_due_at__lte=end_of_today)),
    )


def visits_due(scope: Scope, *, days: int = VISIT_DUE_DAYS) -> QuerySet[Household]:
    """Households with a member in a key group (重点人群) in the grids where the user keeps the
    visit log that have had no visit for `days` days, longest-waiting first (never visited first)."""
    keepers = scope.for_capability(KEEP_VISITS)
    places = keepers.staff_places
    if not places:
        return Household.objects.none()
    where = NOTHING
    for place in places:
        where |= Q(grid__path__startswith=place.path)
    since = timezone.localdate() - datetime.timedelta(days=days)
    key_group_member = Resident.objects.filter(household=OuterRef("pk"), status=PersonStatus.ACTIVE,
                                               care_tags__isnull=False)
    recent = VisitLog.objects.filter(household=OuterRef("pk"), visited_on__gte=since)
    return (Household.objects.filter(where, Exists(key_group_member), status=HouseholdStatus.ACTIVE)
            .exclude(Exists(recent))
            .annotate(last_visit=Max("visits__visited_on"))
            .select_related("dwelling", "grid")
            .order_by(F("last_visit").asc(nulls_first=True), "number"))
