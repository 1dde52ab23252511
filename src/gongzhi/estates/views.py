"""Pages of the estates' register: the estates of the caller's places with how each is managed, an
estate's page (management mode, contracts, owners' committee, meetings, evaluations, complaints), the
contract form, the firms with their managers and credit. Thin: reads through selectors, writes
through services; a broken rule re-renders the form with the Chinese message (422), nothing written."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import requires
from gongzhi.estates import firms
from gongzhi.estates import selectors as sel
from gongzhi.estates import services as svc
from gongzhi.estates.manifest import (
    FILE_COMMITTEES, MANAGE_BLACKLIST, MANAGE_ESTATES, RUN_ESTATE_MEETINGS, VIEW_ESTATES,
)
from gongzhi.estates.models import (
    Contract, CreditRecord, EstateMeeting, EstateProfile, Evaluation, ManagementMode, OwnersCommittee, ProjectManager,
    PropertyFirm,
)
from gongzhi.people.models import OrgKind, Organisation

PER_PAGE = 30
EXPIRY_WARNING = dt.timedelta(days=90)  # the estate page flags a contract this close to its end
ERR_DATE = "「{field}」应为 yyyy-mm-dd 格式的日期"
ERR_NUMBER = "「{field}」应为不超过 9 位的整数"
ERR_PICK = "请选择{what}"


def parse_date(value, field: str, *, required: bool = True) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise RuleError(svc.ERR_REQUIRED.format(field=field))
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RuleError(ERR_DATE.format(field=field)) from None


def parse_int(value, field: str, *, required: bool = False) -> int | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise RuleError(svc.ERR_REQUIRED.format(field=field))
        return None
    if not value.isdigit() or len(value) > 9:
        raise RuleError(ERR_NUMBER.format(field=field))
    return int(value)


def may(request, capability, estate) -> bool:
    """Does a post granting `capability` hold the estate (its community, or its grid)?"""
    return any(capability.granted_to(a.role) and (estate.community.is_within(a.place) or (
        estate.grid_id is not None and estate.grid.is_within(a.place))) for a in request.scope.all_assignments)


def _estate_for(request, capability, pk):
    """The estate `pk` when the caller holds `capability` over it; 404 outside, 403 without the capability."""
    estate = sel.access_estate(request.scope, pk)
    if not may(request, capability, estate):
        raise PermissionDenied("您无权对该小区进行此操作")
    return estate


# -- estates -----------------------------------------------------------------------------------------
@requires(VIEW_ESTATES)
def estate_list(request):
    qs = sel.estates_in(request.scope).order_by("community__code", "name")
    mode = request.GET.get("mode") or ""
    if mode in ManagementMode.values:
        if mode == ManagementMode.NONE:
            qs = qs.exclude(property_profile__mode__in=[m for m in ManagementMode.values if m != mode])
        else:
            qs = qs.filter(property_profile__mode=mode)
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE, related=("community",))
    estates = list(page.object_list)
    profiles = {p.estate_id: p for p in EstateProfile.objects.filter(estate__in=estates)}
    today = timezone.localdate()
    contracts = {}
    for c in Contract.objects.filter(estate__in=estates, starts_on__lte=today, ends_on__gte=today).select_related(
            "firm"):
        if c.current_on(today):
            contracts[c.estate_id] = c
    committees = {c.estate_id: c for c in OwnersCommittee.objects.filter(estate__in=estates).order_by("elected_on")}
    for e in estates:
        e.profile, e.contract, e.committee = profiles.get(e.pk), contracts.get(e.pk), committees.get(e.pk)
    return render(request, "estates/list.html", {
        "page": page, "estates": estates, "modes": ManagementMode.choices, "mode": mode,
        "querystring_prefix": f"mode={mode}&" if mode else ""})


@requires(VIEW_ESTATES)
def estate_detail(request, pk):
    return _detail(request, sel.access_estate(request.scope, pk))


def _detail(request, estate, *, error="", status=200):
    profile = svc.profile_of(estate)
    contracts = list(Contract.objects.filter(estate=estate).select_related("firm", "manager"))
    today = timezone.localdate()
    for c in contracts:
        c.is_current = c.current_on(today)
        # a running contract within EXPIRY_WARNING of its end: time to renew or to tender again
        c.days_left = (c.ends_on - today).days if c.is_current and c.ended_on is None else None
        c.expiring = c.days_left is not None and c.days_left <= EXPIRY_WARNING.days
    latest = max(contracts, key=lambda c: c.last_day, default=None)
    from gongzhi.estates import complaints
    return render(request, "estates/estate.html", {
        "estate": estate, "profile": profile, "contracts": contracts, "error": error,
        "renewable": latest if latest is not None and latest.ended_on is None else None,
        "committees": list(OwnersCommittee.objects.filter(estate=estate)),
        "meetings": list(EstateMeeting.objects.filter(estate=estate)[:20]),
        "evaluations": list(Evaluation.objects.filter(estate=estate).select_related("survey", "firm")),
        "complaints": complaints.for_estate(estate, today.year),
        "modes": ManagementMode.choices,
        "stewards": list(Organisation.objects.filter(community=estate.community, kind=OrgKind.SOCIAL_ORG,
                                                     active=True).order_by("name")[:100]),
        "can_manage": may(request, MANAGE_ESTATES, estate),
        "can_meet": may(request, RUN_ESTATE_MEETINGS, estate),
        "can_file": may(request, FILE_COMMITTEES, estate),
        "this_year": today.year,
    }, status=status)


@requires(MANAGE_ESTATES)
@require_POST
def profile_edit(request, pk):
    estate = _estate_for(request, MANAGE_ESTATES, pk)
    p = request.POST
    try:
        steward = None
        if p.get("mode") == ManagementMode.SOCIAL_ORG:
            steward_id = parse_int(p.get("steward"), "托管的社会组织")
            steward = Organisation.objects.filter(pk=steward_id, community=estate.community).first() \
                if steward_id else None
        svc.profile_set(estate=estate, version=parse_int(p.get("version"), "版本", required=True) or 0,
                        by=request.user, mode=p.get("mode", ""), old_estate=p.get("old_estate") == "on",
                        built_year=parse_int(p.get("built_year"), "建成年份"), steward=steward,
                        note=p.get("note", ""))
    except (RuleError, ConflictError) as exc:
        return _detail(request, estate, error=str(exc), status=422 if isinstance(exc, RuleError) else 409)
    messages.success(request, "管理方式已保存")
    return redirect("estates:estate", estate.pk)


@requires(MANAGE_ESTATES)
def contract_new(request, pk):
    """登记新合同, or 续签 (`?renew=<contract>`): the form starts from the estate's contract, the day after it
    ends, for as long again; contract_create's rules (blacklist, overlap, fees) apply to a renewal alike."""
    estate = _estate_for(request, MANAGE_ESTATES, pk)
    firms = list(PropertyFirm.objects.order_by("name")[:500])
    managers = list(ProjectManager.objects.filter(until__isnull=True).select_related("firm")
                    .order_by("firm__name", "name")[:2000])
    error, values = "", request.POST if request.method == "POST" else {}
    renewing = None
    if request.method != "POST" and (request.GET.get("renew") or "").isdigit() and len(request.GET["renew"]) < 12:
        renewing = Contract.objects.filter(estate=estate, pk=int(request.GET["renew"])).first()
        if renewing is not None:
            starts = renewing.last_day + dt.timedelta(days=1)
            values = {"firm": str(renewing.firm_id), "manager": str(renewing.manager_id),
                      "starts_on": starts.isoformat(),
                      "ends_on": (starts + (renewing.ends_on - renewing.starts_on)).isoformat(),
                      "fee_residential": str(renewing.fee_residential),
                      "fee_commercial": "" if renewing.fee_commercial is None else str(renewing.fee_commercial),
                      "fee_note": renewing.fee_note}
    if request.method == "POST":
        p = request.POST
        try:
            firm_id = parse_int(p.get("firm"), "物业企业")
            firm = PropertyFirm.objects.filter(pk=firm_id).first() if firm_id else None
            if firm is None:
                raise RuleError(ERR_PICK.format(what="物业企业"))
            manager_id = parse_int(p.get("manager"), "项目经理")
            manager = ProjectManager.objects.filter(pk=manager_id).first() if manager_id else None
            if manager is None:
                raise RuleError(ERR_PICK.format(what="项目经理"))
            contract = svc.contract_create(
                estate=estate, firm=firm, manager=manager, starts_on=parse_date(p.get("starts_on"), "起始日期"),
                ends_on=parse_date(p.get("ends_on"), "终止日期"), fee_residential=p.get("fee_residential"),
                fee_commercial=p.get("fee_commercial"), fee_note=p.get("fee_note", ""), by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, f"已登记「{contract.firm.name}」的物业服务合同")
            return redirect("estates:estate", estate.pk)
    return render(request, "estates/contract_new.html", {
        "estate": estate, "firms": firms, "managers": managers, "error": error, "values": values,
        "renewing": renewing}, status=422 if error else 200)


@requires(MANAGE_ESTATES)
@require_POST
def contract_end(request, pk):
    """提前终止 a running contract of an estate the caller manages, with the day and the reason."""
    contract = Contract.objects.filter(pk=sel._pk(pk), estate__in=sel.estates_in(request.scope).values("pk")) \
        .select_related("estate", "firm").first()
    if contract is None:
        raise Http404(sel.NOT_FOUND)
    try:
        svc.contract_end(contract=contract, ended_on=parse_date(request.POST.get("ended_on"), "终止日期"),
                         reason=request.POST.get("reason", ""), by=request.user)
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已终止「{contract.firm.name}」的物业服务合同")
    return redirect("estates:estate", contract.estate_id)


# -- firms ------------------------------------------------------------------------------------------
@requires(VIEW_ESTATES)
def firm_list(request):
    firms = list(PropertyFirm.objects.order_by("name")[:500])
    year = timezone.localdate().year
    credit = {r.firm_id: r for r in CreditRecord.objects.filter(firm__in=firms).order_by("year")}
    listed = {e.firm_id: e for e in svc.blacklist_active().filter(firm__in=firms)}
    in_scope = set(sel.contracts_in(request.scope).values_list("firm_id", flat=True))
    for f in firms:
        f.score_record, f.listed_entry, f.mine = credit.get(f.pk), listed.get(f.pk), f.pk in in_scope
    return render(request, "estates/firms.html", {
        "firms": firms, "year": year, "can_add": request.scope.can(MANAGE_ESTATES),
        "can_blacklist": request.scope.can(MANAGE_BLACKLIST)})


@requires(VIEW_ESTATES)
def firm_detail(request, pk):
    firm = sel.access_firm(pk)
    managers = list(firm.managers.all())
    credit = {(r.manager_id): r for r in CreditRecord.objects.filter(manager__in=managers).order_by("year")}
    listed = {e.manager_id: e for e in svc.blacklist_active().filter(manager__in=managers)}
    for m in managers:
        m.score_record, m.listed_entry = credit.get(m.pk), listed.get(m.pk)
    return render(request, "estates/firm.html", {
        "firm": firm, "managers": managers,
        "contracts": list(sel.contracts_in(request.scope).filter(firm=firm).select_related("estate", "manager",
                                                                                           "community")),
        "credit": CreditRecord.objects.filter(firm=firm).order_by("-year").first(),
        "listed": svc.blacklisted(firm=firm),
        "history": list(firm.blacklist.all()),
        "staff": [s for s in firm.staff.filter(ended_on__isnull=True).select_related("user").order_by("started_on", "pk")
                  if any(request.scope.contains(p.place) for p in firms.provider_posts(s.user))],
        "can_add": request.scope.can(MANAGE_ESTATES), "can_blacklist": request.scope.can(MANAGE_BLACKLIST)})


@requires(MANAGE_ESTATES)
def firm_new(request):
    error = ""
    if request.method == "POST":
        try:
            firm = svc.firm_create(name=request.POST.get("name", ""), credit_code=request.POST.get("credit_code", ""),
                                   address=request.POST.get("address", ""), by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, f"已登记物业企业「{firm.name}」")
            return redirect("estates:firm", firm.pk)
    return render(request, "estates/firm_new.html", {"error": error, "values": request.POST},
                  status=422 if error else 200)


@requires(MANAGE_ESTATES)
@require_POST
def manager_add(request, pk):
    firm = sel.access_firm(pk)
    try:
        svc.manager_add(firm=firm, name=request.POST.get("name", ""),
                        certificate_no=request.POST.get("certificate_no", ""),
                        since=parse_date(request.POST.get("since"), "入职日期", required=False))
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已添加项目经理")
    return redirect("estates:firm", firm.pk)

