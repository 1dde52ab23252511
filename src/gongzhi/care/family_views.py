"""Family accounts outside the household (家属): the relative's phone page (their linked elders' service orders
and visits, ordering, confirming and rating) and the community worker's link and unlink on the elder's care
page. The relative reads only through their open links; every view of an elder is written to the access log."""
from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.care import family, orders, selectors
from gongzhi.care.manifest import LINK_FAMILY
from gongzhi.care.models import FamilyLink, ServiceKind, ServiceOrder
from gongzhi.care.order_views import DONE, STEPS, _step, _step_done, _when
from gongzhi.care.views_common import flash, parse_date as _date, scoped_or_404
from gongzhi.core.access_log import access_log_write
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import own_records, requires


def _pk(value) -> int:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else 0


@own_records
def family_home(request):
    """家属 (phone): each linked elder's service orders and visits (date and condition only)."""
    elders = list(family.linked_elders(request.user).select_related("community").order_by("name", "pk"))
    for e in elders:
        e.orders = list(ServiceOrder.objects.filter(resident=e).select_related("station", "complaint")[:30])
        e.visit_rows = list(e.care_visits.order_by("-visited_on", "-id")[:10])
        e.stations = list(orders.stations_for(e).filter(active=True).order_by("level", "name")[:20])
        e.relation = FamilyLink.objects.filter(account=request.user, elder=e, ended_on__isnull=True).first()
        access_log_write(user=request.user, action=AccessAction.UNMASK, request=request,
                         target=f"{e.name}(关爱档案 #{e.pk})", detail="家属查看老人的服务工单和走访")
    return render(request, "care/family.html", {
        "elders": elders, "kinds": ServiceKind.choices,
        "now": (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})


@own_records
@require_POST
def family_order(request):
    elder = family.linked_elders(request.user).filter(pk=_pk(request.POST.get("elder"))).first()
    if elder is None:
        raise Http404("未找到或无权访问")
    station = orders.stations_for(elder).filter(pk=_pk(request.POST.get("station"))).first()
    return _step_done(request, lambda: orders.order_place(
        resident=elder, kind=request.POST.get("kind", ""), scheduled_for=_when(request.POST.get("scheduled_for")),
        note=request.POST.get("note", ""), by=request.user, station=station), f"已为{elder.name}预约服务,服务站会按时上门",
        redirect("care:family"))


@own_records
@require_POST
def family_step(request, pk, step):
    order = ServiceOrder.objects.filter(pk=pk if 0 < pk < 2**63 else 0,
                                        resident__in=family.linked_elders(request.user)).first()
    if order is None or step not in STEPS:
        raise Http404("未找到或无权访问")
    return _step_done(request, lambda: _step(request, order, step), DONE[step], redirect("care:family"))


# -- the community worker ------------------------------------------------------------------------
@requires(LINK_FAMILY)
@require_POST
def family_link_new(request, pk):
    elder = selectors.access_person(request.scope, pk)
    if request.POST.get("id_number", "").strip():
        access_log_write(user=request.user, action=AccessAction.LOOKUP, request=request,
                         target=f"家属账号(为{elder.name}关联)", detail="按姓名和公民身份号码查找家属")
    def done(link):
        if link.waiting_for_account:
            return (f"已关联{link.get_relation_display()}{link.relative_name}为{elder.name}的家属,"
                    f"已向尾号 {link.relative_phone_tail} 的手机发送开通方法;家属用本人手机打开"
                    f"“家属开通账号”({family.JOIN_PATH})开通后即可查看")
        return f"已关联{link.get_relation_display()}{link.relative_name}为{elder.name}的家属账号"
    return flash(request, lambda: family.family_link(
        elder=elder, name=request.POST.get("name", ""), id_number=request.POST.get("id_number", ""),
        relation=request.POST.get("relation", ""), consent_on=_date(request.POST.get("consent_on"), "老人同意日期"),
        consent_note=request.POST.get("consent_note", ""), by=request.user, phone=request.POST.get("phone", "")),
        done, f"/care/people/{elder.pk}/#family")


@requires(LINK_FAMILY)
@require_POST
def family_link_end(request, pk):
    link = scoped_or_404(request.scope, FamilyLink.objects.all(), pk)
    return flash(request, lambda: family.family_unlink(link=link, reason=request.POST.get("reason", ""), by=request.user),
                 "已解除家属关联,服务和走访记录保留", f"/care/people/{link.elder_id}/#family")


def panel(request, scope):
    """The resident's home: the elders linked to the caller as family (nothing for others)."""
    names = list(family.linked_elders(request.user).order_by("name").values_list("name", flat=True)[:5])
    return {"names": names} if names else None
