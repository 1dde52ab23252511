"""A year of work orders for the demo district, made by running the real
services in time order (with the overdue sweep every evening), so that the
events, deadlines, escalations, ratings and notices are what the engine
itself would have produced. Deterministic for a given build date.

Every community, street and grid gets a staff member who acts in the
history; those accounts have no usable password (they cannot log in). The
demo's own accounts act for their places, so they see their own history.
"""
from __future__ import annotations

import datetime as dt
import heapq
import random
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.people.models import Household
from gongzhi.places.models import Level, Place
from gongzhi.workorders import notify, rights, services
from gongzhi.workorders.escalation import escalate_overdue
from gongzhi.workorders.models import Category, Channel, Notification, VisitLog, WorkOrder

ORDERS_AT_FULL_SCALE = 1200
HISTORY_DAYS = 365

# (weight, category code, titles): what grid workers and residents raise most.
_MIX = [
    (20, "sanitation", ["楼道堆放杂物", "垃圾桶满溢未清运", "绿化带内建筑垃圾", "小区污水井冒水", "卫生死角蚊蝇滋生"]),
    (14, "property", ["电梯经常停运", "地下车库照明损坏", "单元门禁失灵", "小区路灯不亮", "物业服务不到位"]),
    (10, "safety", ["消防通道被占用", "电动车楼道内充电", "窨井盖缺失", "外墙瓷砖脱落", "燃气管道老化"]),
    (9, "city_order", ["占道经营", "违规搭建棚屋", "车辆乱停影响通行", "沿街乱贴小广告"]),
    (8, "dispute", ["邻里噪音纠纷", "楼上漏水引发纠纷", "家庭赡养纠纷", "停车位归属纠纷", "拖欠工资纠纷"]),
    (9, "livelihood", ["咨询医保报销", "申请公益岗位", "孩子入学咨询", "老人助餐需求", "困难家庭求助"]),
    (3, "special_groups", ["独居老人多日未出门", "社区矫正对象动态异常", "留守儿童无人照看"]),
    (7, "svc_certificate", ["开具居住情况证明"]),
    (4, "svc_dibao", ["申请最低生活保障"]),
    (4, "svc_elderly_allowance", ["申领高龄津贴"]),
    (3, "svc_unemployment", ["办理失业登记"]),
    (3, "svc_pension", ["城乡居民养老保险参保"]),
    (2, "svc_residence_permit", ["申领居住证"]),
    (2, "svc_birth_registration", ["办理生育登记"]),
    (1, "svc_disability_card", ["申领残疾人证"]),
    (1, "svc_party_transfer", ["转入党组织关系"]),
]
_DECLINE_REASONS = ["属于司法诉讼范围,已告知当事人通过诉讼解决", "重复反映,已有工单在办",
                    "不属于社区职责范围,已告知对口部门"]
_HANDLE_NOTES = ["已现场查看,联系相关责任人", "已约谈物业公司负责人", "已安排保洁人员处理", "已上门了解情况"]
_REPLIES = ["已处理完毕,现场恢复正常", "已协调解决,当事人表示认可", "已按规定办结,材料已送达", "已整改到位"]
_RATINGS = [5] * 55 + [4] * 28 + [3] * 10 + [2] * 5 + [1] * 2
# Departments the history dispatches to (at the district).
_DEPARTMENT_ROUTES = {"svc_dibao": "市民政局", "svc_elderly_allowance": "市民政局"}
# How many of the last days' orders are applications on their way to a department.
_DEPARTMENT_OPEN = 3
# The visit log (民情日记) covers this many days before the demo's date.
VISIT_DAYS = 91
# (what the grid worker saw, what the household asked for)
_VISIT_NOTES = [
    ("入户走访独居老人,身体状况良好,家中水电正常", "希望有人定期上门陪护聊天"),
    ("走访空巢老人家庭,了解用药和就医情况", "子女不在身边,希望社区帮忙预约体检"),
    ("入户核对家庭成员信息,登记变更情况", "询问新生儿落户需要的材料"),
    ("走访困难家庭,了解就业和生活情况", "希望推荐附近的公益性岗位"),
    ("走访高龄老人,宣传防诈骗知识", "反映楼道灯不亮,晚上出门不便"),
    ("检查老人家中燃气和用电安全", "燃气灶老旧,想了解以旧换新补贴"),
    ("走访残疾人家庭,了解康复需求", "希望申请辅助器具"),
    ("入户宣传垃圾分类,发放分类指南", "小区垃圾桶数量不够"),
]


@dataclass(order=True)
class _Step:
    at: dt.datetime
    seq: int
    case: "_Case" = field(compare=False)


@dataclass
class _Case:
    category: Category
    grid: Place
    title: str
    steps: list = field(default_factory=list)  # (hours after the previous step, action, options)
    order: WorkOrder | None = None
    index: int = 0
    by_resident: bool = False
    to_grid: bool = False  # dispatched to its grid whatever the channel


class _History:
    def __init__(self, *, rng: random.Random, now: dt.datetime, scale: float, name_maker):
        self.rng, self.now, self.name_maker = rng, now, name_maker
        self.total = max(60, round(ORDERS_AT_FULL_SCALE * scale))
        self.district = Place.objects.get(level=Level.DISTRICT, parent=None, path__startswith="/320282/")
        self.grids = list(Place.objects.filter(level=Level.GRID, path__startswith=self.district.path)
                          .select_related("parent__parent").order_by("code"))
        self.categories = {c.code: c for c in Category.objects.all()}
        self.households: dict[int, list[int]] = {}
        for pk, grid_id in Household.objects.filter(grid__in=self.grids).values_list("pk", "grid_id"):
            self.households.setdefault(grid_id, []).append(pk)
        self.actors: dict[tuple, User] = {}
        self.resident_user = (User.objects.filter(assignments__role=Role.RESIDENT, resident__isnull=False,
                                                  assignments__place__path__startswith=self.district.path)
                              .select_related("resident__household").first())

    # -- who acts ---------------------------------------------------------------
    def actor(self, role: str, place: Place, department: str = "") -> User:
        key = (role, place.pk, department)
        if key not in self.actors:
            existing = (User.objects.filter(assignments__role=role, assignments__place=place,
                                            assignments__department=department).order_by("pk").first())
            if existing is None:
                existing = User(username=f"{role}-{place.code}{'-' + department if department else ''}",
                                display_name=self.name_maker())
                existing.set_unusable_password()  # acts in the history only; cannot log in
                existing.save()
                RoleAssignment.objects.create(user=existing, role=role, place=place, department=department)
            self.actors[key] = existing
        return self.actors[key]

    # -- what happens -----------------------------------------------------------
    def plan(self, case: _Case) -> None:
        """The steps of one case with their delays; the clock decides how far it gets."""
        rng, add = self.rng, case.steps.append
        code = case.category.code
        if rng.random() < 0.04 and case.category.kind != "service":
            add((rng.uniform(1, 8), "decline", {"reason": rng.choice(_DECLINE_REASONS)}))
            return
        if case.category.kind != "service":
            add((rng.uniform(0.3, 6) if rng.random() < 0.93 else rng.uniform(30, 60), "accept", {}))
        add((rng.uniform(0.2, 4), "dispatch", {"department": _DEPARTMENT_ROUTES.get(code)}))
        late = rng.random() < 0.12
        if case.category.is_dispute:
            add((rng.uniform(4, 40), "mediate", {}))
        else:
            add((rng.uniform(2, 30), "handle", {"note": rng.choice(_HANDLE_NOTES)}))
        add((rng.uniform(100, 220) if late else rng.uniform(4, 40), "reply", {"reply": rng.choice(_REPLIES)}))
        if rng.random() < 0.08:
            add((rng.uniform(2, 24), "verify_fail", {"note": "现场复核问题仍存在,请返工"}))
            add((rng.uniform(4, 30), "handle", {"note": "再次上门处理"}))
            add((rng.uniform(4, 30), "reply", {"reply": "已彻底整改"}))
        add((rng.uniform(2, 24), "verify_pass", {}))
        add((rng.uniform(0.5, 8), "close", {}))
        if rng.random() < 0.7:
            add((rng.uniform(1, 48), "rate", {"rating": rng.choice(_RATINGS)}))

    def report(self, case: _Case, at: dt.datetime) -> WorkOrder:
        rng, grid = self.rng, case.grid
        community = grid.parent
        household = None
        if self.households.get(grid.pk) and rng.random() < 0.7:
            household = Household.objects.select_related("dwelling", "grid__parent").get(
                pk=rng.choice(self.households[grid.pk]))
        x0, y0, x1, y1 = _bbox(grid.boundary)
        lat, lon = (rng.uniform(y0, y1), rng.uniform(x0, x1)) if x0 is not None else (None, None)
        category = case.category
        address = household.dwelling.address if household and household.dwelling else grid.name
        common = {"category": category, "title": case.title, "grid": grid, "household": household,
                  "address": address, "now": at}
        name = self.name_maker()
        if case.by_resident:
            own = {**common, "household": self.resident_user.resident.household, "grid": None}
            return services.order_report(description=f"{case.title},请社区帮忙解决", channel=Channel.WEB,
                                         by=self.resident_user, **own)
        if category.kind == "service":
            return services.order_report(
                description=f"{name}{case.title},材料:{'、'.join(category.materials)}", channel=Channel.WINDOW,
                by=self.actor(Role.COMMUNITY, community), reporter_name=name, reporter_phone=_phone(rng),
                on_behalf=rng.random() < 0.4, **common)
        parties = [{"name": name, "role": "申请人"}, {"name": self.name_maker(), "role": "被申请人"}] \
            if category.is_dispute else None
        if rng.random() < 0.55:
            # a grid worker finds an incident on patrol; a resident's request reaches them on a visit
            seen = "网格巡查发现" if category.kind == "incident" else "网格员走访时居民提出"
            return services.order_report(description=f"{seen}:{case.title}", channel=Channel.GRID,
                                         by=self.actor(Role.GRID, grid), lat=lat, lon=lon, parties=parties, **common)
        return services.order_report(description=f"居民来电反映:{case.title}", channel=Channel.OPEN311, by=None,
                                     reporter_name=name, reporter_phone=_phone(rng), lat=lat, lon=lon,
                                     parties=parties, **common)

    def act(self, case: _Case, action: str, options: dict, at: dt.datetime) -> None:
        order = case.order
        community, street = order.community, order.street
        cw = self.actor(Role.COMMUNITY, community)
        if order.escalation_level >= 1 and action in ("accept", "dispatch"):
            cw = self.actor(Role.STREET, street)  # the street steps in once it is supervising
        common = {"order": order, "version": order.version, "now": at}
        if action == "accept":
            case.order = services.order_accept(by=cw, note="已受理", **common)
        elif action == "decline":
            case.order = services.order_decline(by=cw, **options, **common)
        elif action == "dispatch":
            department = options.get("department") or ""
            if department:
                place = self.district
            elif order.category.route_level == "department":
                place, department = self.district, order.category.route_department
            elif order.category.route_level == "street":
                place = street
            elif case.to_grid or order.channel == Channel.GRID and self.rng.random() < 0.5:
                place = order.grid
            else:
                place = community
            self.unit_account(place, department)  # a unit is dispatched to only where someone can act
            case.order = services.order_dispatch(by=cw, place=place, department=department, **common)
        elif action in ("handle", "reply", "mediate"):
            handler = self.handler(order)
            if action == "handle":
                case.order = services.order_handle(by=handler, note=options["note"], **common)
            elif action == "reply":
                case.order = services.order_reply(by=handler, reply=options["reply"], **common)
            else:
                success = self.rng.random() < 0.8
                case.order = services.dispute_mediate(
                    by=handler, mediator=str(handler), mediation="组织双方面对面协商,讲清法律政策",
                    outcome="success" if success else self.rng.choice(["failed", "referred"]),
                    agreement=success, mediated_on=timezone.localdate(at), **common)
        elif action in ("verify_pass", "verify_fail"):
            # the grid's worker checks on site, unless they did the work: then the supervisor, then the street
            candidates = ([self.actor(Role.GRID, order.grid)] if order.grid_id else []) + [cw] + (
                [self.actor(Role.STREET, street)] if street else []) + [self.actor(Role.ADMIN, self.district)]
            verifier = next(u for u in candidates if not rights.did_the_work(u, order))
            case.order = services.order_verify(by=verifier, passed=action == "verify_pass",
                                               note=options.get("note", "现场核实已解决"), **common)
        elif action == "close":
            case.order = services.order_close(by=order.owner or cw, **common)
        elif action == "rate":
            rater = order.reporter_user or order.owner or cw
            case.order = services.order_rate(by=rater, rating=options["rating"], comment="", **common)

    def handler(self, order: WorkOrder) -> User:
        return self.unit_account(order.handling_place, order.handling_department)

    def unit_account(self, place: Place, department: str = "") -> User:
        """The account that acts for a handling unit (made on first use, like every history actor)."""
        if department:
            return self.actor(Role.DEPARTMENT, place, department)
        role = {Level.GRID: Role.GRID, Level.COMMUNITY: Role.COMMUNITY, Level.STREET: Role.STREET,
                Level.DISTRICT: Role.ADMIN}[place.level]
        return self.actor(role, place)

    # -- the clock ------------------------------------------------------------------
    def run(self) -> int:
        rng, start = self.rng, self.now - dt.timedelta(days=HISTORY_DAYS)
        weights = [w for w, _, _ in _MIX]
        queue: list[_Step] = []
        seq = 0
        # Use grows over the year (x**0.85 leans late), and the last fortnight is
        # busy, so that the demo opens on orders in every state, some overdue.
        recent = max(10, round(self.total * 0.06))
        resident_cases = 3 if self.resident_user else 0
        for n in range(self.total + recent + resident_cases):
            _, code, titles = rng.choices(_MIX, weights=weights)[0]
            if self.total <= n < self.total + _DEPARTMENT_OPEN:
                # the department's desk is not empty: applications sent to it since yesterday
                code = list(_DEPARTMENT_ROUTES)[n % len(_DEPARTMENT_ROUTES)]
                titles = next(t for _, c, t in _MIX if c == code)
            case = _Case(category=self.categories[code], grid=rng.choice(self.grids), title=rng.choice(titles))
            if self.total + _DEPARTMENT_OPEN <= n < self.total + _DEPARTMENT_OPEN + 4:
                # the demo's grid account has this fortnight's work on its desk
                case.grid, case.to_grid = self.grids[0], True
            if n >= self.total + recent:
                case = _Case(category=self.categories["property"], grid=self.grids[0], by_resident=True,
                             title=["电梯经常停运", "单元门禁失灵", "小区路灯不亮"][n - self.total - recent])
            self.plan(case)
            if n < self.total:
                day = start + dt.timedelta(days=HISTORY_DAYS * (rng.random() ** 0.85))
            elif n < self.total + _DEPARTMENT_OPEN:
                day = self.now - dt.timedelta(hours=rng.uniform(4.5, 6))
            else:
                day = self.now - dt.timedelta(days=14 * rng.random())
            at = timezone.localtime(day).replace(hour=rng.randint(8, 17), minute=rng.randrange(60))
            if self.total <= n < self.total + _DEPARTMENT_OPEN:
                # not moved into office hours: early in the morning that would be later today and the case
                # would be dropped; 4.5–6 hours ago, the window has passed it on (0.2–4 h) whatever the hour
                at = timezone.localtime(day)
            if at < self.now:
                heapq.heappush(queue, _Step(at, seq, case))
                seq += 1
        day = timezone.localtime(start).replace(hour=17, minute=45, second=0, microsecond=0)
        while queue:
            step = heapq.heappop(queue)
            while day < step.at:  # the evening sweep of every day that passed
                escalate_overdue(now=day)
                day += dt.timedelta(days=1)
            case = step.case
            if case.order is None:
                case.order = self.report(case, step.at)
            else:
                _, action, options = case.steps[case.index]
                self.act(case, action, options, step.at)
                case.index += 1
            if case.index < len(case.steps) and case.order.is_open or (
                    case.index < len(case.steps) and case.steps[case.index][1] == "rate"):
                hours = case.steps[case.index][0]
                next_at = step.at + dt.timedelta(hours=hours)
                if next_at < self.now:
                    heapq.heappush(queue, _Step(next_at, seq, case))
                    seq += 1
        escalate_overdue(now=self.now)
        self.visits()
        # What happened before this week has been read.
        Notification.objects.filter(created_at__lt=self.now - dt.timedelta(days=7)).update(read_at=self.now)
        return WorkOrder.objects.filter(Q(district=self.district)).count()


    def visits(self) -> int:
        """民情日记: every grid's worker visits about two households a week for the last
        `VISIT_DAYS` days, key-group households first; some key-group households wait longer
        than the desk's 30 days, so the desk has visits due. A few concerns became orders."""
        rng, today = self.rng, timezone.localdate(self.now)
        key_group = set(Household.objects.filter(grid__in=self.grids, members__care_tags__isnull=False)
                        .values_list("pk", flat=True))
        rows = []
        for grid in self.grids:
            homes = self.households.get(grid.pk, [])
            if not homes:
                continue
            visitor = self.actor(Role.GRID, grid)
            first = sorted(homes, key=lambda pk: (pk not in key_group, rng.random()))
            # a third of the key-group homes have not been visited for over a month
            waiting = set(pk for pk in first if pk in key_group and rng.random() < 0.35)
            for week in range(VISIT_DAYS // 7):
                # the waiting homes were last seen five weeks ago or earlier
                candidates = first[:12] if week >= 5 else [h for h in first[:12] if h not in waiting]
                for _ in range(2 if candidates else 0):
                    pk = rng.choice(candidates)
                    day = today - dt.timedelta(days=week * 7 + rng.randrange(7))
                    notes, concern = rng.choice(_VISIT_NOTES)
                    rows.append(VisitLog(grid=grid, household_id=pk, visitor=visitor, visited_on=day, notes=notes,
                                         concerns=concern if rng.random() < 0.3 else ""))
        VisitLog.objects.bulk_create(rows, batch_size=2000)
        return len(rows)


def _bbox(boundary):
    try:
        ring = boundary["coordinates"][0]
    except (TypeError, KeyError, IndexError):
        return None, None, None, None
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    # Keep points off the edges so they fall clearly inside the grid.
    dx, dy = (max(xs) - min(xs)) * 0.1, (max(ys) - min(ys)) * 0.1
    return min(xs) + dx, min(ys) + dy, max(xs) - dx, max(ys) - dy


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "151", "158", "180", "189"]) + f"{rng.randrange(10**8):08d}"


def build_history(*, scale: float = 1.0, now: dt.datetime | None = None, name_maker=None, seed: int = 311) -> int:
    """Create the demo's work orders; returns how many exist in the demo district."""
    rng = random.Random(seed)
    name_maker = name_maker or (lambda: rng.choice("王张陈李吴周徐蒋储史") + rng.choice("建丽晓志秀文海红") +
                                rng.choice("华明芳军英平伟娟"))
    history = _History(rng=rng, now=now or timezone.now(), scale=scale, name_maker=name_maker)
    with notify.muted():  # a year of history is not news: inbox rows only, no console/SMS
        return history.run()


DEMO_SUMMARY = {"work_orders": "工单 work orders"}


def build(ctx) -> None:
    """DemoPart 40: `build_history` for the demo district, its names drawn from
    the district's shared generator (`ctx` is a core.demo.DemoContext)."""
    rng = ctx.rng
    count = build_history(scale=ctx.scale,
                          name_maker=lambda: ctx.full_name(rng.choice("MF"), rng.randint(1950, 2000)))
    ctx.summary.add(DEMO_SUMMARY, work_orders=count)
    ctx.say(f"工单: {count}")


def count_existing(summary, district) -> None:
    """The work orders of an existing demo district, for core.demo.existing_summary."""
    summary.add(DEMO_SUMMARY, work_orders=WorkOrder.objects.filter(district=district).count())
