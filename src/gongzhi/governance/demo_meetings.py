"""Sessions and residents' meetings of the demo district (DemoPart 46), made through the real
services (participants picked from the registry, rolls built on the meeting's date, paper tallies,
results and the ledger rows they write):

- residents' representatives (居民代表, about one per 50 households) in every community;
- per community a held 议事协商会议 (for a topic answered 转入协商 when there is one), and in every
  third community two topics handed to work orders sent on to a department at the district (matters that
  need the government, P-GOV-3), the first heard at a hearing with the department's answer, the second not; one upcoming 民情恳谈 with comments open;
- two residents' (villagers') meetings per community in the year: the start-of-year one (missed in
  about a quarter of the communities, so P-GOV-1 shows overdue) and the end-of-year one (held in
  some, open for online votes in others, missed in a few);
- in the demo resident's community: one vote that reached quorum and was adopted, one that did not
  (a representatives' meeting with too few present), and the open vote the resident may cast.

Its own random generator (random.Random(SEED)), so the parts after it stay as they were.
"""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.core.errors import RuleError
from gongzhi.governance import meetings as svc
from gongzhi.governance.models import PostKind, ResidentPost, SessionForm, Topic, TopicState
from gongzhi.people.models import OrgKind, Organisation, PersonStatus, Resident
from gongzhi.places.models import Level
from gongzhi.workorders import notify

SEED = 4613
SUMMARY = {"sessions": "协商会 sessions", "resident_meetings": "居民会议 resident meetings"}
_SESSION_TITLES = ["南门停车位划线方案", "老旧小区加装电梯", "垃圾分类投放点调整", "广场舞时间和音量约定",
                   "小区出入口增设监控"]
_HEARINGS = [("公交站点迁移听证", "市交通运输局", "保留原站点,年内增设候车亭"),
             ("农贸市场改造听证", "市商务局", "改造期间设临时摊位,工期压缩到三个月"),
             ("河道整治方案听证", "市水利局", "采纳居民意见,增设亲水步道和护栏")]
_MEETING_TITLES = {"start": "年度工作计划和民生实事项目", "end": "年度工作报告和财务收支报告"}


def _committee(community):
    user = (User.objects.filter(assignments__role=Role.COMMUNITY, assignments__place=community, is_active=True)
            .order_by("pk").first())
    if user is None:
        user = User(username=f"committee-{community.code}", display_name=f"{community.name}居委会")
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.COMMUNITY, place=community)
    return user


def _to_department(community, by, department: str) -> list[Topic]:
    """Two of the community's topics handed to work orders (转为工单), sent on through the work-order
    engine to a government department at the district (accepted, then dispatched): matters that need the
    government (P-GOV-3). An order the engine refuses to move is left where it is."""
    from django.core.exceptions import PermissionDenied
    from gongzhi.workorders import services as orders
    from gongzhi.workorders.models import State
    from gongzhi.workorders.services import WorkflowError
    district = community.parent.parent if community.parent_id else None
    if district is None:
        return []
    if not RoleAssignment.objects.filter(role=Role.DEPARTMENT, place=district, department=department).exists():
        user = User(username=f"department-{district.code}-{department}", display_name=department)
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT, place=district, department=department)
    out = []
    for topic in (Topic.objects.filter(community=community, state=TopicState.ORDERED, handed_order__isnull=False)
                  .select_related("handed_order").order_by("answered_at", "pk")[:2]):
        order = topic.handed_order
        try:
            if order.state == State.REPORTED:
                order = orders.order_accept(order=order, by=by, version=order.version)
            orders.order_dispatch(order=order, by=by, version=order.version, place=district, department=department,
                                  note="涉及政府部门解决,派至主管部门")
        except (WorkflowError, PermissionDenied, RuleError):
            continue
        topic.refresh_from_db()
        out.append(topic)
    return out


def _at(day: dt.date, hour=19) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _hold(meeting, rng, share, yes_share, *, day, by, minutes=""):
    present = min(meeting.roll_size, round(meeting.roll_size * share))
    yes = round(present * yes_share)
    no = rng.randint(0, present - yes)
    m = svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=by, present=present, yes=yes, no=no,
                         abstain=present - yes - no)
    return svc.close(meeting_id=m.pk, version=m.version, by=by, minutes=minutes, now=_at(day, 21))


def build(ctx) -> None:
    rng = random.Random(SEED)
    today = timezone.localdate()
    year = today.year
    communities = ctx.places_at(Level.COMMUNITY)
    demo_resident = (User.objects.filter(assignments__role=Role.RESIDENT, resident__isnull=False)
                     .select_related("resident").order_by("pk").first())
    home = demo_resident.resident.community_id if demo_resident else None
    sessions = meetings = 0
    with notify.muted():
        for i, community in enumerate(communities):
            by = _committee(community)
            grids = [g for g in ctx.children(community) if g.level == Level.GRID]
            living = Resident.objects.filter(community=community, status=PersonStatus.ACTIVE)
            if not living.exists():
                continue
            # residents' representatives, one per ~50 households, serving since the last term
            heads = list(living.filter(relation="02").order_by("pk").values_list("pk", flat=True))
            reps = rng.sample(heads, min(len(heads), max(5, len(heads) // 50)))
            ResidentPost.objects.bulk_create([ResidentPost(community=community, kind=PostKind.REPRESENTATIVE,
                                                           resident_id=r, since=dt.date(year - 2, 5, 1), created_by=by)
                                              for r in reps])
            # a held deliberation session, for a topic answered 转入协商 when there is one
            topic = Topic.objects.filter(community=community, state=TopicState.DELIBERATION).order_by("pk").first()
            held_day = today - dt.timedelta(days=rng.randint(20, 200))
            units = list(Organisation.objects.filter(community=community, kind=OrgKind.RESIDENT_UNIT)
                         .values_list("pk", flat=True)[:2])
            try:
                s = svc.session_create(community=community, form=SessionForm.DELIBERATION,
                                       title=topic.title if topic else rng.choice(_SESSION_TITLES),
                                       agenda="听取居民意见,商议可行方案。", venue="社区议事协商室",
                                       starts_at=_at(held_day), topic=topic, representatives=True,
                                       grid_ids=[grids[0].pk] if grids else [], unit_ids=units,
                                       deputies="区人大代表周某", by=by, now=_at(held_day - dt.timedelta(days=7), 9))
                came = list(s.participants.values_list("pk", flat=True))
                svc.session_record(session_id=s.pk, version=s.version, by=by, held_on=held_day,
                                   attended_ids=rng.sample(came, max(1, len(came) * 2 // 3)), walk_ins=rng.randint(0, 8),
                                   options="方案一:按楼栋分批实施;方案二:先试点一栋再推开",
                                   views_for="多数居民赞成尽快实施", views_against="少数低层住户担心费用分摊",
                                   outcome="采纳方案二,先试点一栋,费用分摊办法提交居民会议表决")
                sessions += 1
                if i % 3 == 0:
                    title, department, answer = _HEARINGS[i % len(_HEARINGS)]
                    rng.randint(30, 150)  # the day drawn before hearings heard matters: the draws after stay
                    matters = _to_department(community, by, department)
                    if matters:  # the first matter heard, the second (when there is one) not yet (P-GOV-3)
                        matter = matters[0]
                        handed = timezone.localtime(matter.answered_at)
                        h = svc.session_create(
                            community=community, form=SessionForm.HEARING, title=f"{matter.title}听证"[:60],
                            agenda=title, starts_at=max(handed, _at(today, 9)), representatives=True,
                            deputies="市人大代表吴某", matter_ids=[matter.pk],
                            department=svc.department_key(matter.handed_order.handling_place_id, department),
                            by=by, now=handed)
                        h = svc.session_record(session_id=h.pk, version=h.version, by=by, held_on=today,
                                               attended_ids=list(h.participants.values_list("pk", flat=True)),
                                               outcome="多数居民意见已汇总", fed_back="居民希望方案兼顾老人出行和施工期间的安全")
                        svc.session_answer(session_id=h.pk, version=h.version, by=by, department_answer=answer)
                        sessions += 1
                if grids:
                    svc.session_create(community=community, form=SessionForm.TALK, title="楼道堆物清理和电动车充电",
                                       starts_at=_at(today + dt.timedelta(days=rng.randint(3, 12))),
                                       grid_ids=[rng.choice(grids).pk], by=by)
                    sessions += 1
            except RuleError:
                pass
            # two residents' (villagers') meetings in the year: some missed
            body = svc.bodies_for(community)[0]
            form = rng.choice(svc.BODY_FORMS[body][:2])
            start_day = dt.date(year, rng.randint(1, 3), rng.randint(5, 25))
            if rng.random() > 0.25 and start_day <= today:
                m = svc.meeting_create(community=community, body=body, form=form, title=_MEETING_TITLES["start"],
                                       held_on=start_day, online=False, by=by, now=_at(start_day - dt.timedelta(days=10)))
                _hold(m, rng, rng.uniform(0.55, 0.75), rng.uniform(0.6, 0.9), day=start_day, by=by)
                meetings += 1
            end_roll = rng.random()
            if community.pk == home or end_roll < 0.35:  # open for online votes, held next month
                svc.meeting_create(community=community, body=body, form=svc.MeetingForm.ADULTS,
                                   title="小区公共收益使用方案", held_on=today + dt.timedelta(days=rng.randint(5, 20)),
                                   motion="小区公共收益的使用,请从三个方案中选择一个。", online=True, by=by,
                                   options=["60% 用于加装电梯补贴,40% 用于绿化维护", "全部用于加装电梯补贴",
                                            "50% 用于公共设施维修,50% 用于绿化维护"])
                meetings += 1
            elif end_roll < 0.85 and dt.date(year, 10, 1) <= today:
                end_day = min(today - dt.timedelta(days=1), dt.date(year, rng.randint(10, 11), rng.randint(5, 25)))
                if end_day >= dt.date(year, 10, 1):
                    m = svc.meeting_create(community=community, body=body, form=form, title=_MEETING_TITLES["end"],
                                           held_on=end_day, online=False, by=by, now=_at(end_day - dt.timedelta(days=10)))
                    _hold(m, rng, rng.uniform(0.55, 0.7), rng.uniform(0.55, 0.85), day=end_day, by=by)
                    meetings += 1
            if community.pk == home:
                # one vote with quorum (adopted), one without (a representatives' meeting with too few present)
                day = today - dt.timedelta(days=40)
                m = svc.meeting_create(community=community, body=body, form=svc.MeetingForm.HOUSEHOLDS,
                                       title="单元门禁改造费用分摊办法", held_on=day, online=False, by=by,
                                       now=_at(day - dt.timedelta(days=10)))
                _hold(m, rng, 0.72, 0.7, day=day, by=by, minutes="各楼栋户代表现场举手表决")
                reps_body = svc.bodies_for(community)[1]
                day = today - dt.timedelta(days=25)
                m = svc.meeting_create(community=community, body=reps_body, form=svc.MeetingForm.REPRESENTATIVES,
                                       title="社区公约修订", held_on=day, online=False, by=by,
                                       now=_at(day - dt.timedelta(days=7)))
                _hold(m, rng, 0.5, 1.0, day=day, by=by, minutes="到会代表不足三分之二,会议改期")
                meetings += 2
    ctx.summary.add(SUMMARY, sessions=sessions, resident_meetings=meetings)
    ctx.say(f"协商会: {sessions},居民会议: {meetings}")
