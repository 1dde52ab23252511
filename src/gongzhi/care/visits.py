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

from types import SimpleNamespace

from django.db import connection
from django.db.models import DateField, F, OuterRef, Subquery

from gongzhi.care import localities
from gongzhi.care.groups import GROUPS, annotate_groups, registry_residents
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


def _statement(base, rules: tuple, today: dt.date, statuses, communities: list[int]) -> tuple[str, list]:
    """One statement: the groups (inner query, each flag computed once) wrapped in an outer query that
    works out the interval, the date counted from and the status from those columns (Django would inline
    the group expressions into every CASE branch, which made the list hundreds of times slower)."""
    from django.db.models.functions import TruncDate
    inner = annotate_groups(base, today, communities=communities).annotate(
        rid=F("pk"), cid=F("community_id"), gid=F("grid_id"), created_on=TruncDate("created_at"),
        last_visit=Subquery(CareVisit.objects.filter(resident_id=OuterRef("pk")).order_by("-visited_on", "-id")
                            .values("visited_on")[:1], output_field=DateField()))
    inner = inner.values("rid", "cid", "gid", "created_on", "last_visit", *[f"e_{g}" for g in GROUPS])
    sql, params = inner.query.sql_with_params()
    params = list(params)
    interval = "CASE " + " ".join(
        "WHEN " + " AND ".join(f"t.e_{g} = %s" for g in groups) + f" THEN {int(days)}" for groups, days, _ in rules
    ) + " END"
    interval_params = [True for groups, _, _ in rules for _ in groups]
    status_parts, status_params = [], []
    for days in sorted({days for _, days, _ in rules}):
        status_parts.append(f"WHEN u.every_days = {int(days)} AND u.since < %s THEN 'overdue'")
        status_params.append(today - dt.timedelta(days=days))
        status_parts.append(f"WHEN u.every_days = {int(days)} AND u.since <= %s THEN 'due'")
        status_params.append(today - dt.timedelta(days=days - WEEK))
    flags = ", ".join(f"u.e_{g}" for g in GROUPS)
    # keeps the database from flattening the inner query back into the outer one (SQLite and PostgreSQL
    # both treat a LIMIT/OFFSET sub-query as a fence), so each group flag is computed once per row
    fence = " LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else " OFFSET 0"
    query = (f"SELECT * FROM (SELECT u.rid, u.cid, u.gid, u.every_days, u.last_visit, u.since, {flags}, "
             f"CASE {' '.join(status_parts)} ELSE 'later' END AS visit_status FROM ("
             f"SELECT t.*, {interval} AS every_days, COALESCE(t.last_visit, t.created_on) AS since FROM ({sql}{fence}) t"
             f") u WHERE u.every_days IS NOT NULL) v WHERE v.visit_status IN ({', '.join(['%s'] * len(statuses))})")
    return query, status_params + interval_params + params + list(statuses)


def _rows(base, rules: tuple, today: dt.date, statuses, communities: list[int]) -> list[SimpleNamespace]:
    query, params = _statement(base, rules, today, statuses, communities)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        names = [c[0] for c in cursor.description]
        rows = [SimpleNamespace(**dict(zip(names, r))) for r in cursor.fetchall()]
    labels = [(set(groups), text) for groups, _, text in rules]
    for r in rows:
        r.pk, r.community_id, r.grid_id, r.interval = r.rid, r.cid, r.gid, r.every_days
        for g in GROUPS:
            setattr(r, f"e_{g}", bool(getattr(r, f"e_{g}")))
        for attr in ("last_visit", "since"):
            value = getattr(r, attr)
            if isinstance(value, str):
                setattr(r, attr, dt.date.fromisoformat(value[:10]))
            elif isinstance(value, dt.datetime):
                setattr(r, attr, value.date())
        mine = {g for g in GROUPS if getattr(r, f"e_{g}")}
        r.rule = next((text for groups, text in labels if groups <= mine), "")
    return rows


def visit_list(scope: Scope | None, communities: list[Place], today: dt.date, *,
               statuses=(OVERDUE, DUE, LATER)) -> list[SimpleNamespace]:
    """The people on the visit lists of `communities` that `scope` reaches (None: the metrics and the demo,
    which read whole communities): rows with pk, community_id, grid_id, interval, last_visit, since,
    visit_status, rule and the `e_` flags. One statement per rule set (in practice one per district)."""
    result = []
    base = registry_residents() if scope is None else scope.filter_people(registry_residents())
    for rules, ids in _rule_sets(communities).items():
        result += _rows(base.filter(community_id__in=ids), rules, today, tuple(statuses), ids)
    return result


def visit_log_text(name: str, condition_label: str, groups: list[str]) -> str:
    """What the grid's visit log (民情日记, read more widely than care data) says of a care visit: the person, their
    groups and condition; no health detail, no notes, no findings."""
    return f"关爱走访({'、'.join(groups) or '关爱对象'}):{name},状况{condition_label}"


def with_visit_logs(visits: list, *, groups: dict[int, list[str]] | None = None) -> int:
    """Write the 民情日记 rows of care visits made in bulk (a data load, the demo) and link each unsaved visit to its
    row, so the caller's `CareVisit.objects.bulk_create(visits)` leaves none without one, as
    `care.services.care_visit_record` leaves none for a single visit. One query reads the people, one
    `bulk_create` writes the rows. `groups` gives each person's group labels (by resident id; 关爱对象 when absent).
    Returns the number of rows written."""
    from gongzhi.care.models import Condition
    from gongzhi.people.models import Resident
    from gongzhi.workorders.models import VisitLog
    if not visits:
        return 0
    people = {pk: (name, household_id, household_grid) for pk, name, household_id, household_grid in
              Resident.objects.filter(pk__in={v.resident_id for v in visits})
              .values_list("pk", "name", "household_id", "household__grid_id")}
    groups = groups or {}
    logs = []
    for v in visits:
        name, household_id, household_grid = people[v.resident_id]
        logs.append(VisitLog(grid_id=v.grid_id, household_id=household_id if household_grid == v.grid_id else None,
                             visitor_id=v.visitor_id, visited_on=v.visited_on,
                             notes=visit_log_text(name, Condition(v.condition).label, groups.get(v.resident_id, []))))
    VisitLog.objects.bulk_create(logs, batch_size=2000)
    for v, log in zip(visits, logs):
        v.visit_log = log
    return len(logs)


def status_counts(communities: list[Place], today: dt.date) -> dict[int, dict[str, int]]:
    """{community id: {status: people}} of the whole communities' visit lists (the metrics): the rows of
    `visit_list` counted by the database, one grouped statement per rule set, no row fetched."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for rules, ids in _rule_sets(communities).items():
        query, params = _statement(registry_residents().filter(community_id__in=ids), rules, today,
                                   (OVERDUE, DUE, LATER), ids)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT w.cid, w.visit_status, COUNT(*) FROM ({query}) w GROUP BY w.cid, w.visit_status",
                           params)
            for cid, status, n in cursor.fetchall():
                out[cid][status] += n
    return out


def due_on(person) -> dt.date:
    return person.since + dt.timedelta(days=person.interval)


def on_list(scope: Scope, resident, today: dt.date) -> bool:
    """Is `resident` on a visit list the scope reaches?"""
    if not scope.assignments or not scope.staff_places:
        return False
    community = Place.objects.get(pk=resident.community_id)
    base = scope.filter_people(registry_residents()).filter(pk=resident.pk)
    return any(_rows(base, rules, today, (OVERDUE, DUE, LATER), [community.pk]) for rules in _rule_sets([community]))


def overdue_per_community(scope: Scope, communities: list[Place], today: dt.date) -> dict[int, dict[str, int]]:
    """{community id: {overdue, due}} for the overview (no names)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {OVERDUE: 0, DUE: 0})
    for row in visit_list(scope, communities, today, statuses=(OVERDUE, DUE)):
        counts[row.community_id][row.visit_status] += 1
    return counts


def paired_list(user, today: dt.date, *, statuses=(OVERDUE, DUE)) -> list[SimpleNamespace]:
    """The visit-list rows of the people paired with `user` (an assigned volunteer or neighbour): their
    whole data scope is their open pairings. One statement per rule set, like `visit_list`."""
    from gongzhi.care.models import VisitorPairing
    paired = VisitorPairing.objects.filter(visitor=user, ended_on__isnull=True).values("resident_id")
    base = registry_residents().filter(pk__in=paired)
    communities = list(Place.objects.filter(pk__in=base.values("community_id")).order_by("code"))
    result = []
    for rules, ids in _rule_sets(communities).items():
        result += _rows(base.filter(community_id__in=ids), rules, today, tuple(statuses), ids)
    return result
