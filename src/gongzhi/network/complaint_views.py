"""Complaints about social organisations' services (network/complaints.py): attributed on a work order's own
page by the community, found founded or not on the organisation's page by the street."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongzhi.core.errors import RuleError
from gongzhi.core.forms import refusal_status
from gongzhi.core.permissions import requires
from gongzhi.network import complaints, selectors
from gongzhi.network.manifest import KEEP_SOCIAL_ORGS, MANAGE_SERVICE_PROJECTS
from gongzhi.network.models import OrgComplaint
from gongzhi.network.views import _step


def _order(request, pk):
    from gongzhi.workorders.manifest import VIEW_ORDERS
    from gongzhi.workorders.selectors import access_order
    order = access_order(request.scope.for_capability(VIEW_ORDERS), pk)
    if order.community is None or not request.scope.contains(order.community):
        raise Http404(selectors.NOT_FOUND)
    return order


@requires(MANAGE_SERVICE_PROJECTS)
def complaint_new(request, order_pk):
    """记为对社会组织的投诉: a work order of the caller's community attributed to an organisation."""
    order = _order(request, order_pk)
    existing = OrgComplaint.objects.filter(work_order=order).select_related("organisation").first()
    data = request.POST if request.method == "POST" else {"note": order.title[:300]}
    error, status = "", 200
    if request.method == "POST" and existing is None:
        try:
            complaints.complaint_attribute(order=order, organisation_id=data.get("organisation"),
                                           note=data.get("note", ""), by=request.user)
        except RuleError as exc:
            error, status = str(exc), refusal_status(exc)
        else:
            messages.success(request, "已记为对社会组织的投诉,待街道核实")
            return redirect("workorders:detail", order.pk)
    return render(request, "network/complaint_new.html", {
        "order": order, "existing": existing, "data": data, "error": error,
        "organisations": list(complaints.organisations_for(order.community)[:200])}, status=status)


@require_POST
@requires(KEEP_SOCIAL_ORGS)
def complaint_decide(request, pk, complaint_pk):
    """The street's finding on the organisation's page."""
    def decide(org):
        complaint = OrgComplaint.objects.filter(organisation=org, pk=complaint_pk if 0 < complaint_pk < 2**63 else 0
                                                ).first()
        if complaint is None:
            raise Http404(selectors.NOT_FOUND)
        p = request.POST
        return complaints.complaint_decide(complaint=complaint, state=p.get("state", ""), reason=p.get("reason", ""),
                                           version=p.get("version"), by=request.user)
    return _step(request, pk, decide, "投诉已核实")

