"""Organisations' yearly ratings: the street's table of a year (each organisation of the caller's scope with
its parts, score, grade and state) and its xlsx; saving and finalising on the organisation's page."""
from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.exports import xlsx_response
from gongzhi.core.permissions import requires
from gongzhi.network import ratings, selectors
from gongzhi.network.manifest import KEEP_SOCIAL_ORGS, VIEW_NETWORK
from gongzhi.network.models import OrgRating
from gongzhi.network.views import _step

HEADER = ("年度", "组织名称", "社区", "登记状态", "终期评估项目数", "项目平均评分", "居民平均满意度(%)",
          "经核实的投诉(件)", "总分", "等级", "状态", "评定意见", "定级日期")


def _year(params) -> int:
    raw = (params.get("year") or "").strip()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _rows(scope, y: int):
    return OrgRating.objects.filter(organisation__in=selectors.organisations_in(scope).values("pk"),
                                    year=y).select_related("organisation__community").order_by(
        "organisation__community__code", "-score", "organisation__name")


@requires(VIEW_NETWORK)
def rating_list(request):
    y = _year(request.GET)
    rows = list(_rows(request.scope, y)[:500])
    return render(request, "network/ratings.html", {"rows": rows, "year": y, "years": range(
        timezone.localdate().year, timezone.localdate().year - 6, -1), "provider": selectors.is_provider(request.scope)})


@requires(VIEW_NETWORK)
def rating_export(request):
    y = _year(request.GET)
    regs = {"registered": "已登记", "filed": "已备案", "none": "未登记"}

    def rows():
        for r in _rows(request.scope, y).iterator(chunk_size=1000):
            yield (r.year, r.organisation.name, r.organisation.community.name,
                   regs.get(r.registration, r.registration), r.projects_closed, float(r.mean_score),
                   float(r.mean_satisfaction), r.complaints, float(r.score), r.grade, r.get_state_display(), r.note,
                   r.finalised_on.isoformat() if r.finalised_on else "")
    return xlsx_response(filename=f"社会组织等级评定-{y}.xlsx", prefix="network",
                         sheets=[(f"{y} 年度", HEADER, rows())])


@require_POST
@requires(KEEP_SOCIAL_ORGS)
def rating_step(request, pk, step):
    p = request.POST
    if step == "save":
        return _step(request, pk, lambda org: ratings.rating_save(
            organisation=org, year_value=p.get("year"), note=p.get("note", ""),
            version=p.get("version"), by=request.user), "等级评定已保存")
    if step == "finalise":
        return _step(request, pk, lambda org: ratings.rating_finalise(
            organisation=org, year_value=p.get("year"), version=p.get("version"), by=request.user), "已定级")
    from django.http import Http404
    raise Http404(selectors.NOT_FOUND)
