"""The assessment engine: every community under a scope against one pack for
one year. Metric values come from compute.py (database aggregates over all
communities at once); this module compares, scores, grades, works out the
district and street targets and keeps everything as an AssessmentRun.

Scoring: an indicator that applies and is met earns its weight; one without a
value (无数据: nothing to divide by, no survey yet) earns nothing, unless the pack
marks it `no_value: not_applicable`: then a community without a value is not
judged by it at all (no weight, no result row; the scorecard says 不适用). A
community's score is earned / applicable weight × 100. Its grade is the best
of 示范 / 合格 whose min_score it reaches with every required indicator (that
applies to it) met; otherwise 不合格. A pack without grading grades nobody.
"""
from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from gongzhi.places.models import Level, Place
from gongzhi.standards import compute, packs, snapshots
from gongzhi.standards.metrics import METRICS
from gongzhi.standards.models import AssessmentRun, CommunityScore, Grade, RegistrySnapshot, Result, RunStatus
from gongzhi.standards.packs import Pack

ERR_SCOPE = "评估范围应为区(县)、街道(镇)或社区"
ERR_PERIOD = "年度应在 2000 到 {year} 之间"
ERR_EMPTY = "{scope}下没有「{pack}」适用的社区,评估不会有任何结果;请选择本地的政策包或其他范围"
OP_TEXT = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}
BATCH = 2000


def _num(v) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) else str(v)


def threshold(indicator: dict, by_value=None) -> tuple[dict | None, str]:
    """The comparison that applies (for a size-dependent indicator, the band
    `by_value` falls in) and its text, e.g. ("≥ 40", "5—7")."""
    compare = indicator
    if indicator["op"] == "tiers":
        compare = None
        if by_value is not None:
            compare = next((b for b in indicator["bands"]
                            if by_value >= b["from"] and (b["to"] is None or by_value < b["to"])), None)
        if compare is None:
            return None, "无适用档位"
    if compare["op"] == "between":
        return compare, f"{_num(compare['min'])}—{_num(compare['max'])}"
    return compare, f"{OP_TEXT[compare['op']]} {_num(compare['value'])}"


def meets(compare: dict | None, value) -> bool:
    if compare is None or value is None:
        return False
    op = compare["op"]
    if op == "between":
        return compare["min"] <= value <= compare["max"]
    target = compare["value"]
    return {">=": value >= target, "<=": value <= target, ">": value > target, "<": value < target,
            "==": value == target}[op]


def zone_of(street_zone: str, district_zone: str) -> str:
    """A community's city zone (P-STAFF-2): its street's, else its district's, else unknown."""
    return street_zone or district_zone or "unknown"


def area_of(area_kind: str, urban_rural_code: str) -> str:
    """urban | rural | unknown: the community's recorded class, else the first digit of its statistical
    urban-rural code (1 城镇, 2 乡村), else unknown — never a guess: an unknown community is judged only
    by indicators that apply to urban and rural communities alike (as the funding rules do)."""
    if area_kind:
        return area_kind
    return {"1": "urban", "2": "rural"}.get((urban_rural_code or "")[:1], "unknown")


def community_info(c: Place) -> dict:
    """What `applies` needs of a community loaded with select_related("parent__parent")."""
    street = c.parent
    district = street.parent if street is not None else None
    return {"area": area_of(c.area_kind, c.urban_rural_code), "community_type": c.community_type,
            "street": street.name, "zone": zone_of(street.city_zone, district.city_zone if district is not None else "")}


def applies(where: dict, *, area: str, community_type: str, street: str, zone: str = "unknown") -> bool:
    if area == "unknown":
        if not {"urban", "rural"} <= set(where["area"]):
            return False
    elif area not in where["area"]:
        return False
    if (community_type or "ordinary") not in where["types"]:
        return False
    if zone not in where.get("zone", (zone,)):
        return False
    if where["streets"] and street not in where["streets"]:
        return False
    return not (where["not_streets"] and street in where["not_streets"])


def scope_place(code: str | None) -> Place:
    if not code:
        place = Place.objects.filter(level=Level.DISTRICT).order_by("code").first()
    else:
        place = Place.objects.filter(code=code).first()
    if place is None or place.level not in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
        raise ValueError(ERR_SCOPE)
    return place


def check_period(period: int) -> int:
    year = timezone.localdate().year
    if not 2000 <= period <= year:
        raise ValueError(ERR_PERIOD.format(year=year))
    return period


def applicable_communities(pack: Pack, scope: Place) -> int:
    """How many communities under `scope` at least one community indicator of `pack` applies to
    (judged per distinct kind of community: urban/rural, type, street)."""
    kinds = (_communities(scope).values_list("area_kind", "urban_rural_code", "community_type", "parent__name",
                                             "parent__city_zone", "parent__parent__city_zone")
             .annotate(n=Count("id")).order_by())
    indicators = [i["applies_to"] for i in pack.indicators if i["applies_to"]["level"] == "community"]
    return sum(n for area, code, ctype, street, szone, dzone, n in kinds
               if any(applies(w, area=area_of(area, code), community_type=ctype, street=street,
                              zone=zone_of(szone, dzone)) for w in indicators))


def start(*, pack: Pack, period: int, scope: Place, by=None) -> AssessmentRun:
    """Record a run to compute; refused when the pack applies to no community under `scope`."""
    check_period(period)
    if not applicable_communities(pack, scope):
        raise ValueError(ERR_EMPTY.format(scope=scope.name, pack=pack.title))
    as_of = min(timezone.localdate(), dt.date(period, 12, 31))
    row = AssessmentRun.objects.create(pack_id=pack.id, pack_title=pack.title, period=period, scope=scope,
                                       as_of=as_of, started_by=by, pack_text=pack.text, pack_sha256=pack.sha256)
    _audit_start(row, pack, by)
    return row


def _audit_start(row: AssessmentRun, pack: Pack, by) -> None:
    """The trail records the run, and a pack file that changed since its last run (packs are files
    kept by the deployment: the change shows at the first run that reads it)."""
    from gongzhi.audit.services import AuditAction, record

    last = (AssessmentRun.objects.filter(pack_id=pack.id).exclude(pk=row.pk).exclude(pack_sha256="")
            .order_by("-started_at", "-id").values_list("pack_sha256", flat=True).first())
    if last and last != pack.sha256:
        record(by, AuditAction.PACK_CHANGE, object_type="政策包", object_id=pack.id, label=pack.title,
               before={"校验值": last}, after={"校验值": pack.sha256})
    record(by, AuditAction.RUN_START, obj=row, object_type="评估", label=f"{pack.title} {row.period} 年度 · {row.scope.name}",
           after={"政策包": pack.id, "年度": row.period, "范围": row.scope.name, "校验值": pack.sha256})


ERR_PACK_GONE = "评估 #{run} 所用的政策包「{pack}」已不存在(该评估早于保存政策包副本的版本),无法显示"


def pack_of(run: AssessmentRun) -> Pack:
    """The pack `run` was computed with (kept on the run), not today's file. A run older than
    kept packs whose file is gone too cannot be shown: Http404 with the reason."""
    try:
        if not run.pack_text:  # a run from before runs kept their pack (the migration filled what it could)
            return packs.load(run.pack_id)
        return packs.from_text(run.pack_text, f"{run.pack_id}.yaml")
    except packs.PackError:
        raise Http404(ERR_PACK_GONE.format(run=run.pk, pack=run.pack_id)) from None


def pack_changed(run: AssessmentRun) -> bool:
    """Has the pack file changed (or gone) since the run was computed?"""
    return packs.current_sha256(run.pack_id) != run.pack_sha256


def run(run: AssessmentRun, pack: Pack, *, progress=None) -> AssessmentRun:
    """Compute, compare, grade and store. `progress(done, total, label)` is
    called after each metric; the run row carries the same numbers for pages."""
    began = time.perf_counter()
    try:
        _run(run, pack, progress)
    except Exception as exc:  # the run records why it failed, then the caller sees the error
        AssessmentRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:2000],
                                                       finished_at=timezone.now())
        raise
    run.summary["seconds"] = round(time.perf_counter() - began, 2)
    AssessmentRun.objects.filter(pk=run.pk).update(summary=run.summary)
    return run


def _communities(scope: Place):
    return Place.objects.filter(Q(path__startswith=scope.path), level=Level.COMMUNITY)


def _run(run_row: AssessmentRun, pack: Pack, progress) -> None:
    communities = list(_communities(run_row.scope).select_related("parent__parent").order_by("code"))
    streets = {c.parent_id: c.parent for c in communities}
    # a closed period reads the registry as it stood at its end, where the history reaches back (asof.py)
    closed = run_row.as_of < timezone.localdate()
    computer = compute.computer(_communities(run_row.scope), year=run_row.period, as_of=run_row.as_of,
                                registry_as_of=run_row.as_of if closed else None)
    needed = []  # (metric, window): a windowed indicator counts part of the year only (P-GOV-1)
    for i in pack.indicators:
        for m in ((i["metric"], i.get("window")), (i.get("by"), None)):
            if m[0] and m not in needed:
                needed.append(m)
    for t in pack.targets:
        for m in ((t["pooled"] or {}).get("numerator"), (t["pooled"] or {}).get("denominator")):
            if m and (m, None) not in needed:
                needed.append((m, None))
    total = len(needed) + 1
    AssessmentRun.objects.filter(pk=run_row.pk).update(total=total)
    values = {}
    for n, (metric, window) in enumerate(needed, 1):
        values[value_key(metric, window)] = computer.get(metric, window=window)
        AssessmentRun.objects.filter(pk=run_row.pk).update(done=n)
        if progress:
            progress(n, total, METRICS[metric].title)

    metrics = dict(METRICS)  # looked up per result below: one snapshot of the registry per run
    results, scores, unknown_area = [], [], []
    for c in communities:
        info = community_info(c)
        if info["area"] == "unknown":
            unknown_area.append(c.name)
        earned = weight = passed_n = applicable_n = 0
        met = {}
        for ind in pack.indicators:
            if ind["applies_to"]["level"] != "community" or not applies(ind["applies_to"], **info):
                continue
            value = values[value_key(ind["metric"], ind.get("window"))].get(c.id)
            if value is None and ind.get("no_value") == "not_applicable":
                continue  # nothing to judge here (P-GOV-3: no matter needed a hearing): no weight, no row
            compare, text = threshold(ind, values[ind["by"]].get(c.id) if ind["op"] == "tiers" else None)
            ok = meets(compare, value)
            met[ind["id"]] = ok
            applicable_n += 1
            passed_n += ok
            weight += ind["weight"]
            earned += ind["weight"] if ok else 0
            results.append(Result(run=run_row, place=c, indicator=ind["id"], value=value, threshold=text,
                                  passed=ok, points=ind["weight"] if ok else 0,
                                  detail=evidence_detail(ind, computer, c.id, metrics=metrics)))
        if not applicable_n:
            continue  # the pack says nothing about this kind of community (e.g. a village pack, a town)
        # with no weight to share (only weight-0 indicators apply), the share of indicators met
        score = round(100.0 * earned / weight, 1) if weight else round(100.0 * passed_n / applicable_n, 1)
        grade, missing = _grade(pack, score, met)
        scores.append(CommunityScore(run=run_row, community=c, street_id=c.parent_id, score=score, grade=grade,
                                     passed=passed_n, applicable=applicable_n, missing=missing))

    # street-level indicators (e.g. the street centre's area)
    for ind in pack.indicators:
        if ind["applies_to"]["level"] != "street":
            continue
        for sid, street in streets.items():
            value = values[ind["metric"]].get(sid)
            compare, text = threshold(ind)
            ok = meets(compare, value)
            results.append(Result(run=run_row, place=street, indicator=ind["id"], value=value, threshold=text,
                                  passed=ok, points=ind["weight"] if ok else 0))

    run_row.summary = {"grades": _grade_counts(scores), "targets": targets(pack, communities, results, values),
                       "communities": len(scores), "registry": registry_note(run_row.as_of, computer.registry),
                       # judged only by the indicators for urban and rural alike: the places page should record them
                       "unknown_area": {"count": len(unknown_area), "names": unknown_area[:20]}}
    with transaction.atomic():
        Result.objects.bulk_create(results, batch_size=BATCH)
        CommunityScore.objects.bulk_create(scores, batch_size=BATCH)
        AssessmentRun.objects.filter(pk=run_row.pk).update(
            status=RunStatus.DONE, done=total, total=total, summary=run_row.summary, finished_at=timezone.now())
    run_row.status, run_row.done, run_row.total = RunStatus.DONE, total, total
    if progress:
        progress(total, total, "评分定级")


REGISTRY_TITLES = {"households": "户数", "residents": "居民人数", "party_members": "党员人数",
                   "social_orgs": "社区社会组织", "volunteer_orgs": "志愿服务组织",
                   "community_social_orgs": "登记或备案的社区社会组织", "workers": "班子与工作者", "volunteers": "志愿者",
                   "care_elders": "60 岁以上老人", "care_elders_within_circle": "步行 30 分钟内有服务站点的老人",
                   "care_circle_coverage": "居家养老服务覆盖率"}
# the care groups derived on read (care.metrics.DERIVED_TODAY): no history of what they are derived from
DERIVED_TITLES = {"care_left_behind": "留守儿童和留守老人", "care_disabled": "残疾人",
                  "care_on_visit_lists": "关爱走访对象", "care_visits_not_overdue": "关爱走访按时率",
                  "care_disabled_enrolled": "在残疾人之家入托的残疾人",
                  "care_disabled_enrolled_share": "残疾人入托残疾人之家比例"}
# read from today's rows by their own dates when their ledger's history does not reach back
BY_DATES = {"workers": "班子与工作者的台账历史不早于 {day},按任职、离任日期计在任人员,职务按评估当日计",
            "volunteers": "志愿者台账历史不早于 {day},按注册、退出日期计在册志愿者",
            "volunteer_roster": "志愿服务记录的志愿者名册没有历史,按注册、退出日期计在册志愿者,居民状态按评估当日计"}


def registry_note(as_of: dt.date, read: dict) -> dict:
    """How the run read the registry: which figures came from the history as of the period's end,
    which from the registry as it stood on the day of the run; and the sentence the run page shows."""
    kept = [n for n, how in read.items() if how == snapshots.FROM_SNAPSHOT]
    history = [REGISTRY_TITLES.get(n, n) for n, how in read.items() if how == "history"]
    today = [REGISTRY_TITLES.get(n, n) for n, how in read.items()
             if how == "today" and n not in BY_DATES and n not in DERIVED_TITLES]
    derived = [DERIVED_TITLES[n] for n, how in read.items() if how == "today" and n in DERIVED_TITLES]
    parts = [BY_DATES[n].format(day=as_of.isoformat()) for n in BY_DATES if read.get(n) == "today"]
    if kept:
        taken = RegistrySnapshot.objects.filter(day=as_of).values_list("taken_at", flat=True).first()
        when = f"({timezone.localtime(taken):%Y-%m-%d %H:%M} 留存)" if taken else ""
        parts.append(f"{len(kept)} 项登记数据按 {as_of.isoformat()} 期末留存的数计{when}")
    if history:
        parts.append(f"{'、'.join(history)}按登记历史还原到 {as_of.isoformat()}")
    if today:
        parts.append(f"{'、'.join(today)}的登记历史不早于 {as_of.isoformat()},按评估当日的登记计")
    if derived:
        parts.append(f"{'、'.join(derived)}由评估当日的登记推算(关爱对象尚无历史)")
    text = ";".join(parts) or "户数、人口等登记数据按评估当日的登记计"
    return {"as_of": as_of.isoformat(), "snapshot": kept, "history": history, "today": today + derived,
            "text": text + "(设施等尚无历史,按评估当日计)。"}


def _grade(pack: Pack, score: float, met: dict) -> tuple[str, list]:
    if not pack.grading:
        return Grade.FAILED, []
    missing = []
    for grade in (Grade.MODEL, Grade.QUALIFIED):
        rule = pack.grading[grade.value]
        lacking = [r for r in rule["require"] if r in met and not met[r]]
        if score >= rule["min_score"] and not lacking:
            return grade, missing
        if grade == Grade.QUALIFIED:
            missing = lacking
    return Grade.FAILED, missing


def _grade_counts(scores) -> dict:
    counts = {g.value: 0 for g in Grade}
    for s in scores:
        counts[s.grade] += 1
    return counts


def value_key(metric: str, window: tuple | None) -> str:
    """The key of a metric's values in a run: the metric, or the metric over some months."""
    return metric if not window else f"{metric}@{window[0]}-{window[1]}"


def targets(pack: Pack, communities, results, values: dict | None = None) -> list[dict]:
    """For each target, for the whole scope and per street: the share of the communities it covers
    that meet its indicator (all of its indicators, for a target over several: P-EVAL-6), or, for a
    target over the scope (P-EVAL-4's city-wide ratios), sum of numerators ÷ sum of denominators
    against the indicator's standard."""
    by_place = {(r.place_id, r.indicator): r.passed for r in results}
    out = []
    for t in pack.targets:
        where, of = t["applies_to"], t.get("indicators") or [t["indicator"]]
        streets: dict[str, list] = {}
        for c in communities:
            if any((c.id, i) not in by_place for i in of) or not applies(where, **community_info(c)):
                continue
            tally = streets.setdefault(c.parent.name, [0, 0, []])
            tally[0] += all(by_place[(c.id, i)] for i in of)
            tally[1] += 1
            tally[2].append(c.id)
        met = sum(v[0] for v in streets.values())
        counted = sum(v[1] for v in streets.values())
        row = {"rule": t["rule"], "title": t["title"], "indicator": t["indicator"], "indicators": of,
               "over": t.get("over", "communities"), "share_min": t["share_min"], "met": met, "counted": counted}
        if row["over"] == "scope":
            pooled = t["pooled"]
            compare, text = threshold(pack.indicator(t["indicator"]))

            def figure(ids, pooled=pooled, compare=compare):
                n = sum(values[pooled["numerator"]].get(i) or 0 for i in ids)
                d = sum(values[pooled["denominator"]].get(i) or 0 for i in ids)
                value = round(float(n) * pooled["scale"] / float(d), 2) if d else None
                return {"value": value, "numerator": n, "denominator": d, "attained": meets(compare, value)}

            whole = figure([i for v in streets.values() for i in v[2]])
            out.append({**row, **whole, "standard": text, "share": whole["value"],
                        "requirement": f"{text}(全范围合计)",
                        "streets": [{"street": name, "met": m, "counted": n, **figure(ids),
                                     "share": figure(ids)["value"]}
                                    for name, (m, n, ids) in sorted(streets.items())]})
            continue
        share = round(100.0 * met / counted, 1) if counted else None
        out.append({**row, "share": share, "attained": share is not None and share >= t["share_min"],
                    "requirement": f"≥ {_num(t['share_min'])}%" + ("(各项全部达标)" if len(of) > 1 else ""),
                    "streets": [{"street": name, "met": m, "counted": n, "share": round(100.0 * m / n, 1),
                                 "attained": 100.0 * m / n >= t["share_min"]}
                                for name, (m, n, _ids) in sorted(streets.items())]})
    return out


# -- evidence: how a value was reached, and where its records are ----------------------
# Both are declared by each metric, in the module that owns its data (gongzhi/core/metrics.py):
# `ratio` names the parts a ratio is shown with, `evidence` the page that lists its records.
def evidence_detail(indicator: dict, computer, cid: int, metrics=None) -> str:
    """A short 'why' for ratio metrics, from their parts (computed once per run);
    `metrics`: a snapshot of METRICS for a loop over many results."""
    metric = (metrics if metrics is not None else METRICS).get(indicator["metric"])
    parts = metric.ratio if metric else None
    if not parts:
        return ""
    n = computer.get(parts.numerator).get(cid) if parts.numerator else None
    d = computer.get(parts.denominator).get(cid) if parts.denominator else None
    bits = []
    if n is not None:
        bits.append(f"{_num(n)} {parts.numerator_unit}")
    if d is not None:
        bits.append(f"{_num(d)} {parts.denominator_unit}")
    return " ÷ ".join(bits)


def evidence_link(metric: str, *, code: str, year: int) -> tuple[str, str] | None:
    """(what the records are, the URL of the page that lists them) for `metric` at the place
    `code` in `year`; None for a metric that declares no evidence."""
    found = METRICS.get(metric)
    if found is None or found.evidence is None:
        return None
    return found.evidence.link(code=code, year=year)
