"""Social organisation pages: the list with the per-community counts (P-ORG-1/2), registering a group, an
organisation's page (profile, members, filing, incubation, provider accounts, its projects and rating) and
the steps on it. Thin: reads through selectors, writes through services; a refusal re-renders with 422."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.forms import refusal_status
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import requires
from gongzhi.network import complaints, ratings, selectors, services
from gongzhi.network.manifest import KEEP_SOCIAL_ORGS, MANAGE_SERVICE_PROJECTS, VIEW_NETWORK
from gongzhi.network.models import (
    Field, Filing, FilingState, MemberRole, OrgComplaint, OrgMember, OrgRating, ProviderStaff, SocialOrg,
    SupportKind,
)
from gongzhi.people.models import OrgRegistration

PER_PAGE = 30


@requires(VIEW_NETWORK)
def home(request):
    scope = request.scope
    qs = selectors.organisations_in(scope).select_related("community", "network")
    f = {k: (request.GET.get(k) or "")[:20] for k in ("field", "registration", "community", "q")}
    if f["field"]:
        qs = qs.filter(network__field=f["field"])
    if f["registration"] in OrgRegistration.values:
        qs = qs.filter(registration=f["registration"])
    if f["community"]:
        qs = qs.filter(community__code=f["community"])
    if f["q"]:
        qs = qs.filter(name__contains=f["q"])
    page = paginate_by_ids(qs.order_by("community__code", "name"), request.GET.get("page"), PER_PAGE,
                           related=("community", "network"))
    rated = selectors.ratings([o.pk for o in page.object_list])
    for o in page.object_list:
        o.rating = rated.get(o.pk)
    provider = selectors.is_provider(scope)
    keep = scope.for_capability(KEEP_SOCIAL_ORGS)
    return render(request, "network/home.html", {
        "page": page, "f": f, "fields": Field.choices, "registrations": OrgRegistration.choices,
        "counts": [] if provider else selectors.org_counts(scope),
        "communities": [] if provider else list(selectors.communities_in(scope)[:200]),
        "keep_communities": list(selectors.communities_in(keep)[:200]) if keep else [],
        "provider": provider, "can_projects": scope.can(MANAGE_SERVICE_PROJECTS),
        "today": timezone.localdate()})


@requires(KEEP_SOCIAL_ORGS)
def org_new(request):
    communities = list(selectors.communities_in(request.scope)[:300])
    if not communities:
        raise Http404(selectors.NOT_FOUND)
    data = request.POST if request.method == "POST" else request.GET
    error = ""
    if request.method == "POST":
        community = next((c for c in communities if c.code == (request.GET.get("community") or data.get("community", ""))), None)
        if community is None:
            raise Http404(selectors.NOT_FOUND)
        try:
            profile = services.org_register(
                community=community, name=data.get("name", ""), field_code=data.get("field", ""),
                registration=data.get("registration", OrgRegistration.NONE), founded_on=data.get("founded_on", ""),
                purpose=data.get("purpose", ""), contact_name=data.get("contact_name", ""), by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, f"已登记 {profile.organisation.name}")
            return redirect("network:org", profile.organisation_id)
    return render(request, "network/org_new.html", {
        "communities": communities, "fields": Field.choices, "registrations": OrgRegistration.choices,
        "data": data, "error": error}, status=422 if error else 200)


def _org_page(request, org, *, error: str = "", status: int = 200):
    scope = request.scope.for_capability(VIEW_NETWORK)
    profile = SocialOrg.objects.filter(organisation=org).first()
    members = list(profile.members.all()) if profile else []
    filings = list(profile.filings.all()) if profile else []
    incubations = list(profile.incubations.prefetch_related("supports")) if profile else []
    projects = selectors.with_figures(selectors.projects_in(scope).filter(organisation=org)).select_related(
        "community").order_by("-starts_on")[:50]
    keep = request.scope.can(KEEP_SOCIAL_ORGS, org.community)
    user = request.user
    return render(request, "network/org.html", {
        "org": org, "profile": profile, "members": members, "filings": filings, "incubations": incubations,
        "open_filing": next((x for x in filings if x.state in (FilingState.APPLIED, FilingState.OPINED)), None),
        "open_incubation": next((x for x in incubations if x.graduated_on is None), None),
        "projects": list(projects), "rating": selectors.org_rating(org), "fields": Field.choices,
        "year_ratings": list(OrgRating.objects.filter(organisation=org).order_by("-year")[:10]),
        "this_year": timezone.localdate().year,
        "this_parts": ratings.parts(org, timezone.localdate().year),
        "training": selectors.training_figures(org),
        # complaints attributed from work orders (network/complaints.py): a provider reads what and the finding
        "complaints": list(OrgComplaint.objects.filter(organisation=org).select_related("work_order")[:50]),
        "this_complaints": complaints.counts(org, timezone.localdate().year), "provider": selectors.is_provider(scope),
        "roles": MemberRole.choices, "support_kinds": SupportKind.choices,
        "staff": list(ProviderStaff.objects.filter(organisation=org).select_related("user")) if keep else [],
        "can_keep": keep,
        "can_opine": keep and user.assignments.filter(active=True, role="community", place=org.community).exists(),
        "can_file": keep and user.assignments.filter(active=True, role="street", place=org.community.parent).exists(),
        "error": error, "today": timezone.localdate()}, status=status)


@requires(VIEW_NETWORK)
def org(request, pk):
    return _org_page(request, selectors.access_organisation(request.scope, pk))


def _step(request, pk, action, success: str):
    """Run one write on an organisation of the caller's scope; a refusal shows the page again (422)."""
    org = selectors.access_organisation(request.scope, pk)
    try:
        action(org)
    except (RuleError, ConflictError) as exc:
        return _org_page(request, org, error=str(exc), status=refusal_status(exc))
    messages.success(request, success)
    return redirect("network:org", org.pk)


@require_POST
@requires(KEEP_SOCIAL_ORGS)
def org_profile(request, pk):
    p = request.POST
    return _step(request, pk, lambda org: services.org_profile(
        organisation=org, field_code=p.get("field", ""), founded_on=p.get("founded_on", ""),
        purpose=p.get("purpose", ""), version=p.get("version"), by=request.user), "档案已保存")


@require_POST
@requires(KEEP_SOCIAL_ORGS)
def member_add(request, pk):
    p = request.POST
    return _step(request, pk, lambda org: services.member_add(
        organisation=org, name=p.get("member_name", ""), role=p.get("member_role", ""),
        joined_on=p.get("joined_on", ""), by=request.user), "成员已添加")


@require_POST
@requires(KEEP_SOCIAL_ORGS)
def member_leave(request, pk, member_pk):
    def act(org):
        member = OrgMember.objects.filter(pk=member_pk, org__organisation=org).first()
        if member is None:
            raise Http404(selectors.NOT_FOUND)
        services.member_leave(member=member, left_on=request.POST.get("left_on", ""), by=request.user)
    return _step(request, pk, act, "已登记该成员退出")


@require_POST
@requires(KEEP_SOCIAL_ORGS)
def filing(request, pk, step):
    p = request.POST

    def act(org):
        if step == "apply":
            return services.filing_apply(organisation=org, applicant=p.get("applicant", ""), by=request.user)
        f = Filing.objects.filter(org__organisation=org, state__in=[FilingState.APPLIED, FilingState.OPINED]).first()
        if f is None:
            raise RuleError("该组织没有未办结的备案申请")
        if step == "opinion":
            return services.filing_opinion(filing=f, version=p.get("version"), opinion=p.get("opinion", ""),
                                           by=request.user)
        if step in ("file", "refuse"):
            return services.filing_decide(filing=f, version=p.get("version"), accept=step == "file",
                                          note=p.get("note", ""), by=request.user)
        raise Http404(selectors.NOT_FOUND)
    labels = {"apply": "备案申请已提交", "opinion": "社区意见已出具", "file": "已备案", "refuse": "已作出不予备案决定"}
    if step not in labels:
        raise Http404(selectors.NOT_FOUND)
    return _step(request, pk, act, labels[step])


@require_POST
@requires(KEEP_SOCIAL_ORGS)
def incubation(request, pk, step):
    p = request.POST
    actions = {
        "enter": (lambda org: services.incubation_enter(organisation=org, base=p.get("base", ""),
                                                        entered_on=p.get("entered_on", ""), by=request.user),
                  "已入驻孵化基地"),
        "support": (lambda org: services.incubation_support(
            organisation=org, kind=p.get("support_kind", ""), given_on=p.get("given_on", ""),
            amount=p.get("amount", ""), note=p.get("support_note", ""), by=request.user), "已记录孵化支持"),
        "graduate": (lambda org: services.incubation_graduate(
            organisation=org, graduated_on=p.get("graduated_on", ""), outcome=p.get("outcome", ""),
            by=request.user), "已出壳"),
    }
    if step not in actions:
        raise Http404(selectors.NOT_FOUND)
    return _step(request, pk, actions[step][0], actions[step][1])


@require_POST
@requires(KEEP_SOCIAL_ORGS)
def staff_bind(request, pk):
    return _step(request, pk, lambda org: services.staff_bind(
        organisation=org, username=request.POST.get("username", ""), by=request.user), "已绑定服务机构账号")


@require_POST
@requires(KEEP_SOCIAL_ORGS)
def staff_end(request, pk, staff_pk):
    def act(org):
        staff = ProviderStaff.objects.filter(pk=staff_pk, organisation=org).first()
        if staff is None:
            raise Http404(selectors.NOT_FOUND)
        services.staff_end(staff=staff, by=request.user)
    return _step(request, pk, act, "已解除绑定")

