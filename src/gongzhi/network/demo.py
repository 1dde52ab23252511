"""The network's share of the demo (order 52): a profile for each of people's social organisations (their
field, a leader), a few more filed and registered groups, filings in each state and incubations; the
`provider` account bound to 宜兴市东虹社会工作服务中心; a year of service projects in every state for
the first communities of each street (needs, beneficiaries, contracts, teams, sessions that write the
activity ledger, evaluations); co-resident units with commitments, a joint meeting and an evaluation.
Its own random generator, so the other parts stay as they were."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongzhi.core.demo import ACCOUNT_COMMUNITY
from gongzhi.network.models import (
    Beneficiary, Commitment, CommitmentKind, Contract, EvaluationStage, Field, Filing, FilingState, Incubation,
    IncubationSupport, JointMeeting, MemberRole, Need, NeedSource, OrgMember, ProjectEvaluation, ProjectEvent,
    ProjectState, ProviderStaff, ServiceProject, ServiceSession, SocialOrg, SupportKind, TeamWorker, UnitEvaluation,
)
from gongzhi.people.models import Organisation, OrgKind, OrgRegistration, PersonStatus, Resident
from gongzhi.places.models import Level

SEED = 52
SUMMARY = {"orgs": "社区社会组织档案 social orgs", "projects": "服务项目 service projects",
           "sessions": "项目服务记录 sessions", "units": "驻区单位承诺 unit commitments"}
PROVIDER_ORG = "宜兴市东虹社会工作服务中心"
_FIELD_BY_WORD = (("老年", Field.ELDERLY), ("志愿", Field.NEIGHBOURS), ("文体", Field.CULTURE),
                  ("调解", Field.MEDIATION), ("红白", Field.INTEGRATION), ("社会工作", Field.ELDERLY))
_EXTRA = (("{s}法律明白人协会", Field.LAW), ("{s}读书会", Field.EDUCATION), ("{s}爱心帮扶会", Field.CHARITY),
          ("{s}应急救援队", Field.DISASTER), ("{s}新市民之家", Field.INTEGRATION), ("{s}种植技术协会", Field.FARMING))
_PROJECTS = (("银龄守护·独居老人关爱", Field.ELDERLY, "独居和高龄老人每月上门探访,建立紧急联系"),
             ("四点半课堂", Field.EDUCATION, "双职工家庭小学生放学后的作业辅导和安全看护"),
             ("楼道和事佬", Field.MEDIATION, "邻里纠纷的早发现、早调解"),
             ("新市民融入计划", Field.INTEGRATION, "流动人口家庭的社区融入活动"),
             ("家门口的法律顾问", Field.LAW, "每月法律咨询和普法讲座"),
             ("社区应急小分队", Field.DISASTER, "防汛防火演练与应急物资"),
             ("邻里守望", Field.NEIGHBOURS, "楼栋互助小组"))
# the states a year of projects runs through, in order (every state appears in a community with projects)
_STATES = (ProjectState.CLOSED, ProjectState.CLOSED, ProjectState.MIDTERM, ProjectState.CONTRACTED,
           ProjectState.ASSIGNED, ProjectState.PUBLISHED, ProjectState.DRAFT, ProjectState.CANCELLED)


def _field(name: str, rng) -> str:
    return next((f for word, f in _FIELD_BY_WORD if word in name), rng.choice(Field.values))


def _short(community) -> str:
    return community.name.removesuffix("社区").removesuffix("村")


@transaction.atomic
def build(ctx) -> None:
    rng = random.Random(SEED)
    names = dataclasses.replace(ctx, rng=rng)  # the shared name lists, drawn with this part's own generator
    today = ctx.reference_date if hasattr(ctx, "reference_date") else timezone.localdate()
    today = min(today, timezone.localdate())
    admin = ctx.accounts.get("admin")
    worker = ctx.accounts.get("community") or admin
    provider = ctx.accounts.get("provider")
    communities = ctx.places_at(Level.COMMUNITY)
    profiles = orgs_made = 0
    new_orgs = []
    for community in communities:
        short = _short(community)
        for pattern, fld in rng.sample(_EXTRA, rng.randint(1, 3)):
            new_orgs.append(Organisation(community=community, kind=OrgKind.SOCIAL_ORG, name=pattern.format(s=short),
                                         registration=rng.choice([OrgRegistration.FILED, OrgRegistration.NONE,
                                                                  OrgRegistration.REGISTERED]),
                                         contact_name=names.full_name(rng.choice("MF"), rng.randint(1955, 1990))))
    # the provider's organisation, wherever people's part left it out
    anchor = ctx.places.get(ACCOUNT_COMMUNITY)
    if anchor is not None and not Organisation.objects.filter(community=anchor, name=PROVIDER_ORG).exists():
        new_orgs.append(Organisation(community=anchor, kind=OrgKind.SOCIAL_ORG, name=PROVIDER_ORG,
                                     registration=OrgRegistration.REGISTERED, contact_name="许倩"))
    Organisation.objects.bulk_create(new_orgs)
    orgs_made = len(new_orgs)
    social = list(Organisation.objects.filter(community__in=communities, kind=OrgKind.SOCIAL_ORG,
                                              network__isnull=True).select_related("community").order_by("pk"))
    made = SocialOrg.objects.bulk_create([
        SocialOrg(organisation=o, field=_field(o.name, rng),
                  founded_on=today - dt.timedelta(days=rng.randint(200, 3000)),
                  purpose=f"服务{o.community.name}居民") for o in social])
    profiles = len(made)
    members = []
    for p in made:
        members.append(OrgMember(org=p, name=p.organisation.contact_name or names.full_name("F", 1970),
                                 role=MemberRole.LEADER, joined_on=p.founded_on))
        for _ in range(rng.randint(2, 5)):
            members.append(OrgMember(org=p, name=names.full_name(rng.choice("MF"), rng.randint(1950, 2000)),
                                     role=MemberRole.MEMBER, joined_on=p.founded_on + dt.timedelta(days=30)))
    OrgMember.objects.bulk_create(members)
    # filings and incubations: the unregistered groups, in every state
    unregistered = [p for p in made if p.organisation.registration == OrgRegistration.NONE]
    for i, p in enumerate(unregistered[: max(4, len(unregistered) // 4)]):
        state = (FilingState.APPLIED, FilingState.OPINED, FilingState.REFUSED)[i % 3]
        Filing.objects.create(org=p, state=state, applicant=p.organisation.contact_name or "负责人",
                              applied_on=today - dt.timedelta(days=rng.randint(5, 60)),
                              community_opinion="" if state == FilingState.APPLIED else "同意备案,活动正常",
                              street_note="章程不完善,请补充后再申请" if state == FilingState.REFUSED else "")
    for i, p in enumerate(made[: max(3, len(made) // 10)]):
        entered = today - dt.timedelta(days=rng.randint(100, 500))
        inc = Incubation.objects.create(org=p, base=f"{p.organisation.community.parent.name}社会组织孵化基地",
                                        entered_on=entered,
                                        graduated_on=entered + dt.timedelta(days=90) if i % 2 == 0 else None,
                                        outcome="已能独立开展服务" if i % 2 == 0 else "")
        IncubationSupport.objects.create(incubation=inc, kind=SupportKind.TRAINING,
                                         given_on=entered + dt.timedelta(days=10), note="项目设计与财务培训")
        IncubationSupport.objects.create(incubation=inc, kind=SupportKind.VENUE, given_on=entered,
                                         note="孵化基地工位一个")
    # the provider account
    if provider is not None and anchor is not None:
        org = Organisation.objects.get(community=anchor, name=PROVIDER_ORG)
        ProviderStaff.objects.get_or_create(user=provider, organisation=org,
                                            defaults={"started_on": today - dt.timedelta(days=365)})
    n_projects, n_sessions = _projects(ctx, names, rng, today, worker, provider, anchor)
    n_units = _units(ctx, rng, today, worker)
    _ratings(ctx.accounts.get("street") or admin or worker, today, rng)
    ctx.summary.add(SUMMARY, orgs=profiles, projects=n_projects, sessions=n_sessions, units=n_units)
    ctx.say(f"三社联动: 组织档案 {profiles}(新增组织 {orgs_made}),服务项目 {n_projects},服务记录 {n_sessions}")


def _projects(ctx, names, rng, today, worker, provider, anchor):
    from gongzhi.ledgers import services as ledgers
    from gongzhi.ledgers.models import Activity, ActivityKind
    streets = ctx.places_at(Level.STREET)
    per_street = max(1, round(4 * ctx.scale))
    chosen = []
    for s in streets:
        kids = [c for c in ctx.children(s) if c.level == Level.COMMUNITY]
        if anchor is not None and anchor in kids:
            kids.remove(anchor)
            kids.insert(0, anchor)
        chosen.extend(kids[:per_street])
    made = sessions = 0
    start = today - dt.timedelta(days=330)
    for ci, community in enumerate(chosen):
        orgs = list(Organisation.objects.filter(community__parent_id=community.parent_id, kind=OrgKind.SOCIAL_ORG,
                                                active=True).order_by("pk"))
        if not orgs:
            continue
        if community == anchor:
            orgs.insert(0, Organisation.objects.get(community=anchor, name=PROVIDER_ORG))
        people = list(Resident.objects.filter(community=community, status=PersonStatus.ACTIVE).order_by("pk")
                      .values_list("pk", flat=True)[:400])
        states = _STATES if ci % 3 == 0 else _STATES[: 3 + ci % 5]
        for i, state in enumerate(states):
            title, fld, goals = _PROJECTS[(i + ci) % len(_PROJECTS)]
            starts = start + dt.timedelta(days=30 * i)
            budget = Decimal(rng.choice([30000, 50000, 80000, 120000]))
            p = ServiceProject.objects.create(
                community=community, title=title, field=fld, goals=goals,
                indicators=["服务对象不少于 30 人", "开展服务不少于 12 次", "居民满意度不低于 90%"],
                budget=budget, payer=f"{community.parent.name}办事处", starts_on=starts,
                ends_on=starts + dt.timedelta(days=360), state=state, created_by=worker)
            Need.objects.create(community=community, title=f"{goals[:30]}的需求", field=fld,
                                source=NeedSource.DIRECT, project=p, created_by=worker)
            made += 1
            ids = rng.sample(people, min(len(people), rng.randint(8, 30)))
            Beneficiary.objects.bulk_create([Beneficiary(project=p, resident_id=r, added_on=starts) for r in ids])
            events = [ProjectEvent(project=p, action="design", note="由需求形成", by=worker)]
            if state == ProjectState.DRAFT or state == ProjectState.PUBLISHED or state == ProjectState.CANCELLED:
                ProjectEvent.objects.bulk_create(events + [ProjectEvent(project=p, action=state, note="", by=worker)])
                continue
            org = orgs[0] if (community == anchor and i % 2 == 0) else rng.choice(orgs)
            p.organisation = org
            p.save(update_fields=["organisation"])
            if state == ProjectState.ASSIGNED:
                continue
            amount = (budget * Decimal("0.95")).quantize(Decimal("1"))
            contract = Contract.objects.create(project=p, organisation=org, number=f"GM-{starts:%Y}-{p.pk:04d}",
                                               amount=amount, signed_on=starts, by=worker)
            if i % 3 != 2:  # most contracts are the street's purchased services (admission); a few not yet linked
                _purchase(contract, p, org, worker)
            team = [TeamWorker.objects.create(project=p, name=names.full_name(rng.choice("MF"), rng.randint(1980, 1998)),
                                              certificate=rng.choice(["assistant", "social_worker", "none"]),
                                              certificate_no=f"SG{rng.randint(100000, 999999)}", joined_on=starts)
                    for _ in range(rng.randint(1, 3))]
            by = provider if (provider is not None and org.name == PROVIDER_ORG) else worker
            _trainings(team, by, rng, starts, today)
            for k in range(rng.randint(2, 5)):
                day = min(starts + dt.timedelta(days=14 * (k + 1)), today)
                s = ServiceSession.objects.create(project=p, held_on=day, title=f"第 {k + 1} 次服务",
                                                  hours=Decimal(rng.choice([1, 1.5, 2, 3])), by=by)
                served = ids[: rng.randint(1, len(ids))] if ids else []
                s.residents.set(served)
                s.workers.set(team)
                ledgers.write_from(model=Activity, source="network.session", source_pk=s.pk, community=community,
                                   by=by, kind=ActivityKind.VOLUNTEER, held_on=day, title=f"{p.title}:{s.title}",
                                   participants=len(served) + len(team), hours=s.hours)
                sessions += 1
            if state in (ProjectState.CONTRACTED, ProjectState.MIDTERM) and p.ends_on > today:
                _activities(p, by, ids, rng, today)
            if state in (ProjectState.MIDTERM, ProjectState.CLOSED):
                _evaluation(p, EvaluationStage.MIDTERM, amount * Decimal("0.45"), rng, worker)
            if state == ProjectState.CLOSED:
                _evaluation(p, EvaluationStage.FINAL, amount * Decimal("0.97"), rng, worker)
    return made, sessions


_ACTIVITIES = (("健康讲座", "社区卫生服务站"), ("重阳茶话会", "社区活动室"), ("手工课堂", "党群服务中心二楼"),
               ("防诈骗宣传", "社区广场"))


def _activities(p, by, resident_ids, rng, today):
    """Two activities announced ahead by the provider (within the project's period), a few residents signed up."""
    from gongzhi.network.models import ActivitySignup, ProjectActivity
    for k in range(2):
        day = min(today + dt.timedelta(days=3 + 7 * k), p.ends_on)
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + 5 * k)))
        title, venue = _ACTIVITIES[rng.randrange(len(_ACTIVITIES))]
        people = resident_ids[: rng.randint(0, min(5, len(resident_ids)))]
        a = ProjectActivity.objects.create(project=p, title=title, venue=f"{p.community.name}{venue}",
                                           starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
                                           capacity=rng.choice([20, 30, 40]), signed_up=len(people), by=by)
        ActivitySignup.objects.bulk_create([ActivitySignup(activity=a, resident_id=r) for r in people])
        ProjectEvent.objects.create(project=p, action="activity", note=f"{starts:%Y-%m-%d %H:%M} {title}", by=by)


_COURSES = (("个案管理实务", 16), ("社区工作方法", 12), ("老年社会工作", 24), ("社工督导", 8), ("心理急救", 6))


def _trainings(team, by, rng, starts, today):
    """A training or two for most workers of a team (course, hours, date, certificate)."""
    from gongzhi.network.models import WorkerTraining
    rows = []
    for w in team:
        for course, hours in rng.sample(_COURSES, rng.randint(0, 2)):
            on = min(starts + dt.timedelta(days=rng.randint(0, 120)), today)
            rows.append(WorkerTraining(worker=w, course=course, hours=Decimal(hours), taken_on=on, by=by,
                                       certificate=f"PX{on:%Y}{rng.randint(1000, 9999)}" if hours >= 12 else ""))
    WorkerTraining.objects.bulk_create(rows)


def _purchase(contract, p, org, by):
    """The purchased service (admission.ServiceContract) the contract fulfils, bought by the street."""
    from gongzhi.admission.models import ContractState, ServiceContract
    from gongzhi.admission.selectors import district_of
    state = ContractState.ACCEPTED if p.state == ProjectState.CLOSED else ContractState.ACTIVE
    contract.purchase = ServiceContract.objects.create(
        locality=district_of(p.community), community=p.community, buyer=f"{p.community.parent.name}办事处",
        provider=org.name[:80], title=p.title, price_yuan=contract.amount, starts_on=p.starts_on, ends_on=p.ends_on,
        deliverables="\n".join([p.goals, *p.indicators]), state=state,
        acceptance_note="终期评估通过" if state == ContractState.ACCEPTED else "", created_by=by,
        created_at=timezone.now())
    contract.save(update_fields=["purchase"])
    ProjectEvent.objects.create(project=p, action="purchase", note=f"对应购买服务:{p.title}", by=by)


def _ratings(by, today, rng):
    """Each organisation's yearly rating for the years it closed projects: past years finalised by the
    street, the current year saved as a draft (the same computation as ratings.rating_save)."""
    from gongzhi.network import ratings
    from gongzhi.network.models import OrgRating, RatingState
    years = (ProjectEvaluation.objects.filter(stage=EvaluationStage.FINAL).values_list(
        "project__organisation_id", "evaluated_on__year").distinct().order_by("project__organisation_id",
                                                                             "evaluated_on__year"))
    orgs = Organisation.objects.in_bulk({o for o, _ in years})
    rows = []
    for org_id, year in years:
        org = orgs[org_id]
        parts = ratings.parts(org, year)
        complaints = _complaints(org, year, by, rng, today)
        score, grade = ratings.total(parts, complaints)
        final = year < today.year
        rows.append(OrgRating(organisation=org, year=year, complaints=complaints, score=score, grade=grade, by=by,
                              note="根据项目评估和居民满意度评定", state=RatingState.FINAL if final else RatingState.DRAFT,
                              finalised_on=dt.date(year + 1, 1, 15) if final else None, **parts))
    OrgRating.objects.bulk_create(rows, ignore_conflicts=True)


def _complaints(org, year, by, rng, today) -> int:
    """About one organisation-year in four: a work order of its community that year, attributed to it as a
    complaint and found founded by the street; this year, one more still to be checked. Returns the founded."""
    from gongzhi.network.models import ComplaintState, OrgComplaint
    from gongzhi.workorders.models import WorkOrder
    orders = list(WorkOrder.objects.filter(community=org.community, created_at__year=year, org_complaint=None)
                  .order_by("pk")[:2])
    if not orders or rng.random() >= 0.25:
        return 0
    OrgComplaint.objects.create(work_order=orders[0], organisation=org, community=org.community, year=year,
                                note="居民反映助餐服务多次未按约定时间送达", attributed_by=by,
                                state=ComplaintState.FOUNDED, reason="经回访核实属实,已约谈整改", decided_by=by,
                                decided_on=min(today, dt.date(year, 12, 20)), version=2)
    if year == today.year and len(orders) > 1:
        OrgComplaint.objects.create(work_order=orders[1], organisation=org, community=org.community, year=year,
                                    note="居民反映活动临时取消未提前通知", attributed_by=by)
    return 1


def _evaluation(p, stage, spent, rng, by):
    sat = Decimal(rng.randint(80, 99))
    met = rng.randint(1, len(p.indicators))
    score = (sat / 2 + Decimal(met * 50) / Decimal(len(p.indicators))).quantize(Decimal("0.1"))
    ProjectEvaluation.objects.create(project=p, stage=stage, satisfaction=sat, indicators_met=met,
                                     indicators_total=len(p.indicators), spent=spent.quantize(Decimal("0.01")),
                                     score=score, evaluated_on=p.starts_on + dt.timedelta(
                                         days=180 if stage == EvaluationStage.MIDTERM else 330), by=by)


def _units(ctx, rng, today, worker):
    from gongzhi.ledgers import services as ledgers
    from gongzhi.ledgers.models import Meeting, MeetingKind
    year = today.year
    units = list(Organisation.objects.filter(community__in=ctx.places_at(Level.COMMUNITY),
                                             kind=OrgKind.RESIDENT_UNIT).select_related("community").order_by("pk"))
    units = units[: max(6, round(len(units) * ctx.scale * 4))]
    rows = []
    for u in units:
        for kind, content, target, label in rng.sample([
                (CommitmentKind.VENUE, "会议室、操场节假日向居民开放", 12, "次"),
                (CommitmentKind.VOLUNTEER_HOURS, "职工参加社区志愿服务", 200, "小时"),
                (CommitmentKind.RESOURCES, "共享停车位和食堂", 4, "项"),
                (CommitmentKind.FUNDS, "资助社区公益项目", 10000, "元")], 2):
            rows.append(Commitment(unit=u, year=year, kind=kind, content=content, target=Decimal(target),
                                   done=(Decimal(target) * Decimal(rng.randint(40, 110)) / 100).quantize(Decimal("0.1")),
                                   unit_label=label))
    Commitment.objects.bulk_create(rows)
    by_community: dict[int, list] = {}
    for u in units:
        by_community.setdefault(u.community_id, []).append(u)
    for cid, group in list(by_community.items())[:10]:
        community = group[0].community
        held = today - dt.timedelta(days=rng.randint(10, 120))
        m = JointMeeting.objects.create(community=community, held_on=held, title="驻区单位联席会议",
                                        minutes="通报社区年度工作,各单位认领共建项目。", by=worker)
        m.units.set(group)
        ledgers.write_from(model=Meeting, source="network.joint_meeting", source_pk=m.pk, community=community,
                           by=worker, kind=MeetingKind.DELIBERATION, held_on=held, title="驻区单位联席会议:年度共建",
                           attendees=len(group), minutes=m.minutes)
    from gongzhi.network.selectors import fulfilment
    for u in units[: max(2, len(units) // 2)]:
        share = fulfilment(u, year)
        score = Decimal(str(round(60 + (share or 0) * 0.35, 1)))
        grade = next(g for floor, g in ((90, "优秀"), (75, "良好"), (60, "合格"), (0, "不合格")) if score >= floor)
        UnitEvaluation.objects.create(unit=u, year=year, fulfilment=Decimal(str(share or 0)),
                                      meetings_attended=JointMeeting.objects.filter(units=u, held_on__year=year).count(),
                                      score=score, grade=grade, note="履行承诺情况良好" if score >= 75 else "",
                                      by=worker, evaluated_on=today)
    return len(rows)
