"""Every read of the estates' records through the caller's scope (narrowed to the page's capability):
an estate, its contracts, committees, meetings and evaluations are seen by the posts whose places hold
the estate (its community, or its grid for a grid worker). Firms, managers, credit records and the
blacklist are a district-wide register, not personal data (a manager's full name is shown to staff only)."""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from gongzhi.core.scope import Scope
from gongzhi.estates.models import Contract, EstateMeeting, Evaluation, MeetingIssue, OwnersCommittee, PropertyFirm
from gongzhi.places.models import Estate

NOT_FOUND = "未找到或无权访问"


def _pk(pk) -> int:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    if not 0 < pk < 2**63:  # beyond the database's integers: no such row
        raise Http404(NOT_FOUND)
    return pk


def estates_in(scope: Scope) -> QuerySet[Estate]:
    return Estate.objects.filter(scope.people_q())


def access_estate(scope: Scope, pk) -> Estate:
    estate = estates_in(scope).filter(pk=_pk(pk)).select_related("community", "grid").first()
    if estate is None:
        raise Http404(NOT_FOUND)
    return estate


def contracts_in(scope: Scope) -> QuerySet[Contract]:
    return Contract.objects.filter(estate__in=estates_in(scope).values("pk"))


def committees_in(scope: Scope) -> QuerySet[OwnersCommittee]:
    return OwnersCommittee.objects.filter(estate__in=estates_in(scope).values("pk"))


def access_committee(scope: Scope, pk) -> OwnersCommittee:
    committee = committees_in(scope).filter(pk=_pk(pk)).select_related("estate", "community").first()
    if committee is None:
        raise Http404(NOT_FOUND)
    return committee


def meetings_in(scope: Scope) -> QuerySet[EstateMeeting]:
    return EstateMeeting.objects.filter(estate__in=estates_in(scope).values("pk"))


def access_meeting(scope: Scope, pk) -> EstateMeeting:
    meeting = meetings_in(scope).filter(pk=_pk(pk)).select_related("estate", "community", "firm").first()
    if meeting is None:
        raise Http404(NOT_FOUND)
    return meeting


def access_issue(scope: Scope, pk) -> MeetingIssue:
    issue = MeetingIssue.objects.filter(pk=_pk(pk), meeting__in=meetings_in(scope).values("pk")).select_related(
        "meeting").first()
    if issue is None:
        raise Http404(NOT_FOUND)
    return issue


def evaluations_in(scope: Scope) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(estate__in=estates_in(scope).values("pk"))


def access_firm(pk) -> PropertyFirm:
    firm = PropertyFirm.objects.filter(pk=_pk(pk)).first()
    if firm is None:
        raise Http404(NOT_FOUND)
    return firm
