"""The property firm's own pages (estates.firms): its account sees what concerns its firm and appeals
online; the community or street binds and ends the firm's accounts on the firm's page."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.forms import refusal_status
from gongzhi.core.permissions import requires
from gongzhi.estates import complaints, firms
from gongzhi.estates import selectors as sel
from gongzhi.estates.manifest import ACT_FOR_FIRM, MANAGE_ESTATES
from gongzhi.estates.models import AppealState, CreditRecord, FirmStaff
from gongzhi.estates.views import parse_int


@requires(ACT_FOR_FIRM)
def firm_home(request, *, error: str = "", status: int = 200, posted=None):
    """本物业企业: per firm the account works for, its estates under contract in the post's places, this
    year's complaints about them with the time to rectify, the credit of the firm and its managers, and
    its blacklist entries (with the appeal form while none was made)."""
    today = timezone.localdate()
    blocks = []
    for firm in firms.firms_of(request.user):
        contracts = list(firms.contracts_of(request.scope, firm, today))
        estate_ids = [c.estate_id for c in contracts]
        orders = complaints.in_year(complaints.property_orders()
                                    .filter(household__dwelling__building__estate_id__in=estate_ids), today.year)
        recent = list(orders.select_related("household__dwelling__building__estate")
                      .order_by("-created_at")[:20])
        now = timezone.now()
        for o in recent:  # the estate and the state, never who complained
            o.estate_name = o.household.dwelling.building.estate.name if o.household_id else ""
            o.late = bool(o.due_at and (o.replied_at or now) > o.due_at)
        entries = list(firms.blacklist_of(firm))
        for e in entries:
            e.in_force = e.active_on(today)
            e.may_appeal = e.appeal_state == AppealState.NONE
        blocks.append({
            "firm": firm, "contracts": contracts, "counts": complaints.counts(orders), "recent": recent,
            "credit": CreditRecord.objects.filter(firm=firm).order_by("-year").first(),
            "manager_credit": list(CreditRecord.objects.filter(manager__firm=firm, year__gte=today.year - 1)
                                   .select_related("manager").order_by("-year", "score")),
            "entries": entries})
    return render(request, "estates/firm_home.html", {
        "blocks": blocks, "year": today.year, "error": error, "posted": posted or {}}, status=status)


@require_POST
@requires(ACT_FOR_FIRM)
def firm_appeal(request, pk):
    entry_id = sel._pk(pk)  # 404 beyond the database's integers
    if firms.access_entry(request.user, entry_id) is None:
        raise Http404(sel.NOT_FOUND)
    try:
        entry = firms.appeal_online(user=request.user, entry_id=entry_id,
                                    version=parse_int(request.POST.get("version"), "版本") or 0,
                                    appeal_text=request.POST.get("appeal_text", ""))
    except (RuleError, ConflictError) as exc:
        return firm_home(request, error=str(exc), status=refusal_status(exc), posted=request.POST)
    messages.success(request, f"已提交申诉({entry.subject_label}),处理结果将通知您")
    return redirect("estates:firm_home")


# -- the firm's accounts, kept by the community or street -------------------------------------------
@require_POST
@requires(MANAGE_ESTATES)
def firm_staff_bind(request, pk):
    firm = sel.access_firm(pk)
    try:
        staff = firms.staff_bind(firm=firm, username=request.POST.get("username", ""), scope=request.scope,
                                 by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已将账号「{staff.user.username}」设为「{firm.name}」的企业账号")
    return redirect("estates:firm", firm.pk)


@require_POST
@requires(MANAGE_ESTATES)
def firm_staff_end(request, pk):
    staff = FirmStaff.objects.filter(pk=sel._pk(pk)).select_related("firm", "user").first()
    # only the accounts whose provider post lies in the caller's places
    if staff is None or not any(request.scope.contains(p.place) for p in firms.provider_posts(staff.user)):
        raise Http404(sel.NOT_FOUND)
    firms.staff_end(staff=staff, by=request.user)
    messages.success(request, f"账号「{staff.user.username}」不再是「{staff.firm.name}」的企业账号")
    return redirect("estates:firm", staff.firm_id)
