"""Every write of the estates' register: management mode, property firms and their project
managers, contracts. Plain functions, one transaction each; a broken rule raises `RuleError` with a
Chinese message naming the field, and writes nothing; a stale form raises `ConflictError`.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.errors import ConflictError, RuleError, lock_version
from gongzhi.core.validators import has_control_characters
from gongzhi.estates.models import (
    AppealState, BlacklistEntry, Contract, EstateProfile, ManagementMode, ProjectManager, PropertyFirm,
)
from gongzhi.people.models import OrgKind, Organisation
from gongzhi.places.models import Estate

ERR_LONG = "「{field}」不能超过 {n} 个字(现有 {m} 个字)"
ERR_CONTROL = "「{field}」含有不可见的控制字符,请删除后重新输入"
ERR_REQUIRED = "请填写「{field}」"
ERR_MODE = "请选择管理方式"
ERR_STEWARD = "社会组织托管须选择本社区登记的一个社会组织"
ERR_FIRM_MODE = "「物业企业管理」的小区须先登记一份有效的物业服务合同"
ERR_BUILT_YEAR = "建成年份须在 1949 年至今年之间"
ERR_PROFILE_CONFLICT = "该小区的管理信息刚被他人修改,请刷新页面后重试"
ERR_CREDIT_CODE = "统一社会信用代码应为 18 位数字或大写字母(不含 I、O、Z、S、V)"
ERR_CREDIT_CODE_TAKEN = "统一社会信用代码 {code} 已登记为「{name}」"
ERR_MANAGER_FIRM = "项目经理「{name}」不属于「{firm}」"
ERR_MANAGER_LEFT = "项目经理「{name}」已于 {date} 离职,不能签订新合同"
ERR_DATES = "合同终止日期({end})须晚于起始日期({start})"
ERR_PERIOD = "合同期限不能超过 10 年"
ERR_FEE = "「{field}」须为 0 至 50 之间的金额(元/㎡·月,最多两位小数)"
ERR_OVERLAP = "「{estate}」在 {start} 至 {end} 已有「{firm}」的合同,合同期不能重叠"
ERR_BLACKLISTED_FIRM = "「{name}」已于 {date} 列入物业黑名单(原因:{reason}),不能签订新的小区物业服务合同"
ERR_BLACKLISTED_MANAGER = ("项目经理「{name}」已于 {date} 列入物业黑名单(原因:{reason}),"
                           "不能担任新的小区物业服务合同的项目经理")
ERR_END_DATE = "提前终止日期须在合同期内({start} 至 {end})"
ERR_CONTRACT_ENDED = "该合同已于 {date} 终止"

USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def text(value, field: str, *, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleError(ERR_REQUIRED.format(field=field))
    if len(value) > limit:
        raise RuleError(ERR_LONG.format(field=field, n=limit, m=len(value)))
    if has_control_characters(value):
        raise RuleError(ERR_CONTROL.format(field=field))
    return value


# -- blacklist guard ------------------------------------------------------------------------------
def blacklist_active(day: dt.date | None = None):
    """Entries in force on `day` (listed, not past their end, not revoked on appeal)."""
    day = day or timezone.localdate()
    return (BlacklistEntry.objects.filter(listed_on__lte=day).exclude(appeal_state=AppealState.REVOKED)
            .filter(Q(until__isnull=True) | Q(until__gte=day)))


def blacklisted(*, firm: PropertyFirm | None = None, manager: ProjectManager | None = None,
                day: dt.date | None = None) -> BlacklistEntry | None:
    qs = blacklist_active(day)
    if firm is not None:
        return qs.filter(firm=firm).order_by("listed_on").first()
    return qs.filter(manager=manager).order_by("listed_on").first()


# -- estates ----------------------------------------------------------------------------------------
def profile_of(estate: Estate) -> EstateProfile:
    """The estate's management record, made (暂无管理) the first time it is asked for."""
    profile, _ = EstateProfile.objects.get_or_create(
        estate=estate, defaults={"community_id": estate.community_id, "grid_id": estate.grid_id})
    return profile


def profile_set(*, estate: Estate, version: int, by, mode: str, old_estate: bool = False,
                built_year: int | None = None, steward: Organisation | None = None, note: str = "") -> EstateProfile:
    if mode not in ManagementMode.values:
        raise RuleError(ERR_MODE)
    note = text(note, "说明", limit=200)
    if built_year is not None and not 1949 <= built_year <= timezone.localdate().year:
        raise RuleError(ERR_BUILT_YEAR)
    if mode == ManagementMode.SOCIAL_ORG:
        if steward is None or steward.community_id != estate.community_id or steward.kind != OrgKind.SOCIAL_ORG:
            raise RuleError(ERR_STEWARD)
    else:
        steward = None
    with transaction.atomic():
        profile_of(estate)
        profile = lock_version(EstateProfile.objects.all(), EstateProfile.objects.get(estate=estate).pk, version,
                               ERR_PROFILE_CONFLICT)
        if mode == ManagementMode.FIRM and current_contract(estate) is None:
            raise RuleError(ERR_FIRM_MODE)
        profile.mode, profile.old_estate, profile.built_year = mode, bool(old_estate), built_year
        profile.steward, profile.note = steward, note
        profile.updated_at, profile.updated_by = timezone.now(), by
        profile.version += 1
        profile.save()
    return profile


def current_contract(estate: Estate, day: dt.date | None = None) -> Contract | None:
    day = day or timezone.localdate()
    for c in Contract.objects.filter(estate=estate, starts_on__lte=day, ends_on__gte=day).select_related(
            "firm", "manager"):
        if c.current_on(day):
            return c
    return None


# -- firms and managers ------------------------------------------------------------------------------
def firm_create(*, name: str, credit_code: str, address: str = "", by=None) -> PropertyFirm:
    name = text(name, "企业名称", limit=100, required=True)
    address = text(address, "地址", limit=200)
    code = (credit_code or "").strip().upper()
    if not USCC.match(code):
        raise RuleError(ERR_CREDIT_CODE)
    with transaction.atomic():
        taken = PropertyFirm.objects.select_for_update().filter(credit_code=code).first()
        if taken is not None:
            raise RuleError(ERR_CREDIT_CODE_TAKEN.format(code=code, name=taken.name))
        return PropertyFirm.objects.create(name=name, credit_code=code, address=address, registered_by=by)


def manager_add(*, firm: PropertyFirm, name: str, certificate_no: str = "", since: dt.date | None = None
                ) -> ProjectManager:
    name = text(name, "项目经理姓名", limit=30, required=True)
    certificate_no = text(certificate_no, "证书编号", limit=40)
    return ProjectManager.objects.create(firm=firm, name=name, certificate_no=certificate_no,
                                         since=since or timezone.localdate())


# -- contracts ---------------------------------------------------------------------------------------
def _fee(value, field: str, *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise RuleError(ERR_FEE.format(field=field))
        return None
    try:
        fee = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RuleError(ERR_FEE.format(field=field)) from None
    if not fee.is_finite() or not Decimal("0") <= fee <= Decimal("50") or fee != fee.quantize(Decimal("0.01")):
        raise RuleError(ERR_FEE.format(field=field))
    return fee.quantize(Decimal("0.01"))


def contract_create(*, estate: Estate, firm: PropertyFirm, manager: ProjectManager, starts_on: dt.date,
                    ends_on: dt.date, fee_residential, fee_commercial=None, fee_note: str = "", by,
                    today: dt.date | None = None) -> Contract:
    """A new contract for an estate. Refused (nothing written) for a blacklisted firm or manager, a
    manager of another firm or one who has left, a period that overlaps another contract of the
    estate, or fees outside 0–50 元/㎡·月."""
    today = today or timezone.localdate()
    if starts_on is None:
        raise RuleError(ERR_REQUIRED.format(field="起始日期"))
    if ends_on is None:
        raise RuleError(ERR_REQUIRED.format(field="终止日期"))
    if ends_on <= starts_on:
        raise RuleError(ERR_DATES.format(start=starts_on, end=ends_on))
    if (ends_on - starts_on).days > 3660:
        raise RuleError(ERR_PERIOD)
    residential = _fee(fee_residential, "住宅物业费", required=True)
    commercial = _fee(fee_commercial, "非住宅物业费", required=False)
    fee_note = text(fee_note, "收费说明", limit=200)
    if manager.firm_id != firm.pk:
        raise RuleError(ERR_MANAGER_FIRM.format(name=manager.name, firm=firm.name))
    if manager.until is not None and manager.until < starts_on:
        raise RuleError(ERR_MANAGER_LEFT.format(name=manager.name, date=manager.until))
    with transaction.atomic():
        # one contract at a time per estate: the estate's profile row is the lock
        profile_of(estate)
        EstateProfile.objects.select_for_update().get(estate=estate)
        entry = blacklisted(firm=firm, day=today)
        if entry is not None:
            raise RuleError(ERR_BLACKLISTED_FIRM.format(name=firm.name, date=entry.listed_on, reason=entry.reason))
        entry = blacklisted(manager=manager, day=today)
        if entry is not None:
            raise RuleError(ERR_BLACKLISTED_MANAGER.format(name=manager.name, date=entry.listed_on,
                                                           reason=entry.reason))
        for other in Contract.objects.filter(estate=estate, starts_on__lte=ends_on, ends_on__gte=starts_on
                                             ).select_related("firm"):
            if other.starts_on <= ends_on and other.last_day >= starts_on:
                raise RuleError(ERR_OVERLAP.format(estate=estate.name, start=other.starts_on, end=other.last_day,
                                                   firm=other.firm.name))
        contract = Contract.objects.create(
            estate=estate, community_id=estate.community_id, firm=firm, manager=manager, starts_on=starts_on,
            ends_on=ends_on, fee_residential=residential, fee_commercial=commercial, fee_note=fee_note,
            created_by=by)
        if contract.current_on(today):
            EstateProfile.objects.filter(estate=estate).update(mode=ManagementMode.FIRM, steward=None)
        return contract


def contract_end(*, contract: Contract, ended_on: dt.date, reason: str, by) -> Contract:
    reason = text(reason, "终止原因", limit=200, required=True)
    with transaction.atomic():
        current = Contract.objects.select_for_update().get(pk=contract.pk)
        if current.ended_on is not None:
            raise ConflictError(ERR_CONTRACT_ENDED.format(date=current.ended_on))
        if ended_on is None or not current.starts_on <= ended_on <= current.ends_on:
            raise RuleError(ERR_END_DATE.format(start=current.starts_on, end=current.ends_on))
        current.ended_on, current.end_reason = ended_on, reason
        current.save(update_fields=["ended_on", "end_reason"])
        return current
