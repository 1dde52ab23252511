"""Service projects (项目化运作, P-ORG-3): needs collected → a project designed (goals, indicators,
beneficiaries from the registry, budget and payer, period) → published for application or assigned →
taken by an organisation under a contract → a social-work team records its sessions → mid-term and
final evaluations close it. Every write is one transaction; a refusal changes nothing.

States: 设计中 → 公开征集 | 定向委托 → 已签约实施 → 已中期评估 → 已结项; 设计中/公开征集/定向委托 → 已撤销."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.core import uploads
from gongzhi.core.errors import RuleError
from gongzhi.network.models import (
    Application, ApplicationState, Beneficiary, Contract, EvaluationStage, Need, NeedSource, ProjectEvaluation,
    ProjectEvent, ProjectState, ServiceProject, ServiceSession, SessionPhoto, TeamWorker, WorkerTraining,
)
from gongzhi.network.services import _bump, date, field, number, text
from gongzhi.people.models import Organisation, OrgKind, PersonStatus, Resident
from gongzhi.places.models import Level, Place

ERR_NEED_SOURCE = "该{label}已登记为服务需求,不能重复登记"
ERR_NEED_COMMUNITY = "需求来源不在该社区"
ERR_NEEDS_OTHER = "所选需求不是本社区尚未立项的需求"
ERR_PERIOD = "结束日期({ends})不能早于开始日期({starts})"
ERR_INDICATORS = "请至少填写一条绩效指标(每行一条)"
ERR_STATE = "项目当前为“{state}”,不能{step}"
ERR_OUTSIDE = "{name}不是{community}的居民,不能列为本项目的服务对象"
ERR_NOT_ACTIVE = "{name}已迁出或注销,不能列为服务对象"
ERR_NO_BUDGET = "项目没有预算(预算为 0),不能签订合同:请先在项目设计中填写预算和出资方"
ERR_OVER_BUDGET = "合同金额 {amount} 元超过项目预算 {budget} 元"
ERR_NO_ORG = "项目还没有确定承接机构,不能签订合同"
ERR_ORG_KIND = "承接机构须为社会组织"
ERR_NOT_MINE = "您所在的服务机构不是该项目的承接机构,不能{step}"
ERR_APPLIED = "{org}已申报该项目"
ERR_NOT_RUNNING = "项目当前为“{state}”,只有签约实施中的项目可以{step}"
ERR_SESSION_DATE = "服务日期 {on} 不在项目周期({starts} 至 {ends})内"
ERR_HOURS = "服务时长须大于 0 且不超过 12 小时"
ERR_SERVED_OUTSIDE = "{name}不是{community}的居民,不能记为本次服务的对象"
ERR_WORKER_OTHER = "所选社工不是本项目团队的成员"
ERR_SPENT = "已支出 {spent} 元超过合同金额 {amount} 元"
ERR_MET = "达成指标数({met})不能超过指标总数({total})"
ERR_SATISFACTION = "居民满意度须在 0 至 100 之间"
ERR_MIDTERM_FIRST = "请先完成中期评估,再做终期评估"
ERR_CANCEL = "项目已签约,不能撤销;请通过终期评估结项"

MAX_BENEFICIARIES_AT_ONCE = 500


def _event(project, action: str, note: str = "", by=None):
    ProjectEvent.objects.create(project=project, action=action, note=note[:300], by=by)


def _lock(project: ServiceProject, version) -> ServiceProject:
    return _bump(ServiceProject, project.pk, version)


def _mine(project: ServiceProject, by, step: str):
    from gongzhi.network.selectors import organisations_of
    if project.organisation_id is None or not organisations_of(by).filter(pk=project.organisation_id).exists():
        raise RuleError(ERR_NOT_MINE.format(step=step))


# -- needs ------------------------------------------------------------------------------------
@transaction.atomic
def need_raise(*, community: Place, title: str, detail: str = "", field_code: str, source: str = NeedSource.DIRECT,
               source_obj=None, by) -> Need:
    """A need, typed in or raised in one step from a governance topic, a work order, a survey or a visit
    of the 民情日记 (`source_obj`, already read through the caller's scope): it keeps the source's id,
    once per source (the unique constraint settles two clicks at once)."""
    if community.level != Level.COMMUNITY:
        raise RuleError("请选择需求所在的社区")
    if source not in NeedSource.values:
        raise RuleError("需求来源无效")
    source_pk = None
    if source != NeedSource.DIRECT:
        if source_obj is None:
            raise RuleError("需求来源无效")
        place_id = source_community_id(source, source_obj)
        if place_id != community.pk:
            raise RuleError(ERR_NEED_COMMUNITY)
        source_pk = source_obj.pk
        if Need.objects.filter(source=source, source_pk=source_pk).exists():
            raise RuleError(ERR_NEED_SOURCE.format(label=NeedSource(source).label))
    need = Need(community=community, title=text(title, "需求", max_len=100),
                detail=text(detail, "需求说明", max_len=2000, required=False),
                field=field(field_code), source=source, source_pk=source_pk, created_by=by)
    try:
        with transaction.atomic():
            need.save()
    except IntegrityError:
        raise RuleError(ERR_NEED_SOURCE.format(label=NeedSource(source).label)) from None
    return need


def source_community_id(source: str, obj) -> int | None:
    """The community a need's source lies in: a visit's grid's community, a survey's place, else the
    record's community."""
    if source == NeedSource.VISIT:
        return obj.grid.parent_id
    if source == NeedSource.SURVEY:
        return obj.place_id
    return getattr(obj, "community_id", None)


# -- design --------------------------------------------------------------------------------------
def _indicators(value) -> list[str]:
    lines = value if isinstance(value, list) else (value or "").splitlines()
    out = [text(line, "绩效指标", max_len=100) for line in lines if (line or "").strip()]
    if not out:
        raise RuleError(ERR_INDICATORS)
    if len(out) > 20:
        raise RuleError("绩效指标不能超过 20 条")
    return out


@transaction.atomic
def project_design(*, community: Place, title: str, field_code: str, goals: str, indicators, budget, payer: str,
                   starts_on, ends_on, need_ids=(), by) -> ServiceProject:
    if community.level != Level.COMMUNITY:
        raise RuleError("请选择项目所在的社区")
    starts, ends = date(starts_on, "开始日期"), date(ends_on, "结束日期")
    if ends < starts:
        raise RuleError(ERR_PERIOD.format(starts=starts.isoformat(), ends=ends.isoformat()))
    try:
        ids = sorted({int(n) for n in need_ids})
    except (TypeError, ValueError):
        raise RuleError(ERR_NEEDS_OTHER) from None
    needs = list(Need.objects.select_for_update().filter(pk__in=ids, community=community, project__isnull=True,
                                                         closed=""))
    if len(needs) != len(ids):
        raise RuleError(ERR_NEEDS_OTHER)
    project = ServiceProject.objects.create(
        community=community, title=text(title, "项目名称", max_len=100), field=field(field_code),
        goals=text(goals, "项目目标", max_len=2000), indicators=_indicators(indicators),
        budget=number(budget, "预算", required=False), payer=text(payer, "出资方", max_len=80),
        starts_on=starts, ends_on=ends, created_by=by)
    Need.objects.filter(pk__in=ids).update(project=project)
    _event(project, "design", f"由 {len(ids)} 条需求形成" if ids else "", by)
    return project


def residents_matching(community: Place, *, tag: str = "", min_age=None, max_age=None, grid: Place | None = None,
                       today: dt.date | None = None):
    """The community's residents by care tag, age and grid (the picker; the caller's scope has already
    been checked for the community)."""
    today = today or timezone.localdate()
    qs = Resident.objects.filter(community=community, status=PersonStatus.ACTIVE)
    if tag:
        qs = qs.filter(tags__code=tag[:40])
    if grid is not None:
        qs = qs.filter(grid=grid)
    if min_age not in (None, ""):
        qs = qs.filter(birth_date__lte=_years_before(today, int(min_age)))
    if max_age not in (None, ""):
        qs = qs.filter(birth_date__gt=_years_before(today, int(max_age) + 1))
    return qs.distinct()


def _years_before(day: dt.date, years: int) -> dt.date:
    years = max(0, min(years, 150))
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@transaction.atomic
def beneficiaries_add(*, project: ServiceProject, residents, by) -> int:
    """Adds residents as the project's beneficiaries; one outside the project's community refuses the lot."""
    project = ServiceProject.objects.select_for_update().select_related("community").get(pk=project.pk)
    if project.state in (ProjectState.CLOSED, ProjectState.CANCELLED):
        raise RuleError(ERR_STATE.format(state=project.get_state_display(), step="添加服务对象"))
    residents = list(residents[:MAX_BENEFICIARIES_AT_ONCE + 1]) if not isinstance(residents, list) else residents
    if len(residents) > MAX_BENEFICIARIES_AT_ONCE:
        raise RuleError(f"一次最多添加 {MAX_BENEFICIARIES_AT_ONCE} 人,请加筛选条件")
    if not residents:
        raise RuleError("没有符合条件的居民")
    for r in residents:
        if r.community_id != project.community_id:
            raise RuleError(ERR_OUTSIDE.format(name=r.name, community=project.community.name))
        if r.status != PersonStatus.ACTIVE:
            raise RuleError(ERR_NOT_ACTIVE.format(name=r.name))
    have = set(Beneficiary.objects.filter(project=project).values_list("resident_id", flat=True))
    today = timezone.localdate()
    new = [Beneficiary(project=project, resident=r, added_on=today) for r in residents if r.pk not in have]
    Beneficiary.objects.bulk_create(new)
    Beneficiary.objects.filter(project=project, resident__in=[r.pk for r in residents],
                               removed_on__isnull=False).update(removed_on=None)
    if new:
        _event(project, "beneficiaries", f"新增服务对象 {len(new)} 人", by)
    return len(new)


@transaction.atomic
def beneficiary_remove(*, project: ServiceProject, resident_id, by) -> None:
    b = Beneficiary.objects.select_for_update().filter(project=project, resident_id=resident_id,
                                                       removed_on__isnull=True).first()
    if b is None:
        raise RuleError("该居民不是本项目当前的服务对象")
    b.removed_on = timezone.localdate()
    b.save(update_fields=["removed_on"])
    _event(project, "beneficiary_removed", "", by)


# -- publishing, application, assignment, contract ------------------------------------------------
@transaction.atomic
def project_publish(*, project: ServiceProject, version, by) -> ServiceProject:
    p = _lock(project, version)
    if p.state != ProjectState.DRAFT:
        raise RuleError(ERR_STATE.format(state=p.get_state_display(), step="公开征集"))
    p.state = ProjectState.PUBLISHED
    p.save()
    _event(p, "publish", "", by)
    from gongzhi.network import notices
    street_orgs = Organisation.objects.filter(kind=OrgKind.SOCIAL_ORG, active=True,
                                              community__parent_id=p.community.parent_id).values_list("pk", flat=True)
    notices.send_once(p, "published", notices.staff_of(street_orgs),
                      text=f"服务项目“{p.title}”公开征集承接机构({p.community.name},预算 {p.budget} 元)")
    return p


def _check_org(p: ServiceProject, org: Organisation):
    if org.kind != OrgKind.SOCIAL_ORG or not org.active:
        raise RuleError(ERR_ORG_KIND)
    if not p.community.is_within(org.community.parent) and org.community_id != p.community_id:
        raise RuleError("承接机构须为本街道的社会组织")


@transaction.atomic
def project_assign(*, project: ServiceProject, version, organisation: Organisation, by) -> ServiceProject:
    p = _lock(project, version)
    if p.state not in (ProjectState.DRAFT, ProjectState.PUBLISHED):
        raise RuleError(ERR_STATE.format(state=p.get_state_display(), step="委托承接机构"))
    _check_org(p, organisation)
    p.state, p.organisation = ProjectState.ASSIGNED, organisation
    p.save()
    Application.objects.filter(project=p, state=ApplicationState.SUBMITTED).exclude(
        organisation=organisation).update(state=ApplicationState.NOT_CHOSEN)
    Application.objects.filter(project=p, organisation=organisation).update(state=ApplicationState.CHOSEN)
    _event(p, "assign", organisation.name, by)
    from gongzhi.network import notices
    applicants = set(Application.objects.filter(project=p).values_list("organisation_id", flat=True))
    chosen = notices.staff_of([organisation.pk])
    if applicants:
        notices.send_once(p, "decided", notices.staff_of(applicants - {organisation.pk}) - chosen,
                          text=f"服务项目“{p.title}”已选定承接机构:{organisation.name};贵机构的申报未被选定")
    notices.send_once(p, "assigned", chosen,
                      text=f"服务项目“{p.title}”已确定由{organisation.name}承接,请准备签订合同")
    return p


@transaction.atomic
def application_submit(*, project: ServiceProject, organisation: Organisation, plan: str, quote, by) -> Application:
    from gongzhi.network.selectors import organisations_of
    p = ServiceProject.objects.select_for_update().select_related("community").get(pk=project.pk)
    if p.state != ProjectState.PUBLISHED:
        raise RuleError(ERR_STATE.format(state=p.get_state_display(), step="申报"))
    if not organisations_of(by).filter(pk=organisation.pk).exists():
        raise RuleError("只能以本人所在的服务机构申报")
    _check_org(p, organisation)
    if Application.objects.filter(project=p, organisation=organisation).exists():
        raise RuleError(ERR_APPLIED.format(org=organisation.name))
    q = number(quote, "报价")
    if p.budget and q > p.budget:
        raise RuleError(f"报价 {q} 元超过项目预算 {p.budget} 元")
    a = Application.objects.create(project=p, organisation=organisation, plan=text(plan, "服务方案", max_len=2000),
                                   quote=q, by=by)
    _event(p, "apply", organisation.name, by)
    return a


@transaction.atomic
def contract_sign(*, project: ServiceProject, version, number_text: str, amount, signed_on, by) -> Contract:
    p = _lock(project, version)
    if p.state != ProjectState.ASSIGNED:
        raise RuleError(ERR_STATE.format(state=p.get_state_display(), step="签订合同"))
    if p.organisation_id is None:
        raise RuleError(ERR_NO_ORG)
    if not p.budget or p.budget <= 0:
        raise RuleError(ERR_NO_BUDGET)
    a = number(amount, "合同金额")
    if a <= 0:
        raise RuleError("合同金额须大于 0")
    if a > p.budget:
        raise RuleError(ERR_OVER_BUDGET.format(amount=a, budget=p.budget))
    c = Contract.objects.create(project=p, organisation_id=p.organisation_id,
                                number=text(number_text, "合同编号", max_len=40), amount=a,
                                signed_on=date(signed_on, "签订日期", not_future=True), by=by)
    p.state = ProjectState.CONTRACTED
    p.save()
    _event(p, "contract", f"合同 {c.number},金额 {a} 元", by)
    from gongzhi.network import notices
    notices.send_once(p, "contract", (notices.staff_of([p.organisation_id]) | notices.community_workers(p.community))
                      - {by.pk}, text=f"服务项目“{p.title}”已签订合同 {c.number}(金额 {a} 元),项目进入实施")
    return c


@transaction.atomic
def project_cancel(*, project: ServiceProject, version, reason: str, by) -> ServiceProject:
    reason = text(reason, "撤销理由", max_len=300)
    p = _lock(project, version)
    if p.state not in (ProjectState.DRAFT, ProjectState.PUBLISHED, ProjectState.ASSIGNED):
        raise RuleError(ERR_CANCEL if p.state != ProjectState.CANCELLED else
                        ERR_STATE.format(state=p.get_state_display(), step="撤销"))
    p.state = ProjectState.CANCELLED
    p.save()
    Need.objects.filter(project=p).update(project=None)
    _event(p, "cancel", reason, by)
    return p


# -- the purchased service (政府购买服务) a contract fulfils -----------------------------------------
ERR_PURCHASE_LINKED = "该项目合同已对应购买服务“{title}”,不能重复关联"
ERR_PURCHASE_TAKEN = "购买服务“{title}”已对应另一个服务项目的合同"
ERR_PURCHASE_OTHER = "所选购买服务不是{community}的有效购买服务合同"
ERR_PURCHASE_PRICE = "项目合同金额 {amount} 元超过购买服务金额 {price} 元"
ERR_PURCHASE_POST = "您没有覆盖{community}的购买服务岗位(街道、部门或管理员),不能登记购买服务"
ERR_NO_CONTRACT = "项目还没有签订合同,不能关联购买服务"


def _contract_for_purchase(project: ServiceProject) -> Contract:
    c = Contract.objects.select_for_update().filter(project_id=project.pk).select_related(
        "project__community", "organisation").first()
    if c is None:
        raise RuleError(ERR_NO_CONTRACT)
    if c.purchase_id is not None:
        raise RuleError(ERR_PURCHASE_LINKED.format(title=c.purchase.title))
    return c


@transaction.atomic
def contract_link_purchase(*, project: ServiceProject, purchase_pk, by) -> Contract:
    """Links the project's contract to an existing purchased service (admission.ServiceContract) of the
    project's community: not voided, not already another contract's, priced at least the contract's amount."""
    from gongzhi.admission.models import ContractState, ServiceContract
    c = _contract_for_purchase(project)
    community = c.project.community
    try:
        pk = int(str(purchase_pk).strip())
    except (TypeError, ValueError):
        raise RuleError(ERR_PURCHASE_OTHER.format(community=community.name)) from None
    purchase = ServiceContract.objects.select_for_update().filter(
        pk=pk, community=community).exclude(state=ContractState.VOIDED).first() if 0 < pk < 2**31 else None
    if purchase is None:
        raise RuleError(ERR_PURCHASE_OTHER.format(community=community.name))
    if Contract.objects.filter(purchase=purchase).exists():
        raise RuleError(ERR_PURCHASE_TAKEN.format(title=purchase.title))
    if c.amount > purchase.price_yuan:
        raise RuleError(ERR_PURCHASE_PRICE.format(amount=c.amount, price=purchase.price_yuan))
    c.purchase = purchase
    c.save(update_fields=["purchase"])
    _event(c.project, "purchase", f"对应购买服务:{purchase.title}", by)
    return c


@transaction.atomic
def contract_create_purchase(*, project: ServiceProject, by) -> Contract:
    """Registers the contract as a purchased service in admission (buyer: the caller's buying post over the
    community; provider: the organisation; price: the contract's amount; period: the project's) and links
    it. admission's own rules apply (an item already on the duty lists is refused: its money comes with
    the list)."""
    from gongzhi.admission import services as admission
    from gongzhi.admission.manifest import BUY_SERVICES
    c = _contract_for_purchase(project)
    p = c.project
    post = next((a for a in by.assignments.filter(active=True).select_related("place")
                 if BUY_SERVICES.granted_to(a.role) and p.community.is_within(a.place)), None)
    if post is None:
        raise RuleError(ERR_PURCHASE_POST.format(community=p.community.name))
    deliverables = "\n".join([p.goals[:1500], *[f"· {i}" for i in p.indicators]])[:2000]
    purchase = admission.contract_create(
        by=by, post=post, community=p.community, title=p.title[:80], provider=c.organisation.name[:80],
        price_yuan=c.amount, starts_on=p.starts_on, ends_on=p.ends_on, deliverables=deliverables)
    c.purchase = purchase
    c.save(update_fields=["purchase"])
    _event(p, "purchase", f"登记为购买服务:{purchase.title}", by)
    return c


# -- delivery -------------------------------------------------------------------------------------
RUNNING = (ProjectState.CONTRACTED, ProjectState.MIDTERM)
CERTIFICATES = dict(TeamWorker._meta.get_field("certificate").choices)


@transaction.atomic
def worker_add(*, project: ServiceProject, name: str, certificate: str, certificate_no: str, by) -> TeamWorker:
    p = ServiceProject.objects.select_for_update().get(pk=project.pk)
    if p.state not in RUNNING:
        raise RuleError(ERR_NOT_RUNNING.format(state=p.get_state_display(), step="组建社工团队"))
    _mine(p, by, "组建社工团队")
    if certificate not in CERTIFICATES:
        raise RuleError("请选择社工证书等级")
    no = text(certificate_no, "证书编号", max_len=40, required=certificate != "none")
    return TeamWorker.objects.create(project=p, name=text(name, "社工姓名", max_len=50), certificate=certificate,
                                     certificate_no=no, joined_on=timezone.localdate())


ERR_TRAINING_HOURS = "学时须大于 0 且不超过 200"
ERR_TRAINING_WORKER = "所选社工不是本项目团队的成员"


@transaction.atomic
def training_add(*, project: ServiceProject, worker_id, course: str, hours, taken_on, certificate: str = "",
                 by) -> WorkerTraining:
    """A training record of a team worker, kept by the project's provider (its own organisation)."""
    p = ServiceProject.objects.select_for_update().get(pk=project.pk)
    _mine(p, by, "登记社工培训")
    try:
        wid = int(str(worker_id).strip())
    except (TypeError, ValueError):
        raise RuleError(ERR_TRAINING_WORKER) from None
    worker = TeamWorker.objects.filter(pk=wid, project=p).first() if 0 < wid < 2**31 else None
    if worker is None:
        raise RuleError(ERR_TRAINING_WORKER)
    h = number(hours, "学时", places=1, max_digits=5)
    if not Decimal(0) < h <= Decimal(200):
        raise RuleError(ERR_TRAINING_HOURS)
    return WorkerTraining.objects.create(worker=worker, course=text(course, "培训课程", max_len=100), hours=h,
                                         taken_on=date(taken_on, "培训日期", not_future=True),
                                         certificate=text(certificate, "结业证书", max_len=60, required=False), by=by)


@transaction.atomic
def session_record(*, project: ServiceProject, held_on, title: str, hours, resident_ids=(), worker_ids=(),
                   files=(), by) -> ServiceSession:
    """One service session: the residents served (of the project's community), hours, photos. Writes the
    community's activity ledger (ledgers.Activity, source network.session)."""
    from gongzhi.ledgers import services as ledgers
    from gongzhi.ledgers.models import Activity, ActivityKind
    p = ServiceProject.objects.select_for_update().select_related("community").get(pk=project.pk)
    if p.state not in RUNNING:
        raise RuleError(ERR_NOT_RUNNING.format(state=p.get_state_display(), step="记录服务"))
    _mine(p, by, "记录服务")
    day = date(held_on, "服务日期", not_future=True)
    if not p.starts_on <= day <= p.ends_on:
        raise RuleError(ERR_SESSION_DATE.format(on=day.isoformat(), starts=p.starts_on.isoformat(),
                                                ends=p.ends_on.isoformat()))
    h = number(hours, "服务时长", places=1, max_digits=4)
    if not Decimal(0) < h <= Decimal(12):
        raise RuleError(ERR_HOURS)
    title = text(title, "服务内容", max_len=100)
    try:
        rids = sorted({int(r) for r in resident_ids})
        wids = sorted({int(w) for w in worker_ids})
    except (TypeError, ValueError):
        raise RuleError("所选居民或社工无效") from None
    residents = list(Resident.objects.filter(pk__in=rids).only("pk", "name", "community_id"))
    if len(residents) != len(rids):
        raise RuleError("所选居民无效")
    for r in residents:
        if r.community_id != p.community_id:
            raise RuleError(ERR_SERVED_OUTSIDE.format(name=r.name, community=p.community.name))
    workers = list(TeamWorker.objects.filter(pk__in=wids, project=p, left_on__isnull=True))
    if len(workers) != len(wids):
        raise RuleError(ERR_WORKER_OTHER)
    try:
        checked = uploads.check_files(list(files), max_count=6)
    except uploads.UploadError as exc:
        raise RuleError(str(exc)) from None
    s = ServiceSession.objects.create(project=p, held_on=day, title=title, hours=h, by=by)
    s.residents.set(residents)
    s.workers.set(workers)
    for f, content_type in checked:
        SessionPhoto.objects.create(session=s, file=f, content_type=content_type)
    ledgers.write_from(model=Activity, source="network.session", source_pk=s.pk, community=p.community, by=by,
                       kind=ActivityKind.VOLUNTEER, held_on=day, title=f"{p.title}:{title}"[:200],
                       participants=len(residents) + len(workers), hours=h)
    _event(p, "session", f"{day.isoformat()} {title}", by)
    return s


@transaction.atomic
def evaluate(*, project: ServiceProject, version, stage: str, satisfaction, indicators_met, spent, note: str,
             by) -> ProjectEvaluation:
    """Mid-term (已签约实施 → 已中期评估) or final (已中期评估 → 已结项). The score is half the residents'
    satisfaction and half the share of indicators met."""
    p = _lock(project, version)
    if stage not in EvaluationStage.values:
        raise RuleError("请选择评估阶段(中期或终期)")
    if stage == EvaluationStage.MIDTERM and p.state != ProjectState.CONTRACTED:
        raise RuleError(ERR_STATE.format(state=p.get_state_display(), step="做中期评估"))
    if stage == EvaluationStage.FINAL and p.state != ProjectState.MIDTERM:
        raise RuleError(ERR_MIDTERM_FIRST if p.state == ProjectState.CONTRACTED else
                        ERR_STATE.format(state=p.get_state_display(), step="做终期评估"))
    sat = number(satisfaction, "居民满意度", places=1, max_digits=5)
    if sat > 100:
        raise RuleError(ERR_SATISFACTION)
    try:
        met = int(str(indicators_met).strip())
    except (TypeError, ValueError):
        raise RuleError("达成指标数须为整数") from None
    total = len(p.indicators)
    if not 0 <= met <= total:
        raise RuleError(ERR_MET.format(met=met, total=total))
    money = number(spent, "已支出金额")
    amount = p.contract.amount
    if money > amount:
        raise RuleError(ERR_SPENT.format(spent=money, amount=amount))
    score = (sat / 2 + Decimal(met * 50) / Decimal(total or 1)).quantize(Decimal("0.1"))
    e = ProjectEvaluation.objects.create(project=p, stage=stage, satisfaction=sat, indicators_met=met,
                                         indicators_total=total, spent=money, score=score,
                                         note=text(note, "评估意见", max_len=300, required=False),
                                         evaluated_on=timezone.localdate(), by=by)
    p.state = ProjectState.MIDTERM if stage == EvaluationStage.MIDTERM else ProjectState.CLOSED
    p.save()
    _event(p, stage, f"评分 {score}", by)
    return e
