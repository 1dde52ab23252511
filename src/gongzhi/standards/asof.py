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

from django.db.models import Count, Exists, F, Min, OuterRef, Q

from gongzhi.core.metrics import counts, end_of
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


def reaches(model, ids, day: dt.date) -> bool:
    """Does the history of `model` hold any version of a row of these communities by the end of `day`?"""
    return model.history.model.objects.filter(history_date__lt=end_of(day), community_id__in=ids).exists()


def _latest(versions, among) -> object:
    """The latest of each row's `versions` that has no later version `among` (a set holding `versions`; history
    ids grow with time), deletions left out."""
    later = among.filter(id=OuterRef("id"), history_id__gt=OuterRef("history_id"))
    return versions.filter(~Exists(later)).exclude(history_type="-")


def corrections(model, conditions: dict[str, Q], ids, day: dt.date) -> dict[str, dict[int, int]]:
    """{figure: {community id: what the rows recorded after the end of `day` count then, less what they count
    today}} for each of `conditions` (one figure each), from the history alone: their latest version of all
    (the row as it stands: every write goes through the history) and their latest one before the day's end."""
    end = end_of(day)
    history = model.history.model
    # the rows created, changed or deleted since: every version from the first one dated after the day on (history
    # ids grow with time, so that is the table's last pages; a version recorded just before the day's end but
    # given a later id by a concurrent write is one more row looked up, never a row missed)
    first = history.objects.filter(history_date__gte=end).aggregate(  # with a count: through the date index
        first=Min("history_id"), n=Count("*"))["first"]
    if first is None:
        return {name: {} for name in conditions}
    tail = history.objects.filter(history_id__gte=first)

    def grouped(versions):
        # grouped by community_id + 0 and the scope applied to the groups, not in SQL: through the community
        # index SQLite would read the scope's whole history instead of the tail's pages
        rows = (versions.values(cid=F("community_id") + 0)
                .annotate(**{f"n_{name}": Count("history_id", filter=q) for name, q in conditions.items()})
                .order_by())
        scope = set(ids)
        return {name: {r["cid"]: r[f"n_{name}"] for r in rows if r["cid"] in scope} for name in conditions}

    before = history.objects.filter(history_date__lt=end)
    now = grouped(_latest(tail, tail))
    # what they counted before: only rows that existed then are looked up — a row whose versions in the tail are
    # all dated after the day and are its creation ("+") did not (its version before, if any, is its deletion)
    existed = tail.filter(~Q(history_type="+") | Q(history_date__lt=end)).values("id")
    then = grouped(_latest(before.filter(id__in=existed), before))
    return {name: {cid: then[name].get(cid, 0) - now[name].get(cid, 0) for cid in {*now[name], *then[name]}}
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


def read(name: str, ctx, day: dt.date) -> tuple[dict, str] | None:
    """(values, FROM_HISTORY | FROM_TODAY) for a registry figure read as of `day`; None when the
    figure has no as-of reader (it is read as it stands today). The corrections of all the figures of one
    model come from the same queries, once per run (residents and party members: one pass over the tail)."""
    if name not in READERS:
        return None
    model, condition = READERS[name]
    if not reaches(model, ctx.ids, day):
        return None
    mine = {n: q for n, (m, q) in READERS.items() if m is model}
    fixes = ctx.once(f"asof.{model._meta.label}.{day.isoformat()}", lambda: corrections(model, mine, ctx.ids, day))
    return counts_as_of(model, condition, ctx.ids, day, fixes[name]), FROM_HISTORY
