"""The volunteers of the demo district (DemoPart 51): the residents the community books list as
volunteers (ledgers' part, 50) become volunteers here with skills and availability; each community
has its teams, a year of activities with sign-ups, check-ins and confirmed hours, two coming ones
open for sign-up, and a time bank with offers, earned and spent points. In 东虹社区 a twice-weekly
助老送餐 series gives its regulars the hours of the star levels, one activity is on now (the demo
community worker's QR check-in page) and the demo resident is a volunteer with hours, a certificate
and points.

Rows are written in bulk as the services would have left them (the cumulative hours and balances
are then computed from the records and entries); its own random generator."""
from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.core.demo import ACCOUNT_COMMUNITY
from gongzhi.ledgers import models as ledger_models
from gongzhi.people.models import PersonStatus
from gongzhi.places.models import Level
from gongzhi.volunteers import services
from gongzhi.volunteers.models import (
    SKILLS, AccountKind, Activity, Availability, Commendation, EntryKind, Evaluation, Offer, PointAccount, PointEntry,
    SignUp, Team, Training, TrainingAttendance, Volunteer,
)

SEED = 5151
SUMMARY = {"volunteer_profiles": "志愿者 volunteers", "volunteer_activities": "志愿活动 activities",
           "volunteer_records": "服务记录 service records", "point_entries": "积分流水 point entries"}
_TITLES = [("清理楼道杂物", "clean"), ("助老送餐", "care"), ("义诊量血压", "medical"), ("法律咨询进社区", "law"),
           ("青少年课业辅导", "teach"), ("广场舞展演服务", "culture"), ("夜间治安巡逻", "safety"),
           ("家电义务维修", "repair"), ("智能手机教学", "it"), ("垃圾分类宣传", "publicity"), ("独居老人探访", "psych")]
_OFFERS = [("理发一次", 30), ("家电小修一次", 50), ("助浴服务一次", 80), ("粮油一份", 100), ("社区食堂餐券", 20)]
HISTORY_REASON = "演示数据"


def _organiser(ctx, community) -> User:
    if community.code == ACCOUNT_COMMUNITY and "community" in ctx.accounts:
        return ctx.accounts["community"]
    user = User.objects.filter(assignments__role=Role.COMMUNITY, assignments__place=community).order_by("pk").first()
    if user is None:
        user = User(username=f"community-{community.code}", display_name=f"{community.name}社工")
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.COMMUNITY, place=community)
    return user


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build(ctx) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    communities = ctx.places_at(Level.COMMUNITY)
    ids = [c.pk for c in communities]
    # the community books' volunteers become volunteers with skills (their ledger rows stay as they are)
    rows = list(ledger_models.Volunteer.objects.filter(community_id__in=ids, left_on__isnull=True,
                                                      resident__status=PersonStatus.ACTIVE)
                .order_by("pk").values_list("resident_id", "community_id", "registered_on"))
    teams = {}
    for c in communities:
        teams[c.pk] = [Team(community=c, name=f"{c.name}志愿服务队", field="综合服务", created_on=dt.date(2019, 3, 5)),
                       Team(community=c, name=f"{c.name}银发助老队", field="助老助残", created_on=dt.date(2021, 5, 1))]
    Team.objects.bulk_create([t for ts in teams.values() for t in ts])
    skill_codes = [s for s, _ in SKILLS]
    volunteers = [Volunteer(resident_id=rid, community_id=cid, registered_on=on,
                            team=rng.choice(teams[cid]) if rng.random() < 0.7 else None,
                            skills=rng.sample(skill_codes, rng.randint(1, 3)),
                            availability=rng.choice(Availability.values), self_signed=rng.random() < 0.4)
                  for rid, cid, on in rows]
    Volunteer.objects.bulk_create(volunteers, batch_size=2000)
    demo_resident = ctx.account_residents.get("resident")
    me = None
    if demo_resident is not None and demo_resident.status == PersonStatus.ACTIVE:
        me = Volunteer.objects.filter(resident=demo_resident).first() or services.volunteer_enrol(
            resident=demo_resident, skills=["it", "publicity"], availability=Availability.WEEKEND, self_signed=True,
            on=today - dt.timedelta(days=300))
    by_community: dict[int, list[Volunteer]] = {}
    for v in Volunteer.objects.filter(community_id__in=ids).order_by("pk"):
        by_community.setdefault(v.community_id, []).append(v)
    PointAccount.objects.bulk_create(
        [PointAccount(community_id=v.community_id, kind=AccountKind.PERSON, volunteer=v)
         for vs in by_community.values() for v in vs] +
        [PointAccount(community=c, kind=kind) for c in communities for kind in (AccountKind.ISSUE, AccountKind.REDEEM)],
        batch_size=2000, ignore_conflicts=True)  # the demo resident enrolled through the service has one

    # activities: a year of them per community, two coming ones, and the 助老送餐 series in 东虹社区
    plans = []  # (activity, [(volunteer, hours or None, checked in)])
    for c in communities:
        organiser, vols = _organiser(ctx, c), by_community.get(c.pk, [])
        team_choices = teams[c.pk] + [None]
        for i in range(rng.randint(7, 12)):
            title, skill = rng.choice(_TITLES)
            day = today - dt.timedelta(days=rng.randint(3, 360))
            start = _at(day, rng.choice([9, 14, 19]))
            length = rng.choice([2, 2, 3, 4])
            a = Activity(community=c, team=rng.choice(team_choices), title=title, location=f"{c.name}党群服务中心",
                         starts_at=start, ends_at=start + dt.timedelta(hours=length), places=rng.randint(8, 20),
                         skills=[skill], organiser=organiser, token=secrets.token_urlsafe(18)[:24],
                         description=f"{title},欢迎有{dict(SKILLS)[skill]}特长的志愿者报名。")
            crowd = rng.sample(vols, min(len(vols), int(a.places * rng.uniform(0.5, 1.0))))
            plans.append((a, [(v, Decimal(length) - (Decimal("0.5") if rng.random() < 0.2 else 0)
                               if rng.random() < 0.92 else None, True) for v in crowd]))
        for k in (1, 2):
            title, skill = rng.choice(_TITLES)
            start = _at(today + dt.timedelta(days=3 * k + rng.randint(0, 5)), 9)
            a = Activity(community=c, team=teams[c.pk][0], title=title, location=f"{c.name}党群服务中心",
                         starts_at=start, ends_at=start + dt.timedelta(hours=3), places=rng.randint(10, 20),
                         skills=[skill], organiser=organiser, token=secrets.token_urlsafe(18)[:24])
            plans.append((a, [(v, None, False) for v in rng.sample(vols, min(len(vols), rng.randint(0, 6)))]))
        if c.code == ACCOUNT_COMMUNITY:
            regulars = [v for v in vols if v != me][:12]
            attendance = {v.pk: rng.uniform(0.15, 0.95) for v in regulars}
            days = 730 if ctx.scale >= 0.5 else 365
            for d in range(days, 2, -1):
                day = today - dt.timedelta(days=d)
                if day.weekday() not in (1, 4):
                    continue
                start = _at(day, 10)
                a = Activity(community=c, team=teams[c.pk][1], title="助老送餐", location="东虹社区长者食堂",
                             starts_at=start, ends_at=start + dt.timedelta(hours=4), places=12, skills=["care"],
                             organiser=organiser, token=secrets.token_urlsafe(18)[:24])
                came = [v for v in regulars if rng.random() < attendance[v.pk]]
                if me is not None and d < 300 and rng.random() < 0.25:
                    came.append(me)
                plans.append((a, [(v, Decimal(4), True) for v in came]))
            # on now: the demo worker's check-in QR page has something to show
            start = now - dt.timedelta(hours=1)
            a = Activity(community=c, team=teams[c.pk][0], title="社区环境清洁日", location="东虹社区中心广场",
                         starts_at=start, ends_at=start + dt.timedelta(hours=3), places=15, skills=["clean"],
                         organiser=organiser, token=secrets.token_urlsafe(18)[:24])
            plans.append((a, [(v, None, rng.random() < 0.5) for v in rng.sample(vols, min(len(vols), 6))]
                          + ([(me, None, False)] if me is not None else [])))
    for a, crowd in plans:
        a.taken = len(crowd)
        a.places = max(a.places, a.taken)
    Activity.objects.bulk_create([a for a, _ in plans], batch_size=1000)
    signups = []
    for a, crowd in plans:
        served_on = timezone.localtime(a.starts_at).date()
        for v, hours, came in crowd:
            s = SignUp(activity=a, volunteer=v, community_id=a.community_id, team_id=a.team_id, served_on=served_on,
                       hours=hours)
            if came:
                s.checked_in_at = a.starts_at - dt.timedelta(minutes=rng.randint(0, 20))
                if a.ends_at < now:
                    s.checked_out_at = a.ends_at + dt.timedelta(minutes=rng.randint(0, 15))
            if hours is not None:
                s.confirmed_by_id, s.confirmed_at = a.organiser_id, a.ends_at + dt.timedelta(hours=2)
            signups.append(s)
    SignUp.objects.bulk_create(signups, batch_size=2000)
    for s in signups:
        s.signed_at = s.activity.starts_at - dt.timedelta(days=rng.randint(1, 7))
    SignUp.objects.bulk_update(signups, ["signed_at"], batch_size=1000)

    # the activity ledger: one row per activity with confirmed hours, as write_from leaves it
    totals: dict[int, list] = {}
    for s in signups:
        if s.hours is not None:
            t = totals.setdefault(s.activity_id, [0, Decimal(0)])
            t[0] += 1
            t[1] += s.hours
    bulk_create_with_history([
        ledger_models.Activity(community_id=a.community_id, kind=ledger_models.ActivityKind.VOLUNTEER,
                               held_on=timezone.localtime(a.starts_at).date(), title=a.title,
                               participants=totals[a.pk][0], hours=totals[a.pk][1], source=services.LEDGER_SOURCE,
                               source_pk=a.pk)
        for a, _ in plans if a.pk in totals], ledger_models.Activity, batch_size=1000,
        default_change_reason=HISTORY_REASON)

    # cumulative hours from the records
    Volunteer.objects.filter(community_id__in=ids).update(hours=Coalesce(Subquery(
        SignUp.objects.filter(volunteer=OuterRef("pk"), hours__isnull=False).values("volunteer")
        .annotate(h=Sum("hours")).values("h")), Value(Decimal(0)), output_field=DecimalField()))

    services.rollup_rebuild(community_ids=ids)

    # the time bank: points for every confirmed record, some spent on the community's offers
    accounts = {a.volunteer_id: a for a in PointAccount.objects.filter(community_id__in=ids, kind=AccountKind.PERSON)}
    issue = {a.community_id: a for a in PointAccount.objects.filter(community_id__in=ids, kind=AccountKind.ISSUE)}
    redeem = {a.community_id: a for a in PointAccount.objects.filter(community_id__in=ids, kind=AccountKind.REDEEM)}
    offers = {}
    for c in communities:
        offers[c.pk] = Offer.objects.bulk_create([Offer(community=c, title=t, points=p)
                                                  for t, p in rng.sample(_OFFERS, 4)])
    entries, balance = [], {}
    for s in signups:
        if s.hours:
            points = int(s.hours * services.POINTS_PER_HOUR)
            entries.append(PointEntry(debit=issue[s.community_id], credit=accounts[s.volunteer_id], amount=points,
                                      kind=EntryKind.EARN, memo=f"{s.activity.title} 服务 {s.hours} 小时"[:100],
                                      signup=s, created_by_id=s.confirmed_by_id))
            balance[s.volunteer_id] = balance.get(s.volunteer_id, 0) + points
    for vid, points in list(balance.items()):
        account = accounts[vid]
        for _ in range(rng.randint(0, 3)):
            offer = rng.choice(offers[account.community_id])
            if balance[vid] >= offer.points and rng.random() < 0.5:
                entries.append(PointEntry(debit=account, credit=redeem[account.community_id], amount=offer.points,
                                          kind=EntryKind.SPEND, memo=f"兑换:{offer.title}", offer=offer))
                balance[vid] -= offer.points
    PointEntry.objects.bulk_create(entries, batch_size=2000)
    _balances(ids)
    if me is not None:
        me.refresh_from_db()
        if me.hours > 0:
            services.certificate_issue(volunteer=me, by=ctx.accounts.get("community") or me.registered_by
                                       or _organiser(ctx, me.community))
    _growth(rng, communities, by_community, me, ctx, today)
    ctx.summary.add(SUMMARY, volunteer_profiles=sum(len(v) for v in by_community.values()),
                    volunteer_activities=len(plans), volunteer_records=len(signups), point_entries=len(entries))


_COURSES = [("志愿服务通识培训", "区志愿者协会讲师"), ("应急救护(心肺复苏)", "市红十字会救护师"),
            ("助老服务技能", "社区卫生服务中心护士"), ("垃圾分类指导员培训", "街道城管科"),
            ("心理疏导入门", "社会工作站督导")]
_REASONS = {"excellent": "全年服务次数多、时长足,群众评价好", "good": "按时参加活动,服务认真",
            "basic": "参加活动较少,服务态度端正"}


def _growth(rng, communities, by_community, me, ctx, today) -> None:
    """Training sessions with attendance, last year's evaluations and commendations for the regulars."""
    trainings, attendance, evaluations, honours = [], [], [], []
    hours = dict(Volunteer.objects.filter(community__in=communities).values_list("pk", "hours"))
    for c in communities:
        vols = by_community.get(c.pk, [])
        if not vols:
            continue
        organiser = _organiser(ctx, c)
        for n, (course, trainer) in enumerate(rng.sample(_COURSES, 2)):
            t = Training(community=c, course=course, held_on=today - dt.timedelta(days=40 + 150 * n),
                         hours=Decimal(rng.choice(("2", "3", "4"))), trainer=trainer, created_by=organiser)
            trainings.append((t, [v for v in vols if rng.random() < 0.4 or v == me]))
        ranked = sorted(vols, key=lambda v: (-hours[v.pk], v.pk))
        for v in ranked:
            if hours[v.pk] <= 0 or v.registered_on.year > today.year - 1:
                continue
            grade = "excellent" if hours[v.pk] >= hours[ranked[0].pk] / 2 else ("good" if hours[v.pk] >= 6 else "basic")
            evaluations.append(Evaluation(volunteer=v, community_id=c.pk, year=today.year - 1, grade=grade,
                                          reason=_REASONS[grade], by=organiser))
        for v in ranked[:2]:
            if hours[v.pk] > 0:
                honours.append(Commendation(volunteer=v, community_id=c.pk, title="优秀志愿者", level="community",
                                            awarded_on=dt.date(today.year - 1, 12, 5), issuer=f"{c.name}居民委员会",
                                            by=organiser))
        if me is not None and me.community_id == c.pk and me not in ranked[:2]:
            honours.append(Commendation(volunteer=me, community_id=c.pk, title="最美志愿者", level="street",
                                        awarded_on=dt.date(today.year - 1, 3, 5), issuer="宜城街道办事处",
                                        by=organiser))
    Training.objects.bulk_create([t for t, _ in trainings])
    for t, vols in trainings:
        attendance += [TrainingAttendance(training=t, volunteer=v, recorded_by_id=t.created_by_id) for v in vols]
    TrainingAttendance.objects.bulk_create(attendance, batch_size=2000)
    Evaluation.objects.bulk_create(evaluations, batch_size=2000)
    Commendation.objects.bulk_create(honours)


def _balances(ids) -> None:
    """Each account's balance is what its entries say (credits minus debits)."""
    def total(field):
        return Coalesce(Subquery(PointEntry.objects.filter(**{field: OuterRef("pk")}).values(field)
                                 .annotate(n=Sum("amount")).values("n")), Value(0))
    PointAccount.objects.filter(community_id__in=ids).update(balance=total("credit") - total("debit"))


def count_existing(summary, district) -> None:
    vols = Volunteer.objects.filter(community__path__startswith=district.path)
    acts = Activity.objects.filter(community__path__startswith=district.path)
    summary.add(SUMMARY, volunteer_profiles=vols.count(), volunteer_activities=acts.count(),
                volunteer_records=SignUp.objects.filter(activity__in=acts).count(),
                point_entries=PointEntry.objects.filter(credit__community__path__startswith=district.path).count())
