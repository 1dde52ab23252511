"""Credit scores of property firms and project managers (P-PROP-2), and the blacklist.

The formula is a policy pack's `property_credit` block (standards/packs/<pack>.yaml), checked when
read (a wrong block is a PackError naming the file and the line). For a year and a subject (a firm,
or a project manager), over the contracts the subject held in the year:

- evaluation: weight × (households rating 基本满意 or better ÷ households that rated) over the year's
  evaluations of those estates naming the subject; left out below `min_ratings` ratings, the other
  parts then scaled to 100;
- complaints: max(0, weight − per_100_households × complaints per 100 households), complaints being
  the property work orders of the estates' households raised while the contract ran;
- rectification: weight × (complaints replied by their time limit ÷ complaints), full with none.

The record keeps every part (`parts`) so the page shows how the score was made.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.core.errors import ConflictError, RuleError, lock_version
from gongzhi.estates import complaints
from gongzhi.estates.models import (
    AppealChannel, AppealState, BlacklistEntry, Contract, CreditRecord, FirmStaff, ProjectManager, PropertyFirm, Rating,
)
from gongzhi.estates.services import blacklisted, text
from gongzhi.people.models import HouseholdStatus, Household
from gongzhi.standards import packs
from gongzhi.workorders import notify

PACK = "yixing-2019"
ERR_SUBJECT = "请选择要列入黑名单的物业企业或项目经理(只选一个)"
ERR_LISTED = "「{name}」已在黑名单中(自 {date} 起)"
ERR_UNTIL = "期满日期须晚于列入日期"
ERR_LISTED_FUTURE = "列入日期不能晚于今天"
ERR_APPEAL_STATE = "该黑名单记录的申诉状态为「{state}」,不能再次申诉"
ERR_APPEAL_DECIDE = "该黑名单记录没有待处理的申诉"
ERR_CONFLICT = "该黑名单记录刚被他人修改,请刷新页面后重试"
ERR_DECISION = "请选择申诉处理结果(维持或撤销)"
ERR_APPEAL_DATE = "申诉日期须在列入日期({listed})之后、不晚于今天"


# -- the formula ------------------------------------------------------------------------------------
def formula(pack_id: str = PACK) -> dict:
    path = packs.PACK_DIR / f"{pack_id}.yaml"
    pack = packs.load_pack(path)  # the pack itself is valid
    loader = packs._Loader(pack.text)
    loader.name = str(path)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    check = packs._Checker(Path(path))
    block = data.get("property_credit")
    if block is None:
        raise packs.PackError(f"{path}:0: 缺少「property_credit」(物业企业信用分的计算规则)")
    block = check.mapping(block, "「property_credit」")
    parts = {}
    for key in ("evaluation", "complaints", "rectification"):
        node = check.mapping(block.get(key), f"「property_credit.{key}」") if key in block else \
            check.fail(block, f"缺少「{key}」")
        parts[key] = {"weight": check.number(node, "weight")}
        if key == "evaluation":
            parts[key]["min_ratings"] = int(check.number(node, "min_ratings"))
        if key == "complaints":
            parts[key]["per_100_households"] = check.number(node, "per_100_households")
    total = sum(p["weight"] for p in parts.values())
    if total != 100:
        check.fail(block, f"三项权重之和应为 100(现为 {total})")
    return {"pack": pack.id, "title": pack.title, "parts": parts, "warn_below": check.number(block, "warn_below")}


# -- computing ----------------------------------------------------------------------------------------
def _year_span(contract: Contract, year: int):
    start = max(contract.starts_on, dt.date(year, 1, 1))
    end = min(contract.last_day, dt.date(year, 12, 31))
    return (start, end) if start <= end else None


def score(contracts: list[Contract], year: int, rule: dict, *, firm=None, manager=None) -> dict:
    """The parts and the score of one subject over its contracts of the year."""
    tz = timezone.get_current_timezone()
    complaint_q, estate_ids = Q(pk__in=[]), set()
    for c in contracts:
        span = _year_span(c, year)
        if span is None:
            continue
        estate_ids.add(c.estate_id)
        complaint_q |= Q(household__dwelling__building__estate_id=c.estate_id,
                         created_at__gte=dt.datetime.combine(span[0], dt.time.min, tzinfo=tz),
                         created_at__lt=dt.datetime.combine(span[1] + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    ratings = Rating.objects.filter(evaluation__year=year, evaluation__estate_id__in=estate_ids)
    ratings = ratings.filter(evaluation__firm=firm) if firm is not None else ratings.filter(evaluation__manager=manager)
    r = ratings.aggregate(n=Count("pk"), positive=Count("pk", filter=Q(score__gte=3)))
    c = complaints.counts(complaints.property_orders().filter(complaint_q)) if estate_ids else \
        {"total": 0, "on_time": 0, "late": 0, "overdue": 0, "open": 0}
    households = Household.objects.filter(status=HouseholdStatus.ACTIVE,
                                          dwelling__building__estate_id__in=estate_ids).count()
    p = rule["parts"]
    parts = {"estates": len(estate_ids), "households": households, "ratings": r["n"], "positive": r["positive"],
             "complaints": c["total"], "rectified_on_time": c["on_time"]}
    if r["n"] >= p["evaluation"]["min_ratings"]:
        parts["evaluation_points"] = round(p["evaluation"]["weight"] * r["positive"] / r["n"], 1)
        parts["evaluation_rate"] = round(100.0 * r["positive"] / r["n"], 1)
    else:
        parts["evaluation_points"] = None
    per100 = 100.0 * c["total"] / households if households else 0.0
    parts["complaints_per_100"] = round(per100, 2)
    parts["complaints_points"] = round(max(0.0, p["complaints"]["weight"]
                                           - p["complaints"]["per_100_households"] * per100), 1)
    parts["rectification_rate"] = round(100.0 * c["on_time"] / c["total"], 1) if c["total"] else None
    parts["rectification_points"] = round(p["rectification"]["weight"] * (c["on_time"] / c["total"]
                                                                          if c["total"] else 1.0), 1)
    earned = parts["complaints_points"] + parts["rectification_points"]
    if parts["evaluation_points"] is None:
        possible = p["complaints"]["weight"] + p["rectification"]["weight"]
        total = 100.0 * earned / possible
        parts["scaled"] = True
    else:
        total = earned + parts["evaluation_points"]
        parts["scaled"] = False
    parts["warn"] = total < rule["warn_below"]
    return {"score": round(total, 1), "parts": parts}


def compute(*, year: int, pack_id: str = PACK, now=None) -> int:
    """Write (or bring up to date) the year's record of every firm and manager that held a contract
    in the year. Returns how many records were written."""
    rule = formula(pack_id)
    now = now or timezone.now()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    contracts = list(Contract.objects.filter(starts_on__lte=last, ends_on__gte=first))
    by_firm, by_manager = {}, {}
    for c in contracts:
        if _year_span(c, year) is not None:
            by_firm.setdefault(c.firm_id, []).append(c)
            by_manager.setdefault(c.manager_id, []).append(c)
    written = 0
    with transaction.atomic():
        for firm in PropertyFirm.objects.filter(pk__in=by_firm):
            s = score(by_firm[firm.pk], year, rule, firm=firm)
            CreditRecord.objects.update_or_create(year=year, firm=firm, defaults={
                "score": Decimal(str(s["score"])), "parts": s["parts"], "pack_id": rule["pack"], "computed_at": now})
            written += 1
        for manager in ProjectManager.objects.filter(pk__in=by_manager):
            s = score(by_manager[manager.pk], year, rule, manager=manager)
            CreditRecord.objects.update_or_create(year=year, manager=manager, defaults={
                "score": Decimal(str(s["score"])), "parts": s["parts"], "pack_id": rule["pack"], "computed_at": now})
            written += 1
    return written


# -- the blacklist -----------------------------------------------------------------------------------
def blacklist_add(*, firm: PropertyFirm | None = None, manager: ProjectManager | None = None, reason: str,
                  listed_on: dt.date | None, until: dt.date | None = None, by) -> BlacklistEntry:
    if (firm is None) == (manager is None):
        raise RuleError(ERR_SUBJECT)
    reason = text(reason, "列入原因", limit=300, required=True)
    listed_on = listed_on or timezone.localdate()
    if listed_on > timezone.localdate():
        raise RuleError(ERR_LISTED_FUTURE)
    if until is not None and until <= listed_on:
        raise RuleError(ERR_UNTIL)
    with transaction.atomic():
        (PropertyFirm.objects.select_for_update().get(pk=firm.pk) if firm else
         ProjectManager.objects.select_for_update().get(pk=manager.pk))
        entry = blacklisted(firm=firm) if firm else blacklisted(manager=manager)
        if entry is not None:
            raise RuleError(ERR_LISTED.format(name=firm.name if firm else manager.name, date=entry.listed_on))
        return BlacklistEntry.objects.create(firm=firm, manager=manager, reason=reason, listed_on=listed_on,
                                             until=until, listed_by=by)


def appeal(*, entry_id: int, version: int, appeal_text: str, on: dt.date | None = None, by=None,
           channel: str = AppealChannel.PAPER) -> BlacklistEntry:
    """The firm's (or the manager's) appeal: registered by the district as received on paper, or made
    online by the firm's own account (firms.appeal_online); once per entry either way."""
    appeal_text = text(appeal_text, "申诉理由", limit=500, required=True)
    with transaction.atomic():
        entry = lock_version(BlacklistEntry.objects.all(), entry_id, version, ERR_CONFLICT)
        if entry.appeal_state != AppealState.NONE:
            raise ConflictError(ERR_APPEAL_STATE.format(state=entry.get_appeal_state_display()))
        entry.appeal_state, entry.appeal_text = AppealState.PENDING, appeal_text
        entry.appealed_on = on or timezone.localdate()
        if entry.appealed_on > timezone.localdate() or entry.appealed_on < entry.listed_on:
            raise RuleError(ERR_APPEAL_DATE.format(listed=entry.listed_on))
        entry.appeal_channel, entry.appealed_by = channel, by
        entry.version += 1
        entry.save()
        return entry


def appeal_decide(*, entry_id: int, version: int, revoke: bool | None, answer: str, by) -> BlacklistEntry:
    """Upheld (the entry stays) or revoked (the entry no longer counts; the row stays, marked)."""
    if revoke is None:
        raise RuleError(ERR_DECISION)
    answer = text(answer, "申诉处理意见", limit=500, required=True)
    with transaction.atomic():
        entry = lock_version(BlacklistEntry.objects.all(), entry_id, version, ERR_CONFLICT)
        if entry.appeal_state != AppealState.PENDING:
            raise ConflictError(ERR_APPEAL_DECIDE)
        entry.appeal_state = AppealState.REVOKED if revoke else AppealState.UPHELD
        entry.appeal_answer, entry.decided_on, entry.decided_by = answer, timezone.localdate(), by
        entry.version += 1
        entry.save()
        tell_firm_of_decision(entry)
        return entry


NOTICE_DECIDED = "blkdecided"


def tell_firm_of_decision(entry: BlacklistEntry, now=None) -> int:
    """The firm's current accounts hear how its appeal was decided."""
    firm_id = entry.firm_id or entry.manager.firm_id
    users = FirmStaff.objects.filter(firm_id=firm_id, ended_on__isnull=True, user__is_active=True)
    verdict = "申诉成立,已撤销" if entry.appeal_state == AppealState.REVOKED else "申诉不成立,维持列入"
    return notify.notify(list(users.values_list("user_id", flat=True)), order=None, kind=NOTICE_DECIDED,
                         now=now or timezone.now(), text=f"物业黑名单申诉({entry.subject_label}):{verdict}")

