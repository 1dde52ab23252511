"""The burden dashboard (减负): what reaches each community and what each department asks, per year,
with the year before beside it. Grouped queries over the communities in the caller's scope; the page,
the chart and the xlsx read the same rows."""
from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum

from gongzhi.admission import demands as demand_reads
from gongzhi.admission.models import (
    AdmissionRequest, Certificate, ContractState, DataAnswer, DataRequest, Demand, DemandKind, ListItem, ListKind,
    OffListReport, Refusal, ReportState, RequestState, ServiceContract,
)
from gongzhi.places.models import Level, Place

# (row key, column header): the page, the chart and the xlsx read the same rows
COMMUNITY_FIELDS = (("community", "社区"), ("year", "年度"), ("items", "清单事项"), ("hours", "协助事项工作量(小时)"),
                    ("data_requests", "数据填报任务"), ("from_registry", "平台代填数据项"), ("typed", "社区录入数据项"),
                    ("meetings", "要求会议(次/年)"), ("ledgers", "要求台账"), ("platform_ledgers", "平台生成的台账"),
                    ("signboards", "挂牌"), ("systems", "信息系统"), ("demand_hours", "登记要求工作量(小时)"),
                    ("offlist_reports", "反映清单外摊派"), ("certificates", "出具证明"), ("bought", "购买服务金额(元)"))
DEPARTMENT_FIELDS = (("department", "部门"), ("year", "年度"), ("requests", "准入申请"), ("approved", "批准"),
                     ("refused", "未批准"), ("data_requests", "数据填报任务"), ("from_registry", "平台代填数据项"),
                     ("items", "负责清单事项"), ("demands", "登记的要求"), ("refusals", "被拒绝的要求"),
                     ("reports", "被社区反映摊派"), ("reports_corrected", "其中已纠正"))
COMMUNITY_COLUMNS = tuple(h for _, h in COMMUNITY_FIELDS)
DEPARTMENT_COLUMNS = tuple(h for _, h in DEPARTMENT_FIELDS)


def communities_in(scope) -> list[Place]:
    q = Q(pk__in=[])
    for place in scope.staff_places:
        q |= Q(path__startswith=place.path)
    return list(Place.objects.filter(q, level=Level.COMMUNITY).order_by("code")[:300])


def _items_in_force(locality, year):
    return ListItem.objects.filter(locality=locality, effective_on__year__lte=year).filter(
        Q(voided=False) | Q(changed_at__year__gt=year))


def community_rows(communities, years) -> list[dict]:
    if not communities:
        return []
    ids = [c.pk for c in communities]
    by_locality = defaultdict(list)
    for c in communities:
        by_locality[c.path.strip("/").split("/")[0]].append(c)
    rows = []
    for year in years:
        answers = defaultdict(lambda: [0, 0, 0])  # requests, registry fields, typed fields
        for community_id, fields, from_registry, submitted in DataAnswer.objects.filter(
                community_id__in=ids, request__created_at__year=year).exclude(
                request__state="voided").values_list("community_id", "request__fields", "from_registry", "submitted"):
            a = answers[community_id]
            a[0] += 1
            a[1] += len(from_registry)
            a[2] += (len(fields) - len(from_registry)) if submitted else 0
        reported = dict(OffListReport.objects.filter(community_id__in=ids, demanded_on__year=year)
                        .values("community_id").annotate(n=Count("pk")).values_list("community_id", "n"))
        certs = dict(Certificate.objects.filter(community_id__in=ids, issued_at__year=year, voided=False)
                     .values("community_id").annotate(n=Count("pk")).values_list("community_id", "n"))
        bought = dict(ServiceContract.objects.filter(community_id__in=ids, starts_on__year__lte=year,
                                                     ends_on__year__gte=year)
                      .exclude(state=ContractState.VOIDED).values("community_id")
                      .annotate(s=Sum("price_yuan")).values_list("community_id", "s"))
        for code, members in by_locality.items():
            locality = Place.objects.get(code=code)
            items = list(_items_in_force(locality, year).select_related("admission")
                         .values_list("kind", "hours_per_year", "admission__all_communities", "admission_id"))
            targeted = defaultdict(set)
            for item_admission, community_id in AdmissionRequest.communities.through.objects.filter(
                    admissionrequest__item__locality=locality).values_list("admissionrequest_id", "place_id"):
                targeted[item_admission].add(community_id)
            demanded = _demands_in_force(locality, year)
            for c in members:
                mine = [i for i in items if i[3] is None or i[2] or c.pk in targeted[i[3]]]
                a = answers[c.pk]
                rows.append({"community": c.name, "year": year, "items": len(mine),
                             "hours": sum(float(i[1] or 0) for i in mine if i[0] == ListKind.ASSIST),
                             "data_requests": a[0], "from_registry": a[1], "typed": a[2],
                             **_demand_figures(demanded, c), "offlist_reports": reported.get(c.pk, 0),
                             "certificates": certs.get(c.pk, 0), "bought": float(bought.get(c.pk) or 0)})
    return rows


def _demands_in_force(locality, year) -> list[dict]:
    """The locality's demands binding in `year` (tens, not rows per resident), each with the
    communities it names; `all_communities` ones reach every community under the post."""
    rows = list(demand_reads.in_force([locality.pk], year).values(
        "pk", "kind", "times_per_year", "hours_per_community_year", "platform_ledger", "all_communities",
        "post_place__path"))
    named = defaultdict(set)
    for demand_id, place_id in Demand.communities.through.objects.filter(
            demand_id__in=[r["pk"] for r in rows]).values_list("demand_id", "place_id"):
        named[demand_id].add(place_id)
    for r in rows:
        r["named"] = named[r["pk"]]
    return rows


def _demand_figures(demanded, community) -> dict:
    mine = [d for d in demanded if community.pk in d["named"]
            or (d["all_communities"] and community.path.startswith(d["post_place__path"]))]
    return {"meetings": sum(d["times_per_year"] for d in mine if d["kind"] == DemandKind.MEETING),
            "ledgers": sum(1 for d in mine if d["kind"] == DemandKind.LEDGER and not d["platform_ledger"]),
            "platform_ledgers": sum(1 for d in mine if d["kind"] == DemandKind.LEDGER and d["platform_ledger"]),
            "signboards": sum(1 for d in mine if d["kind"] == DemandKind.SIGNBOARD),
            "systems": sum(1 for d in mine if d["kind"] == DemandKind.SYSTEM),
            "demand_hours": sum(float(d["hours_per_community_year"]) for d in mine)}


def department_rows(scope, years) -> list[dict]:
    """Per department of the caller's district(s) (a department post: its own department only)."""
    from gongzhi.accounts.models import Role
    from gongzhi.admission.selectors import district_of
    localities, own = set(), set()
    for a in scope.assignments:
        localities.add(district_of(a.place).pk)
        if a.role == Role.DEPARTMENT:
            own.add(a.department or a.place.name)
    only_own = bool(own) and not any(a.role in (Role.ADMIN, Role.STREET) for a in scope.assignments)
    rows = []
    for year in years:
        reqs = AdmissionRequest.objects.filter(locality_id__in=localities, created_at__year=year)
        data = DataRequest.objects.filter(locality_id__in=localities, created_at__year=year).exclude(state="voided")
        table = defaultdict(lambda: {"requests": 0, "approved": 0, "refused": 0, "data_requests": 0,
                                     "from_registry": 0, "items": 0, "demands": 0, "refusals": 0,
                                     "reports": 0, "reports_corrected": 0})
        for dept, state, n in reqs.values("department", "state").annotate(n=Count("pk")).values_list(
                "department", "state", "n"):
            table[dept]["requests"] += n
            if state == RequestState.APPROVED:
                table[dept]["approved"] += n
            elif state == RequestState.REFUSED:
                table[dept]["refused"] += n
        for dept, n in data.values("department").annotate(n=Count("pk")).values_list("department", "n"):
            table[dept]["data_requests"] += n
        for dept, regs in DataAnswer.objects.filter(request__in=data).values_list("request__department",
                                                                                  "from_registry"):
            table[dept]["from_registry"] += len(regs)
        for dept, n in ListItem.objects.filter(locality_id__in=localities, voided=False,
                                               effective_on__year__lte=year).values("department") \
                .annotate(n=Count("pk")).values_list("department", "n"):
            table[dept]["items"] += n
        for dept, n in demand_reads.in_force(localities, year).values("department").annotate(n=Count("pk")) \
                .values_list("department", "n"):
            table[dept]["demands"] += n
        for dept, n in Refusal.objects.filter(locality_id__in=localities, at__year=year).values("department") \
                .annotate(n=Count("pk")).values_list("department", "n"):
            table[dept]["refusals"] += n
        for dept, state, n in OffListReport.objects.filter(locality_id__in=localities, demanded_on__year=year) \
                .values("department", "state").annotate(n=Count("pk")).values_list("department", "state", "n"):
            table[dept]["reports"] += n
            if state == ReportState.CORRECTED:
                table[dept]["reports_corrected"] += n
        for dept in sorted(table):
            if only_own and dept not in own:
                continue
            rows.append({"department": dept, "year": year, **table[dept]})
    return rows
