"""Two-way evaluation pages: the year's round, the forms a street or committee still has to fill,
and the results each caller may see (a department: its own, without raters)."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import Role
from gongzhi.admission import evaluation, selectors
from gongzhi.admission.manifest import KEEP_DUTIES, RATE_EVALUATION, VIEW_DUTIES
from gongzhi.admission.models import Direction, Evaluation, EvaluationRound
from gongzhi.core.errors import RuleError
from gongzhi.core.permissions import requires
from gongzhi.core.validators import has_control_characters
from gongzhi.places.models import Place


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@requires(VIEW_DUTIES)
def evaluation_home(request):
    scope = request.scope
    year = _year(request)
    locality = selectors.localities(scope)[0]
    rnd = EvaluationRound.objects.filter(locality=locality, year=year).first()
    forms, res = [], None
    if rnd is not None:
        today = timezone.localdate()
        open_now = rnd.opens_on <= today <= rnd.closes_on
        for post in scope.for_capability(RATE_EVALUATION).assignments:
            done = set(Evaluation.objects.filter(round=rnd, rater_place=post.place)
                       .values_list("direction", "target_place_id", "target_department"))
            for direction, place, dept, label in evaluation.targets_for(post):
                key = (direction, place.pk if place else None, dept)
                forms.append({"post": post, "direction": direction, "direction_label": Direction(direction).label,
                              "place": place, "department": dept, "label": label, "done": key in done,
                              "questions": rnd.form.get(direction, []), "open": open_now})
        res = _visible_results(scope, rnd)
    default_form = [(str(d), Direction(d).label, "\n".join(q)) for d, q in evaluation.DEFAULT_FORM.items()]
    return render(request, "admission/evaluation.html", {
        "year": year, "rnd": rnd, "forms": forms, "results": res, "can_open": scope.can(KEEP_DUTIES),
        "default_form": default_form,
        "locality": locality, "min_raters": evaluation.MIN_RATERS})


def _visible_results(scope, rnd) -> dict:
    r = evaluation.results(rnd)
    admin = any(a.role == Role.ADMIN for a in scope.assignments)
    if admin:
        return r
    places = [p for p in r["places"] if any(Place.objects.get(pk=p["place_id"]).is_within(sp)
                                           for sp in scope.staff_places)]
    own = {a.department for a in scope.assignments if a.role == Role.DEPARTMENT and a.department}
    return {"places": places, "departments": [d for d in r["departments"] if d["department"] in own]}


@requires(KEEP_DUTIES)
@require_POST
def evaluation_open(request):
    locality = selectors.localities(request.scope)[0]
    try:
        opens = dt.date.fromisoformat(request.POST.get("opens_on", ""))
        closes = dt.date.fromisoformat(request.POST.get("closes_on", ""))
    except ValueError:
        messages.error(request, "请填写评价的开始日期和截止日期")
        return redirect("admission:evaluation")
    try:
        form = {str(d): (request.POST.get(f"form_{d}") or "").splitlines() for d in Direction.values
                if (request.POST.get(f"form_{d}") or "").strip()}
        evaluation.round_open(locality=locality, year=_year(request), opens_on=opens, closes_on=closes,
                              by=request.user, form=form)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已开启双向评价")
    return redirect(f"/duties/evaluation/?year={_year(request)}")


@requires(RATE_EVALUATION)
@require_POST
def evaluation_rate(request):
    year = _year(request)
    posts = {a.place.code: a for a in request.scope.assignments}
    post = posts.get(request.POST.get("rater", ""))
    if post is None:
        raise Http404(selectors.NOT_FOUND)
    code = request.POST.get("target_place") or "-"
    target = None if has_control_characters(code) else Place.objects.filter(code=code).first()  # NUL: no place
    try:
        rnd = EvaluationRound.objects.filter(locality=selectors.district_of(post.place), year=year).first()
        n = len((rnd.form if rnd else {}).get(request.POST.get("direction", ""), []))
        evaluation.evaluate(post=post, year=year, direction=request.POST.get("direction", ""), target_place=target,
                            target_department=request.POST.get("target_department", ""),
                            scores=[request.POST.get(f"q{i}") for i in range(n)],
                            comment=request.POST.get("comment", ""), by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "评价已提交")
    return redirect(f"/duties/evaluation/?year={year}")
