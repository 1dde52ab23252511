"""The community-worker yearly review pages (P-EVAL-3): the street's table of its workers with the
residents' score, its own score, the combined score and the finalise action (and its Excel), and the
worker's page of their own final results. standards/worker_review.py holds the rules."""
from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import User
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.exports import xlsx_response
from gongzhi.core.permissions import requires
from gongzhi.places.models import Level, Place
from gongzhi.places.selectors import access_place
from gongzhi.standards import packs
from gongzhi.standards import worker_review as wr
from gongzhi.standards.access import posted_version
from gongzhi.standards.manifest import REVIEW_WORKERS, VIEW_OWN_REVIEW

ERR_MAY_NOT = "只有街道(镇)干部和区(县)管理员可以评价社区工作者"
ERR_NOT_WORKER_ROLE = "只有社区工作者和网格员有年度评价"
ERR_NO_STREET = "您的岗位下没有街道(镇)"
MAX_ID = 2 ** 63 - 1
HEADER = ("年度", "社区", "网格", "姓名", "岗位", "群众满意度得分", "群众评价份数", "样本", "街道评分", "街道评语",
          "综合得分", "群众权重", "街道权重", "权重来源", "状态")


def _all_packs():
    return [packs.load_pack(p) for p in sorted(packs.PACK_DIR.glob("*.yaml"))]


def _pack(request, street: Place):
    """The pack named by the form or the link, else the street's own locality's pack (none: the platform
    default). An unknown name is a mistake the caller can fix (ReviewError)."""
    pack_id = (request.POST.get("pack") if request.method == "POST" else None) or request.GET.get("pack") or ""
    if pack_id == "-":
        return None
    if pack_id:
        try:
            return packs.load(pack_id)
        except packs.PackError:
            raise wr.ReviewError(wr.ERR_PACK.format(pack=pack_id[:40])) from None
    return wr.local_pack(street)


def _street(scope, code: str | None) -> Place | None:
    """The street asked for (404 outside the caller's posts), else the first under them."""
    if code:
        place = access_place(scope, code)
        if place.level != Level.STREET:
            raise Http404("未找到或无权访问")
        return place
    return scope.places().filter(level=Level.STREET).order_by("code").first()


def _year_or_default(value):
    """(year, error): a missing year is last year's review; a bad one is reported on the page."""
    if value in (None, ""):
        return timezone.localdate().year - 1, None
    try:
        return wr.check_year(value), None
    except wr.ReviewError as exc:
        return None, str(exc)


def _context(request, street, year, pack, error=None):
    scope = request.scope
    weights = wr.weights_for(pack)
    rows = wr.street_rows(street=street, year=year, weights=weights) if street is not None and year else []
    streets = list(scope.places().filter(level=Level.STREET).order_by("code")[:200])
    chart = {"names": [f"{r['name']}({r['place'].name})" for r in rows],
             "residents": [float(r["residents_score"]) if r["residents_score"] is not None else None for r in rows],
             "street": [float(r["street_score"]) if r["street_score"] is not None else None for r in rows],
             "combined": [float(r["combined"]) if r["combined"] is not None else None for r in rows]}
    return {"street": street, "streets": streets, "year": year, "pack": pack, "packs": _all_packs(),
            "weights": weights, "rows": rows, "error": error, "chart": chart,
            "years": list(range(timezone.localdate().year, wr.FIRST_YEAR - 1, -1))[:10],
            "final_count": sum(1 for r in rows if r["final"])}


@requires(REVIEW_WORKERS, refusal=ERR_MAY_NOT)
def worker_list(request):
    street = _street(request.scope, request.GET.get("street"))
    year, error = _year_or_default(request.GET.get("year"))
    try:
        pack = _pack(request, street) if street is not None else None
    except wr.ReviewError as exc:
        pack, error = None, str(exc)
    ctx = _context(request, street, year if not error else None, pack, error)
    ctx["year"] = year or ""
    return render(request, "standards/workers.html", ctx, status=422 if error else 200)


@requires(REVIEW_WORKERS, refusal=ERR_MAY_NOT)
def worker_export(request):
    street = _street(request.scope, request.GET.get("street"))
    year, error = _year_or_default(request.GET.get("year"))
    try:
        pack = _pack(request, street) if street is not None else None
    except wr.ReviewError as exc:
        error = str(exc)
    if error or street is None:
        ctx = _context(request, street, None, None, error or ERR_NO_STREET)
        return render(request, "standards/workers.html", ctx, status=422)
    rows = wr.street_rows(street=street, year=year, weights=wr.weights_for(pack))
    lines = [(year, r["community"].name, r["place"].name if r["place"].level == Level.GRID else "", r["name"], r["post"],
              r["residents_score"], r["n"], "充足" if r["sufficient"] else "样本不足", r["street_score"], r["comment"],
              r["combined"], r["weights"].residents, r["weights"].street,
              r["weights"].pack_title if r["weights"].from_pack else "平台默认", "已定稿" if r["final"] else "草稿")
             for r in rows]
    return xlsx_response(filename=f"社区工作者年度评价-{street.name}-{year}.xlsx", prefix="worker-review",
                         sheets=[("年度评价", HEADER, lines)])


def _worker(user_id: int):
    if not 0 < user_id <= MAX_ID:
        return None
    return User.objects.filter(pk=user_id).first()


@requires(REVIEW_WORKERS, refusal=ERR_MAY_NOT)
@require_POST
def worker_review(request, user_id: int, code: str):
    """Save the street's score of one worker at one post (action=save) or save and finalise (action=final).
    A post outside the caller's streets is 404; bad input 422 and a stale form 409, on the page, nothing written."""
    scope = request.scope
    place = access_place(scope, code)
    if place.level not in (Level.COMMUNITY, Level.GRID):
        raise Http404("未找到或无权访问")
    community = place.parent if place.level == Level.GRID else place
    street = Place.objects.get(pk=community.parent_id)
    year_text = request.POST.get("year") or request.GET.get("year")
    pack, status, error = None, 200, None
    try:
        pack = _pack(request, street)
        with transaction.atomic():
            review = wr.review_save(year=year_text, worker=_worker(user_id), place=place,
                                    street_score=request.POST.get("street_score"),
                                    comment=request.POST.get("comment", ""), version=posted_version(request),
                                    by=request.user)
            if request.POST.get("action") == "final":
                review = wr.review_finalise(review_id=review.pk, version=review.version, weights=wr.weights_for(pack),
                                            by=request.user)
    except ConflictError as exc:
        status, error = 409, str(exc)
    except RuleError as exc:
        status, error = 422, str(exc)
    if error:
        try:
            year = wr.check_year(year_text)
        except wr.ReviewError:
            year = None
        ctx = _context(request, street, year, pack, error)
        return render(request, "standards/workers.html", ctx, status=status)
    messages.success(request, f"已定稿:{review.worker}" if review.state == "final" else f"已保存:{review.worker}")
    query = {"street": street.code, "year": review.year}
    if request.POST.get("pack"):
        query["pack"] = request.POST["pack"]
    return redirect(f"{reverse('standards:workers')}?{urlencode(query)}")


@requires(VIEW_OWN_REVIEW, refusal=ERR_NOT_WORKER_ROLE)
def my_reviews(request):
    """The caller's own final results: only their own rows are read (no one else's, no resident's)."""
    rows = wr.own_rows(request.user)
    chart = {"years": [r["year"] for r in reversed(rows)],
             "combined": [float(r["combined"]) if r["combined"] is not None else None for r in reversed(rows)]}
    return render(request, "standards/my_reviews.html", {"rows": rows, "chart": chart})
