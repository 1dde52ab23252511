"""Purchased services (购买服务, P-DUTY-3): contracts for items outside the lists, their acceptance,
and what money reaches each community (the lists' funding plus the contracts)."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.admission import selectors, services
from gongzhi.admission.manifest import BUY_SERVICES, VIEW_DUTIES
from gongzhi.admission.models import ContractState, ListKind
from gongzhi.core import record_links
from gongzhi.core.errors import RuleError
from gongzhi.core.permissions import requires
from gongzhi.places.models import Level, Place

NOT_FOUND = selectors.NOT_FOUND


def _date(raw):
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


@requires(VIEW_DUTIES)
def contracts(request):
    scope = request.scope
    qs = selectors.contracts_in(scope)
    year = timezone.localdate().year
    rows = []
    communities = [p for p in scope.staff_places if p.level == Level.COMMUNITY]
    for community in communities[:20]:
        locality = selectors.district_of(community)
        items = selectors.items(locality).filter(kind=ListKind.ASSIST, funding_yuan__isnull=False)
        bought = qs.filter(community=community, starts_on__year__lte=year, ends_on__year__gte=year) \
            .exclude(state=ContractState.VOIDED).aggregate(s=Sum("price_yuan"))["s"] or 0
        listed = items.aggregate(s=Sum("funding_yuan"))["s"] or 0
        rows.append({"community": community, "listed": listed, "items": items.count(), "bought": bought,
                     "total": listed + bought})
    return render(request, "admission/contracts.html", {
        "items": record_links.attach(request, "service_contract", qs[:200]), "funding": rows, "year": year, "can_buy": scope.can(BUY_SERVICES)})


def _buyer_post(scope):
    for a in scope.for_capability(BUY_SERVICES).assignments:
        return a
    raise Http404(NOT_FOUND)


@requires(BUY_SERVICES)
def contract_new(request):
    post = _buyer_post(request.scope)
    communities = list(Place.objects.filter(level=Level.COMMUNITY, path__startswith=post.place.path)
                       .order_by("code")[:500])
    error = ""
    if request.method == "POST":
        community = next((c for c in communities if c.code == request.POST.get("community")), None)
        try:
            c = services.contract_create(
                by=request.user, post=post, community=community, title=request.POST.get("title", ""),
                provider=request.POST.get("provider", ""), price_yuan=request.POST.get("price_yuan", ""),
                starts_on=_date(request.POST.get("starts_on")), ends_on=_date(request.POST.get("ends_on")),
                deliverables=request.POST.get("deliverables", ""))
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "购买服务合同已登记")
            return redirect("admission:contract", c.pk)
    return render(request, "admission/contract_new.html", {"communities": communities, "error": error,
                                                           "posted": request.POST, "post": post},
                  status=422 if error else 200)


def _access(scope, pk):
    c = selectors.contracts_in(scope).filter(pk=pk).first()
    if c is None:
        raise Http404(NOT_FOUND)
    return c


@requires(VIEW_DUTIES)
def contract_detail(request, pk):
    c = _access(request.scope, pk)
    may_accept = c.state == ContractState.ACTIVE and request.scope.can(BUY_SERVICES, c.community)
    record_links.attach(request, "service_contract", [c])  # e.g. the service project it pays for
    return render(request, "admission/contract.html", {"c": c, "may_accept": may_accept,
                                                       "history": c.history.order_by("-history_date")[:20]})


@requires(BUY_SERVICES)
@require_POST
def contract_accept(request, pk):
    c = _access(request.scope, pk)
    try:
        services.contract_accept(contract=c, passed=request.POST.get("passed") == "yes",
                                 note=request.POST.get("note", ""), by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已记录验收结果")
    return redirect("admission:contract", c.pk)


@requires(BUY_SERVICES)
@require_POST
def contract_void(request, pk):
    c = _access(request.scope, pk)
    try:
        services.contract_void(contract=c, reason=request.POST.get("reason", ""), by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "合同已作废")
    return redirect("admission:contract", c.pk)


# -- the burden dashboard ----------------------------------------------------------------
@requires(VIEW_DUTIES)
def burden(request):
    from gongzhi.admission import burden as b
    from gongzhi.core.exports import xlsx_response
    scope = request.scope
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    if not 2000 <= year <= this_year + 1:
        year = this_year
    years = [year - 1, year]
    communities = b.communities_in(scope)
    rows = b.community_rows(communities, years)
    departments = b.department_rows(scope, years)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(filename=f"社区减负-{year}.xlsx", sheets=[
            ("社区", b.COMMUNITY_COLUMNS, ([r[k] for k, _ in b.COMMUNITY_FIELDS] for r in rows)),
            ("部门", b.DEPARTMENT_COLUMNS, ([r[k] for k, _ in b.DEPARTMENT_FIELDS] for r in departments))])
    current = [r for r in rows if r["year"] == year]
    before = {r["community"]: r for r in rows if r["year"] == year - 1}
    for r in current:
        r["before"] = before.get(r["community"])
    chart = {"communities": [r["community"] for r in current[:30]],
             "typed": [r["typed"] for r in current[:30]], "registry": [r["from_registry"] for r in current[:30]],
             "before_typed": [before[r["community"]]["typed"] if r["community"] in before else 0
                              for r in current[:30]]}
    return render(request, "admission/burden.html", {
        "year": year, "rows": current, "departments": [d for d in departments if d["year"] == year],
        "departments_before": {d["department"]: d for d in departments if d["year"] == year - 1},
        "chart": chart, "years": list(range(this_year, this_year - 5, -1))})
