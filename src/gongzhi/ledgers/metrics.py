"""The community books' metrics for the standards engine: committee and party posts,
full-time and certified workers, trainings, volunteers and activities, meetings,
disclosures, elections. Registered in manifest.py under extras["metrics"]; see
gongzhi/core/metrics.py for what a metric is. Voided rows count nowhere."""
from __future__ import annotations

from django.db.models import (
    Count, DecimalField, Exists, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value,
)
from django.db.models.functions import Coalesce, ExtractQuarter

from gongzhi.core.metrics import (
    Context, Metric, Ratio, counts, end_of, evidence, grouped, history_tail, latest_among, latest_versions, ratio,
    versions_then,
)
from gongzhi.ledgers.models import (
    Activity, Certificate, Disclosure, Election, ElectionMethod, Meeting, MeetingKind, Training, Volunteer, Worker,
)
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.places.models import Place

LEDGER = "ledgers:ledger"
WORKERS = evidence("班子与工作者", LEDGER, "{code}", tab="workers")
# a closed period's run notes how it read the workers under this name (worker_rows): Metric.history
WORKERS_HISTORY = ("workers",)
TRAININGS = evidence("培训台账", LEDGER, "{code}", tab="trainings", year="{year}")
MEETINGS = evidence("会议记录", LEDGER, "{code}", tab="meetings", year="{year}")
DISCLOSURES = evidence("居务公开", LEDGER, "{code}", tab="disclosures", year="{year}")
# the households behind a per-household figure are in the registry
HOUSEHOLDS = evidence("户籍登记", "people:residents", community="{code}")


# -- staff (P-STAFF-*) ---------------------------------------------------------------------
def worker_rows(ctx: Context) -> QuerySet:
    """The workers serving in the run's communities: today, or for a closed period (`registry_as_of`)
    as they stood at its end — each worker's posts from the ledger's history as of that day, when the
    history reaches back to it; else today's rows by their dates (任职日期 ≤ the day < 离任日期), with
    today's posts. `ctx.registry["workers"]` says which."""
    day = ctx.registry_as_of
    if day is None:
        return Worker.objects.filter(ctx.scope, left_on__isnull=True)
    serving = (Q(since__isnull=True) | Q(since__lte=day)) & (Q(left_on__isnull=True) | Q(left_on__gt=day))
    reached = Worker.history.model.objects.filter(history_date__lt=end_of(day), community_id__in=ctx.ids).exists()
    ctx.registry["workers"] = "history" if reached else "today"
    rows = latest_versions(Worker, day) if reached else Worker.objects.all()
    return rows.filter(ctx.scope, serving)


def _staff(ctx: Context, field: str) -> dict:
    """One count of the serving workers per community; all of them come from one grouped query per run."""
    def build():
        committee = ~Q(committee_post="")
        # aliases are prefixed so they never shadow a column the filters name
        return grouped(
            worker_rows(ctx), "community_id",
            n_all=Count("id"), n_committee=Count("id", filter=committee),
            n_committee_full_time=Count("id", filter=committee & Q(full_time=True)),
            n_full_time=Count("id", filter=Q(full_time=True)),
            n_service_staff=Count("id", filter=Q(full_time=True, committee_post="", party_post="")),
            n_certified=Count("id", filter=~Q(certificate=Certificate.NONE)),
            n_party=Count("id", filter=~Q(party_post="")),
            n_cross=Count("id", filter=~Q(party_post="") & committee))
    return {cid: row[f"n_{field}"] for cid, row in ctx.once("ledgers.staff", build).items()}


def committee_members(ctx):
    return _staff(ctx, "committee")


def full_time_staff(ctx):
    return _staff(ctx, "service_staff")


def party_committee_members(ctx):
    return _staff(ctx, "party")


def committee_full_time_share(ctx):
    return ratio(_staff(ctx, "committee_full_time"), _staff(ctx, "committee"), ctx.ids, 100)


def households_per_committee_member(ctx):
    return ratio(ctx.get("households"), _staff(ctx, "committee"), ctx.ids, 1)


def households_per_full_time_worker(ctx):
    return ratio(ctx.get("households"), _staff(ctx, "full_time"), ctx.ids, 1)


def certified_social_workers_per_10k(ctx):
    return ratio(_staff(ctx, "certified"), ctx.get("residents"), ctx.ids, 10_000)


def certified_worker_share(ctx):
    return ratio(_staff(ctx, "certified"), _staff(ctx, "all"), ctx.ids, 100)


def cross_holding_share(ctx):
    return ratio(_staff(ctx, "cross"), _staff(ctx, "party"), ctx.ids, 100)


# who counts for the training metrics: P-STAFF-7 trains secretary and director (leaders)
# against the other post-holders; P-STAFF-5 trains the committee's director against its members
LEADERS = Q(committee_post="director") | Q(party_post="secretary")
POST_HOLDERS = ~Q(committee_post="") | ~Q(party_post="")
DIRECTOR = Q(committee_post="director")
COMMITTEE = ~Q(committee_post="")


def _training(ctx: Context, who: Q, measure: str) -> dict:
    """The least trained of `who` among each community's serving workers in the year:
    a per-worker subquery summed by the database, then the minimum per community."""
    trainings = Training.objects.filter(worker=OuterRef("id"), voided="", held_on__year=ctx.year)
    per_worker = trainings.values("worker").annotate(
        v=Sum("days") if measure == "days" else Count("id")).values("v")
    output = DecimalField(max_digits=8, decimal_places=1) if measure == "days" else IntegerField()
    people = worker_rows(ctx).filter(who).annotate(
        v=Coalesce(Subquery(per_worker, output_field=output), Value(0), output_field=output))
    rows = people.values("community_id").annotate(least=Min("v")).order_by()
    return {r["community_id"]: float(r["least"]) for r in rows}


def leader_training_days(ctx):
    return _training(ctx, LEADERS, "days")


def member_training_days(ctx):
    return _training(ctx, POST_HOLDERS & ~LEADERS, "days")


def director_trainings(ctx):
    return _training(ctx, DIRECTOR, "count")


def committee_member_trainings(ctx):
    return _training(ctx, COMMITTEE & ~DIRECTOR, "count")


# -- volunteers and activities (P-VOL-*) ---------------------------------------------------
def _registered_on(day) -> Q:
    return Q(registered_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


def _volunteers_reached(ctx: Context) -> bool:
    """Do the volunteers' and the residents' histories reach back to the run's `registry_as_of`?"""
    before = end_of(ctx.registry_as_of)
    return (Volunteer.history.model.objects.filter(history_date__lt=before, community_id__in=ctx.ids).exists()
            and Resident.history.model.objects.filter(history_date__lt=before, community_id__in=ctx.ids).exists())


def volunteer_rows(ctx: Context) -> QuerySet:
    """The registered volunteers of the run's communities who are active residents: today, or for a closed
    period (`registry_as_of`) whose histories do not reach back to its end, today's rows by their dates
    (注册日期 ≤ the day < 退出日期) and today's status. Where they do, `registered_volunteers` counts them as
    they stood then from the histories' tails (`_volunteers_as_of`). `ctx.registry["volunteers"]` says which."""
    day = ctx.registry_as_of
    if day is None:
        return Volunteer.objects.filter(ctx.scope, left_on__isnull=True, resident__status=PersonStatus.ACTIVE)
    ctx.registry["volunteers"] = "today"
    return Volunteer.objects.filter(ctx.scope, _registered_on(day), resident__status=PersonStatus.ACTIVE)


def _volunteers_as_of(ctx: Context) -> dict[int, int]:
    """{community id: volunteers registered at the end of `registry_as_of` (注册日期 ≤ the day < 退出日期) whose
    resident was active then}: today's rows counted by those dates, corrected by the rows that may have stood
    otherwise then — the volunteers with a version after the day and those whose resident has one (the
    histories' tails, as standards/asof.py reads the registry: never an aggregate over the whole history)."""
    day = ctx.registry_as_of
    registered = _registered_on(day)
    today = Volunteer.objects.filter(registered, community_id__in=ctx.ids, resident__status=PersonStatus.ACTIVE)
    v_tail, r_tail = history_tail(Volunteer, day), history_tail(Resident, day)
    if v_tail is None and r_tail is None:
        return counts(today)
    # the resident active then, probed per row (the rows looked up are the tails' few thousand): their latest
    # version before the day's end (every write goes through the history, so an unchanged resident's too)
    before = Resident.history.model.objects.filter(history_date__lt=end_of(day))
    active_then = Exists(latest_among(before.filter(id=OuterRef("resident_id")), before)
                         .filter(status=PersonStatus.ACTIVE))
    # probed by key (EXISTS), never "IN (sub-query)" inside an aggregate's filter nor "NOT IN": PostgreSQL hashes
    # such a sub-query only while it fits in work_mem, else scans it again per row (the 10 M city's 1.75 M
    # resident versions since the day: the figure did not finish in twenty minutes)
    r_changed = Exists(r_tail.filter(id=OuterRef("resident_id"))) if r_tail is not None else None
    v_changed = Exists(v_tail.filter(id=OuterRef("id"))) if v_tail is not None else None
    changed = Q(pk__in=[])
    if r_changed is not None:
        changed |= Q(r_changed)
    if v_changed is not None:
        changed |= Q(v_changed)
    # today's count and what the changed rows count as they stand, from one statement…
    rows = grouped(today, "community_id", n=Count("*"), changed=Count("id", filter=changed))
    out = {cid: r["n"] for cid, r in rows.items()}
    fixes = [(-1, {cid: r["changed"] for cid, r in rows.items()})]
    # …and as they stood: the volunteers' own versions then, or, unchanged since, their row as it stands
    if v_tail is not None:
        fixes.append((1, counts(versions_then(Volunteer, v_tail, day).filter(registered, active_then,
                                                                            community_id__in=ctx.ids))))
    if r_tail is not None:
        unchanged = Volunteer.objects.filter(registered, active_then, r_changed, community_id__in=ctx.ids)
        if v_changed is not None:
            unchanged = unchanged.exclude(v_changed)
        fixes.append((1, counts(unchanged)))
    for sign, fix in fixes:
        for cid, n in fix.items():
            out[cid] = out.get(cid, 0) + sign * n
    return {cid: n for cid, n in out.items() if n}


def registered_volunteers(ctx):
    if ctx.registry_as_of is not None and _volunteers_reached(ctx):
        ctx.registry["volunteers"] = "history"
        return _volunteers_as_of(ctx)
    return counts(volunteer_rows(ctx))


def volunteer_registration_rate(ctx):
    return ratio(ctx.get("registered_volunteers"), ctx.get("residents"), ctx.ids, 100)


def volunteer_activities_per_year(ctx):
    return counts(Activity.objects.filter(ctx.scope, ctx.in_year("held_on"), voided=""))


# -- self-governance (P-GOV-*) -------------------------------------------------------------
def residents_meetings_per_year(ctx):
    """居民会议 in either form the Organic Law allows: all residents, or representatives."""
    return counts(Meeting.objects.filter(ctx.scope, ctx.in_year("held_on"), voided="",
                                         kind__in=[MeetingKind.RESIDENTS, MeetingKind.REPRESENTATIVES]))


def deliberation_meetings_per_year(ctx):
    return counts(Meeting.objects.filter(ctx.scope, ctx.in_year("held_on"), voided="",
                                         kind=MeetingKind.DELIBERATION))


def disclosure_quarters(ctx):
    rows = (Disclosure.objects.filter(ctx.scope, ctx.in_year("published_on"), voided="")
            .annotate(q=ExtractQuarter("published_on")).values("community_id")
            .annotate(n=Count("q", distinct=True)).order_by())
    return {r["community_id"]: r["n"] for r in rows}


def disclosure_age_days(ctx):
    latest = grouped(Disclosure.objects.filter(ctx.scope, voided="", published_on__lte=ctx.as_of),
                     "community_id", last=Max("published_on"))
    return {cid: (float((ctx.as_of - latest[cid]["last"]).days) if cid in latest else None) for cid in ctx.ids}


def committee_directly_elected(ctx):
    latest = Election.objects.filter(community_id=OuterRef("pk"), voided="", held_on__lte=ctx.as_of) \
        .order_by("-held_on", "-id").values("method")[:1]
    rows = Place.objects.filter(id__in=ctx.ids).annotate(method=Subquery(latest)).values_list("id", "method")
    return {cid: (None if m is None else (100.0 if m == ElectionMethod.DIRECT else 0.0)) for cid, m in rows}


METRICS = (
    # staff (P-STAFF-*)
    Metric("committee_members", "居(村)委会成员", "人", compute=committee_members, evidence=WORKERS, history=WORKERS_HISTORY),
    Metric("committee_full_time_share", "居委会成员中专职的比例", "%", compute=committee_full_time_share,
           evidence=WORKERS, history=WORKERS_HISTORY),
    Metric("households_per_committee_member", "每名居委会成员联系户数", "户",
           compute=households_per_committee_member, evidence=HOUSEHOLDS,
           ratio=Ratio("households", "户", "committee_members", "名成员"), history=("households", "workers")),
    Metric("full_time_staff", "专职服务人员", "人", compute=full_time_staff, evidence=WORKERS, history=WORKERS_HISTORY),
    Metric("households_per_full_time_worker", "每名专职社区工作者服务户数", "户",
           compute=households_per_full_time_worker, evidence=HOUSEHOLDS,
           ratio=Ratio("households", "户", None, ""), history=("households", "workers")),
    Metric("certified_social_workers_per_10k", "持证社会工作者(每万人)", "人",
           compute=certified_social_workers_per_10k, evidence=WORKERS, ratio=Ratio(None, "", "residents", "人"),
           history=("workers", "residents")),
    Metric("certified_worker_share", "社区工作者持证比例", "%", compute=certified_worker_share, evidence=WORKERS,
           history=WORKERS_HISTORY),
    Metric("party_committee_members", "村(社区)党组织委员", "人", compute=party_committee_members,
           evidence=WORKERS, history=WORKERS_HISTORY),
    Metric("cross_holding_share", "“两委”成员交叉任职比例", "%", compute=cross_holding_share, evidence=WORKERS,
           history=WORKERS_HISTORY),
    Metric("leader_training_days", "党组织书记、居(村)委会主任年度培训天数(最少者)", "天", period=True,
           compute=leader_training_days, evidence=TRAININGS),
    Metric("member_training_days", "其他“两委”成员年度培训天数(最少者)", "天", period=True,
           compute=member_training_days, evidence=TRAININGS),
    Metric("director_trainings", "居(村)委会主任年度参加培训次数", "次", period=True,
           compute=director_trainings, evidence=TRAININGS),
    Metric("committee_member_trainings", "其他居(村)委会成员年度参加培训次数(最少者)", "次", period=True,
           compute=committee_member_trainings, evidence=TRAININGS),
    # volunteers (P-VOL-*)
    Metric("registered_volunteers", "注册志愿者人数", "人", compute=registered_volunteers,
           evidence=evidence("志愿者", LEDGER, "{code}", tab="volunteers"),
           history=("volunteers",)),
    Metric("volunteer_registration_rate", "注册志愿者占居民比例", "%", compute=volunteer_registration_rate,
           evidence=evidence("志愿者", LEDGER, "{code}", tab="volunteers"),
           ratio=Ratio("registered_volunteers", "人", "residents", "人"),
           history=("volunteers", "residents")),
    Metric("volunteer_activities_per_year", "志愿/互助活动(每年)", "次", period=True,
           compute=volunteer_activities_per_year,
           evidence=evidence("志愿/互助活动", LEDGER, "{code}", tab="activities", year="{year}")),
    # self-governance (P-GOV-*)
    Metric("residents_meetings_per_year", "居民会议(每年)", "次", period=True,
           compute=residents_meetings_per_year, evidence=MEETINGS),
    Metric("deliberation_meetings_per_year", "议事协商会议(每年)", "次", period=True,
           compute=deliberation_meetings_per_year, evidence=MEETINGS),
    Metric("disclosure_quarters", "有居务公开的季度数", "个", period=True, compute=disclosure_quarters,
           evidence=DISCLOSURES),
    Metric("disclosure_age_days", "最近一次居务公开距评估日天数", "天", compute=disclosure_age_days,
           evidence=DISCLOSURES),
    Metric("committee_directly_elected", "居委会由直接选举产生", "%", note="最近一次换届为直选为 100,否则为 0",
           compute=committee_directly_elected, evidence=evidence("换届选举", LEDGER, "{code}", tab="elections")),
)
