"""Who is due a visit (关爱走访), computed by the database.

The interval of a person is the shortest of the locality's visit rules (`care.localities`) whose groups
they are all in; people in no rule are not on a visit list. Their last visit (or, never visited, the day
they entered the registry) plus the interval is when the next visit is due: past it the person is
overdue (逾期), within the coming week due (本周应访). One statement per set of locality rules (in
practice one per district), whatever the number of people.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Case, CharField, DateField, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate

from gongzhi.care import localities
from gongzhi.care.groups import annotate_groups, registry_residents
from gongzhi.care.models import CareVisit
from gongzhi.core.scope import Scope
from gongzhi.places.models import Place

OVERDUE, DUE, LATER = "overdue", "due", "later"
STATUS_LABELS = {OVERDUE: "逾期未访", DUE: "本周应访", LATER: "未到期"}
WEEK = 7


def _rule_sets(communities: list[Place]) -> dict[tuple, list[int]]:
    """Communities grouped by the visit rules that apply to them."""
    sets: dict[tuple, list[int]] = defaultdict(list)
    for c in communities:
        rules = tuple((tuple(str(g) for g in r["groups"]), r["days"], r["label"])
                      for r in localities.visit_rules(c.code))
        sets[rules].append(c.pk)
    return sets


def _annotate(qs, rules: tuple, today: dt.date):
    """`interval`, `rule`, `last_visit`, `since` and `visit_status` on annotated residents."""
    interval = Case(*[When(Q(**{f"e_{g}": True for g in groups}), then=Value(days)) for groups, days, _ in rules],
                    default=None, output_field=IntegerField())
    label = Case(*[When(Q(**{f"e_{g}": True for g in groups}), then=Value(text)) for groups, _, text in rules],
                 default=Value(""), output_field=CharField())
    last = Subquery(CareVisit.objects.filter(resident_id=OuterRef("pk")).order_by("-visited_on", "-id")
                    .values("visited_on")[:1], output_field=DateField())
    qs = qs.annotate(interval=interval, rule=label, last_visit=last).filter(interval__isnull=False)
    qs = qs.annotate(since=Coalesce(F("last_visit"), TruncDate("created_at"), output_field=DateField()))
    whens = []
    for days in sorted({days for _, days, _ in rules}):
        whens.append(When(Q(interval=days, since__lt=today - dt.timedelta(days=days)), then=Value(OVERDUE)))
        whens.append(When(Q(interval=days, since__lte=today - dt.timedelta(days=days - WEEK)), then=Value(DUE)))
    return qs.annotate(visit_status=Case(*whens, default=Value(LATER), output_field=CharField()))


def visit_list(scope: Scope, communities: list[Place], today: dt.date, *, statuses=(OVERDUE, DUE, LATER)):
    """The people on the visit lists of `communities` that `scope` reaches, one queryset per rule set."""
    result = []
    for rules, ids in _rule_sets(communities).items():
        qs = annotate_groups(scope.filter_people(registry_residents()).filter(community_id__in=ids), today)
        qs = _annotate(qs, rules, today).filter(visit_status__in=statuses)
        result.append(qs)
    return result


def due_on(person) -> dt.date:
    return person.since + dt.timedelta(days=person.interval)


def on_list(scope: Scope, resident, today: dt.date) -> bool:
    """Is `resident` on a visit list the scope reaches?"""
    community = Place.objects.get(pk=resident.community_id)
    return any(qs.filter(pk=resident.pk).exists() for qs in visit_list(scope, [community], today))


def overdue_per_community(scope: Scope, communities: list[Place], today: dt.date) -> dict[int, dict[str, int]]:
    """{community id: {overdue, due}} for the overview (no names)."""
    from django.db.models import Count
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {OVERDUE: 0, DUE: 0})
    for qs in visit_list(scope, communities, today, statuses=(OVERDUE, DUE)):
        for row in qs.order_by().values("community_id", "visit_status").annotate(n=Count("pk")):
            counts[row["community_id"]][row["visit_status"]] = row["n"]
    return counts
