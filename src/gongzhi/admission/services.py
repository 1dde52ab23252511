"""Every write of admission: the locality's rules, the two lists, admission requests and their
decisions, category bases (the catalogue's check), data requests and answers. Plain functions, one
transaction each; a broken rule raises `RuleError` with a Chinese message and writes nothing."""
from __future__ import annotations

import datetime as dt
from functools import partial
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.admission import rules as rules_mod
from gongzhi.admission.selectors import district_of
from gongzhi.admission.models import (
    AdmissionDocument, AdmissionRequest, AdmissionStep, CategoryBasis, DataAnswer, DataRequest, DataRequestState,
    ItemSource, ListItem, ListKind, LocalityRules, Refusal, RefusalWhat, RequestState, StepAction, Takeup,
)
from gongzhi.core import uploads
from gongzhi.core.errors import RuleError, lock_version
from gongzhi.core.validators import has_control_characters
from gongzhi.places.models import Level, Place
from gongzhi.workorders import notify
from gongzhi.workorders.calendar import add_working_days

ERR_NO_RULES = "本地区尚未选定准入规则,请管理员先在「社区工作事项清单」页面选定"
ERR_REQUIRED = "请填写{field}"
ERR_TOO_LONG = "{field}不能超过 {n} 个字"
ERR_CONTROL = "{field}含有不可见的控制字符,请删除后重新输入"
ERR_KIND = "请选择清单:依法履行职责事项或依法协助政府工作事项"
ERR_TAKEUP = "本地区把事项分为须承接和可承接两类,请选择承接类别"
ERR_TAKEUP_NONE = "本地区不分须承接和可承接,请不要选择承接类别"
ERR_NUMBER = "{field}须为不小于 0 的数字(例如 12 或 12.5)"
ERR_HOURS = "请填写每个社区每年的工作量(小时),须大于 0"
ERR_FUNDING = "本地区实行“权随责走、费随事转”:申请须写明随事经费(元/社区/年),须大于 0"
ERR_COMMUNITIES = "请选择涉及的社区,或勾选“全部社区”"
ERR_COMMUNITY_OUTSIDE = "所选社区「{name}」不在您岗位所辖范围内"
ERR_FREQUENCY = "请选择频次"
ERR_NEVER = ("依据{source},不得将社区作为「{word}」事项的责任主体;这类事项应由基层政府依法履行,不能申请进入社区")
ERR_PLAN_YEAR = "本地区实行年度计划:请填写计划年度(今年或明年)"
ERR_NOT_REVIEW = "该申请已{state},不能再审核"
ERR_DECISION = "请选择审核意见"
ERR_REASON = "{what}须写明理由,申请部门会看到"
ERR_NOT_DEPARTMENT = "只有职能部门岗位可以提出准入申请"
ERR_WITHDRAW = "只有申请部门可以撤回尚在审核中的申请"
ERR_VOID_REASON = "作废须写明理由"
ERR_ALREADY_VOID = "该事项已作废"
ERR_DUPLICATE_TITLE = "清单中已有同名事项「{title}」({label})"
ERR_BASIS_ITEM = "请选择该工单类别依据的清单事项"
ERR_BASIS_TAKEN = "类别 {code} 已对应{label},如需改变请先作废原对应"
ERR_CATEGORY_NEEDS_LIST = ("工单类别「{name}」派往{level},须对应本地区社区工作事项清单中的一项"
                           "(依法履行职责事项清单或依法协助政府工作事项清单,含经批准的准入事项);"
                           "请先在「准入与减负 › 工单类别对应」为代码 {code} 指定清单事项,"
                           "未列入清单的事项不得交给社区(000 四(四))")
ERR_DISPATCH_NEEDS_LIST = ("工单类别「{name}」不在本地区社区工作事项清单内,不能派往{place}:社区和网格只承担清单事项"
                           "(000 四(四));请派往街道或职能部门办理,或由管理员在「准入与减负 › 工单类别对应」"
                           "为类别 {code} 指定清单事项")
ERR_DATA_ITEM = ("数据填报任务须依据本地区社区工作事项清单中的一项;「{title}」不在清单内,"
                 "请先提出准入申请,经批准后再向社区布置")
ERR_DATA_ITEM_VOID = "所选清单事项已作废,不能据此布置填报任务"
ERR_DATA_FIELDS = "请至少填写一个填报项"
ERR_DATA_DUE = "截止日期须在今天之后"
ERR_DATA_METRIC = "第 {i} 个填报项的平台数据「{code}」不存在"
ERR_DATA_CLOSED = "该填报任务已{state},不能再填报"
ERR_DATA_PAST_DUE = "该填报任务已过截止日期({due}),不能再填报"
ERR_DATA_VALUE = "「{label}」须填写数字"
ERR_DATA_NOT_ASKED = "该填报任务没有布置给本社区"

TITLE_MAX = 80


def clean_text(value, field: str, *, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise RuleError(ERR_REQUIRED.format(field=field))
        return ""
    if len(value) > limit:
        raise RuleError(ERR_TOO_LONG.format(field=field, n=limit))
    if has_control_characters(value):
        raise RuleError(ERR_CONTROL.format(field=field))
    return value


def clean_amount(value, field: str, *, required: bool = False, positive: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise RuleError(ERR_NUMBER.format(field=field))
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        raise RuleError(ERR_NUMBER.format(field=field)) from None
    if not amount.is_finite() or amount < 0 or (positive and amount == 0) or amount >= Decimal("1e10"):
        raise RuleError(ERR_NUMBER.format(field=field))
    return amount.quantize(Decimal("0.01"))


def rules_for(locality: Place) -> rules_mod.Rules | None:
    row = LocalityRules.objects.filter(place=locality).first()
    return rules_mod.parse(row.rules_text, f"{row.rules_id}.yaml") if row else None


def _rules_or_error(locality: Place) -> rules_mod.Rules:
    rules = rules_for(locality)
    if rules is None:
        raise RuleError(ERR_NO_RULES)
    return rules


# -- the locality's rules ----------------------------------------------------------------
@transaction.atomic
def rules_choose(*, locality: Place, rules_id: str, by) -> LocalityRules:
    """The district follows `rules_id` (its file as it is now); requests already filed keep theirs."""
    try:
        rules = rules_mod.load(rules_id)
    except rules_mod.RulesError as exc:
        raise RuleError(str(exc)) from None
    row, _ = LocalityRules.objects.update_or_create(place=locality, defaults={
        "rules_id": rules.id, "rules_text": rules.text, "loaded_by": by})
    return row


# -- the lists ---------------------------------------------------------------------------
def _item_fields(*, rules, kind, takeup, title, legal_basis, department, community_does, funding_yuan,
                 funding_note, hours_per_year) -> dict:
    if kind not in ListKind.values:
        raise RuleError(ERR_KIND)
    takeup = takeup or ""
    if rules is not None and rules.split and kind == ListKind.ASSIST and takeup not in (Takeup.MUST, Takeup.MAY):
        raise RuleError(ERR_TAKEUP)
    if rules is not None and not rules.split and takeup:
        raise RuleError(ERR_TAKEUP_NONE)
    return {
        "kind": kind, "takeup": takeup,
        "title": clean_text(title, "事项名称", limit=TITLE_MAX),
        "legal_basis": clean_text(legal_basis, "法律依据", limit=300),
        "department": clean_text(department, "责任部门", limit=50),
        "community_does": clean_text(community_does, "社区承担的工作", limit=2000),
        "funding_yuan": clean_amount(funding_yuan, "随事经费"),
        "funding_note": clean_text(funding_note, "经费与工作条件", limit=300, required=False),
        "hours_per_year": clean_amount(hours_per_year, "工作量"),
    }


def _next_number(locality, kind) -> int:
    return (ListItem.objects.filter(locality=locality, kind=kind).aggregate(n=Max("number"))["n"] or 0) + 1


def _check_unique_title(locality, title, exclude=None):
    clash = ListItem.objects.filter(locality=locality, title=title, voided=False).exclude(pk=exclude).first()
    if clash:
        raise RuleError(ERR_DUPLICATE_TITLE.format(title=title, label=clash.get_kind_display()))


@transaction.atomic
def item_add(*, locality: Place, by, effective_on: dt.date | None = None, now=None, **fields) -> ListItem:
    now = now or timezone.now()
    data = _item_fields(rules=rules_for(locality), **fields)
    _check_unique_title(locality, data["title"])
    item = ListItem(locality=locality, number=_next_number(locality, data["kind"]),
                    effective_on=effective_on or now.date(), changed_by=by, changed_at=now, **data)
    item._change_reason = "新增"
    item._history_user = by
    item.save()
    return item


@transaction.atomic
def item_edit(*, item: ListItem, version: int, by, now=None, change_reason: str = "", **fields) -> ListItem:
    now = now or timezone.now()
    item = lock_version(ListItem.objects, item.pk, version, "该清单事项刚被他人修改,请刷新后重试")
    if item.voided:
        raise RuleError(ERR_ALREADY_VOID)
    data = _item_fields(rules=rules_for(item.locality), kind=item.kind, **fields)
    _check_unique_title(item.locality, data["title"], exclude=item.pk)
    for k, v in data.items():
        setattr(item, k, v)
    item.version += 1
    item.changed_by, item.changed_at = by, now
    item._change_reason = clean_text(change_reason, "修改说明", limit=200, required=False) or "修改"
    item._history_user = by
    item.save()
    return item


@transaction.atomic
def item_void(*, item: ListItem, version: int, reason: str, by, now=None) -> ListItem:
    now = now or timezone.now()
    item = lock_version(ListItem.objects, item.pk, version, "该清单事项刚被他人修改,请刷新后重试")
    if item.voided:
        raise RuleError(ERR_ALREADY_VOID)
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(ERR_VOID_REASON)
    item.void_reason = clean_text(reason, "作废理由", limit=300)
    item.voided = True
    item.version += 1
    item.changed_by, item.changed_at = by, now
    item._change_reason = f"作废:{item.void_reason}"
    item._history_user = by
    item.save()
    return item


# -- admission requests ------------------------------------------------------------------
def _department_post(by):
    for a in by.assignments.filter(active=True, role=Role.DEPARTMENT).select_related("place"):
        return a
    raise RuleError(ERR_NOT_DEPARTMENT)


@transaction.atomic
def request_file(*, by, post=None, kind: str, title: str, reason: str, legal_basis: str, community_does: str,
                 frequency: str, hours_per_community_year, funding_yuan, conditions: str = "",
                 all_communities: bool = False, communities=(), takeup: str = "", plan_year=None, files=(),
                 now=None) -> AdmissionRequest:
    """A department's application for a new item, at the first stage of its locality's procedure."""
    from gongzhi.admission.models import Frequency
    now = now or timezone.now()
    post = post or _department_post(by)
    locality = district_of(post.place)
    rules = _rules_or_error(locality)
    if kind not in ListKind.values:
        raise RuleError(ERR_KIND)
    takeup = takeup or ""
    if rules.split and kind == ListKind.ASSIST and takeup not in (Takeup.MUST, Takeup.MAY):
        raise RuleError(ERR_TAKEUP)
    if not rules.split and takeup:
        raise RuleError(ERR_TAKEUP_NONE)
    title = clean_text(title, "事项名称", limit=TITLE_MAX)
    source = f"{rules.locality}的文件({rules.source.get('clause', '')})"
    for word in rules.never_on_communities:
        if word in title:
            raise RuleError(ERR_NEVER.format(source=source, word=word))
    data = {
        "title": title,
        "reason": clean_text(reason, "申请理由", limit=2000),
        "legal_basis": clean_text(legal_basis, "法律依据", limit=300),
        "community_does": clean_text(community_does, "社区承担的工作", limit=2000),
        "conditions": clean_text(conditions, "工作条件", limit=2000, required=False),
    }
    if frequency not in Frequency.values:
        raise RuleError(ERR_FREQUENCY)
    hours = clean_amount(hours_per_community_year, "工作量(小时/社区/年)")
    if hours is None or hours <= 0:
        raise RuleError(ERR_HOURS)
    funding = clean_amount(funding_yuan, "随事经费(元/社区/年)") or Decimal("0")
    if rules.funding_required and funding <= 0:
        raise RuleError(ERR_FUNDING)
    if rules.annual_plan:
        try:
            plan_year = int(plan_year)
        except (TypeError, ValueError):
            raise RuleError(ERR_PLAN_YEAR) from None
        if plan_year not in (now.year, now.year + 1):
            raise RuleError(ERR_PLAN_YEAR)
    else:
        plan_year = None
    chosen = []
    if not all_communities:
        for c in communities:
            if c.level != Level.COMMUNITY or not c.is_within(post.place):
                raise RuleError(ERR_COMMUNITY_OUTSIDE.format(name=c.name))
            chosen.append(c)
        if not chosen:
            raise RuleError(ERR_COMMUNITIES)
    try:
        checked = uploads.check_files(files)
    except uploads.UploadError as exc:
        raise RuleError(str(exc)) from None
    stages = rules.procedure_json()
    req = AdmissionRequest.objects.create(
        locality=locality, department=post.department or "职能部门", post_place=post.place, applicant=by, kind=kind,
        takeup=takeup, frequency=frequency, hours_per_community_year=hours, funding_yuan=funding,
        all_communities=bool(all_communities), plan_year=plan_year, procedure=stages, stage=0,
        stage_due=add_working_days(now, stages[0]["days"]).date(), created_at=now, **data)
    if chosen:
        req.communities.set(chosen)
    AdmissionStep.objects.create(request=req, stage_label="申请", action=StepAction.FILE, by=by, by_name=str(by),
                                 at=now, reason=data["reason"][:200])
    for f, content_type in checked:
        AdmissionDocument.objects.create(request=req, file=f, name=f.name[:120], content_type=content_type,
                                         size=f.size, uploaded_by=by)
    return req


@transaction.atomic
def request_decide(*, request: AdmissionRequest, version: int, decision: str, reason: str, by,
                   now=None) -> AdmissionRequest:
    """The reviewer of the current stage: `pass` (on to the next stage; at the last stage it approves),
    `approve` (only at the last stage) or `refuse` (a reason is required)."""
    now = now or timezone.now()
    req = lock_version(AdmissionRequest.objects, request.pk, version, "该申请刚被他人处理,请刷新后查看")
    if req.state != RequestState.REVIEW:
        raise RuleError(ERR_NOT_REVIEW.format(state=req.get_state_display()))
    if decision not in ("pass", "approve", "refuse"):
        raise RuleError(ERR_DECISION)
    reason = clean_text(reason, "理由", limit=2000, required=False)
    last = req.stage >= len(req.procedure) - 1
    label = req.procedure[req.stage]["label"]
    if decision == "refuse":
        if not reason:
            raise RuleError(ERR_REASON.format(what="不予批准"))
        req.state, req.decision_reason, req.decided_at = RequestState.REFUSED, reason, now
        action = StepAction.REFUSE
        text = f"准入申请「{req.title}」未获批准({label}):{reason}"
    elif decision == "pass" and not last:
        req.stage += 1
        req.stage_due = add_working_days(now, req.procedure[req.stage]["days"]).date()
        action = StepAction.PASS
        text = f"准入申请「{req.title}」已通过{label},转{req.procedure[req.stage]['label']}"
    else:
        if not last:
            raise RuleError(f"「{label}」不是最后一个环节,请选择“审核通过,转下一环节”")
        req.state, req.decision_reason, req.decided_at = RequestState.APPROVED, reason, now
        action = StepAction.APPROVE
        text = f"准入申请「{req.title}」已获批准,列入{req.get_kind_display()}清单"
    req.version += 1
    req.save()
    AdmissionStep.objects.create(request=req, stage_label=label, action=action, reason=reason, by=by,
                                 by_name=str(by), at=now)
    if req.state == RequestState.APPROVED:
        item = ListItem(locality=req.locality, kind=req.kind, takeup=req.takeup,
                        number=_next_number(req.locality, req.kind), title=req.title, legal_basis=req.legal_basis,
                        department=req.department, community_does=req.community_does,
                        funding_yuan=req.funding_yuan, funding_note=req.conditions[:300],
                        hours_per_year=req.hours_per_community_year, source=ItemSource.ADMISSION, admission=req,
                        effective_on=now.date(), changed_by=by, changed_at=now)
        item._change_reason = f"准入批准:{req.title}"
        item._history_user = by
        item.save()
    notify.notify([req.applicant_id], order=None, kind="admission", text=text, now=now)
    return req


@transaction.atomic
def request_withdraw(*, request: AdmissionRequest, version: int, reason: str, by, now=None) -> AdmissionRequest:
    now = now or timezone.now()
    req = lock_version(AdmissionRequest.objects, request.pk, version, "该申请刚被他人处理,请刷新后查看")
    if req.state != RequestState.REVIEW or req.applicant_id != by.pk:
        raise RuleError(ERR_WITHDRAW)
    reason = clean_text(reason, "撤回理由", limit=500)
    req.state, req.decision_reason, req.decided_at = RequestState.WITHDRAWN, reason, now
    req.version += 1
    req.save()
    AdmissionStep.objects.create(request=req, stage_label=req.procedure[req.stage]["label"],
                                 action=StepAction.WITHDRAW, reason=reason, by=by, by_name=str(by), at=now)
    return req


# -- work-order categories (the catalogue's check) ----------------------------------------
COMMUNITY_LEVELS = {"community": "社区", "grid": "网格"}


def active_basis(code: str) -> CategoryBasis | None:
    return CategoryBasis.objects.filter(category_code=code, voided=False).select_related("item").first()


def check_category(*, category, locality, by=None) -> None:
    """Called by the catalogue's save (`category_checks`): an active category routed to a community
    or grid must rest on an item of the locality's lists, once the locality keeps lists here."""
    level = COMMUNITY_LEVELS.get(category.route_level)
    if level is None or not category.active:
        return
    district = district_of(locality) if locality is not None else None
    lists = ListItem.objects.filter(voided=False)
    if district is not None:
        lists = lists.filter(locality=district)
    if not lists.exists():
        return  # no lists kept here yet: nothing to enforce against (docs/admission.md)
    basis = active_basis(category.code)
    if basis is None or basis.item.voided:
        message = ERR_CATEGORY_NEEDS_LIST.format(name=category.name, level=level, code=category.code)
        raise RuleError(message, after_rollback=[partial(
            _count_refusal, what=RefusalWhat.CATEGORY, place=locality, by=by, message=message,
            title=f"工单类别「{category.name}」({category.code})派往{level}")])


def check_dispatch(*, order, place, by=None) -> None:
    """Called by the work-order dispatch (`dispatch_checks`) when an order is sent to a community or
    grid: its category must rest on an item of the lists now, whatever level the catalogue routes it
    to (a street passing its own work down is exactly what 000 四(四) forbids)."""
    category = order.category
    district = district_of(place)
    if not ListItem.objects.filter(locality=district, voided=False).exists():
        return  # no lists kept here yet (as check_category)
    basis = active_basis(category.code)
    if basis is None or basis.item.voided or basis.item.locality_id != district.pk:
        message = ERR_DISPATCH_NEEDS_LIST.format(name=category.name, place=place.name, code=category.code)
        raise RuleError(message, after_rollback=[partial(
            _count_refusal, what=RefusalWhat.DISPATCH, place=place, by=by, message=message,
            title=f"工单 {order.number}「{category.name}」派往{place.name}")])


def _count_refusal(*, what: str, place: Place | None, by, message: str, title: str) -> None:
    """Count a refused push onto communities for the burden dashboard, once the refused write has rolled
    back (core.errors.record_refusal). The unit counted is the one the refusing user acts for there: their
    post over `place` (a department post names its department), else the district."""
    if place is None:
        return
    district = district_of(place)
    posts = [a for a in (by.assignments.filter(active=True).select_related("place") if by is not None else ())
             if place.is_within(a.place)]
    unit = (posts[0].department or posts[0].place.name) if posts else district.name
    Refusal.objects.create(locality=district, what=what, department=unit[:50], title=title[:80],
                           rule=message[:400], by=by, at=timezone.now())


@transaction.atomic
def basis_set(*, category_code: str, item: ListItem, by, now=None) -> CategoryBasis:
    now = now or timezone.now()
    if item is None or item.voided:
        raise RuleError(ERR_BASIS_ITEM)
    current = active_basis(category_code)
    if current is not None:
        raise RuleError(ERR_BASIS_TAKEN.format(code=category_code, label=current.item.label))
    return CategoryBasis.objects.create(category_code=category_code, item=item, by=by, at=now)


@transaction.atomic
def basis_void(*, basis: CategoryBasis, reason: str, by) -> CategoryBasis:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(ERR_VOID_REASON)
    basis = CategoryBasis.objects.select_for_update().get(pk=basis.pk)
    if basis.voided:
        raise RuleError(ERR_ALREADY_VOID)
    basis.voided, basis.void_reason = True, clean_text(reason, "作废理由", limit=300)
    basis._change_reason = f"作废:{basis.void_reason}"
    basis.save()
    return basis


# -- data requests -----------------------------------------------------------------------
@transaction.atomic
def data_request_create(*, by, post, item: ListItem | None, item_title: str = "", title: str, note: str = "",
                        fields: list[dict], due_on: dt.date, communities, now=None) -> DataRequest:
    """A department (or street) asks communities for figures by `due_on`, on a list item. Figures the
    registry holds are answered at once from it (`registry.py`), for every community asked."""
    from gongzhi.admission import registry
    now = now or timezone.now()
    locality = district_of(post.place)
    if item is None:
        raise RuleError(ERR_DATA_ITEM.format(title=item_title or title or "未选择清单事项"))
    if item.locality_id != locality.pk:
        raise RuleError(ERR_DATA_ITEM.format(title=item.title))
    if item.voided:
        raise RuleError(ERR_DATA_ITEM_VOID)
    title = clean_text(title, "填报任务名称", limit=TITLE_MAX)
    note = clean_text(note, "说明", limit=2000, required=False)
    cleaned = []
    for i, f in enumerate(fields, start=1):
        label = clean_text(f.get("label"), f"第 {i} 个填报项", limit=60, required=False)
        metric = (f.get("metric") or "").strip()
        if metric and metric not in registry.METRICS:
            raise RuleError(ERR_DATA_METRIC.format(i=i, code=metric))
        if metric and not label:
            label = registry.METRICS[metric].label
        if label:
            cleaned.append({"label": label, "metric": metric})
    if not cleaned:
        raise RuleError(ERR_DATA_FIELDS)
    if not isinstance(due_on, dt.date) or due_on <= timezone.localdate(now):
        raise RuleError(ERR_DATA_DUE)
    communities = list(communities)
    if not communities:
        raise RuleError(ERR_COMMUNITIES)
    for c in communities:
        if c.level != Level.COMMUNITY or not c.is_within(post.place):
            raise RuleError(ERR_COMMUNITY_OUTSIDE.format(name=c.name))
    dr = DataRequest.objects.create(locality=locality, department=post.department or post.place.name,
                                    post_place=post.place, requester=by, item=item, title=title, note=note,
                                    fields=cleaned, due_on=due_on, created_at=now)
    dr.communities.set(communities)
    figures = registry.figures([f["metric"] for f in cleaned if f["metric"]], communities)
    answers = []
    for c in communities:
        values, from_registry = {}, []
        for i, f in enumerate(cleaned):
            if f["metric"]:
                values[str(i)] = str(figures[f["metric"]].get(c.pk, 0))
                from_registry.append(i)
        answers.append(DataAnswer(request=dr, community=c, values=values, from_registry=from_registry,
                                  submitted=len(from_registry) == len(cleaned),
                                  answered_at=now if len(from_registry) == len(cleaned) else None))
    DataAnswer.objects.bulk_create(answers)
    typed = [i for i, f in enumerate(cleaned) if not f["metric"]]
    if typed:
        users = [u for c in communities for u in notify.users_at(c, [Role.COMMUNITY])]
        notify.notify(users, order=None, kind="datareq", now=now,
                      text=f"{dr.department}布置填报任务「{title}」,请在 {due_on:%Y-%m-%d} 前填报")
    return dr


@transaction.atomic
def data_answer(*, answer: DataAnswer, values: dict, by, now=None) -> DataAnswer:
    """The community fills in what the registry could not; figures taken from the registry stay."""
    now = now or timezone.now()
    answer = DataAnswer.objects.select_for_update().select_related("request").get(pk=answer.pk)
    dr = answer.request
    if dr.state != DataRequestState.OPEN:
        raise RuleError(ERR_DATA_CLOSED.format(state=dr.get_state_display()))
    if timezone.localdate(now) > dr.due_on:
        raise RuleError(ERR_DATA_PAST_DUE.format(due=dr.due_on.isoformat()))
    new = dict(answer.values)
    for i, f in enumerate(dr.fields):
        if i in answer.from_registry:
            continue
        raw = (values.get(str(i)) or "").strip().replace(",", "")
        try:
            number = Decimal(raw)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise RuleError(ERR_DATA_VALUE.format(label=f["label"])) from None
        new[str(i)] = str(number.normalize()) if number == number.to_integral() else str(number)
        if number == number.to_integral():
            new[str(i)] = str(int(number))
    answer.values, answer.submitted, answer.answered_by, answer.answered_at = new, True, by, now
    answer.save()
    return answer


@transaction.atomic
def data_request_void(*, request: DataRequest, reason: str, by) -> DataRequest:
    dr = DataRequest.objects.select_for_update().get(pk=request.pk)
    if dr.state == DataRequestState.VOIDED:
        raise RuleError(ERR_ALREADY_VOID)
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(ERR_VOID_REASON)
    dr.state, dr.void_reason = DataRequestState.VOIDED, clean_text(reason, "作废理由", limit=300)
    dr.save()
    return dr


# -- purchased services ------------------------------------------------------------------
ERR_CONTRACT_DATES = "服务期限的结束日期不能早于开始日期"
ERR_CONTRACT_PRICE = "金额须为大于 0 的数字(元)"
ERR_CONTRACT_IN_LIST = ("「{title}」已在本地区清单内({label}),属社区依法承担的工作,随事经费按清单拨付,"
                        "不需另行购买服务")
ERR_CONTRACT_STATE = "该合同已{state},不能再验收"
ERR_CONTRACT_NOTE = "验收不通过须写明验收意见"
ERR_CONTRACT_COMMUNITY = "请选择您岗位所辖范围内的社区"


@transaction.atomic
def contract_create(*, by, post, community, title: str, provider: str, price_yuan, starts_on, ends_on,
                    deliverables: str, now=None):
    """购买服务 (P-DUTY-3): an item outside the lists bought from a committee or a social organisation."""
    from gongzhi.admission.models import ServiceContract
    now = now or timezone.now()
    if community is None or community.level != Level.COMMUNITY or not community.is_within(post.place):
        raise RuleError(ERR_CONTRACT_COMMUNITY)
    locality = district_of(community)
    title = clean_text(title, "服务项目", limit=TITLE_MAX)
    in_list = ListItem.objects.filter(locality=locality, title=title, voided=False).first()
    if in_list is not None:
        raise RuleError(ERR_CONTRACT_IN_LIST.format(title=title, label=in_list.label))
    price = clean_amount(price_yuan, "金额")
    if price is None or price <= 0:
        raise RuleError(ERR_CONTRACT_PRICE)
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise RuleError("请填写服务期限的开始和结束日期")
    if ends_on < starts_on:
        raise RuleError(ERR_CONTRACT_DATES)
    return ServiceContract.objects.create(
        locality=locality, community=community, buyer=post.department or post.place.name,
        provider=clean_text(provider, "承接方", limit=80), title=title, price_yuan=price, starts_on=starts_on,
        ends_on=ends_on, deliverables=clean_text(deliverables, "服务内容与交付", limit=2000), created_by=by,
        created_at=now)


@transaction.atomic
def contract_accept(*, contract, passed: bool, note: str, by):
    from gongzhi.admission.models import ContractState, ServiceContract
    c = ServiceContract.objects.select_for_update().get(pk=contract.pk)
    if c.state != ContractState.ACTIVE:
        raise RuleError(ERR_CONTRACT_STATE.format(state=c.get_state_display()))
    note = clean_text(note, "验收意见", limit=2000, required=False)
    if not passed and not note:
        raise RuleError(ERR_CONTRACT_NOTE)
    c.state = ContractState.ACCEPTED if passed else ContractState.FAILED
    c.acceptance_note = note
    c._history_user = by
    c._change_reason = c.get_state_display()
    c.save()
    return c


@transaction.atomic
def contract_void(*, contract, reason: str, by):
    from gongzhi.admission.models import ContractState, ServiceContract
    c = ServiceContract.objects.select_for_update().get(pk=contract.pk)
    if c.state == ContractState.VOIDED:
        raise RuleError(ERR_ALREADY_VOID)
    if not (reason or "").strip():
        raise RuleError(ERR_VOID_REASON)
    c.state = ContractState.VOIDED
    c.acceptance_note = clean_text(reason, "作废理由", limit=300)
    c._history_user = by
    c._change_reason = f"作废:{c.acceptance_note}"
    c.save()
    return c
