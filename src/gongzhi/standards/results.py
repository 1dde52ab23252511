"""Reads of assessment runs, always through the caller's scope: which run to
show, the matrix of communities × indicators, a community's scorecard and its
trend over the periods assessed, the JSON the command prints, the xlsx export."""
from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from gongzhi.core.scope import Scope
from gongzhi.places.models import Level, Place
from gongzhi.standards import assess
from gongzhi.standards.models import AssessmentRun, CommunityScore, Grade, Result, RunStatus
from gongzhi.standards.packs import Pack


def runs_visible(scope: Scope | None):
    """Runs whose scope covers or lies within one of the caller's places
    (None: every run, for the command line)."""
    runs = AssessmentRun.objects.select_related("scope")
    if scope is None:
        return runs
    q = Q(pk__in=[])
    for place in scope.staff_places:
        ancestors = [p for p in place.path.strip("/").split("/")]
        q |= Q(scope__code__in=ancestors) | Q(scope__path__startswith=place.path)
    return runs.filter(q)


def latest_run(scope: Scope | None, pack_id: str, period: int | None = None) -> AssessmentRun | None:
    runs = runs_visible(scope).filter(pack_id=pack_id, status=RunStatus.DONE)
    if period:
        runs = runs.filter(period=period)
    return runs.order_by("-period", "-finished_at", "-id").first()


def access_run(scope: Scope, run_id: int) -> AssessmentRun:
    run = runs_visible(scope).filter(pk=run_id).first()
    if run is None:
        raise Http404("未找到或无权访问")
    return run


def _visible_places(scope: Scope | None, run: AssessmentRun):
    places = Place.objects.filter(path__startswith=run.scope.path)
    return places if scope is None else places.filter(scope._path_q())


ERR_PUBLISH = "只有管辖整个评估范围的管理员可以公示或撤下评估结果"
ERR_PUBLISH_UNFINISHED = "评估尚未完成,不能公示"
ERR_PUBLISH_EMPTY = "这次评估没有任何社区的结果,不能公示"
MATRIX_PAGE = 100


def _filtered_scores(scope: Scope | None, run: AssessmentRun, street: str, grade: str):
    scores = CommunityScore.objects.filter(run=run, community__in=_visible_places(scope, run))
    if street:
        scores = scores.filter(street__code=street)
    if grade:
        scores = scores.filter(grade=grade)
    return scores


def matrix_places(scope: Scope | None, run: AssessmentRun, *, street: str = "", grade: str = ""):
    """The places whose results the matrix shows for its filters: the communities the page lists
    (the same `_filtered_scores`), and the streets (that street alone when one is chosen). The
    matrix's xlsx reads its rows through these, so the file holds the filtered page's communities."""
    communities = _filtered_scores(scope, run, street, grade).values("community_id")
    streets = _visible_places(scope, run).filter(level=Level.STREET)
    if street:
        streets = streets.filter(code=street)
    return Place.objects.filter(Q(pk__in=communities) | Q(pk__in=streets.values("pk")))


def overview(scope: Scope | None, run: AssessmentRun, pack: Pack, *, street: str = "", grade: str = "") -> dict:
    """The run as the caller may see it, in figures the database counts: how many
    communities, of which grade, the streets to filter by, and each community
    indicator's pass rate."""
    scores = _filtered_scores(scope, run, street, grade)
    columns = [i for i in pack.indicators if i["applies_to"]["level"] == "community"]
    rates = {r["indicator"]: round(100.0 * r["met"] / r["n"], 1) for r in
             Result.objects.filter(run=run, place__in=scores.values("community_id")).values("indicator")
             .annotate(n=Count("id"), met=Count("id", filter=Q(passed=True))).order_by()}
    visible = _filtered_scores(scope, run, "", "")
    return {"columns": columns, "count": scores.count(), "grades": _grade_counts_in_db(scores),
            "pass_rates": [rates.get(i["id"]) for i in columns],
            "streets": Place.objects.filter(level=Level.STREET, pk__in=visible.values("street_id")).order_by("code")}


def matrix(scope: Scope | None, run: AssessmentRun, pack: Pack, *, street: str = "", grade: str = "",
           sort: str = "code", page: int | str | None = 1, per_page: int = MATRIX_PAGE) -> dict:
    """The overview plus one page of rows: each community with its score, grade
    and one cell per indicator. Sorting (by an indicator's value too) and
    filtering are done by the database, so a district of thousands of
    communities costs one page of rows."""
    from django.core.paginator import Paginator

    view = overview(scope, run, pack, street=street, grade=grade)
    columns = view["columns"]
    scores = _filtered_scores(scope, run, street, grade).select_related("community", "street")
    key = sort.lstrip("-")
    if key in {i["id"] for i in columns}:
        value = Result.objects.filter(run=run, place=OuterRef("community_id"), indicator=key).values("value")[:1]
        scores = scores.annotate(sort_value=Subquery(value))
        by = F("sort_value").desc(nulls_last=True) if sort.startswith("-") else F("sort_value").asc(nulls_last=True)
        scores = scores.order_by(by, "community__code")  # rows without a value go last either way
    else:
        scores = scores.order_by(*{"score": ["score", "community__code"],
                                   "-score": ["-score", "community__code"]}.get(sort, ["community__code"]))
    paginator = Paginator(scores, per_page)
    paginator.count = view["count"]  # counted once already (a cached property)
    page_obj = paginator.get_page(page)
    shown = list(page_obj.object_list)
    cells = defaultdict(dict)
    for r in Result.objects.filter(run=run, place_id__in=[s.community_id for s in shown]):
        cells[r.place_id][r.indicator] = r
    rows = [{"score": s, "cells": [cells[s.community_id].get(i["id"]) for i in columns]} for s in shown]
    return {**view, "rows": rows, "page": page_obj}


def _grade_counts_in_db(scores) -> dict:
    counts = {g.value: 0 for g in Grade}
    for row in scores.order_by().values("grade").annotate(n=Count("id")):
        counts[row["grade"]] = row["n"]
    return counts


def scorecard(scope: Scope | None, community: Place, pack: Pack, run: AssessmentRun) -> dict:
    score = CommunityScore.objects.filter(run=run, community=community).first()
    if score is None:
        raise Http404("该社区不在这次评估中")
    results = {r.indicator: r for r in Result.objects.filter(run=run, place=community)}
    lines = []
    info = None
    for ind in pack.indicators:
        r = results.get(ind["id"])
        if r is None:
            # an indicator the pack does not judge a community by when it has no value (P-GOV-3: no matter
            # needed a hearing) is shown as 不适用, with the pack's reading of its rule
            if ind.get("no_value") != "not_applicable" or ind["applies_to"]["level"] != "community":
                continue
            info = info or assess.community_info(Place.objects.select_related("parent__parent").get(pk=community.pk))
            if not assess.applies(ind["applies_to"], **info):
                continue
            lines.append({"indicator": ind, "result": None, "not_applicable": True,
                          "readings": [x["reading"] for x in pack.readings
                                       if x["rule"] == ind["rule"] and "不适用" in x["reading"]],
                          "evidence": assess.evidence_link(ind["metric"], code=community.code, year=run.period)})
            continue
        lines.append({"indicator": ind, "result": r,
                      "evidence": assess.evidence_link(ind["metric"], code=community.code, year=run.period)})
    return {"score": score, "lines": lines, "trend": trend(scope, community, pack.id)}


def trend(scope: Scope | None, community: Place, pack_id: str) -> list[dict]:
    """The community's score and grade in each period assessed (latest run per period)."""
    seen, out = set(), []
    rows = (CommunityScore.objects.filter(community=community, run__pack_id=pack_id, run__status=RunStatus.DONE,
                                          run__in=runs_visible(scope))
            .select_related("run").order_by("run__period", "-run__finished_at"))
    for s in rows:
        if s.run.period not in seen:
            seen.add(s.run.period)
            out.append({"period": s.run.period, "score": s.score, "grade": s.grade, "run": s.run_id})
    return out


def targets_for(scope: Scope | None, run: AssessmentRun) -> list[dict]:
    """The run's targets as the caller may see them: the figures for the whole
    scope only when the caller's places cover it, and only their own streets' rows."""
    targets = run.summary.get("targets", [])
    if scope is None:
        return targets
    whole = scope.contains(run.scope)
    streets = set(scope.places().filter(level=Level.STREET).values_list("name", flat=True))
    out = []
    for t in targets:
        rows = [s for s in t["streets"] if s["street"] in streets]
        if whole or rows:
            out.append({**t, "streets": rows} if whole else
                       {**t, "streets": rows, "met": None, "counted": None, "share": None, "attained": None,
                        "value": None, "numerator": None, "denominator": None})
    return out


def as_json(run: AssessmentRun, pack: Pack, *, places=None) -> dict:
    """The run's results; `places` (a queryset) narrows them to what a caller may see, in the query."""
    results = defaultdict(list)
    rules = {i["id"]: i["rule"] for i in pack.indicators}
    rows = Result.objects.filter(run=run)
    scores = CommunityScore.objects.filter(run=run)
    if places is not None:
        rows, scores = rows.filter(place__in=places), scores.filter(community__in=places)
    for r in rows.select_related("place").order_by("place__code", "id"):
        results[r.place_id].append({"indicator": r.indicator, "rule": rules[r.indicator],
                                    "value": r.value, "threshold": r.threshold, "passed": r.passed,
                                    "points": r.points})
    communities = [{"code": s.community.code, "name": s.community.name, "street": s.street.name,
                    "score": s.score, "grade": s.grade, "missing": s.missing,
                    "indicators": results.get(s.community_id, [])}
                   for s in scores.select_related("community", "street").order_by("community__code")]
    street_ids = {s.id for s in Place.objects.filter(level=Level.STREET, path__startswith=run.scope.path)} \
        if run.scope.level != Level.COMMUNITY else set()
    streets = [{"code": p.code, "name": p.name, "indicators": results[p.id]}
               for p in Place.objects.filter(id__in=street_ids).order_by("code") if results.get(p.id)]
    return {"run": run.pk, "pack": run.pack_id, "period": run.period, "scope": run.scope.code,
            "as_of": run.as_of.isoformat(), "summary": run.summary, "communities": communities, "streets": streets}


def funding_table(scope: Scope, pack: Pack) -> dict:
    """Each community's yearly funds under the pack, from its live household
    count (one grouped query), with totals per street and for the whole scope."""
    from gongzhi.people.models import Household, HouseholdStatus
    from gongzhi.standards import funding

    communities = list(scope.places().filter(level=Level.COMMUNITY).select_related("parent").order_by("code"))
    funding_year = timezone.localdate().year  # a community formed this year is 当年组建 (its 组建日期)
    counts = dict(Household.objects.filter(status=HouseholdStatus.ACTIVE, community__in=communities)
                  .values_list("community_id").annotate(n=Count("id")).order_by())
    known = list(Place.objects.filter(level=Level.STREET).values_list("name", flat=True))
    posts = None
    if any("per_post" in rule for rule in pack.funding):  # pay by post (P-FUND-4): from the worker ledger
        from gongzhi.standards import compute
        c = compute.computer(Place.objects.filter(id__in=[x.id for x in communities]))
        posts = {post: c.get(metric) for post, metric in funding.POST_METRICS.items()}
    rows, streets = [], {}
    for c in communities:
        community = funding.Community(
            counts.get(c.id, 0), c.area_kind or "unknown", c.parent.name,
            new=c.founded_on is not None and c.founded_on.year == funding_year,
            posts={p: int(v.get(c.id) or 0) for p, v in posts.items()} if posts is not None else None)
        try:
            result = funding.funding_for(pack, community, known_streets=known)
        except ValueError as exc:  # a street the pack cannot place: the row says why, the total leaves it out
            result = {"total": 0, "area": community.area, "annual": [], "one_off": [], "shares": {},
                      "unknown_area": False,
                      "notes": [], "error": str(exc)}
        rows.append({**result, "community": c, "street": c.parent, "households": counts.get(c.id, 0)})
        street = streets.setdefault(c.parent_id, {"street": c.parent, "communities": 0, "households": 0,
                                                  "total": 0.0, "shares": defaultdict(float)})
        street["communities"] += 1
        street["households"] += counts.get(c.id, 0)
        street["total"] = round(street["total"] + result["total"], 2)
        for payer, amount in result["shares"].items():
            street["shares"][payer] = round(street["shares"][payer] + amount, 2)
    street_rows = sorted(streets.values(), key=lambda s: s["street"].code)
    payers = sorted({p for s in street_rows for p in s["shares"]})
    for street in street_rows:
        street["share_list"] = [street["shares"].get(p, 0) for p in payers]
    return {"rows": rows, "streets": street_rows, "payers": payers,
            "unknown_area": sum(1 for r in rows if r.get("unknown_area")),
            "errors": sum(1 for r in rows if r.get("error")),
            "total": round(sum(s["total"] for s in street_rows), 2),
            "households": sum(s["households"] for s in street_rows)}


def target_history(scope: Scope, pack_id: str) -> list[dict]:
    """The latest district-wide run of each period the caller can see, with its targets."""
    seen, out = set(), []
    runs = (runs_visible(scope).filter(pack_id=pack_id, status=RunStatus.DONE, scope__level=Level.DISTRICT)
            .order_by("period", "-finished_at", "-id"))
    for run in runs:
        if run.period not in seen:
            seen.add(run.period)
            out.append({"period": run.period, "run": run, "targets": run.summary.get("targets", [])})
    return out


def publish(*, run: AssessmentRun, scope: Scope, by, publish: bool = True) -> AssessmentRun:
    """Put a finished run on the public page (P-EVAL-2), or take it down. Only a
    post that may publish results and covers the run's scope decides that
    (whatever capability `scope` was narrowed to, only those posts count)."""
    from django.core.exceptions import PermissionDenied

    from gongzhi.standards.manifest import PUBLISH_RESULTS

    if not scope.for_capability(PUBLISH_RESULTS).contains(run.scope):
        raise PermissionDenied(ERR_PUBLISH)
    if run.status != RunStatus.DONE:
        raise PermissionDenied(ERR_PUBLISH_UNFINISHED)
    if publish and not CommunityScore.objects.filter(run=run).exists():
        raise PermissionDenied(ERR_PUBLISH_EMPTY)
    was = run.published_at is not None
    run.published_at, run.published_by = (timezone.now(), by) if publish else (None, None)
    run.save(update_fields=["published_at", "published_by"])
    if was != publish:
        from gongzhi.audit.services import AuditAction, record
        record(by, AuditAction.RUN_PUBLISH if publish else AuditAction.RUN_UNPUBLISH, obj=run, object_type="评估",
               label=f"{run.pack_title} {run.period} 年度 · {run.scope.name}", before={"公示": was},
               after={"公示": publish})
    return run


def published_runs():
    return AssessmentRun.objects.filter(status=RunStatus.DONE, published_at__isnull=False).select_related("scope")


def public_table(run: AssessmentRun, pack: Pack) -> dict:
    """What the public page shows: each community's score and grade, and the share of
    communities meeting each indicator. No names of people, no per-person data."""
    scores = (CommunityScore.objects.filter(run=run).select_related("community", "street")
              .order_by("street__code", "community__code"))
    columns = [i for i in pack.indicators if i["applies_to"]["level"] == "community"]
    rates = {r["indicator"]: (r["met"], r["n"]) for r in
             Result.objects.filter(run=run, place__level=Level.COMMUNITY).values("indicator")
             .annotate(n=Count("id"), met=Count("id", filter=Q(passed=True))).order_by()}
    satisfaction = dict(Result.objects.filter(run=run, indicator__in=[i["id"] for i in columns
                                                                      if i["metric"] == "satisfaction_rate"])
                        .values_list("place_id", "value"))
    rows = [{"score": sc, "satisfaction": satisfaction.get(sc.community_id)} for sc in scores]
    return {"rows": rows, "has_satisfaction": bool(satisfaction),
            "indicators": [{"title": i["title"], "rule": i["rule"], "met": rates.get(i["id"], (0, 0))[0],
                            "n": rates.get(i["id"], (0, 0))[1]} for i in columns],
            "grades": _grade_counts_in_db(CommunityScore.objects.filter(run=run))}
