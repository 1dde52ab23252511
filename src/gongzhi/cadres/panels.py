"""The home panel of cadre supervision (the town's and the village committee's home): audits and talks
overdue, reviews under way, cadres flagged in the latest review. Nothing where the scope holds no village."""
from django.utils import timezone

from gongzhi.cadres import selectors
from gongzhi.cadres.models import RoundState


def overdue(request, scope):
    if not selectors.villages_in(scope).exists():
        return None
    today = timezone.localdate()
    checks = selectors.checks_in(scope)
    late = list(selectors.overdue(checks, today).order_by("due_on", "pk")[:5])
    return {"counts": selectors.check_counts(checks, today), "late": late,
            "open_rounds": selectors.rounds_in(scope).filter(state=RoundState.OPEN).count(),
            "flagged": selectors.flagged_in(scope).count()}
