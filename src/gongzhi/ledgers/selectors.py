"""Reads of a community's ledgers, always through the caller's scope narrowed
to VIEW_LEDGERS (or EDIT_LEDGERS for the pages that change them): departments
get no ledgers from communities (P-DUTY-5: fewer ledgers demanded of them),
and a department or resident post held beside another role widens nothing."""
from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404

from gongzhi.core.scope import Scope
from gongzhi.ledgers.manifest import EDIT_LEDGERS
from gongzhi.ledgers.models import Activity, Disclosure, Election, Meeting, Training, Volunteer, Worker
from gongzhi.places.models import Level
from gongzhi.places.selectors import access_place


def may_edit(scope: Scope, community) -> bool:
    """A post that may keep ledgers covers the community (whatever `scope` was narrowed to)."""
    return scope.can(EDIT_LEDGERS, community)


def access_community(scope: Scope, code: str, *, edit: bool = False):
    """The community if the caller's (narrowed) scope holds it, and, with `edit`,
    a post that may keep its ledgers covers it; otherwise 404, so guessing codes
    reveals nothing."""
    place = access_place(scope, code)
    if place.level != Level.COMMUNITY or (edit and not may_edit(scope, place)):
        raise Http404("未找到或无权访问")
    return place


def workers(community, *, include_left: bool = False):
    qs = Worker.objects.filter(community=community)
    return qs if include_left else qs.filter(left_on__isnull=True)


def dated(model, community, year: int | None):
    field = "published_on" if model is Disclosure else "held_on"
    qs = model.objects.filter(community=community)
    if model is Training:
        qs = qs.select_related("worker")
    return qs.filter(**{f"{field}__year": year}) if year else qs


def volunteers(community):
    return Volunteer.objects.filter(community=community, left_on__isnull=True).select_related("resident", "team")


def year_summary(community, year: int) -> dict:
    """Counts for the year, as the standards engine will read them (voided rows left out)."""
    live = Q(voided="")
    meetings = Meeting.objects.filter(live, community=community, held_on__year=year).aggregate(
        residents=Count("id", filter=Q(kind="residents")), deliberation=Count("id", filter=Q(kind="deliberation")),
        all=Count("id"))
    return {
        "meetings": meetings,
        "disclosures": Disclosure.objects.filter(live, community=community, published_on__year=year).count(),
        "activities": Activity.objects.filter(live, community=community, held_on__year=year).count(),
        "trainings": Training.objects.filter(live, community=community, held_on__year=year).count(),
        "elections": Election.objects.filter(live, community=community, held_on__year=year).count(),
        "volunteers": Volunteer.objects.filter(community=community, left_on__isnull=True).count(),
        "workers": Worker.objects.filter(community=community, left_on__isnull=True).count(),
    }
