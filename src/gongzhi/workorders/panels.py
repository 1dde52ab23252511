"""What work orders add to the home page: the caller's desk (我的待办) — what waits for them,
the big buttons of their day, and the key-group households due a visit."""
from django.utils import timezone

from gongzhi.workorders import desk
from gongzhi.workorders.manifest import KEEP_VISITS, REPORT_ORDERS

SHOWN = 5


def my_desk(request, scope):
    visits_due = desk.visits_due(scope)
    keeps_visits = scope.can(KEEP_VISITS)
    return {
        "counts": desk.waiting_counts(scope),
        "orders": list(desk.waiting(scope).select_related("category", "grid", "community")[:SHOWN]),
        "can_report": scope.can(REPORT_ORDERS),
        "keeps_visits": keeps_visits,
        "visits_due": list(visits_due[:SHOWN]) if keeps_visits else [],
        "visits_due_count": visits_due.count() if keeps_visits else 0,
        "visit_due_days": desk.VISIT_DUE_DAYS,
        "now": timezone.now(),
    }
