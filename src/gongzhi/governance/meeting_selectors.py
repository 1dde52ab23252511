"""Every read of sessions and meetings, through the caller's scope (narrowed to the page's capability):
the sessions and meetings of the communities the scope reaches (a resident: their own community's)."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core.scope import Scope
from gongzhi.governance.models import MeetingState, ResidentMeeting, RollEntry, Session, SessionState, Vote
from gongzhi.governance.selectors import topic_q

NOT_FOUND = "未找到或无权访问"


def sessions_in(scope: Scope) -> QuerySet[Session]:
    return Session.objects.filter(topic_q(scope))


def meetings_in(scope: Scope) -> QuerySet[ResidentMeeting]:
    return ResidentMeeting.objects.filter(topic_q(scope)).select_related("adopted_option")  # for outcome_label


def _pk(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None


def access_session(scope: Scope, pk) -> Session:
    session = sessions_in(scope).filter(pk=_pk(pk)).select_related("community", "topic").first()
    if session is None:
        raise Http404(NOT_FOUND)
    return session


def access_meeting(scope: Scope, pk) -> ResidentMeeting:
    meeting = meetings_in(scope).filter(pk=_pk(pk)).select_related("community", "topic", "session",
                                                                           "adopted_option").first()
    if meeting is None:
        raise Http404(NOT_FOUND)
    return meeting


def mine(user, scope: Scope) -> dict:
    """A resident's sessions they are called to (or that take comments in their community) and the
    meetings whose roll they are on, the open votes first."""
    resident = getattr(user, "resident", None)
    if resident is None:
        return {"sessions": [], "meetings": [], "open_votes": 0}
    now = timezone.now()
    sessions = list(sessions_in(scope).filter(community_id=resident.community_id)
                    .filter(Q(participants__resident=resident) | Q(comments_until__gte=now))
                    .exclude(state=SessionState.CANCELLED).distinct().order_by("-starts_at")[:10])
    on_roll = RollEntry.objects.filter(resident=resident).values("meeting_id")
    meetings = list(meetings_in(scope).filter(pk__in=on_roll).exclude(state=MeetingState.CANCELLED)
                    .order_by("-held_on", "-pk")[:10])
    voted = set(Vote.objects.filter(meeting__in=meetings, entry__resident=resident).values_list("meeting_id",
                                                                                                flat=True))
    for m in meetings:
        m.i_voted = m.pk in voted
        m.may_vote = m.voting_open and not m.i_voted
    return {"sessions": sessions, "meetings": sorted(meetings, key=lambda m: not m.may_vote),
            "open_votes": sum(1 for m in meetings if m.may_vote)}
