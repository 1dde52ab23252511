"""The care part of the demo district (DemoPart 53): stations at three levels (the district's guidance
centre, each street's centre, a station in every urban and most rural communities, the provider account on
东虹社区's staff), absences of working parents in rural households (so left-behind children and elders
appear from the registry), disability certificates, the worker's confirmations and one correction, a
quarter of visits on each visit list (some overdue), assessments and care plans, months of service orders
(confirmed and rated, one in service, one waiting) with last month's statements, and hardship reports in
every state. Groups are derived from people's part; nothing is typed. Its own random generator."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.care import stations as circle
from gongzhi.care import visits
from gongzhi.care.groups import GROUPS, annotate_groups, registry_residents, years_before
from gongzhi.care.localities import rules_for
from gongzhi.care.models import (
    Assessment, CarePlan, CareVisit, Disability, Group, GroupReview, HardshipReport, OrderState, ServiceOrder,
    Station, StationLevel, StationStaff,
)
from gongzhi.people.models import Absence, PersonStatus, Resident
from gongzhi.places.models import AreaKind, Level
from gongzhi.workorders.models import VisitLog

SEED = 5301
SUMMARY = {"care_stations": "养老服务站点 care stations", "care_visits": "关爱走访 care visits",
           "care_orders": "居家养老服务工单 care service orders", "care_hardships": "困难上报 hardship reports",
           "care_pairings": "结对走访 visitor pairings", "care_disability_homes": "残疾人之家 homes for the disabled"}
ALL_SERVICES = ["meal", "bath", "cleaning", "escort", "rehab", "emergency"]
CONDITIONS = ["good"] * 6 + ["fair"] * 3 + ["poor"]
NOTES = {"good": "精神状态好,饮食起居正常", "fair": "血压偏高,叮嘱按时服药", "poor": "行动不便,家中卫生较差"}


def _worker(community) -> User:
    found = (User.objects.filter(assignments__role=Role.COMMUNITY, assignments__place=community,
                                 assignments__active=True).order_by("pk").first())
    if found is None:
        found = User(username=f"community-{community.code}", display_name="居委会")
        found.set_unusable_password()
        found.save()
        RoleAssignment.objects.create(user=found, role=Role.COMMUNITY, place=community)
    return found


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _stations(ctx, rng) -> dict[int, Station]:
    made = {}
    for place in ctx.places_at(Level.DISTRICT) + ctx.places_at(Level.STREET):
        c = circle.centre(place.boundary)
        level = StationLevel.DISTRICT if place.level == Level.DISTRICT else StationLevel.STREET
        Station.objects.create(place=place, level=level, name=f"{place.name}居家养老服务{'指导' if level == 'district' else ''}中心",
                               services=ALL_SERVICES, hours="8:00-17:30", capacity=120 if level == "street" else 60,
                               address=f"{place.name}政务服务中心", lat=c[0] if c else None, lon=c[1] if c else None)
    for community in ctx.places_at(Level.COMMUNITY):
        if community.area_kind == AreaKind.RURAL and rng.random() < 0.4:
            continue
        c = circle.centre(community.boundary)
        made[community.pk] = Station.objects.create(
            place=community, level=StationLevel.COMMUNITY, name=f"{community.name}居家养老服务站",
            services=["meal", "cleaning", "escort", "emergency"] + (["bath"] if rng.random() < 0.5 else []),
            hours="8:00-17:00", capacity=rng.choice((20, 30, 40)), address=f"{community.name}党群服务中心",
            lat=(c[0] + rng.uniform(-0.002, 0.002)) if c else None, lon=(c[1] + rng.uniform(-0.002, 0.002)) if c else None)
    return made


def _absences(community, worker, rng, today, n) -> int:
    """Working parents away from rural households with children: both in some, one in others."""
    parents = list(Resident.objects.filter(community=community, status=PersonStatus.ACTIVE,
                                           relation__in=("02", "10", "11", "12"),
                                           birth_date__gt=years_before(today, 50),
                                           household__members__birth_date__gt=years_before(today, 16),
                                           household__members__relation__in=("20", "21", "22", "23", "30", "31",
                                                                             "32", "33"))
                   .distinct().order_by("household_id", "pk")[:n * 2])
    rows = [Absence(resident=p, household_id=p.household_id, community_id=p.community_id, grid_id=p.grid_id,
                    reason="work", destination=rng.choice(("苏州", "上海", "无锡", "杭州", "南京")),
                    since=today - dt.timedelta(days=rng.randint(60, 700)), recorded_by=worker) for p in parents]
    Absence.objects.bulk_create(rows)
    return len(rows)


def build(ctx) -> None:
    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    provider = ctx.accounts.get("provider") or User.objects.filter(username="provider").first()
    per = max(1, round(8 * ctx.scale))
    stations = _stations(ctx, rng)
    n_orders = n_hard = 0
    made_visits: list[CareVisit] = []  # every community's, written at once with their 民情日记 rows below
    unvisited: set[int] = set()  # the people of the households left waiting (no pairing visits them either)
    communities = ctx.places_at(Level.COMMUNITY)
    workers = {c.pk: _worker(c) for c in communities}
    for community in communities:
        if community.area_kind == AreaKind.RURAL:
            _absences(community, workers[community.pk], rng, today, per)
    # the visit lists and the living-alone elders of every community, one statement each
    listed: dict[int, list] = {}
    labels: dict[int, list[str]] = {}  # each listed person's groups, for the 民情日记 rows of their visits
    for row in sorted(visits.visit_list(None, communities, today), key=lambda r: r.pk):
        listed.setdefault(row.community_id, []).append((row.pk, row.grid_id, row.interval))
        labels[row.pk] = [Group(g).label for g in GROUPS if getattr(row, f"e_{g}")]
    alone: dict[int, list] = {}
    for cid, pk in (annotate_groups(registry_residents(), today, reviews=False).filter(g_living_alone=True)
                    .order_by("pk").values_list("community_id", "pk")):
        alone.setdefault(cid, []).append(pk)
    for ci, community in enumerate(communities):
        worker = workers[community.pk]
        station = stations.get(community.pk)
        if provider is not None and station is not None and community.code == "320282001001":
            # bound a year ago by the community (care/staff.py binds from the station's page)
            StationStaff.objects.create(user=provider, station=station, started_on=today - dt.timedelta(days=365),
                                        bound_by=worker)
        # disability certificates for some tagged residents
        tagged = list(Resident.objects.filter(community=community, status=PersonStatus.ACTIVE,
                                              care_tags__code="disabled").order_by("pk")[:per * 2])
        Disability.objects.bulk_create([Disability(resident=r, kind=rng.choice(("physical", "sight", "hearing",
                                                                                "intellectual")),
                                                   grade=rng.randint(1, 4), recorded_by=worker) for r in tagged])
        # the visit lists: visits for three quarters, some never or long ago (overdue)
        people = listed.get(community.pk, [])
        # in each grid, the first listed household nobody has visited for a month stays unvisited: the visit list,
        # its escalation and the grid worker's desk (key-group homes waiting over 30 days) each show one waiting
        household_of = dict(Resident.objects.filter(pk__in=[p[0] for p in people]).values_list("pk", "household_id"))
        seen = set(VisitLog.objects.filter(household_id__in=set(household_of.values()),
                                           visited_on__gte=today - dt.timedelta(days=30))
                   .values_list("household_id", flat=True))
        tagged = set(Resident.objects.filter(household_id__in=set(household_of.values()), status=PersonStatus.ACTIVE,
                                             care_tags__isnull=False).values_list("household_id", flat=True))
        waiting: dict[int, int] = {}
        for pk, grid_id, _interval in people:
            if household_of[pk] not in seen and household_of[pk] in tagged:
                waiting.setdefault(grid_id, household_of[pk])
        unvisited |= {pk for pk in household_of if household_of[pk] in waiting.values()}
        rows = []
        for pk, grid_id, interval in people:
            roll = rng.random()
            if roll < 0.1 or household_of[pk] in waiting.values():
                continue
            last = today - dt.timedelta(days=rng.randint(interval + 1, interval * 2) if roll < 0.25
                                        else rng.randint(0, interval - 1))
            for k in range(2):
                day = last - dt.timedelta(days=k * interval)
                cond = rng.choice(CONDITIONS)
                rows.append(CareVisit(resident_id=pk, community=community, grid_id=grid_id, visitor=worker,
                                      visited_on=day, condition=cond, notes=NOTES[cond]))
        made_visits += rows
        # reviews: confirm a few, correct one
        derived = alone.get(community.pk, [])[:per + 1]
        for i, pk in enumerate(derived):
            GroupReview.objects.create(resident_id=pk, community=community, group="living_alone",
                                       decision="confirm" if i else "exclude", derived=True,
                                       reason="入户核实属实" if i else "子女每日回家照料,实际不独居", by=worker,
                                       at=now - dt.timedelta(days=rng.randint(1, 60)))
        if station is None:
            continue
        n_orders += _orders(community, station, worker, provider if community.code == "320282001001" else None,
                            rng, today, per)
        if ci % 2 == 0 or community.code == "320282001001":
            n_hard += _hardships(community, worker, rng, today, now)
    visits.with_visit_logs(made_visits, groups=labels)  # the grid's 民情日记 rows, as a visit recorded alone writes
    CareVisit.objects.bulk_create(made_visits, batch_size=2000)
    n_visits = len(made_visits)
    n_pairs = _pairings(ctx, {c: [p for p in rows if p[0] not in unvisited] for c, rows in listed.items()}, workers,
                        today)
    _family(ctx, workers, today)
    n_homes = _disability_homes(ctx, rng, workers, provider, today)
    # the overdue visits of 东虹社区 remind and escalate as the periodic sweep would (the demo accounts' inboxes)
    from gongzhi.care.escalation import escalate_overdue_visits
    escalate_overdue_visits(today=today, communities=[c for c in communities if c.code == "320282001001"])
    ctx.summary.add(SUMMARY, care_stations=Station.objects.count(), care_visits=n_visits, care_orders=n_orders,
                    care_hardships=n_hard, care_pairings=n_pairs, care_disability_homes=n_homes)
    ctx.say(f"关爱服务: 站点 {Station.objects.count()},走访 {n_visits},服务工单 {n_orders},困难上报 {n_hard}")


def _orders(community, station, worker, staff, rng, today, per) -> int:
    """Assessed elders with plans, and months of orders; last month's statements."""
    staff = staff or worker
    elders = list(Resident.objects.filter(community=community, status=PersonStatus.ACTIVE,
                                          birth_date__lte=years_before(today, 75)).order_by("pk")[:per])
    prices = rules_for(community.code)
    orders = []
    for e in elders:
        scores = {"self_care": rng.randint(8, 32), "mobility": rng.randint(4, 16), "mental": rng.randint(10, 30),
                  "perception": rng.randint(3, 12)}
        from gongzhi.care.assessment import level_of
        total = sum(scores.values())
        level, name = level_of(total)
        a = Assessment.objects.create(resident=e, community=community, grid_id=e.grid_id,
                                      assessed_on=today - dt.timedelta(days=rng.randint(90, 200)), scores=scores,
                                      total=total, level=level, level_name=name, assessor=worker)
        scheme = "government" if level in ("3", "4") else "subsidised" if level in ("1", "2") else "own"
        plan = CarePlan.objects.create(resident=e, community=community, grid_id=e.grid_id, assessment=a,
                                       station=station, services=[{"kind": "meal", "per_month": 20},
                                                                  {"kind": "cleaning", "per_month": 4}],
                                       scheme=scheme, starts_on=a.assessed_on + dt.timedelta(days=7),
                                       created_by=worker)
        share = Decimal(prices["schemes"][scheme])
        day = plan.starts_on
        while day < today:
            kind = "meal" if rng.random() < 0.8 else "cleaning"
            price = Decimal(prices["prices"][kind])
            at = _at(day, 11 if kind == "meal" else 9)
            orders.append(ServiceOrder(
                resident=e, community=community, grid_id=e.grid_id, station=station, plan=plan, kind=kind,
                scheme=scheme, price=price, paid_by_government=(price * share).quantize(Decimal("0.01")),
                scheduled_for=at, state=OrderState.CONFIRMED, ordered_by=worker, ordered_at=at - dt.timedelta(days=1),
                checked_in_at=at, checked_out_at=at + dt.timedelta(minutes=40), worker=staff, confirmed_by=worker,
                confirmed_at=at + dt.timedelta(hours=2), rating=rng.choice((5, 5, 4, 4, 3)) if rng.random() < 0.6
                else None))
            day += dt.timedelta(days=rng.randint(3, 9))
        orders.append(ServiceOrder(resident=e, community=community, grid_id=e.grid_id, station=station, plan=plan,
                                   kind="meal", scheme=scheme, price=Decimal(prices["prices"]["meal"]),
                                   paid_by_government=(Decimal(prices["prices"]["meal"]) * share).quantize(
                                       Decimal("0.01")), scheduled_for=_at(today, 11) + dt.timedelta(days=1),
                                   ordered_by=worker, ordered_at=timezone.now()))
    ServiceOrder.objects.bulk_create(orders, batch_size=2000)
    # one complaint, raised as a work order for the street (the latest meal rated 3 stars)
    poor = ServiceOrder.objects.filter(community=community, kind="meal", rating=3).order_by("-scheduled_for").first()
    if poor is not None:
        from gongzhi.care.orders import order_complain
        order_complain(order=poor, by=worker, text="老人反映助餐送到时饭菜已经凉了,这个月已有三次")
    # last month's statements (one per elder, one for the station)
    from gongzhi.care.orders import month_bounds
    from gongzhi.care.models import Statement, StatementLine
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    start, end = month_bounds(first)
    month_orders = ServiceOrder.objects.filter(community=community, state=OrderState.CONFIRMED,
                                               confirmed_at__gte=start, confirmed_at__lt=end)
    for kind, key in (("elder", "resident_id"), ("provider", "station_id")):
        for owner, n in month_orders.order_by().values_list(key).annotate(n=Count("pk")):
            mine = month_orders.filter(**{key: owner})
            s = Statement.objects.create(kind=kind, month=first, community=community, made_by=worker, orders=n,
                                         amount=sum(o.price for o in mine),
                                         government=sum(o.paid_by_government for o in mine), **{key: owner})
            StatementLine.objects.bulk_create([StatementLine(statement=s, kind=kind, order=o) for o in mine])
    return len(orders)


def _hardships(community, worker, rng, today, now) -> int:
    people = list(Resident.objects.filter(community=community, status=PersonStatus.ACTIVE).order_by("pk")[:5])
    states = [("reported", None), ("routed", 3), ("routed", -4), ("decided", None), ("declined", None)]
    kinds = ["illness", "accident", "income", "illness", "disaster"]
    texts = {"illness": "突发重病住院,医疗费用负担重", "accident": "骑车摔伤骨折,暂时无法工作",
             "income": "家庭主要劳动力失业,无稳定收入", "disaster": "房屋漏雨受损,生活困难"}
    made = 0
    for person, (state, days_left), kind in zip(people, states, kinds):
        reported = now - dt.timedelta(days=rng.randint(5, 40))
        report = HardshipReport(resident=person, household_id=person.household_id, community=community,
                                grid_id=person.grid_id, kind=kind, description=texts[kind], reported_by=worker,
                                reported_at=reported, state=state)
        if state != "reported":
            from gongzhi.care import hardship
            report.community = community
            report.scheme_check = hardship.check(report)
            scheme = next(s for s in report.scheme_check if s["scheme"] == "temporary")
            report.office = f"{scheme['office']}({scheme['name']})"
            report.due_on = today + dt.timedelta(days=days_left if days_left is not None else -2)
        if state in ("decided", "declined"):
            report.outcome = "给予临时救助 2000 元" if state == "decided" else "家庭收入高于救助标准,不予救助"
            report.decided_at = now - dt.timedelta(days=3)
        report.save()
        made += 1
    return made


def _pairings(ctx, listed, workers, today) -> int:
    """结对走访 in 东虹社区: the demo `resident` account (a registered volunteer) is paired with three people of
    the visit list, `resident2` (a neighbour) with two; one of each pair visited lately, the others overdue or
    never; one earlier pairing ended (the volunteer's previous elder moved in with her daughter)."""
    from gongzhi.care.models import VisitorPairing
    from gongzhi.care.services import PAIRED_MARK
    from gongzhi.volunteers.models import Volunteer
    from gongzhi.workorders.models import VisitLog
    community = next((c for c in ctx.places_at(Level.COMMUNITY) if c.code == "320282001001"), None)
    if community is None:
        return 0
    worker = ctx.accounts.get("community") or workers[community.pk]
    made = 0
    taken: set[int] = set()
    for username, kind, n in (("resident", "volunteer", 3), ("resident2", "neighbour", 2)):
        account = ctx.accounts.get(username) or User.objects.filter(username=username).first()
        me = getattr(account, "resident", None)
        if me is None:
            continue
        volunteer = Volunteer.objects.filter(resident=me).first() if kind == "volunteer" else None
        people = [(pk, grid_id, interval) for pk, grid_id, interval in listed.get(community.pk, [])
                  if pk not in taken and not Resident.objects.filter(pk=pk, household_id=me.household_id).exists()]
        for i, (pk, grid_id, interval) in enumerate(people[:n + (1 if kind == "volunteer" else 0)]):
            taken.add(pk)
            ended = kind == "volunteer" and i == n
            pairing = VisitorPairing.objects.create(
                resident_id=pk, community=community, grid_id=grid_id, kind=kind, visitor=account, visitor_resident=me,
                volunteer=volunteer, starts_on=today - dt.timedelta(days=120), created_by=worker,
                ended_on=today - dt.timedelta(days=30) if ended else None,
                end_reason="老人已搬去女儿家同住" if ended else "", ended_by=worker if ended else None)
            if i == 0 or ended:
                day = today - dt.timedelta(days=min(interval - 1, 3) if not ended else 45)
                person = Resident.objects.select_related("household").get(pk=pk)
                # the grid's 民情日记 row the visit writes (care.services.care_visit_record): no notes in it
                log = VisitLog.objects.create(
                    grid_id=grid_id, household_id=person.household_id if person.household and
                    person.household.grid_id == grid_id else None, visitor=account, visited_on=day,
                    notes=f"关爱走访(关爱对象):{person.name},状况良好" + PAIRED_MARK.format(
                        kind=pairing.get_kind_display()))
                CareVisit.objects.create(resident_id=pk, community=community, grid_id=grid_id, visitor=account,
                                         visited_on=day, condition="good", notes="陪老人聊天,帮忙打扫卫生",
                                         pairing=pairing, visit_log=log)
            made += 1
    return made


def _family(ctx, workers, today) -> None:
    """家属: the demo `resident3` account linked to an elder of 东虹社区 with a care plan (another household), with
    the elder's consent; one order placed by the family waiting for service. A son working in 上海 (not in the
    registry) with the family account `jiashu` (no post, no registry record) linked to another elder, and a
    daughter in 南京 whose link waits for her to open her account (at any demo scale)."""
    from gongzhi.care.models import FamilyLink
    from gongzhi.core import crypto, idcard
    from gongzhi.core.demo import demo_password
    from gongzhi.places.models import Place
    community = Place.objects.filter(code="320282001001").first()
    if community is None:
        return
    worker = ctx.accounts.get("community") or workers[community.pk]
    account = ctx.accounts.get("resident3") or User.objects.filter(username="resident3").first()
    me = getattr(account, "resident", None)
    plan = (CarePlan.objects.filter(community=community, ended_on__isnull=True)
            .exclude(resident__household_id=getattr(me, "household_id", None)).order_by("pk").first())
    taken = [getattr(me, "household_id", None)]
    if me is not None and plan is not None:
        elder = plan.resident
        taken.append(elder.household_id)
        relation = "child" if me.birth_date and elder.birth_date and me.birth_date.year - elder.birth_date.year >= 18 \
            else "other"
        FamilyLink.objects.create(elder=elder, community=community, grid_id=elder.grid_id, relative=me,
                                  relative_name=me.name, relative_id_hash=me.id_number_hash, account=account,
                                  relation=relation, consent_on=today - dt.timedelta(days=60),
                                  consent_note="老人本人当面同意,社工在场", linked_by=worker)
        price = Decimal(rules_for("320282001001")["prices"]["cleaning"])
        ServiceOrder.objects.create(resident=elder, community=community, grid_id=elder.grid_id, station=plan.station,
                                    kind="cleaning", scheme="own", price=price, paid_by_government=Decimal("0.00"),
                                    scheduled_for=_at(today, 9) + dt.timedelta(days=2), note="家属预约:打扫厨房和卫生间",
                                    ordered_by=account, ordered_at=timezone.now())
    # relatives outside the registry: ID numbers of 上海 (310101) and 南京 (320102), never registered here
    away = [("储建国", "310101", 37, "13916620418", "jiashu"), ("储秀英", "320102", 48, "13851730925", "")]
    elders = (Resident.objects.filter(community=community, status=PersonStatus.ACTIVE,
                                      birth_date__lte=years_before(today, 70))
              .exclude(household_id__in=[h for h in taken if h]).order_by("pk")[:2])
    for old, (name, region, sequence, phone, username) in zip(elders, away):
        born = dt.date(old.birth_date.year + 28 if old.birth_date else 1975, 5, 12)
        number = idcard.make(region, born, sequence)  # an odd sequence: a man, even: a woman
        family_account = None
        if username:
            family_account = User.objects.create_user(username=username, password=demo_password(), display_name=name)
            ctx.accounts[username] = family_account
        FamilyLink.objects.create(elder=old, community=community, grid_id=old.grid_id, relative=None,
                                  relative_name=name, relative_id_hash=crypto.keyed_hash(number),
                                  relative_phone_hash=crypto.keyed_hash(phone), relative_phone_tail=phone[-4:],
                                  account=family_account, relation="child", consent_on=today - dt.timedelta(days=20),
                                  consent_note="老人本人当面同意,社工在场", linked_by=worker)
        if family_account is not None:
            ctx.say(f"家属账号(不在本地登记,无岗位): {username} / {demo_password()} — {name},{old.name}的子女")


def _disability_homes(ctx, rng, workers, provider, today) -> int:
    """残疾人之家: one per street (serving its communities) and 东虹社区's own (the `provider` account on its staff);
    up to three certified disabled residents per community enrolled for day care or rehabilitation, their
    attendance on the last ten weekdays, and job help with outcomes."""
    from gongzhi.care.models import DisabilityHome, HomeAttendance, HomeEnrolment, HomeStaff, JobHelp
    homes = {}
    for street in ctx.places_at(Level.STREET):
        homes[street.pk] = DisabilityHome.objects.create(place=street, name=f"{street.name}残疾人之家",
                                                         address=f"{street.name}社区服务中心", hours="周一至周五 8:30-16:30",
                                                         services=["day_care", "rehab", "job_help"],
                                                         day_care_places=30, rehab_places=20, contact="残联专职委员",
                                                         phone=f"0510-8790{len(homes):04d}")
    own = None
    for community in ctx.places_at(Level.COMMUNITY):
        if community.code == "320282001001":
            own = DisabilityHome.objects.create(place=community, name=f"{community.name}残疾人之家",
                                                address=f"{community.name}党群服务中心", hours="周一至周五 8:30-16:30",
                                                services=["day_care", "rehab", "job_help"], day_care_places=8,
                                                rehab_places=6, contact="社区残协专职委员", phone="13951500001")
            # an earlier rehabilitation point, closed when the home opened: its record stays (nothing is deleted)
            DisabilityHome.objects.create(place=community, name=f"{community.name}康复训练点", hours="周三 9:00-11:00",
                                          services=["rehab"], rehab_places=4, active=False,
                                          closed_on=today - dt.timedelta(days=200),
                                          close_reason="并入本社区残疾人之家,训练器材一并移交")
            if provider is not None:
                HomeStaff.objects.create(user=provider, home=own, started_on=today - dt.timedelta(days=300),
                                         bound_by=workers[community.pk])
    weekdays = [d for d in (today - dt.timedelta(days=k) for k in range(1, 15)) if d.weekday() < 5][:10]
    enrolments, jobs = [], []
    for community in ctx.places_at(Level.COMMUNITY):
        home = own if community.code == "320282001001" else homes.get(community.parent_id)
        if home is None:
            continue
        worker = workers[community.pk]
        people = list(Disability.objects.filter(resident__community=community, resident__status=PersonStatus.ACTIVE)
                      .select_related("resident").order_by("resident_id")[:3])
        for i, d in enumerate(people):
            r = d.resident
            enrolments.append(HomeEnrolment(home=home, resident=r, community=community, grid_id=r.grid_id,
                                            service="day_care" if i % 2 == 0 else "rehab",
                                            starts_on=today - dt.timedelta(days=rng.randint(30, 300)),
                                            created_by=worker))
            if i == 0 or (home is own and i == 1):
                outcome = rng.choice(("employed", "pending", "trained"))
                jobs.append(JobHelp(resident=r, community=community, grid_id=r.grid_id, home=home,
                                    kind=rng.choice(("training", "referral", "placement")),
                                    given_on=today - dt.timedelta(days=rng.randint(10, 200)),
                                    detail=rng.choice(("电商客服技能培训", "推荐到福利企业从事包装工作", "手工编织培训")),
                                    outcome=outcome, outcome_note="已签订劳动合同" if outcome == "employed" else "",
                                    recorded_by=worker))
    HomeEnrolment.objects.bulk_create(enrolments)
    JobHelp.objects.bulk_create(jobs)
    rows = []
    for e in HomeEnrolment.objects.filter(ended_on__isnull=True).order_by("pk"):
        for day in weekdays:
            if day >= e.starts_on and rng.random() < 0.8:
                rows.append(HomeAttendance(enrolment=e, home_id=e.home_id, resident_id=e.resident_id,
                                           community_id=e.community_id, grid_id=e.grid_id, day=day,
                                           recorded_by=provider or e.created_by))
    HomeAttendance.objects.bulk_create(rows, batch_size=2000)
    return len(homes) + (1 if own else 0)
