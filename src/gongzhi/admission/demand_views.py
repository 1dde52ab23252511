"""要求社区事项登记 pages: the register (what the caller's posts demanded, what is demanded of the
caller's community, refusals), registering, one demand with its history, clearing; and 社区反映, a
committee's report of work pushed onto it outside the register, checked by the admin."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.admission import demands, selectors
from gongzhi.admission.forms import DemandForm, OffListReportForm
from gongzhi.admission.manifest import KEEP_DUTIES, REGISTER_DEMANDS, REPORT_OFFLIST, VIEW_DUTIES
from gongzhi.admission.models import Demand, DemandKind, RefusalWhat, ReportState
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.forms import first_error, posted_version, refusal_status
from gongzhi.core.permissions import requires
from gongzhi.places.models import Level, Place

NOT_FOUND = selectors.NOT_FOUND


@requires(VIEW_DUTIES)
def demand_list(request):
    scope = request.scope
    kind = request.GET.get("kind", "")
    if kind not in DemandKind.values:
        kind = ""
    with_cleared = request.GET.get("cleared") == "1"
    by_me = demands.demands_by(scope)
    on_me = demands.demands_on(scope)
    if kind:
        by_me, on_me = by_me.filter(kind=kind), on_me.filter(kind=kind)
    if not with_cleared:
        by_me, on_me = by_me.filter(cleared=False), on_me.filter(cleared=False)
    ledgers = demands.platform_ledgers()
    return render(request, "admission/demands.html", {
        "by_me": list(by_me[:300]), "on_me": list(on_me.order_by("kind", "title")[:300]),
        "refusals": list(demands.refusals_for(scope)[:50]), "kinds": DemandKind.choices, "kind": kind,
        "with_cleared": with_cleared, "ledgers": ledgers, "can_register": scope.can(REGISTER_DEMANDS),
        "is_community": bool(demands.communities_of(scope))})


def _demander_post(scope):
    for a in scope.for_capability(REGISTER_DEMANDS).assignments:
        return a
    raise PermissionDenied("您没有登记对社区要求的岗位")


@requires(REGISTER_DEMANDS)
def demand_new(request):
    post = _demander_post(request.scope)
    locality = selectors.district_of(post.place)
    communities = list(Place.objects.filter(level=Level.COMMUNITY, path__startswith=post.place.path)
                       .order_by("code")[:500])
    items = list(selectors.items(locality))
    ledgers = demands.platform_ledgers()
    form = DemandForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    form.fields["item"].choices = [("", "请选择")] + [(str(i.pk), f"{i.label}({i.department})") for i in items] + \
        [("none", "以上都不是(清单外事项)")]
    form.fields["communities"].choices = [(c.code, c.name) for c in communities]
    form.fields["platform_ledger"].choices = [("", "无,社区另行记录")] + list(ledgers.items())
    error = ""
    if request.method == "POST":
        if form.is_valid():
            cd = form.cleaned_data
            item = next((i for i in items if str(i.pk) == cd["item"]), None)
            try:
                demand = demands.demand_register(
                    by=request.user, post=post, kind=cd["kind"], title=cd["title"], item=item,
                    frequency=cd["frequency"], hours_per_community_year=cd.get("hours_per_community_year"),
                    platform_ledger=cd.get("platform_ledger", ""), all_communities=cd.get("all_communities"),
                    communities=[c for c in communities if c.code in set(cd["communities"])],
                    note=cd.get("note", ""), starts_on=cd["starts_on"], veto=cd.get("veto"))
            except RuleError as exc:
                error = str(exc)
                demands.refusal_record(post=post, what=RefusalWhat.DEMAND, title=cd["title"], rule=error,
                                       by=request.user)
            else:
                messages.success(request, f"已登记{demand}")
                return redirect("admission:demand", demand.pk)
        else:
            error = first_error(form)
    return render(request, "admission/demand_new.html", {"form": form, "error": error, "post": post,
                                                         "locality": locality}, status=422 if error else 200)


@requires(VIEW_DUTIES)
def demand_detail(request, pk, *, error="", status=200):
    demand, mine = demands.access_demand(request.scope, pk)
    may_clear = not demand.cleared and demands.demands_by(request.scope.for_capability(REGISTER_DEMANDS)) \
        .filter(pk=demand.pk).exists()
    history = list(demand.history.order_by("-history_date").values(
        "history_date", "history_change_reason", "history_type", "cleared", "version")[:50])
    return render(request, "admission/demand.html", {
        "demand": demand, "mine": mine, "may_clear": may_clear, "error": error, "history": history,
        "communities": list(demand.communities.order_by("code")),
        "ledger_label": demands.platform_ledgers().get(demand.platform_ledger, demand.platform_ledger)},
        status=status)


@requires(REGISTER_DEMANDS)
@require_POST
def demand_clear(request, pk):
    """The registering department or street clears its own; an admin any of its district (both are
    `demands_by` of the posts that grant REGISTER_DEMANDS)."""
    demand, mine = demands.access_demand(request.scope, pk)
    if not mine:
        raise Http404(NOT_FOUND)
    try:
        demands.demand_clear(demand=demand, version=posted_version(request.POST.get("version")), reason=request.POST.get("reason", ""),
                             by=request.user)
    except (ConflictError, RuleError) as exc:
        request.scope = request.scope.for_capability(VIEW_DUTIES)
        return demand_detail(request, pk, error=str(exc), status=refusal_status(exc))
    messages.success(request, "已清理,社区不再承担这项要求")
    return redirect("admission:demand", pk)


# -- 社区反映 ------------------------------------------------------------------------------
@requires(VIEW_DUTIES)
def report_list(request):
    scope = request.scope
    reports = list(demands.reports_for(scope)[:300])
    return render(request, "admission/reports.html", {
        "reports": reports, "can_report": scope.can(REPORT_OFFLIST), "kinds": dict(demands.REPORT_KINDS)})


def _known_departments(locality) -> list[str]:
    """Departments named by the lists and the register: offered as suggestions, any name is accepted."""
    names = set(selectors.items(locality).values_list("department", flat=True))
    names |= set(Demand.objects.filter(locality=locality).values_list("department", flat=True))
    return sorted(names)


@requires(REPORT_OFFLIST)
def report_new(request):
    post = request.scope.assignments[0]
    locality = selectors.district_of(post.place)
    form = OffListReportForm(request.POST or None, initial={"demanded_on": timezone.localdate()})
    form.fields["kind"].choices = [("", "请选择")] + demands.REPORT_KINDS
    error = ""
    if request.method == "POST":
        if form.is_valid():
            cd = form.cleaned_data
            try:
                report = demands.report_file(by=request.user, post=post, department=cd["department"], kind=cd["kind"],
                                             title=cd["title"], details=cd["details"], demanded_on=cd["demanded_on"])
            except RuleError as exc:
                error = str(exc)
            else:
                messages.success(request, "已反映,民政部门核查后会告诉您结果")
                return redirect("admission:report", report.pk)
        else:
            error = first_error(form)
    return render(request, "admission/report_new.html", {
        "form": form, "error": error, "post": post, "departments": _known_departments(locality)},
        status=422 if error else 200)


@requires(VIEW_DUTIES)
def report_detail(request, pk, *, error="", status=200):
    scope = request.scope
    report = demands.reports_for(scope).filter(pk=pk).first()
    if report is None:
        raise Http404(NOT_FOUND)
    admin = demands.reports_for(scope.for_capability(KEEP_DUTIES)).filter(pk=pk).exists()
    own = report.community in demands.communities_of(scope)
    return render(request, "admission/report.html", {
        "report": report, "kind_label": dict(demands.REPORT_KINDS).get(report.kind, report.kind),
        "may_handle": admin and report.state == ReportState.OPEN, "show_reporter": admin or own,
        "outcomes": [(ReportState.CORRECTED, ReportState.CORRECTED.label),
                     (ReportState.UNFOUNDED, ReportState.UNFOUNDED.label)], "error": error}, status=status)


@requires(KEEP_DUTIES)
@require_POST
def report_handle(request, pk):
    report = demands.reports_for(request.scope).filter(pk=pk).first()
    if report is None:
        raise Http404(NOT_FOUND)
    try:
        demands.report_handle(report=report, version=posted_version(request.POST.get("version")),
                              outcome=request.POST.get("outcome", ""), response=request.POST.get("response", ""),
                              by=request.user)
    except (ConflictError, RuleError) as exc:
        request.scope = request.scope.for_capability(VIEW_DUTIES)
        return report_detail(request, pk, error=str(exc), status=refusal_status(exc))
    messages.success(request, "已记录核查结果,反映的社区会收到通知")
    return redirect("admission:report", pk)
