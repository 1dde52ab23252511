"""The registry as it stood at a past day (issue 16: "any past year, assessed as it was").

A run for a closed period reads the registry figures below as they stood at the period's end
(`as_of`), from the history the registry already keeps (django-simple-history: every version of
every household, resident and organisation, with `history_date`). For each row, the version that counts is its
latest one recorded before the end of that day; the row counts when that version is active and
not a deletion. One grouped query per figure: the latest version per row is MAX(history_id)
among versions before the day's end (history ids grow with time), never a replay in Python.

Where the history does not reach back to the day (no version of any row of the scope recorded by
then: the registry was entered later, e.g. a demo built today), the figure is read from today's
registry instead, and the run says which (`note`).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Q

from gongzhi.core.metrics import counts, end_of, latest_versions
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


def counts_as_of(model, condition: Q, ids, day: dt.date) -> dict[int, int]:
    """{community id: rows that counted at the end of `day`}, from the history."""
    return counts(latest_versions(model, day).filter(condition, community_id__in=ids))


def read(name: str, ctx, day: dt.date) -> tuple[dict, str] | None:
    """(values, FROM_HISTORY | FROM_TODAY) for a registry figure read as of `day`; None when the
    figure has no as-of reader (it is read as it stands today)."""
    if name not in READERS:
        return None
    model, condition = READERS[name]
    if not reaches(model, ctx.ids, day):
        return None
    return counts_as_of(model, condition, ctx.ids, day), FROM_HISTORY
