"""The demo district's admission (DemoPart 57): Yixing's rules, the two lists (illustrative items
built on the Urban Residents' Committee Organisation Law art. 3: the Yixing seed requires the lists
but gives no items), every work-order category routed to communities bound to an item, three
admission requests (approved, refused, pending), two data requests (one answered wholly from the
registry), certificate kinds with certificates issued, and a purchased-service contract.

Everything goes through the services, as a user would have done it; its own random generator, so
the parts after it stay as they were."""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.admission import services
from gongzhi.admission.models import ListItem, ListKind
from gongzhi.places.models import Level

SEED = 5701
LAW = "《中华人民共和国城市居民委员会组织法》第三条"

DUTIES = [  # (title, clause, department, what the community does)
    ("宣传法律法规和国家政策", "(一)", "市司法局", "组织普法宣传,教育居民依法履行义务、爱护公共财产,开展精神文明建设活动"),
    ("办理本居住地区居民的公共事务和公益事业", "(二)", "市民政局",
     "受理居民反映的公共事务和公益事业诉求,组织居民协商、办理并反馈结果"),
    ("调解民间纠纷", "(三)", "市司法局", "人民调解委员会排查、调解邻里、家庭等民间纠纷,做好调解记录"),
    ("协助维护社会治安", "(四)", "市公安局", "发动居民开展群防群治,发现安全隐患及时报告"),
    ("向人民政府反映居民的意见、要求和建议", "(六)", "市民政局", "收集居民意见建议,按月汇总报街道"),
]
ASSISTS = [  # (title, basis, department, what the community does, funding yuan/community/year, hours)
    ("协助做好公共卫生工作", f"{LAW}(五)", "市卫生健康委", "协助开展爱国卫生运动和健康宣传,配合疫情防控信息报告",
     8000, 120),
    ("协助做好优抚救济和社会救助工作", f"{LAW}(五);《社会救助暂行办法》", "市民政局",
     "协助受理低保、特困等救助申请,入户调查,张榜公示", 12000, 200),
    ("协助做好青少年教育工作", f"{LAW}(五)", "市教育局", "协助开展未成年人课外教育和关爱活动", 5000, 60),
    ("协助开展人口普查等统计调查", "《中华人民共和国统计法》第七条", "市统计局", "协助入户登记,核对登记信息", 6000, 80),
]
CATEGORY_ITEMS = {  # work-order category code -> (list kind, title of the item it rests on)
    "dispute": (ListKind.DUTY, "调解民间纠纷"), "safety": (ListKind.DUTY, "协助维护社会治安"),
    "svc_security_check": (ListKind.DUTY, "协助维护社会治安"),
    "special_groups": (ListKind.ASSIST, "协助做好优抚救济和社会救助工作"),
    "svc_dibao": (ListKind.ASSIST, "协助做好优抚救济和社会救助工作"),
    "svc_elderly_allowance": (ListKind.ASSIST, "协助做好优抚救济和社会救助工作"),
    "svc_birth_registration": (ListKind.ASSIST, "协助做好公共卫生工作"),
}
DEFAULT_ITEM = (ListKind.DUTY, "办理本居住地区居民的公共事务和公益事业")


DEPARTMENT_USERS = {"市卫生健康委": "dept-health", "市城管局": "dept-urban"}
SUMMARY = {"duty_items": "清单事项 list items", "admission_requests": "准入申请 admission requests",
           "data_requests": "数据填报任务 data requests", "certificates": "社区证明 certificates"}


def _department_user(department: str, district) -> User:
    """An account that acts in the history only (cannot log in), for a department with no demo account."""
    user, made = User.objects.get_or_create(username=DEPARTMENT_USERS[department],
                                            defaults={"display_name": f"{department}经办人"})
    if made:
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT, place=district, department=department)
    return user


def build(ctx) -> None:
    """DemoPart 57. The demo's notices go to inboxes only, not to the console sender."""
    from gongzhi.admission.models import AdmissionRequest, Certificate, DataRequest
    from gongzhi.core import senders
    with senders.muted():
        _build(ctx)
    ctx.say(f"准入与减负: 准入申请 {AdmissionRequest.objects.count()} 件, 数据填报任务 {DataRequest.objects.count()} 项, "
            f"社区证明 {Certificate.objects.count()} 份")


def _build(ctx) -> None:
    from gongzhi.core.demo import DISTRICT_CODE
    from gongzhi.workorders.models import Category
    rng = random.Random(SEED)
    district = ctx.places.get(DISTRICT_CODE) or next(p for p in ctx.places.values() if p.level == Level.DISTRICT)
    admin = ctx.accounts.get("admin")
    department = ctx.accounts.get("department")
    now = timezone.make_aware(dt.datetime.combine(ctx.reference_date, dt.time(10, 0)))
    services.rules_choose(locality=district, rules_id="yixing-2019", by=admin)
    start = now - dt.timedelta(days=300)
    items = {}
    for title, clause, dept, does in DUTIES:
        items[(ListKind.DUTY, title)] = services.item_add(
            locality=district, by=admin, now=start, effective_on=start.date(), kind=ListKind.DUTY, takeup="",
            title=title, legal_basis=f"{LAW}{clause}", department=dept, community_does=does, funding_yuan="",
            funding_note="", hours_per_year="")
    for title, basis, dept, does, funding, hours in ASSISTS:
        items[(ListKind.ASSIST, title)] = services.item_add(
            locality=district, by=admin, now=start, effective_on=start.date(), kind=ListKind.ASSIST, takeup="",
            title=title, legal_basis=basis, department=dept, community_does=does, funding_yuan=funding,
            funding_note="由责任部门按年度拨付街道,街道转拨社区", hours_per_year=hours)
    # a year later the education item's funding rose: the list's history shows both versions
    edu = items[(ListKind.ASSIST, "协助做好青少年教育工作")]
    services.item_edit(item=edu, version=edu.version, by=admin, now=start + dt.timedelta(days=120),
                       change_reason="年度经费调整", takeup="", title=edu.title, legal_basis=edu.legal_basis,
                       department=edu.department, community_does=edu.community_does, funding_yuan=6000,
                       funding_note=edu.funding_note, hours_per_year=edu.hours_per_year)
    for category in Category.objects.filter(route_level__in=tuple(services.COMMUNITY_LEVELS)):
        key = CATEGORY_ITEMS.get(category.code, DEFAULT_ITEM)
        services.basis_set(category_code=category.code, item=items[key], by=admin, now=start)

    communities = sorted((p for p in ctx.places.values() if p.level == Level.COMMUNITY), key=lambda p: p.code)
    # three admission requests: approved, refused, pending
    health = _department_user("市卫生健康委", district)
    post = health.assignments.get(role=Role.DEPARTMENT)
    approved = services.request_file(
        by=health, post=post, kind=ListKind.ASSIST, title="协助开展65岁以上老年人健康随访",
        reason="家庭医生签约服务需要社区协助通知和组织老年人按时随访", legal_basis="《基本公共卫生服务规范》老年人健康管理",
        community_does="每季度通知并组织辖区65岁以上老年人到社区卫生服务站随访", frequency="quarterly",
        hours_per_community_year=48, funding_yuan=4000, conditions="卫生服务站派员到社区,提供通知名单",
        all_communities=True, now=start + dt.timedelta(days=30))
    services.request_decide(request=approved, version=approved.version, decision="pass", by=admin,
                            reason="有法律依据,经费和工作条件明确", now=start + dt.timedelta(days=40))
    approved.refresh_from_db()
    services.request_decide(request=approved, version=approved.version, decision="approve", by=admin,
                            reason="市政府常务会议研究同意,列入协助政府工作事项清单", now=start + dt.timedelta(days=60))
    urban = _department_user("市城管局", district)
    refused = services.request_file(
        by=urban, post=urban.assignments.get(role=Role.DEPARTMENT), kind=ListKind.ASSIST,
        title="社区每日巡查违章搭建并上报", reason="违章搭建发现不及时,请社区每日巡查",
        legal_basis="《城乡规划法》第六十四条", community_does="网格员每日巡查并拍照上报违章搭建", frequency="ongoing",
        hours_per_community_year=365, funding_yuan=2000, communities=communities[:3], now=start + dt.timedelta(days=90))
    services.request_decide(request=refused, version=refused.version, decision="refuse", by=admin,
                            now=start + dt.timedelta(days=100),
                            reason="违章建筑查处属行政执法,依据宜兴市实施意见,不得将居民委员会作为拆迁拆违、"
                                   "城市管理等事项的责任主体;居民发现的线索可通过工单“市容秩序”类别报城管部门。")
    services.request_file(
        by=department, post=department.assignments.get(role=Role.DEPARTMENT), kind=ListKind.ASSIST,
        title="协助开展独居老人每月探访", reason="独居老人安全风险高,需要社区每月探访",
        legal_basis="《江苏省老年人权益保障条例》", community_does="每月入户或电话探访独居老人一次并记录",
        frequency="monthly", hours_per_community_year=96, funding_yuan=6000, conditions="提供探访记录表,纳入养老服务补贴",
        all_communities=True, now=now - dt.timedelta(days=3))

    # two data requests from 市民政局: one answered wholly from the registry, one the communities type
    post = department.assignments.get(role=Role.DEPARTMENT)
    relief = items[(ListKind.ASSIST, "协助做好优抚救济和社会救助工作")]
    services.data_request_create(
        by=department, post=post, item=relief, title="社会救助对象和高龄老人基本情况", now=now - dt.timedelta(days=10),
        fields=[{"label": "", "metric": "minimum_living"}, {"label": "", "metric": "age80"},
                {"label": "", "metric": "living_alone"}], due_on=ctx.reference_date + dt.timedelta(days=20),
        communities=communities)
    survey = services.data_request_create(
        by=department, post=post, item=relief, title="老年助餐需求摸底", now=now - dt.timedelta(days=5),
        note="请填写有助餐需求的老人数和现有助餐点数", fields=[
            {"label": "", "metric": "age60"}, {"label": "有助餐需求的老人数", "metric": ""},
            {"label": "现有助餐点数", "metric": ""}], due_on=ctx.reference_date + dt.timedelta(days=15),
        communities=communities)
    for answer in survey.answers.order_by("community__code")[: max(1, len(communities) // 2)]:
        worker = User.objects.filter(assignments__role=Role.COMMUNITY, assignments__place=answer.community).first() \
            or admin
        services.data_answer(answer=answer, values={"1": str(rng.randint(5, 60)), "2": str(rng.randint(0, 3))},
                             by=worker, now=now - dt.timedelta(days=2))
    _evaluations(ctx, district, admin, communities, rng, now)
    _demands(ctx, admin, items, department, health, urban, start, now)
    from gongzhi.admission import certificates
    from gongzhi.admission.models import AdmissionRequest, Certificate, DataRequest
    street_user = ctx.accounts.get("street")
    street_post = street_user.assignments.filter(role=Role.STREET).first() if street_user else None
    if street_post is not None:
        target = next((c for c in communities if c.is_within(street_post.place)), None)
        if target is not None:
            contract = services.contract_create(
                by=street_user, post=street_post, community=target, title="社区老年人助餐服务",
                provider=f"{target.name}居民委员会", price_yuan=36000,
                starts_on=dt.date(ctx.reference_date.year, 1, 1), ends_on=dt.date(ctx.reference_date.year, 12, 31),
                deliverables="工作日午餐送餐上门,每月报送送餐台账", now=start + dt.timedelta(days=200))
            services.contract_create(
                by=street_user, post=street_post, community=target, title="垃圾分类督导",
                provider="宜兴市绿源环保社工服务中心", price_yuan=18000,
                starts_on=dt.date(ctx.reference_date.year - 1, 3, 1),
                ends_on=dt.date(ctx.reference_date.year - 1, 12, 31), deliverables="投放点定时督导",
                now=start + dt.timedelta(days=10))
            services.contract_accept(contract=contract, passed=True, note="上半年送餐 4,800 份,台账完整",
                                     by=street_user)
    account_communities = [a.place for name in ("community", "community2") if ctx.accounts.get(name)
                           for a in ctx.accounts[name].assignments.filter(role=Role.COMMUNITY)]
    certificates.demo(ctx, district, admin, account_communities or communities[:2], rng, now)
    ctx.summary.add(SUMMARY, duty_items=ListItem.objects.filter(locality=district, voided=False).count(),
                    admission_requests=AdmissionRequest.objects.filter(locality=district).count(),
                    data_requests=DataRequest.objects.filter(locality=district).count(),
                    certificates=Certificate.objects.filter(kind__locality=district).count())


def _demands(ctx, admin, items, department, health, urban, start, now) -> None:
    """Meetings, ledgers, signboards and the street's unified assessment demanded of committees, one
    cleared, two demands the rules refused (counted on the burden page), and two reports by a committee of
    work pushed onto it outside the register."""
    from gongzhi.admission import demands
    from gongzhi.admission.models import DemandKind, RefusalWhat
    from gongzhi.core.errors import RuleError
    relief = items[(ListKind.ASSIST, "协助做好优抚救济和社会救助工作")]
    health_item = items[(ListKind.ASSIST, "协助做好公共卫生工作")]
    post = department.assignments.get(role=Role.DEPARTMENT)
    health_post = health.assignments.get(role=Role.DEPARTMENT)
    on = (start + dt.timedelta(days=15)).date()
    demands.demand_register(by=department, post=post, kind=DemandKind.MEETING, title="社会救助工作季度例会", item=relief,
                            frequency="quarterly", hours_per_community_year=12, all_communities=True, starts_on=on,
                            note="每季度末在街道召开,社区救助专干参加", now=start + dt.timedelta(days=15))
    demands.demand_register(by=department, post=post, kind=DemandKind.LEDGER, title="社会救助会议记录", item=relief,
                            frequency="ongoing", hours_per_community_year="", platform_ledger="meetings",
                            all_communities=True, starts_on=on, now=start + dt.timedelta(days=15))
    demands.demand_register(by=department, post=post, kind=DemandKind.LEDGER, title="低保对象入户核查台账",
                            item=relief, frequency="ongoing", hours_per_community_year=24, all_communities=True,
                            starts_on=on, now=start + dt.timedelta(days=16))
    board = demands.demand_register(
        by=health, post=health_post, kind=DemandKind.SIGNBOARD, title="社区健康教育服务点", item=health_item,
        frequency="ongoing", hours_per_community_year=4, all_communities=True, starts_on=on,
        now=start + dt.timedelta(days=20))
    demands.demand_clear(demand=board, version=board.version, reason="并入社区综合服务设施统一标识,不再单独挂牌",
                         by=health, now=now - dt.timedelta(days=30))
    street_user = ctx.accounts.get("street")
    street_post = street_user.assignments.filter(role=Role.STREET).first() if street_user else None
    if street_post is not None:
        demands.demand_register(
            by=street_user, post=street_post, kind=DemandKind.ASSESSMENT, title="社区工作年度综合考核",
            item=items[DEFAULT_ITEM], frequency="yearly", hours_per_community_year=16, all_communities=True,
            starts_on=on, note="街道统一考核,各部门不再单独考核", now=start + dt.timedelta(days=25))
    urban_post = urban.assignments.get(role=Role.DEPARTMENT)
    for post_, by, kind, title, item in ((urban_post, urban, DemandKind.ASSESSMENT, "市容环境卫生月度考评", None),
                                        (health_post, health, DemandKind.MEETING, "创建卫生城市迎检动员会", None)):
        try:
            demands.demand_register(by=by, post=post_, kind=kind, title=title, item=item, frequency="monthly",
                                    hours_per_community_year=6, all_communities=True, starts_on=on, now=now)
        except RuleError as exc:
            demands.refusal_record(post=post_, what=RefusalWhat.DEMAND, title=title, rule=str(exc), by=by,
                                   now=now - dt.timedelta(days=7))
    worker = ctx.accounts.get("community")
    if worker is not None:  # two reports of work pushed outside the register: one corrected, one open
        post = worker.assignments.filter(role=Role.COMMUNITY).first()
        checked = demands.report_file(
            by=worker, post=post, department="市城管局", kind="ledger", title="门前三包每日拍照台账",
            details="城管中队微信群通知,要求社区每天拍照上传沿街商户门前三包情况并建台账",
            demanded_on=(now - dt.timedelta(days=40)).date(), now=now - dt.timedelta(days=39))
        demands.report_handle(report=checked, version=checked.version, outcome="corrected", by=admin,
                              response="经与市城管局核实,该要求未经准入,已通知城管中队停止向社区布置", now=now - dt.timedelta(days=30))
        demands.report_file(
            by=worker, post=post, department="市卫生健康委", kind="meeting", title="创建卫生城市迎检动员会",
            details="街道转发通知,要求社区主任每周一参加迎检调度会", demanded_on=(now - dt.timedelta(days=4)).date(),
            now=now - dt.timedelta(days=3))


def _evaluations(ctx, district, admin, communities, rng, now) -> None:
    """A year of two-way evaluations: the round of the reference year, every street rating its
    communities, every community with a worker rating its street and the departments of its lists."""
    from gongzhi.admission import evaluation
    year = ctx.reference_date.year
    evaluation.round_open(locality=district, year=year, opens_on=ctx.reference_date - dt.timedelta(days=20),
                          closes_on=ctx.reference_date + dt.timedelta(days=10), by=admin, now=now)
    comments = ["随事经费到位及时", "希望减少重复填报", "台账要求比去年少", "", "", "会议仍然偏多"]
    for post in RoleAssignment.objects.filter(role__in=(Role.STREET, Role.COMMUNITY), active=True,
                                              place__path__startswith=district.path).select_related("place", "user"):
        if post.role == Role.COMMUNITY and RoleAssignment.objects.filter(
                role=Role.COMMUNITY, place=post.place, pk__lt=post.pk).exists():
            continue  # one rating per community
        if post.role == Role.STREET and RoleAssignment.objects.filter(
                role=Role.STREET, place=post.place, pk__lt=post.pk).exists():
            continue
        for direction, place, dept, _ in evaluation.targets_for(post):
            n = len(evaluation.DEFAULT_FORM[direction])
            evaluation.evaluate(post=post, year=year, direction=direction, target_place=place,
                                target_department=dept, scores=[rng.choice((3, 4, 4, 5, 5)) for _ in range(n)],
                                comment=rng.choice(comments), by=post.user, now=now - dt.timedelta(days=5))
