"""Co-resident unit pages (驻区单位): the units with their year's commitments and evaluation, a unit's page,
the joint meetings. Units are people's organisations of kind resident_unit, read through the scope."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.forms import refusal_status
from gongzhi.core.permissions import requires
from gongzhi.network import selectors, services
from gongzhi.network.manifest import KEEP_RESIDENT_UNITS, VIEW_NETWORK
from gongzhi.network.models import Commitment, CommitmentKind, JointMeeting, UnitEvaluation


def _year(request) -> int:
    try:
        y = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        y = timezone.localdate().year
    return y if 2000 <= y <= 2100 else timezone.localdate().year


@requires(VIEW_NETWORK)
def units(request):
    scope = request.scope
    year = _year(request)
    provider = selectors.is_provider(scope)
    unit_list = [] if provider else list(selectors.units_in(scope).select_related("community").order_by(
        "community__code", "name")[:300])
    evaluations = {e.unit_id: e for e in UnitEvaluation.objects.filter(unit__in=unit_list, year=year)}
    by_unit: dict[int, list] = {}
    for c in Commitment.objects.filter(unit__in=unit_list, year=year):
        by_unit.setdefault(c.unit_id, []).append(c)
    for u in unit_list:
        u.commitments_list = by_unit.get(u.pk, [])
        u.evaluation = evaluations.get(u.pk)
    meetings = [] if provider else list(JointMeeting.objects.filter(
        community__in=selectors.communities_in(scope)).select_related("community").order_by("-held_on")[:20])
    keep = scope.for_capability(KEEP_RESIDENT_UNITS)
    return render(request, "network/units.html", {
        "units": unit_list, "year": year, "meetings": meetings,
        "keep_communities": list(selectors.communities_in(keep)[:200]) if keep else []})


def _unit_page(request, unit, *, error: str = "", status: int = 200):
    year = _year(request) if request.method == "GET" else timezone.localdate().year
    return render(request, "network/unit.html", {
        "unit": unit, "year": year,
        "commitments": list(Commitment.objects.filter(unit=unit).order_by("-year", "kind", "pk")[:100]),
        "evaluations": list(UnitEvaluation.objects.filter(unit=unit).order_by("-year")),
        "meetings": list(JointMeeting.objects.filter(units=unit).order_by("-held_on")[:20]),
        "fulfilment": selectors.fulfilment(unit, year), "kinds": CommitmentKind.choices,
        "can_keep": request.scope.can(KEEP_RESIDENT_UNITS, unit.community), "error": error}, status=status)


@requires(VIEW_NETWORK)
def unit(request, pk):
    return _unit_page(request, selectors.access_unit(request.scope, pk))


def _step(request, pk, action, success):
    u = selectors.access_unit(request.scope, pk)
    try:
        action(u)
    except (RuleError, ConflictError) as exc:
        return _unit_page(request, u, error=str(exc), status=refusal_status(exc))
    messages.success(request, success)
    return redirect("network:unit", u.pk)


@require_POST
@requires(KEEP_RESIDENT_UNITS)
def commitment_add(request, pk):
    p = request.POST
    return _step(request, pk, lambda u: services.commitment_add(
        unit=u, year_value=p.get("year", ""), kind=p.get("commitment_kind", ""), content=p.get("content", ""),
        target=p.get("target", ""), unit_label=p.get("unit_label", ""), by=request.user), "承诺已登记")


@require_POST
@requires(KEEP_RESIDENT_UNITS)
def commitment_progress(request, pk, c_pk):
    def act(u):
        c = Commitment.objects.filter(unit=u, pk=c_pk).first()
        if c is None:
            raise Http404(selectors.NOT_FOUND)
        services.commitment_progress(commitment=c, version=request.POST.get("version"),
                                     done=request.POST.get("done", ""), by=request.user)
    return _step(request, pk, act, "完成情况已更新")


@require_POST
@requires(KEEP_RESIDENT_UNITS)
def unit_evaluate(request, pk):
    p = request.POST
    return _step(request, pk, lambda u: services.unit_evaluate(
        unit=u, year_value=p.get("year", ""), score=p.get("score", ""), note=p.get("note", ""), by=request.user),
        "年度评价已保存")


@requires(KEEP_RESIDENT_UNITS)
def meeting_new(request):
    communities = list(selectors.communities_in(request.scope)[:300])
    if not communities:
        raise Http404(selectors.NOT_FOUND)
    data = request.POST if request.method == "POST" else request.GET
    code = request.GET.get("community") or data.get("community") or communities[0].code
    community = next((c for c in communities if c.code == code), None)
    if community is None:
        raise Http404(selectors.NOT_FOUND)
    error = ""
    if request.method == "POST":
        try:
            m = services.meeting_hold(community=community, held_on=data.get("held_on", ""),
                                      title=data.get("title", ""), minutes=data.get("minutes", ""),
                                      unit_ids=data.getlist("unit"), by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "联席会议已记录,并写入会议台账")
            return redirect("network:meeting", m.pk)
    unit_list = list(selectors.units_in(request.scope).filter(community=community).order_by("name"))
    return render(request, "network/meeting_new.html", {
        "communities": communities, "community": community, "units": unit_list, "data": data, "error": error,
        "chosen": set(data.getlist("unit")) if hasattr(data, "getlist") else set(),
        "today": timezone.localdate()}, status=422 if error else 200)


@requires(VIEW_NETWORK)
def meeting(request, pk):
    if selectors.is_provider(request.scope):
        raise Http404(selectors.NOT_FOUND)
    m = JointMeeting.objects.filter(pk=pk, community__in=selectors.communities_in(request.scope)).select_related(
        "community").first()
    if m is None:
        raise Http404(selectors.NOT_FOUND)
    return render(request, "network/meeting.html", {"m": m, "units": list(m.units.order_by("name"))})
