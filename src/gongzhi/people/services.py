"""Every write to residents and households. One function per use case,
keyword-only arguments, one transaction each. New rows are written by
people.writer, the same writer an import uses, so a registered and an
imported resident get the same history and event records."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gongzhi.core import codes, crypto, idcard
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import ConflictError, RuleError, lock_version  # noqa: F401 - callers catch services.ConflictError
from gongzhi.core.models import AccessAction
from gongzhi.core.pinyin import name_pinyin
from gongzhi.core.scope import Scope
from gongzhi.core.validators import ERR_CONTROL, LINE_BREAKS, has_control_characters
from gongzhi.people.manifest import EDIT_PEOPLE, UNMASK
from gongzhi.people.resident_accounts import resident_posts_follow
from gongzhi.people.writer import NewResident, RegistryWriter
from gongzhi.people.models import (
    CareTag, EventKind, Household, HouseholdStatus, PersonStatus, Resident, ResidentEvent,
)

ERR_CONFLICT = "该记录已被他人修改,请刷新后重试"
ERR_NOT_ACTIVE = "该居民已不在册,不能进行此操作"
ERR_DUPLICATE_ID = "公民身份号码已登记在户号 {household} 中"
# Out of the caller's scope, where a number or a household is registered is nobody's business:
# say only that it cannot be used here and whom to ask (and log the attempt).
ERR_ID_ELSEWHERE = "该公民身份号码不能在此登记。如确需登记,请联系所在街道(镇)核实"
ERR_HOUSEHOLD_ELSEWHERE = "户号 {number} 不能在此使用。如有疑问,请联系所在街道(镇)"
ERR_SAME_HOUSEHOLD = "该居民已在此户中"
ERR_HOUSEHOLD_CLOSED = "目标户已注销"
ERR_DATE_FUTURE = "日期不能晚于今天"
ERR_DATE_BEFORE_BIRTH = "日期不能早于出生日期"
ERR_RELATION = "与户主关系代码无效"
ERR_HOUSEHOLD_SCOPE = "户号 {number} 不在您的管辖范围内"


class RegistryError(RuleError):
    pass


def protected_fields(*, id_number: str, phone: str) -> dict:
    """Encrypted, hashed and masked forms of the sensitive fields.
    `id_number` must already be validated (idcard.parse)."""
    phone = (phone or "").strip()
    return {
        "id_number_enc": crypto.encrypt(id_number),
        "id_number_hash": crypto.keyed_hash(id_number) or None,
        "id_number_masked": crypto.mask_id_number(id_number),
        "id_tail": id_number[-4:] if id_number else "",
        "phone_enc": crypto.encrypt(phone),
        "phone_hash": crypto.keyed_hash(phone),
        "phone_masked": crypto.mask_phone(phone),
    }


def _check_date(value: dt.date | None, *, birth: dt.date | None = None, by=None, resident=None) -> None:
    """No future dates, none before birth. Someone who may not see the birth date (no unmask right
    at the resident's community) is held to the birth year: answering "before birth" for each date
    they try would give the date away, and with it the masked ID number."""
    if value is None:
        return
    if value > timezone.localdate():
        raise RegistryError(ERR_DATE_FUTURE)
    if birth and resident is not None and not _may_see_birth_date(by, resident):
        birth = dt.date(birth.year, 1, 1)
    if birth and value < birth:
        raise RegistryError(ERR_DATE_BEFORE_BIRTH)


def _may_see_birth_date(by, resident) -> bool:
    if by is None or not getattr(by, "is_authenticated", False):
        return True  # the system (command line, import of a file the office holds)
    return Scope.for_user(by).can(UNMASK, resident.community)


def _one_line(value: str | None, label: str) -> None:
    """One-line texts from any caller (a page, the API, an import) hold no control characters or line breaks."""
    if value is not None and (has_control_characters(value) or LINE_BREAKS.search(value)):
        raise RegistryError(f"{label}{ERR_CONTROL}")


def _event(resident: Resident, kind: str, *, on: dt.date, by, **detail) -> ResidentEvent:
    return ResidentEvent.objects.create(resident=resident, kind=kind, occurred_on=on, recorded_by=by, detail=detail)


ERR_HOUSEHOLD_EXISTS = "户号 {number} 已存在"
ERR_DWELLING_GRID = "房屋 {code} 不在网格 {grid} 内"


def _in_callers_scope(by, grid) -> bool:
    """May `by` (None: the system, e.g. the command line) see where this grid's records are?"""
    if by is None or not getattr(by, "is_authenticated", False):
        return True
    return Scope.for_user_capability(by, EDIT_PEOPLE).contains(grid)


def _refuse_elsewhere(by, message: str, target: str) -> None:
    """Log the attempt (outside any transaction that the refusal rolls back) and refuse."""
    access_log_write(user=by, action=AccessAction.PROBE, target=target, detail=message)
    raise RegistryError(message)


def household_create(*, number: str, community, grid, dwelling=None, by=None) -> Household:
    _one_line(number, "户号")
    number = number.strip()
    existing = Household.objects.filter(number=number).select_related("grid").first()
    if existing is not None:
        if _in_callers_scope(by, existing.grid):
            raise RegistryError(ERR_HOUSEHOLD_EXISTS.format(number=number))
        _refuse_elsewhere(by, ERR_HOUSEHOLD_ELSEWHERE.format(number=number), f"户号 {number}")
    try:
        return _household_insert(number=number, community=community, grid=grid, dwelling=dwelling, by=by)
    except IntegrityError:  # opened by someone else between the check and the insert
        raise RegistryError(ERR_HOUSEHOLD_ELSEWHERE.format(number=number)) from None


@transaction.atomic
def _household_insert(*, number, community, grid, dwelling, by) -> Household:
    if dwelling is not None and dwelling.grid_id != grid.pk:
        raise RegistryError(ERR_DWELLING_GRID.format(code=dwelling.code, grid=grid.name))
    place = SimpleNamespace(community_id=community.pk, grid_id=grid.pk, dwelling_id=dwelling.pk if dwelling else None)
    with connection.cursor() as cursor:
        pk = _writer(by).create_households(cursor, {number: place})[number]
    return Household.objects.get(pk=pk)


def _writer(by) -> RegistryWriter:
    """The registry's one writer of new rows, for a registration on a page (not an import)."""
    return RegistryWriter(by=by, today=timezone.localdate(), event_kind=EventKind.REGISTERED, reason=None)


def resident_register(*, household: Household, name: str, id_number: str, relation: str,
                      residence_status: str, ethnicity: str = "01", phone: str = "",
                      moved_in_on: dt.date | None = None, party_member: bool = False,
                      care_tags: list[CareTag] | None = None, by=None) -> Resident:
    _one_line(name, "姓名")
    _one_line(phone, "联系电话")
    parsed = idcard.parse(id_number)
    if relation not in codes.RELATIONS:
        raise RegistryError(ERR_RELATION)
    _check_date(moved_in_on, birth=parsed.birth_date)
    existing = (Resident.objects.filter(id_number_hash=crypto.keyed_hash(parsed.value))
                .select_related("household", "grid").first())
    if existing:
        if _in_callers_scope(by, existing.grid):
            raise RegistryError(ERR_DUPLICATE_ID.format(household=existing.household.number))
        _refuse_elsewhere(by, ERR_ID_ELSEWHERE, f"公民身份号码 {crypto.mask_id_number(parsed.value)}")
    try:
        return _resident_insert(household=household, name=name, parsed=parsed, relation=relation,
                                residence_status=residence_status, ethnicity=ethnicity, phone=phone,
                                moved_in_on=moved_in_on, party_member=party_member, care_tags=care_tags, by=by)
    except IntegrityError:  # registered by someone else between the check and the insert
        raise RegistryError(ERR_ID_ELSEWHERE) from None


@transaction.atomic
def _resident_insert(*, household, name, parsed, relation, residence_status, ethnicity, phone, moved_in_on,
                     party_member, care_tags, by) -> Resident:
    name = name.strip()
    row = NewResident(name=name, pinyin=name_pinyin(name), birth=parsed.birth_date, sex=parsed.sex,
                      ethnicity=ethnicity, residence=residence_status, household_id=household.pk, relation=relation,
                      dwelling_id=household.dwelling_id, community_id=household.community_id,
                      grid_id=household.grid_id, moved_in_on=moved_in_on, party=party_member,
                      protected=protected_fields(id_number=parsed.value, phone=phone),
                      tags={t.pk for t in care_tags or ()}, event={"household": household.number})
    with connection.cursor() as cursor:
        [pk] = _writer(by).create_residents(cursor, [row])
    return Resident.objects.get(pk=pk)


def _lock(resident: Resident, version: int) -> Resident:
    """Re-read the row under lock and refuse if someone changed it meanwhile."""
    return lock_version(Resident.objects, resident.pk, version, ERR_CONFLICT)


def _bump(resident: Resident, by) -> None:
    """Save a row read by `_lock` (we hold its lock, so += is safe)."""
    resident.version += 1
    resident._history_user = by
    resident.save()


@transaction.atomic
def resident_update(*, resident: Resident, version: int, by, name: str | None = None, phone: str | None = None,
                    ethnicity: str | None = None, residence_status: str | None = None, relation: str | None = None,
                    party_member: bool | None = None, moved_in_on: dt.date | None = None,
                    care_tags: list[CareTag] | None = None) -> Resident:
    r = _lock(resident, version)
    if r.status != PersonStatus.ACTIVE:
        raise RegistryError(ERR_NOT_ACTIVE)
    changed = []
    _one_line(name, "姓名")
    _one_line(phone, "联系电话")
    if name is not None and name.strip() != r.name:
        r.name = name.strip()
        r.name_pinyin, r.name_initials = name_pinyin(r.name)
        changed.append("name")
    if phone is not None:
        phone = phone.strip()
        if crypto.keyed_hash(phone) != r.phone_hash:
            r.phone_enc, r.phone_hash, r.phone_masked = crypto.encrypt(phone), crypto.keyed_hash(phone), crypto.mask_phone(phone)
            changed.append("phone")
    for field, value in (("ethnicity", ethnicity), ("residence_status", residence_status), ("relation", relation),
                         ("party_member", party_member), ("moved_in_on", moved_in_on)):
        if value is not None and getattr(r, field) != value:
            if field == "relation" and value not in codes.RELATIONS:
                raise RegistryError(ERR_RELATION)
            if field == "moved_in_on":
                _check_date(value, birth=r.birth_date, by=by, resident=r)
            setattr(r, field, value)
            changed.append(field)
    if care_tags is not None and {t.pk for t in care_tags} != set(r.care_tags.values_list("pk", flat=True)):
        changed.append("care_tags")
    if not changed:
        return r
    _bump(r, by)
    if "care_tags" in changed:
        r._history_user = by
        r.care_tags.set(care_tags)
    _event(r, EventKind.UPDATED, on=timezone.localdate(), by=by, fields=changed)
    return r


@transaction.atomic
def resident_move_household(*, resident: Resident, version: int, household: Household, relation: str,
                            moved_on: dt.date, by) -> Resident:
    r = _lock(resident, version)
    if r.status != PersonStatus.ACTIVE:
        raise RegistryError(ERR_NOT_ACTIVE)
    if household.status != HouseholdStatus.ACTIVE:
        raise RegistryError(ERR_HOUSEHOLD_CLOSED)
    if household.pk == r.household_id:
        raise RegistryError(ERR_SAME_HOUSEHOLD)
    if relation not in codes.RELATIONS:
        raise RegistryError(ERR_RELATION)
    _check_date(moved_on, birth=r.birth_date, by=by, resident=r)
    old = r.household.number
    r.household, r.relation = household, relation
    r.dwelling, r.community, r.grid = household.dwelling, household.community, household.grid
    r.moved_in_on = moved_on
    _bump(r, by)
    _event(r, EventKind.MOVED_HOUSEHOLD, on=moved_on, by=by, **{"from": old, "to": household.number})
    resident_posts_follow(resident=r)  # the account's rights follow the registry
    return r


@transaction.atomic
def resident_move_out(*, resident: Resident, version: int, moved_on: dt.date, destination: str, by) -> Resident:
    r = _lock(resident, version)
    if r.status != PersonStatus.ACTIVE:
        raise RegistryError(ERR_NOT_ACTIVE)
    _check_date(moved_on, birth=r.birth_date, by=by, resident=r)
    r.status, r.status_changed_on = PersonStatus.MOVED_OUT, moved_on
    _bump(r, by)
    _event(r, EventKind.MOVED_OUT, on=moved_on, by=by, destination=destination)
    resident_posts_follow(resident=r)  # the account's rights follow the registry
    return r


@transaction.atomic
def resident_record_death(*, resident: Resident, version: int, died_on: dt.date, by) -> Resident:
    r = _lock(resident, version)
    if r.status != PersonStatus.ACTIVE:
        raise RegistryError(ERR_NOT_ACTIVE)
    _check_date(died_on, birth=r.birth_date, by=by, resident=r)
    r.status, r.status_changed_on = PersonStatus.DECEASED, died_on
    _bump(r, by)
    _event(r, EventKind.DECEASED, on=died_on, by=by)
    resident_posts_follow(resident=r)  # the account's rights follow the registry
    return r


def resident_reveal(*, resident: Resident) -> dict[str, str]:
    """Plaintext sensitive fields. Callers must log the access first."""
    return {"id_number": crypto.decrypt(resident.id_number_enc), "phone": crypto.decrypt(resident.phone_enc)}
