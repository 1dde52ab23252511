"""The home panel: projects on schedule and late (the committee and the street), and for a resident on
the supervision committee the milestones waiting for their sign-off."""
from gongzhi.projects import selectors


def schedule(request, scope):
    qs = selectors.projects_in(scope)
    waiting = list(selectors.waiting_for(request.user, scope)[:5]) if request.user.resident_id else []
    if not scope.staff_places:
        if not waiting:
            return None
        return {"waiting": waiting, "counts": None}
    counts = selectors.schedule_counts(qs)
    if not (counts["active"] or counts["completed"]):
        return None
    counts["on_time"] = counts["active"] - counts["late"]
    return {"counts": counts, "waiting": waiting}


def resident(request, scope):
    """A resident on the supervision committee: the milestones waiting for their sign-off (else nothing)."""
    waiting = list(selectors.waiting_for(request.user, scope)[:5]) if request.user.resident_id else []
    return {"waiting": waiting} if waiting else None
