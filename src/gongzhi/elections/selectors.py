"""Every read of the elections, through the caller's scope (narrowed to the page's capability).

A staff post sees the elections of the communities under its place (a street: its communities; the
district: all); a resident post its own community's, and only what is published."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gongzhi.core.scope import Scope
from gongzhi.elections.models import Body, Candidate, Election, Probation, RollVersion, State, Voter
from gongzhi.places.models import Level, Place

NOT_FOUND = "未找到或无权访问"


def _community_ids(scope: Scope) -> list[int]:
    if scope.capability is None:
        raise RuntimeError("scope not narrowed")
    ids, paths = [], []
    for a in scope.assignments:
        if a.place.level == Level.COMMUNITY:
            ids.append(a.place.pk)
        elif a.place.level == Level.GRID:
            ids.append(a.place.parent_id)
        else:
            paths.append(a.place.path)
    if paths:
        path_q = Q(pk__in=[])
        for path in paths:
            path_q |= Q(path__startswith=path)
        ids.extend(Place.objects.filter(path_q, level=Level.COMMUNITY).values_list("pk", flat=True))
    return sorted(set(ids))


def elections_in(scope: Scope) -> QuerySet[Election]:
    return Election.objects.filter(community_id__in=_community_ids(scope)).select_related("community", "street")


def access_election(scope: Scope, pk) -> Election:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    election = elections_in(scope).filter(pk=pk).first()
    if election is None:
        raise Http404(NOT_FOUND)
    return election


def streets_for(scope: Scope) -> list[Place]:
    """The streets (towns) where the caller may open elections: their own street posts."""
    return [a.place for a in scope.assignments if a.place.level == Level.STREET]


TERM_FILTERS = ("term", "state", "body", "street")


def coverage_from_query(scope: Scope, params) -> tuple[QuerySet[Election], dict]:
    """The coverage table's rows (list page and its xlsx read the same): the caller's elections,
    filtered by term, state, body and street."""
    f = {k: (params.get(k) or "").strip() for k in TERM_FILTERS}
    qs = elections_in(scope)
    if f["term"].isdigit():
        qs = qs.filter(term=int(f["term"]))
    if f["state"] in State.values:
        qs = qs.filter(state=f["state"])
    if f["body"] in Body.values:
        qs = qs.filter(body=f["body"])
    if f["street"]:
        qs = qs.filter(street__code=f["street"])
    qs = qs.annotate(n_elected=Count("candidates", filter=Q(candidates__elected=True), distinct=True),
                     n_local=Count("candidates", filter=Q(candidates__elected=True, candidates__local=True),
                                   distinct=True))
    return qs.order_by("-term", "community__path", "body"), f


def local_share(election) -> float | None:
    n = getattr(election, "n_elected", None)
    if not n:
        return None
    return round(100.0 * election.n_local / n, 1)


def turnout_share(election) -> float | None:
    if not election.voters or election.state not in (State.DONE, State.INVALID, State.RUNOFF):
        return None
    return round(100.0 * election.turnout / election.voters, 1)


def coverage_summary(qs: QuerySet[Election]) -> dict:
    """Direct-election coverage (P-GOV-8) of the residents' committees in the table: the share of
    those elected validly that were elected directly."""
    rows = qs.filter(body=Body.RESIDENTS).aggregate(
        total=Count("id"), done=Count("id", filter=Q(state=State.DONE)),
        direct=Count("id", filter=Q(state=State.DONE, method="direct")))
    rows["coverage"] = round(100.0 * rows["direct"] / rows["done"], 1) if rows["done"] else None
    return rows


def _away():
    """An open absence (people.Absence: registered here, living away) of the voter's resident."""
    from django.db.models import Exists, OuterRef

    from gongzhi.people.models import Absence
    return Exists(Absence.objects.filter(resident_id=OuterRef("resident_id"), returned_on__isnull=True))


def roll_rows(election: Election, q: str = "", away: bool = False) -> QuerySet[Voter]:
    qs = election.roll.filter(active=True).select_related("resident", "resident__household")
    if q:
        qs = qs.filter(resident__name__contains=q)
    if away:
        qs = qs.filter(_away())
    return qs.order_by("resident__household__number", "resident_id")


def away_count(election: Election) -> int:
    """Voters living away: they keep their vote here (by proxy or the mobile box) unless they confirm
    voting where they live (an exclusion of kind 'elsewhere')."""
    return election.roll.filter(_away(), active=True).count()


def away_of(voters) -> dict:
    """{resident id: open absence} for the voters of a page."""
    from gongzhi.people.models import Absence
    ids = [v.resident_id for v in voters]
    return {a.resident_id: a for a in Absence.objects.filter(resident_id__in=ids, returned_on__isnull=True)}


def latest_roll(election: Election) -> RollVersion | None:
    return election.roll_versions.order_by("-number").first()


def my_elections(scope: Scope) -> QuerySet[Election]:
    """A resident's community's elections, once something of them is published."""
    return elections_in(scope).exclude(state=State.PLANNING)


def my_entry(user, election: Election) -> Voter | None:
    resident = getattr(user, "resident", None)
    if resident is None:
        return None
    return election.roll.filter(resident=resident, active=True).first()


def candidates_by_post(election: Election, round_: int | None = None) -> list[Candidate]:
    qs = election.candidates.all()
    if round_:
        qs = qs.filter(round=round_)
    return list(qs.order_by("round", "post", "-votes", "id"))


PROBATION_STATUSES = (("due", "届满待考察"), ("running", "试用期中"), ("decided", "已考察"))


def probations_in(scope: Scope, status: str = "", today=None) -> QuerySet[Probation]:
    """New party-branch members' probations (P-GOV-9) in the caller's communities; `status` due (run, not
    yet decided), running or decided."""
    from django.utils import timezone
    today = today or timezone.localdate()
    qs = Probation.objects.filter(election__community_id__in=_community_ids(scope))
    if status == "due":
        qs = qs.filter(outcome="", ends_on__lte=today)
    elif status == "running":
        qs = qs.filter(outcome="", ends_on__gt=today)
    elif status == "decided":
        qs = qs.exclude(outcome="")
    return qs.order_by("ends_on", "id")
