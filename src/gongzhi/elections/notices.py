"""The elections' notice kind (its steps, to the residents who follow an election) and the election as
a thing residents follow (gongzhi.digests)."""
from __future__ import annotations

from gongzhi.core.notices import Followable, NoticeKind, capability_named
from gongzhi.core.scope import Scope

ELECTION_SUBJECT = "elections.election"


def election_for(user, pk):
    """The election if `user` may read it now: a resident their own community's, once published
    (SEE_MY_ELECTION); staff through VIEW_ELECTIONS. Else None."""
    from gongzhi.elections.selectors import elections_in, my_elections
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    found = my_elections(Scope.for_user_capability(user, capability_named("see_my_election"))).filter(pk=pk).first()
    return found or elections_in(Scope.for_user_capability(user, capability_named("view_elections"))).filter(pk=pk).first()


def election_visible(user, notice) -> bool:
    if notice.subject_type == ELECTION_SUBJECT and notice.subject_id:
        return election_for(user, notice.subject_id) is not None
    return True


NOTICE_KINDS = (NoticeKind("election", "换届选举", visible="gongzhi.elections.notices.election_visible", order=45),)
FOLLOW_ELECTION = Followable("election", "换届选举", kind="election", subject_type=ELECTION_SUBJECT,
                             access="gongzhi.elections.notices.election_for")
