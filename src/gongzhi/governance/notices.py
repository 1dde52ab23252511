"""Self-governance's notice kinds, and the topic as a thing residents follow (gongzhi.digests)."""
from __future__ import annotations

from gongzhi.core.notices import Followable, NoticeKind, capability_named
from gongzhi.core.scope import Scope

TOPIC_SUBJECT = "governance.topic"


def topic_for(user, pk):
    """The topic if `user` may read it now (VIEW_TOPICS through their posts), else None."""
    from gongzhi.governance.selectors import topics_in
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return topics_in(Scope.for_user_capability(user, capability_named("view_topics"))).filter(pk=pk).first()


def topic_visible(user, notice) -> bool:
    """A notice about a topic is seen while the topic is in the user's scope; others by any account
    holding the capability of the kind."""
    if notice.subject_type == TOPIC_SUBJECT and notice.subject_id:
        return topic_for(user, notice.subject_id) is not None
    return True


def kinds(view_topics, view_meetings) -> tuple[NoticeKind, ...]:
    """Every kind governance sends (services, meetings, mailbox, escalation), for its manifest."""
    visible = "gongzhi.governance.notices.topic_visible"
    return (NoticeKind("topic", "议题进展", capability=view_topics, visible=visible, order=30),
            NoticeKind("session", "协商会", capability=view_meetings, visible=visible, order=31),
            NoticeKind("meeting", "居民会议与表决", capability=view_meetings, visible=visible, order=32),
            NoticeKind("letter", "书记信箱", order=33))


FOLLOW_TOPIC = Followable("topic", "议题", kind="topic", subject_type=TOPIC_SUBJECT,
                          access="gongzhi.governance.notices.topic_for")
