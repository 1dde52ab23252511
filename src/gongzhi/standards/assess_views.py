"""Assessment pages: start a run (it runs on the job queue and the page
shows its progress), the summary with district/street targets as charts, the
compliance matrix, a community's scorecard (page and PDF), the xlsx export."""
from __future__ import annotations


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongzhi.core.access_log import access_log_write
from gongzhi.core.permissions import public, requires
from gongzhi.places.models import Level
from gongzhi.places.selectors import access_place, lineage_names
from gongzhi.standards import assess, export, packs, results
from gongzhi.standards.manifest import PUBLISH_RESULTS, RUN_ASSESSMENTS, VIEW_ASSESSMENTS
from gongzhi.standards.metrics import METRICS
from gongzhi.standards.models import Grade, RunStatus

ERR_MAY_NOT_ASSESS = "只有区(县)管理员和街道干部可以发起评估"
ERR_DEPARTMENT = "社区评估由街道(镇)和区统一组织,职能部门不另行考核社区(P-DUTY-4)"
DEFAULT_PACK = "yixing-2019"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _default(pack_ids: list[str]) -> str:
    """The pack a page opens with: the home locality's if it is among them."""
    return DEFAULT_PACK if DEFAULT_PACK in pack_ids or not pack_ids else pack_ids[0]


def _all_packs():
    return [packs.load_pack(p) for p in sorted(packs.PACK_DIR.glob("*.yaml"))]


def _launch(run) -> None:
    """The run goes on the job queue (core/jobs.py), so a district-wide assessment neither blocks a
    server worker nor dies with one: a `gongzhi worker` on any node runs it."""
    from gongzhi.standards.tasks import run_assessment
    run_assessment.enqueue(run.pk)


@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def run_list(request):
    scope = request.scope
    # a run may be started only over the places of the posts that may assess (not a grid post held beside)
    assessing = scope.for_capability(RUN_ASSESSMENTS)
    error = None
    places = list(assessing.places().filter(level__in=[Level.DISTRICT, Level.STREET]).order_by("code")[:200])
    if request.method == "POST":
        if not assessing:
            raise PermissionDenied(ERR_MAY_NOT_ASSESS)
        try:
            pack = packs.load(request.POST.get("pack", ""))
            place = access_place(assessing, request.POST.get("scope", ""))
            if place.level not in (Level.DISTRICT, Level.STREET):
                raise ValueError(assess.ERR_SCOPE)
            period = assess.check_period(int(request.POST.get("period") or 0))
            run = assess.start(pack=pack, period=period, scope=place, by=request.user)
        except (packs.PackError, ValueError) as exc:
            error = "年度应为数字" if "invalid literal" in str(exc) else str(exc)
        else:
            _launch(run)
            return redirect("standards:run", run_id=run.pk)
    runs = _with_cover(scope, results.runs_visible(scope).select_related("scope", "started_by")[:50])
    all_packs = _all_packs()
    return render(request, "standards/run_list.html", {
        "runs": runs, "packs": all_packs, "places": places, "may_assess": bool(assessing), "error": error,
        "year": timezone.localdate().year, "q": request.POST,
        "default_pack": _local_pack(all_packs, places)}, status=400 if error else 200)


def _local_pack(all_packs, places) -> str:
    """The pack whose locality is where the caller assesses (a place or one of its ancestors), or none:
    another locality's rules are never the default."""
    names = lineage_names(places)
    return next((p.id for p in all_packs if p.source.get("locality") in names), "")


@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def run_detail(request, run_id):
    scope = request.scope
    run = results.access_run(scope, run_id)
    if request.htmx and run.status == RunStatus.RUNNING:
        return render(request, "standards/_run_progress.html", {"run": run})
    if run.status != RunStatus.DONE:
        template = "standards/_run_progress.html" if request.htmx else "standards/run_progress.html"
        return render(request, template, {"run": run})
    if request.htmx:  # the progress fragment asked and the run has finished: load the full page
        response = HttpResponse()
        response["HX-Redirect"] = request.path
        return response
    pack = assess.pack_of(run)
    view = results.overview(scope, run, pack)
    grades = view["grades"]
    targets = results.targets_for(scope, run)
    chart = {"grades": grades, "columns": [i["title"] for i in view["columns"]], "pass_rates": view["pass_rates"],
             "targets": [{"title": t["title"], "share": t["share"], "min": t["share_min"],
                          "streets": t["streets"]} for t in targets if t.get("over") != "scope"]}
    return render(request, "standards/run_detail.html", {
        "run": run, "pack": pack, "view": view, "grades": grades, "targets": targets, "chart": chart,
        "may_publish": scope.for_capability(PUBLISH_RESULTS).contains(run.scope),
        "pack_changed": assess.pack_changed(run),
        "may_rerun": bool(scope.for_capability(RUN_ASSESSMENTS).contains(run.scope)),
        "history": _with_cover(scope, results.runs_visible(scope).filter(pack_id=run.pack_id, status=RunStatus.DONE)
                               .select_related("scope").order_by("-period", "-finished_at")[:10])})


def _with_cover(scope, runs) -> list:
    """Runs marked `covered` when the caller's places hold the whole run: only then are its
    whole-run grade counts theirs to see (a community sees no figures of its siblings)."""
    runs = list(runs)
    for r in runs:
        r.covered = scope.contains(r.scope)
    return runs


@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def run_pack(request, run_id):
    """The pack exactly as the run used it (rules, thresholds, readings), whatever the file says today."""
    from gongzhi.standards.views import render_pack
    run = results.access_run(request.scope, run_id)
    return render_pack(request, assess.pack_of(run), kept_run=run, pack_changed=assess.pack_changed(run))


@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def matrix(request, run_id):
    scope = request.scope
    run = results.access_run(scope, run_id)
    if run.status != RunStatus.DONE:
        return redirect("standards:run", run_id=run.pk)
    pack = assess.pack_of(run)
    street, grade, sort = request.GET.get("street", ""), request.GET.get("grade", ""), request.GET.get("sort", "code")
    if request.GET.get("format") == "xlsx":  # the communities the filtered page lists
        return _xlsx(request, scope, run, pack, street=street, grade=grade)
    view = results.matrix(scope, run, pack, street=street, grade=grade, sort=sort, page=request.GET.get("page"))
    return render(request, "standards/matrix.html", {
        "run": run, "pack": pack, "view": view, "street": street, "grade": grade, "sort": sort,
        "grade_choices": [g.value for g in Grade], "page": view["page"], "count_label": "个社区",
        "querystring_prefix": f"street={street}&grade={grade}&sort={sort}&",
        "units": [METRICS[i["metric"]].unit for i in view["columns"]]})


def _xlsx(request, scope, run, pack, *, street: str = "", grade: str = ""):
    data = results.as_json(run, pack, places=results.matrix_places(scope, run, street=street, grade=grade))
    body = export.run_xlsx(run, pack, data, targets=results.targets_for(scope, run))
    shown = ";".join(x for x in (f"街道={street}" if street else "", f"等级={grade}" if grade else "") if x)
    access_log_write(user=request.user, action="export", target=f"评估 #{run.pk}", request=request,
                     detail=f"{pack.title} {run.period} 年评估结果 xlsx,{len(data['communities'])} 个社区"
                            + (f";筛选:{shown}" if shown else ""))
    name = f"{run.period}年社区评估-{pack.id}-{run.scope.name}.xlsx"
    return HttpResponse(body, content_type=XLSX, headers={"Content-Disposition": content_disposition_header(True, name)})


@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def scorecard(request, run_id, code):
    scope = request.scope
    run = results.access_run(scope, run_id)
    community = access_place(scope, code)
    if community.level != Level.COMMUNITY or run.status != RunStatus.DONE:
        raise Http404("未找到或无权访问")
    pack = assess.pack_of(run)
    card = results.scorecard(scope, community, pack, run)
    if request.GET.get("format") == "pdf":
        body = export.scorecard_pdf(run=run, pack=pack, community=community, card=card)
        name = f"{run.period}年评估记分卡-{community.name}.pdf"
        return HttpResponse(body, content_type="application/pdf",
                            headers={"Content-Disposition": content_disposition_header(True, name)})
    chart = {"periods": [t["period"] for t in card["trend"]], "scores": [t["score"] for t in card["trend"]]}
    return render(request, "standards/scorecard.html", {"run": run, "pack": pack, "community": community,
                                                        "card": card, "chart": chart})


@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def funding_table(request):
    """What each community in the caller's scope is due each year under a pack, with totals."""
    scope = request.scope
    all_packs = [p for p in _all_packs() if p.funding]
    pack_id = request.GET.get("pack") or _default([p.id for p in all_packs])
    try:
        pack = packs.load(pack_id)
    except packs.PackError:
        raise Http404("没有这个政策包") from None
    table = results.funding_table(scope, pack)
    if request.GET.get("format") == "xlsx":
        body = export.funding_xlsx(pack, table)
        access_log_write(user=request.user, action="export", target=f"经费测算 {pack.title}", request=request,
                         detail=f"{len(table['rows'])} 个社区")
        name = f"社区工作经费测算-{pack.id}.xlsx"
        return HttpResponse(body, content_type=XLSX,
                            headers={"Content-Disposition": content_disposition_header(True, name)})
    chart = {"streets": [s["street"].name for s in table["streets"]], "totals": [s["total"] for s in table["streets"]]}
    return render(request, "standards/funding.html", {"pack": pack, "packs": all_packs, "table": table,
                                                      "chart": chart})


@requires(VIEW_ASSESSMENTS, refusal=ERR_DEPARTMENT)
def targets(request):
    """District and street target attainment for a pack, over the periods assessed."""
    scope = request.scope
    assessed = sorted({r.pack_id for r in results.runs_visible(scope).filter(status=RunStatus.DONE)})
    pack_id = request.GET.get("pack") or _default(assessed)
    try:
        pack = packs.load(pack_id)
    except packs.PackError:
        raise Http404("没有这个政策包") from None
    history = results.target_history(scope, pack.id)
    for h in history:
        h["targets"] = results.targets_for(scope, h["run"])
    latest = history[-1]["run"] if history else None
    chart = {"periods": [h["period"] for h in history],
             "series": [{"title": t["title"], "min": t["share_min"],
                         "shares": [next((x["share"] for x in h["targets"] if x["title"] == t["title"]), None)
                                    for h in history]} for t in pack.targets if t.get("over") != "scope"]}
    return render(request, "standards/targets.html", {
        "pack": pack, "assessed": assessed, "history": history, "latest": latest, "chart": chart,
        "latest_targets": history[-1]["targets"] if history else []})


@requires(PUBLISH_RESULTS, refusal=results.ERR_PUBLISH)
@require_POST
def publish(request, run_id):
    scope = request.scope
    run = results.access_run(scope, run_id)
    on = request.POST.get("publish") != "0"
    results.publish(run=run, scope=scope, by=request.user, publish=on)
    messages.success(request, "评估结果已公示" if on else "已撤下公示")
    return redirect("standards:run", run_id=run.pk)


@public
def public_list(request):
    """Published assessments, for anyone (P-EVAL-2: results published)."""
    return render(request, "standards/public_list.html", {"runs": results.published_runs()[:50]})


@public
def public_run(request, run_id):
    run = results.published_runs().filter(pk=run_id).first()
    if run is None:
        raise Http404("没有这次公示")
    pack = assess.pack_of(run)
    return render(request, "standards/public_run.html", {"run": run, "pack": pack,
                                                         "table": results.public_table(run, pack)})
