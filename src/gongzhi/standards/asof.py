"""The registry as it stood at a past day (issue 16: "any past year, assessed as it was").

A run for a closed period reads the registry figures below as they stood at the period's end
(`as_of`), from the history the registry already keeps (django-simple-history: every version of
every household, resident and organisation, with `history_date`). For each row, the version that counts is its
latest one recorded before the end of that day; the row counts when that version is active and
not a deletion.

How it is counted (`counts_as_of`): every write of the registry goes through the history (save(), the
importer's history rows, deletions), so a row whose history holds nothing after the day stood then as it
stands now, and the latest version of any row is the row as it stands. Only the rows with a version
recorded after the day (created, changed or deleted since: the history's tail, every version from the first
one dated after the day, its last pages) are looked up: today's count, less what those rows count by their
latest version, plus what the ones that existed then counted by their latest version before the day's end
(the one with no later version before it: history ids grow with time). Grouped queries, never a replay in Python, and never an aggregate
over the whole history (MAX(history_id) per row over every version, as before, made the Yixing as-of run
11× today's on PostgreSQL and 8× on SQLite for a city of 1 M residents: bench/RESULTS.md, "As-of runs";
`tests/standards/test_asof_tail.py` checks the two ways give the same figures).

Where the history does not reach back to the day (no version of any row of the scope recorded by
then: the registry was entered later, e.g. a demo built today), the figure is read from today's
registry instead, and the run says which (`note`).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q

from gongzhi.core.metrics import counts, end_of, history_tail, latest_among, versions_then, years_before
from gongzhi.people.models import (
    Household, HouseholdStatus, Organisation, OrgKind, OrgRegistration, PersonStatus, Resident,
)

SOCIAL_ORG = Q(kind=OrgKind.SOCIAL_ORG, active=True)
# metric → (model with history, which versions count); the workers and the volunteers are read as of the
# day by their own ledger's metrics (ledgers.metrics.worker_rows, volunteer_rows), which know their dates
READERS = {
    "households": (Household, Q(status=HouseholdStatus.ACTIVE)),
    "residents": (Resident, Q(status=PersonStatus.ACTIVE)),
    "party_members": (Resident, Q(status=PersonStatus.ACTIVE, party_member=True)),
    "social_orgs": (Organisation, SOCIAL_ORG),
    "volunteer_orgs": (Organisation, SOCIAL_ORG & Q(volunteer_team=True)),
    "community_social_orgs": (Organisation, SOCIAL_ORG & Q(registration__in=[OrgRegistration.REGISTERED,
                                                                             OrgRegistration.FILED])),
}

FROM_HISTORY, FROM_TODAY = "history", "today"
# the care elders (care.stations' P-CARE-3 figures) are corrected in the residents' pass: 60 or over on the day
ELDER_AGE = 60
ELDERS = "care_elders"


def reaches(model, ids, day: dt.date) -> bool:
    """Does the history of `model` hold any version of a row of these communities by the end of `day`?"""
    return model.history.model.objects.filter(history_date__lt=end_of(day), community_id__in=ids).exists()


def corrections(model, conditions: dict[str, Q | tuple[Q, Q]], ids, day: dt.date, *,
                grids: bool = False) -> dict[str, dict]:
    """{figure: {community id: what the rows recorded after the end of `day` count then, less what they count
    today}} for each of `conditions` (one figure each), from the history alone: their latest version of all
    (the row as it stands: every write goes through the history) and their latest one before the day's end.
    A condition is a Q, or a pair (Q on the row as it stands, Q on its version then) where it reads another
    table as it stood (the elders' household). `grids`: keyed by (community id, grid id) instead."""
    tail = history_tail(model, day)
    if tail is None:
        return {name: {} for name in conditions}
    now_q = {n: q[0] if isinstance(q, tuple) else q for n, q in conditions.items()}
    then_q = {n: q[1] if isinstance(q, tuple) else q for n, q in conditions.items()}
    # grouped by community_id + 0 and the scope applied to the groups, not in SQL: through the community
    # index SQLite would read the scope's whole history instead of the tail's pages
    keys = {"cid": F("community_id") + 0, **({"gid": F("grid_id") + 0} if grids else {})}
    scope = set(ids)

    def grouped(versions, qs):
        rows = (versions.values(**keys).annotate(**{f"n_{name}": Count("history_id", filter=q)
                                                    for name, q in qs.items()}).order_by())
        out = {name: {} for name in qs}
        for r in rows:
            if r["cid"] in scope:
                for name in qs:
                    out[name][(r["cid"], r["gid"]) if grids else r["cid"]] = r[f"n_{name}"]
        return out

    now = grouped(latest_among(tail, tail), now_q)
    then = grouped(versions_then(model, tail, day), then_q)
    return {name: {k: then[name].get(k, 0) - now[name].get(k, 0) for k in {*now[name], *then[name]}}
            for name in conditions}


def counts_as_of(model, condition: Q, ids, day: dt.date, correction: dict[int, int] | None = None) -> dict[int, int]:
    """{community id: rows that counted at the end of `day`}: today's rows (counted as today's figure is),
    corrected by the rows the history recorded a version of after the day (see the module's docstring)."""
    if correction is None:
        correction = corrections(model, {"n": condition}, ids, day)["n"]
    out = counts(model.objects.filter(condition, community_id__in=ids))
    for cid, n in correction.items():
        out[cid] = out.get(cid, 0) + n
    return out


def _by_community(fix: dict) -> dict[int, int]:
    out: dict[int, int] = {}
    for (cid, _gid), n in fix.items():
        out[cid] = out.get(cid, 0) + n
    return out


def _households_then(ctx, day: dt.date) -> tuple[set[int], set[int]]:
    """(the households with a version after `day` active at its end, those with a version after it active now):
    from the households' tail, once per run. A household entered after the day was not active then, whatever
    the residents' versions then say."""
    def build():
        tail = history_tail(Household, day)
        if tail is None:
            return set(), set()
        return (set(versions_then(Household, tail, day).filter(status=HouseholdStatus.ACTIVE)
                    .values_list("id", flat=True)),
                set(Household.objects.filter(id__in=tail.values("id"), status=HouseholdStatus.ACTIVE)
                    .values_list("id", flat=True)))
    return ctx.once(f"asof.households.then.{day.isoformat()}", build)


def _residents_pass(ctx, day: dt.date) -> dict[str, dict]:
    """The corrections of every figure read from the residents' history, from one pass over its tail, grouped by
    community and grid: residents, party members, and the elders (active residents of active households, 60 or
    over at the end of `day`: `care.stations`' P-CARE-3 elders) per grid. The household's status is probed per
    version, without a join: as it stands, "today's household is not inactive" (a resident's household always
    exists); as it stood, the same, except for the households with a version after the day (their latest
    version before the day's end; not active if entered since). Once per run."""
    def build():
        mine = {n: q for n, (m, q) in READERS.items() if m is Resident}
        elder = Q(status=PersonStatus.ACTIVE, birth_date__lte=years_before(day, ELDER_AGE))
        # probed per version by primary key (EXISTS), never "NOT IN (sub-query)": PostgreSQL hashes such a
        # sub-query only while it fits in work_mem, else scans it again for every version (the 10 M city's 470,000
        # households changed since made the pass run for many minutes)
        active_now = ~Exists(Household.objects.filter(pk=OuterRef("household_id")).exclude(
            status=HouseholdStatus.ACTIVE))
        household_then = active_now
        tail = history_tail(Household, day)
        if tail is not None:  # the households changed since: their status then, from their latest version before
            changed = Exists(tail.filter(id=OuterRef("household_id")))
            before = Household.history.model.objects.filter(history_date__lt=end_of(day))
            active_then = Exists(latest_among(before.filter(id=OuterRef("household_id")), before)
                                 .filter(status=HouseholdStatus.ACTIVE))
            household_then = (~changed & active_now) | (changed & active_then)
        mine[ELDERS] = (elder & active_now, elder & household_then)
        return corrections(Resident, mine, ctx.ids, day, grids=True)
    return ctx.once(f"asof.{Resident._meta.label}.{day.isoformat()}", build)


def elder_corrections(ctx, day: dt.date) -> dict[int, int] | None:
    """{grid id: elders at the end of `day` less today's elders counted as of that day} for the run's communities
    (active residents of active households, 60 or over on `day`); None when the residents' history does not
    reach back to the day (the elders are then today's). The rows looked up: the residents' tail (the shared
    pass) and the residents, unchanged since, of the households whose status then differs from today's (closed
    or reopened since)."""
    if not reaches(Resident, ctx.ids, day):
        return None

    def households_only():
        active_then, active_now = _households_then(ctx, day)
        flipped = active_then ^ active_now  # active then and not now (closed, deleted), or the other way
        households, tail = history_tail(Household, day), history_tail(Resident, day)
        if not flipped:
            return {}
        # one statement: the elders living now in a household with a version after the day (a sub-query, not
        # ids: too many for SQLite's parameters), unchanged since (probed per row: counted in the pass)
        rows = Resident.objects.filter(status=PersonStatus.ACTIVE, birth_date__lte=years_before(day, ELDER_AGE),
                                       household_id__in=households.values("id"), community_id__in=ctx.ids)
        if tail is not None:
            rows = rows.exclude(Exists(tail.filter(id=OuterRef("id"))))
        out: dict[int, int] = {}
        for r in rows.values("grid_id", "household_id").annotate(n=Count("*")).order_by():
            if r["household_id"] in flipped:
                sign = 1 if r["household_id"] in active_then else -1
                out[r["grid_id"]] = out.get(r["grid_id"], 0) + sign * r["n"]
        return out

    out: dict[int, int] = {}
    for (_cid, gid), n in _residents_pass(ctx, day)[ELDERS].items():
        out[gid] = out.get(gid, 0) + n
    for gid, n in ctx.once(f"asof.elders.households.{day.isoformat()}", households_only).items():
        out[gid] = out.get(gid, 0) + n
    return out


def read(name: str, ctx, day: dt.date) -> tuple[dict, str] | None:
    """(values, FROM_HISTORY | FROM_TODAY) for a registry figure read as of `day`; None when the
    figure has no as-of reader (it is read as it stands today). The corrections of all the figures of one
    model come from the same queries, once per run (residents, party members and the care elders: one pass
    over the tail)."""
    if name not in READERS:
        return None
    model, condition = READERS[name]
    if not reaches(model, ctx.ids, day):
        return None
    if model is Resident:
        return counts_as_of(model, condition, ctx.ids, day, _by_community(_residents_pass(ctx, day)[name])), \
            FROM_HISTORY
    mine = {n: q for n, (m, q) in READERS.items() if m is model}
    fixes = ctx.once(f"asof.{model._meta.label}.{day.isoformat()}", lambda: corrections(model, mine, ctx.ids, day))
    return counts_as_of(model, condition, ctx.ids, day, fixes[name]), FROM_HISTORY
