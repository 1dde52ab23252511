
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from gongzhi.accounts.models import Capability
from gongzhi.core.models import AccessAction, AccessLog
from gongzhi.core.permissions import require_capability
from gongzhi.people.selectors import scope_counts
from gongzhi.places.selectors import grids_understaffed


@login_required
def home(request):
    scope = request.scope
    if not scope.staff_places:
        return redirect("people:my_household")
    counts = scope_counts(scope)
    understaffed = list(grids_understaffed(scope)[:200])
    chart = {"care": {"labels": [t.name for t, _ in counts["care_groups"]],
                      "values": [n for _, n in counts["care_groups"]]}}
    return render(request, "core/home.html", {
        "counts": counts, "understaffed": understaffed, "places": scope.staff_places,
        "chart": chart,
    })


@require_capability(Capability.VIEW_ACCESS_LOG)
def access_log(request):
    qs = AccessLog.objects.all()
    action = request.GET.get("action", "")
    who = request.GET.get("user", "").strip()
    if action:
        qs = qs.filter(action=action)
    if who:
        qs = qs.filter(username__icontains=who)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "core/access_log.html", {
        "page": page, "actions": AccessAction.choices, "action": action, "who": who,
        "querystring_prefix": (params.urlencode() + "&") if params else ""})
