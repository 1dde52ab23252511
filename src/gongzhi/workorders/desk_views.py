"""/orders/desk/: everything on the caller's desk (我的待办), the home panel's whole list."""
import datetime

from django.shortcuts import render
from django.utils import timezone

from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import requires
from gongzhi.workorders import desk
from gongzhi.workorders.manifest import HANDLE_ORDERS, KEEP_VISITS

PER_PAGE = 20
WHEN = {"": "全部", "overdue": "已超时", "today": "今天到期"}


@requires(HANDLE_ORDERS)
def my_desk(request):
    scope = request.scope
    when = request.GET.get("when", "")
    when = when if when in WHEN else ""
    qs = desk.waiting(scope)
    now = timezone.now()
    if when == "overdue":
        qs = qs.filter(step_due_at__lt=now)
    elif when == "today":
        end = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.max))
        qs = qs.filter(step_due_at__gte=now, step_due_at__lte=end)
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE,
                           related=("category", "community", "grid", "handling_place", "owner", "escalation"))
    keeps_visits = scope.can(KEEP_VISITS)
    visits_due = desk.visits_due(scope) if keeps_visits else None
    return render(request, "workorders/desk.html", {
        "page": page, "now": now, "when": when, "whens": WHEN.items(), "counts": desk.waiting_counts(scope),
        "keeps_visits": keeps_visits, "visit_due_days": desk.VISIT_DUE_DAYS,
        "visits_due": list(visits_due[:100]) if keeps_visits else [],
        "visits_due_count": visits_due.count() if keeps_visits else 0,
        "querystring_prefix": f"when={when}&" if when else "",
    })
