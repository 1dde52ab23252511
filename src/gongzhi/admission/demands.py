"""要求社区事项登记 (P-DUTY-4/5): meetings, ledgers, signboards, assessments and information systems a
department or street demands of committees. The seeds want them trimmed (精简社区会议和工作台账,
清理规范……加挂的各种牌子, 004 §3(一) also 信息系统), departments to hold no assessments of their own and
no one-vote veto (P-DUTY-4). gongzhi keeps the register and refuses what the rules refuse: a demand
outside the lists, a department's own assessment, a veto item, a matter a committee may never carry.

A refused demand writes nothing of itself; `refusal_record` (called by the pages, after the refused
transaction) counts it for the burden dashboard.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.admission.models import (
    Demand, DemandKind, Frequency, ListItem, OffListReport, Refusal, ReportState,
)
from gongzhi.admission.selectors import NOT_FOUND, district_of
from gongzhi.admission.services import (
    ERR_COMMUNITIES, ERR_COMMUNITY_OUTSIDE, ERR_FREQUENCY, ERR_NEVER, ERR_VOID_REASON, clean_amount, clean_text,
    rules_for,
)
from gongzhi.core.errors import RuleError, lock_version
from gongzhi.places.models import Level, Place
from gongzhi.workorders import notify

# Times a year each frequency means; "日常" work is counted in hours only.
TIMES_PER_YEAR = {Frequency.ONCE: 1, Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.YEARLY: 1,
                  Frequency.ONGOING: 0}
DEMANDERS = (Role.DEPARTMENT, Role.STREET, Role.ADMIN)

ERR_DEMANDER = "只有职能部门、街道和管理员岗位可以登记对社区的要求"
ERR_KIND = "请选择类型:会议、台账、挂牌、考核评比或信息系统"
ERR_ITEM = ("「{title}」要求社区{kind},须依据本地区社区工作事项清单(依法履行职责事项清单或依法协助政府工作事项清单)"
            "中的一项;清单外事项须先提出准入申请,经批准列入清单后再向社区提出,或以购买服务方式委托(000 四(四)、"
            "004 §3(一))")
ERR_ITEM_VOID = "所选清单事项已作废,不能据此向社区提出要求"
ERR_ITEM_NOT_YOURS = "清单事项「{item}」的责任部门是{owner},{department}不能据此向社区提出要求(权随责走)"
ERR_ASSESSMENT = ("实行基层政府统一对社区工作进行考核,各职能部门不再单独组织考核评比活动(000 四(四)、004 §3(一));"
                  "{department}不能对社区登记考核评比,请把考核内容交街道(乡镇)纳入统一考核")
ERR_VETO = "已取消对社区工作的“一票否决”事项(000 四(四)、004 §3(一)),不能登记一票否决"
ERR_LEDGER_ONLY = "只有台账类要求可以选择平台已有台账"
ERR_LEDGER_KIND = "平台没有「{code}」这种台账"
ERR_HOURS = "请填写每个社区每年的工作量(小时),须大于 0;台账已由平台生成的,请选择对应的平台台账"
ERR_STARTS = "请填写开始日期"
ERR_DUPLICATE = "{department}已登记同名的{kind}「{title}」,如需修改请先清理原登记"
ERR_CLEARED = "该登记已清理"
ERR_STALE = "这条登记已被他人修改,请刷新页面后重试"
ERR_NOT_REGISTRANT = "只有登记单位或管理员可以清理这条登记"


def department_of(post) -> str:
    return post.department or post.place.name


def platform_ledgers() -> dict[str, str]:
    """{code: label} of the ledgers the platform writes from the work itself (ledgers' registry)."""
    from gongzhi.ledgers import kinds
    return {k.code: k.label for k in kinds.registered()}


@transaction.atomic
def demand_register(*, by, post, kind: str, title: str, item: ListItem | None, frequency: str,
                    hours_per_community_year, platform_ledger: str = "", all_communities: bool = False,
                    communities=(), note: str = "", starts_on: dt.date | None = None, veto: bool = False,
                    now=None) -> Demand:
    now = now or timezone.now()
    if post.role not in DEMANDERS:
        raise RuleError(ERR_DEMANDER)
    if kind not in DemandKind.values:
        raise RuleError(ERR_KIND)
    kind_label = DemandKind(kind).label
    department = department_of(post)
    locality = district_of(post.place)
    title = clean_text(title, "名称", limit=80)
    if veto:
        raise RuleError(ERR_VETO)
    if kind == DemandKind.ASSESSMENT and post.role == Role.DEPARTMENT:
        raise RuleError(ERR_ASSESSMENT.format(department=department))
    rules = rules_for(locality)
    if rules is not None:
        source = f"{rules.locality}的文件({rules.source.get('clause', '')})"
        for word in rules.never_on_communities:
            if word in title:
                raise RuleError(ERR_NEVER.format(source=source, word=word))
    if item is None or item.locality_id != locality.pk:
        raise RuleError(ERR_ITEM.format(title=title, kind=kind_label))
    if item.voided:
        raise RuleError(ERR_ITEM_VOID)
    if post.role == Role.DEPARTMENT and item.department != department:
        raise RuleError(ERR_ITEM_NOT_YOURS.format(item=item.title, owner=item.department, department=department))
    platform_ledger = (platform_ledger or "").strip()
    if platform_ledger:
        if kind != DemandKind.LEDGER:
            raise RuleError(ERR_LEDGER_ONLY)
        if platform_ledger not in platform_ledgers():
            raise RuleError(ERR_LEDGER_KIND.format(code=platform_ledger[:40]))
    if frequency not in Frequency.values:
        raise RuleError(ERR_FREQUENCY)
    hours = clean_amount(hours_per_community_year, "工作量(小时/社区/年)")
    if platform_ledger:
        hours = Decimal("0")  # the work writes it: nothing for the committee to keep
    elif hours is None or hours <= 0 or hours >= Decimal("10000"):
        raise RuleError(ERR_HOURS)
    if not isinstance(starts_on, dt.date):
        raise RuleError(ERR_STARTS)
    chosen = []
    if not all_communities:
        chosen = list(communities)
        if not chosen:
            raise RuleError(ERR_COMMUNITIES)
        for c in chosen:
            if c.level != Level.COMMUNITY or not c.is_within(post.place):
                raise RuleError(ERR_COMMUNITY_OUTSIDE.format(name=c.name))
    if Demand.objects.filter(locality=locality, kind=kind, title=title, department=department,
                             cleared=False).exists():
        raise RuleError(ERR_DUPLICATE.format(department=department, kind=kind_label, title=title))
    demand = Demand.objects.create(
        locality=locality, kind=kind, title=title, department=department, post_place=post.place,
        registered_by=by, item=item, frequency=frequency, times_per_year=TIMES_PER_YEAR[frequency],
        hours_per_community_year=hours, platform_ledger=platform_ledger, all_communities=bool(all_communities),
        note=clean_text(note, "说明", limit=2000, required=False), starts_on=starts_on, created_at=now)
    if chosen:
        demand.communities.set(chosen)
    if not platform_ledger:
        targets = chosen or list(Place.objects.filter(level=Level.COMMUNITY, path__startswith=post.place.path))
        users = [u for c in targets[:300] for u in notify.users_at(c, [Role.COMMUNITY])]
        notify.notify(users, order=None, kind="demand", now=now,
                      text=f"{department}登记了对社区的要求:{kind_label}「{title}」(依据{item.label})")
    return demand


@transaction.atomic
def demand_clear(*, demand: Demand, version: int, reason: str, by, now=None) -> Demand:
    """清理: the demand no longer binds committees; the row and its history stay."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(ERR_VOID_REASON)
    reason = clean_text(reason, "清理理由", limit=300)
    demand = lock_version(Demand.objects.all(), demand.pk, version, ERR_STALE)
    if demand.cleared:
        raise RuleError(ERR_CLEARED)
    demand.cleared, demand.clear_reason, demand.cleared_at = True, reason, now
    demand.version += 1
    demand._change_reason = f"清理:{reason}"
    demand.save()
    return demand


# -- 社区反映: work pushed onto a committee outside the register -----------------------------
REPORT_KINDS = DemandKind.choices + [("data", "数据报表"), ("task", "其他工作任务")]
ERR_REPORTER = "只有社区工作者和网格员可以反映清单外摊派"
ERR_REPORT_KIND = "请选择要求的类型"
ERR_REPORT_DATE = "请填写提出要求的日期(不能晚于今天,也不能早于一年前)"
ERR_REPORT_OUTCOME = "请选择核查结果:已纠正或经核查不属实"
ERR_REPORT_HANDLED = "这条反映已核查({state})"
ERR_REPORT_STALE = "这条反映已被他人处理,请刷新页面后查看"


@transaction.atomic
def report_file(*, by, post, department: str, kind: str, title: str, details: str, demanded_on, now=None):
    now = now or timezone.now()
    if post.role == Role.COMMUNITY:
        community = post.place
    elif post.role == Role.GRID:
        community = post.place.parent
    else:
        raise RuleError(ERR_REPORTER)
    if kind not in dict(REPORT_KINDS):
        raise RuleError(ERR_REPORT_KIND)
    today = timezone.localdate(now)
    if not isinstance(demanded_on, dt.date) or demanded_on > today or demanded_on < today - dt.timedelta(days=366):
        raise RuleError(ERR_REPORT_DATE)
    report = OffListReport.objects.create(
        locality=district_of(community), community=community,
        department=clean_text(department, "提出要求的单位", limit=50), kind=kind,
        title=clean_text(title, "要求内容", limit=80), details=clean_text(details, "具体情况", limit=2000),
        demanded_on=demanded_on, reported_by=by, reported_at=now)
    admins = notify.users_at(report.locality, [Role.ADMIN])
    notify.notify(admins, order=None, kind="offlist", now=now,
                  text=f"{community.name}反映{report.department}清单外摊派:「{report.title}」,请核查")
    return report


@transaction.atomic
def report_handle(*, report: OffListReport, version: int, outcome: str, response: str, by, now=None):
    """The admin records what checking with the department found; the community is told."""
    now = now or timezone.now()
    if outcome not in (ReportState.CORRECTED, ReportState.UNFOUNDED):
        raise RuleError(ERR_REPORT_OUTCOME)
    response = clean_text(response, "核查结果", limit=2000)
    report = lock_version(OffListReport.objects.all(), report.pk, version, ERR_REPORT_STALE)
    if report.state != ReportState.OPEN:
        raise RuleError(ERR_REPORT_HANDLED.format(state=report.get_state_display()))
    report.state, report.response, report.handled_by, report.handled_at = outcome, response, by, now
    report.version += 1
    report.save()
    notify.notify([report.reported_by_id], order=None, kind="offlist", now=now,
                  text=f"您反映的「{report.title}」核查结果:{report.get_state_display()}")
    return report


def reports_for(scope):
    """A community (or its grids) reads its own reports; a department those naming it, in its
    district; an admin every one of its district."""
    q = Q(pk__in=[])
    for a in scope.assignments:
        if a.role == Role.ADMIN:
            q |= Q(locality__path__startswith=a.place.path)
        elif a.role == Role.DEPARTMENT:
            q |= Q(department=department_of(a), locality=district_of(a.place))
    communities = communities_of(scope)
    if communities:
        q |= Q(community__in=communities)
    return OffListReport.objects.filter(q).select_related("community")


def refusal_record(*, post, what: str, title: str, rule: str, by, now=None) -> Refusal:
    """Count a refused demand (outside the refused transaction, so the row survives its rollback)."""
    return Refusal.objects.create(locality=district_of(post.place), what=what, department=department_of(post),
                                  title=(title or "")[:80], rule=rule[:400], by=by, at=now or timezone.now())


# -- reads -------------------------------------------------------------------------------
def _by_q(scope) -> Q:
    """Demands the caller's posts registered (an admin: every one of its district)."""
    q = Q(pk__in=[])
    for a in scope.assignments:
        if a.role == Role.ADMIN:
            q |= Q(locality__path__startswith=a.place.path)
        elif a.role == Role.DEPARTMENT:
            q |= Q(department=department_of(a), post_place__path__startswith=a.place.path)
        elif a.role == Role.STREET:
            q |= Q(post_place=a.place)
    return q


def communities_of(scope) -> list[Place]:
    """The communities whose demands the caller's community and grid posts read."""
    out = []
    for a in scope.assignments:
        place = a.place if a.role == Role.COMMUNITY else a.place.parent if a.role == Role.GRID else None
        if place is not None and place not in out:
            out.append(place)
    return out


def on_community_q(community: Place) -> Q:
    ancestors = community.path.strip("/").split("/")[:-1]
    return Q(communities=community) | Q(all_communities=True, post_place__code__in=ancestors)


def demands_by(scope):
    return Demand.objects.filter(_by_q(scope)).select_related("item")


def demands_on(scope):
    q = Q(pk__in=[])
    for c in communities_of(scope):
        q |= on_community_q(c)
    return Demand.objects.filter(q).distinct().select_related("item")


def access_demand(scope, pk) -> tuple[Demand, bool]:
    """(demand, registered by the caller)."""
    demand = demands_by(scope).filter(pk=pk).first()
    if demand is not None:
        return demand, True
    demand = demands_on(scope).filter(pk=pk).first()
    if demand is None:
        raise Http404(NOT_FOUND)
    return demand, False


def refusals_for(scope):
    q = Q(pk__in=[])
    for a in scope.assignments:
        if a.role == Role.ADMIN:
            q |= Q(locality__path__startswith=a.place.path)
        elif a.role in (Role.DEPARTMENT, Role.STREET):
            q |= Q(department=department_of(a), locality=district_of(a.place))
    return Refusal.objects.filter(q)


def in_force(locality_ids, year: int):
    """Demands binding in `year`: started by its end and not cleared before it."""
    return Demand.objects.filter(locality_id__in=locality_ids, starts_on__year__lte=year).filter(
        Q(cleared=False) | Q(cleared_at__year__gt=year))
