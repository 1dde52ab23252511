"""What self-governance adds to the resident's home page (people's `resident_panels`): the topics of
the resident's own community that are still open, read through the scope narrowed to view_topics."""
from __future__ import annotations

from gongzhi.governance import selectors
from gongzhi.governance.manifest import RAISE_TOPICS
from gongzhi.governance.models import OPEN_STATES

SHOWN = 5


def community_topics(request, scope):
    topics = selectors.topics_in(scope).filter(state__in=OPEN_STATES)
    return {"topics": list(topics.order_by("-created_at", "-id")[:SHOWN]), "count": topics.count(),
            "can_raise": request.scope.can(RAISE_TOPICS)}
