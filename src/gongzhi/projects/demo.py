"""The projects of the demo district (DemoPart 47): in every community, the supervision committee
(three residents with accounts that act in the history, and the demo resident as its chair in their
community), and projects opened from the topics answered 转入协商 (or on the committee's own basis
where a community has none), with milestones in every state: signed off, waiting for sign-off,
objected (one open objection), in progress and not started; a late project; a completed one in
some communities; budget and spending lines; a linked work order and a helping organisation.

Everything goes through the services with the dates the steps would have had, so the events,
progress and notices are what the pages would have written. Its own random generator.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.governance.models import Topic, TopicState
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.places.models import Level
from gongzhi.projects import services
from gongzhi.projects.models import CostEntry, Milestone, Objection, Project, SupervisionMember

SUMMARY = {"projects": "项目 projects", "milestones": "项目节点 milestones",
           "supervisors": "监督委员会成员 supervisors"}
PROJECTS_PER_COMMUNITY_AT_FULL_SCALE = 3
SEED = 4712

_DIRECT = [("社区微更新:小游园改造", "街道 2026 年为民办实事项目,经居委会会议研究实施。"),
           ("老年助餐点建设", "居民代表会议议定,列入社区年度服务项目。")]
_STEPS = ["方案征求意见", "施工(服务)单位确定", "实施", "居民满意度回访"]
_FUNDS = ["社区为民服务专项资金", "街道配套资金", "驻区单位捐助"]


def _committee(community) -> User:
    found = (User.objects.filter(assignments__role=Role.COMMUNITY, assignments__place=community,
                                 assignments__active=True, is_active=True).order_by("pk").first())
    if found is None:
        found = User(username=f"community-{community.code}", display_name="居委会")
        found.set_unusable_password()
        found.save()
        RoleAssignment.objects.create(user=found, role=Role.COMMUNITY, place=community)
    return found


def _members(community, rng, started_on, demo_resident) -> list[User]:
    """Three serving members with accounts that act in the history (they cannot log in)."""
    taken = User.objects.filter(resident__isnull=False).values("resident_id")
    candidates = list(Resident.objects.filter(community=community, status=PersonStatus.ACTIVE)
                      .exclude(pk__in=taken).order_by("pk").values_list("pk", flat=True)[:200])
    users = []
    for i, resident_id in enumerate(rng.sample(candidates, min(3, len(candidates)))):
        SupervisionMember.objects.create(community=community, resident_id=resident_id, started_on=started_on,
                                         post="chair" if i == 0 and demo_resident is None else "member",
                                         created_by=_committee(community))
        u = User(username=f"supervisor-{community.code}-{i + 1}", resident_id=resident_id,
                 display_name=Resident.objects.filter(pk=resident_id).values_list("name", flat=True).first() or "")
        u.set_unusable_password()  # acts in the history only
        u.save()
        RoleAssignment.objects.create(user=u, role=Role.RESIDENT, place=community)
        users.append(u)
    if demo_resident is not None:
        SupervisionMember.objects.create(community=community, resident=demo_resident, started_on=started_on,
                                         post="chair", created_by=_committee(community))
    return users


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _project(community, owner, pattern: str, rng, *, topic, members, today) -> tuple[Project, int]:
    """One project in one of three shapes: "A" running on schedule (a milestone signed off after an
    answered objection, one waiting for sign-off, one in progress, one not started), "B" late (a
    milestone past its date with an open objection), "C" completed."""
    span = {"A": (60, 180), "B": (200, -15), "C": (240, -40)}[pattern]
    start = today - dt.timedelta(days=span[0])
    end = today + dt.timedelta(days=span[1])
    if topic is not None:
        title, basis = topic.title, f"居民议题「{topic.title}」经居委会答复转入协商。{topic.answer}"
    else:
        title, basis = rng.choice(_DIRECT)
    project = services.project_open(community=community, title=title, basis=basis, owner=owner, starts_on=start,
                                    ends_on=end, by=owner, source_topic=topic, now=_at(start, 9))
    step_days = max(1, (end - start).days // len(_STEPS))
    milestones = []
    for i, name in enumerate(_STEPS):
        project.refresh_from_db()
        milestones.append(services.milestone_add(project_id=project.pk, version=project.version, title=name,
                                                 due_on=start + dt.timedelta(days=step_days * (i + 1)), by=owner,
                                                 now=_at(start, 10 + i)))
    budget = Decimal(rng.randrange(20, 300) * 1000)
    project.refresh_from_db()
    services.cost_add(project_id=project.pk, version=project.version, kind="budget", amount=budget, on=start,
                      item="项目预算", funded_by=rng.choice(_FUNDS), by=owner, now=_at(start, 15))
    # what each milestone ends as: signed off, waiting, objected (open), in progress, not started
    plan = {"A": ["signed_off", "done", "progress", "pending"],
            "B": ["signed_off", "objected", "progress", "pending"],
            "C": ["signed_off"] * 4}[pattern]
    signer, other = members[0], members[-1]
    for i, (m, goal) in enumerate(zip(milestones, plan)):
        when = min(today, m.due_on - dt.timedelta(days=rng.randint(0, 6)) if goal != "pending" else m.due_on)
        if goal == "pending":
            continue
        m = services.milestone_progress(milestone_id=m.pk, version=m.version, percent=rng.choice([30, 50, 70]),
                                        by=owner, now=_at(when - dt.timedelta(days=10)))
        if goal == "progress":
            continue
        m = services.milestone_progress(milestone_id=m.pk, version=m.version, percent=100, done=True, by=owner,
                                        note="已完成,请监督委员会验收", now=_at(when))
        spend = (budget / 5).quantize(Decimal("1")) - rng.randrange(0, 2000)
        project.refresh_from_db()
        services.cost_add(project_id=project.pk, version=project.version, kind="spending", amount=spend,
                          on=when, item=f"{m.title}费用", by=owner, now=_at(when, 16))
        if goal == "done":
            continue
        if goal == "objected" or (pattern == "A" and i == 0):
            services.milestone_object(milestone_id=m.pk, version=m.version, by=other, now=_at(when, 17),
                                      reason="现场查看,部分居民反映夜间施工噪声扰民,请整改并说明。")
            if goal == "objected":
                continue
            m.refresh_from_db()
            objection = Objection.objects.filter(milestone=m).latest("pk")
            services.objection_answer(objection_id=objection.pk, milestone_version=m.version, by=owner,
                                      answer="已调整施工时间为 8:00-18:00,并向相关楼栋居民致歉。",
                                      now=_at(when + dt.timedelta(days=2)))
            m.refresh_from_db()
        services.milestone_sign_off(milestone_id=m.pk, version=m.version, by=signer, note="经现场查看,符合方案",
                                    now=_at(min(today, when + dt.timedelta(days=3)), 11))
    project.refresh_from_db()
    if pattern == "C":
        services.project_complete(project_id=project.pk, version=project.version, by=owner,
                                  now=_at(min(today, end), 14))
    return project, len(milestones)


def build(ctx) -> None:
    from gongzhi.people.models import Organisation
    from gongzhi.workorders import notify
    from gongzhi.workorders.models import WorkOrder
    rng = random.Random(SEED)
    today = timezone.localdate()
    per_community = max(1, round(PROJECTS_PER_COMMUNITY_AT_FULL_SCALE * ctx.scale))
    demo_resident_user = User.objects.filter(username="resident", resident__isnull=False).select_related(
        "resident").first()
    made = milestones = members = 0
    with notify.muted():
        for ci, community in enumerate(ctx.places_at(Level.COMMUNITY)):
            owner = _committee(community)
            demo_resident = demo_resident_user.resident if demo_resident_user is not None and \
                demo_resident_user.resident.community_id == community.pk else None
            signers = _members(community, rng, today - dt.timedelta(days=400), demo_resident)
            members += len(signers) + (demo_resident is not None)
            if len(signers) < 2:
                continue
            topics = list(Topic.objects.filter(community=community, state=TopicState.DELIBERATION)
                          .order_by("answered_at", "pk")[:per_community])
            for i in range(per_community):
                # the demo resident chairs their community's committee: a milestone there waits for them
                pattern = "A" if i == 0 and demo_resident is not None else "ABC"[(i + ci) % 3]
                project, n = _project(community, owner, pattern, rng, topic=topics[i] if i < len(topics) else None,
                                      members=signers, today=today)
                made += 1
                milestones += n
                project.refresh_from_db()
                if project.state == "active":
                    order = WorkOrder.objects.filter(community=community).order_by("pk").first()
                    org = Organisation.objects.filter(community=community, active=True).order_by("pk").first()
                    for kind, target in (("order", order), ("organisation", org)):
                        if target is not None:
                            project.refresh_from_db()
                            services.link(project_id=project.pk, version=project.version, kind=kind, target=target,
                                          by=owner, now=_at(project.starts_on, 17))
    ctx.summary.add(SUMMARY, projects=made, milestones=milestones, supervisors=members)
    ctx.say(f"项目: {made},节点: {milestones},监督委员会成员: {members}")


def count_existing(summary, district) -> None:
    projects = Project.objects.filter(community__path__startswith=district.path)
    summary.add(SUMMARY, projects=projects.count(),
                milestones=Milestone.objects.filter(project__in=projects).count(),
                supervisors=SupervisionMember.objects.filter(community__path__startswith=district.path)
                .filter(Q(ended_on__isnull=True)).count())


__all__ = ["build", "count_existing", "CostEntry"]
