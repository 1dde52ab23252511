"""Every write to a community's ledgers. One function per use case, keyword
arguments, one transaction each; nothing is deleted (void or mark as left)."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from gongzhi.core import crypto
from gongzhi.core.errors import ConflictError, RuleError, lock_version  # noqa: F401 - callers catch services.ConflictError
from gongzhi.ledgers.models import Training, Volunteer, Worker
from gongzhi.people.models import Resident
from gongzhi.people.selectors import active_resident_by_id_number
from gongzhi.places.models import Level, Place

ERR_CONFLICT = "该记录已被他人修改,请刷新后重试"
ERR_DATE_FUTURE = "「{field}」不能晚于今天"
ERR_LEFT_BEFORE_SINCE = "离任日期不能早于任职日期"
ERR_ALREADY_LEFT = "{name} 已于 {date} 离任"
ERR_VOID_REASON = "请填写作废原因"
ERR_ALREADY_VOID = "该记录已作废"
ERR_NOT_COMMUNITY = "台账只能记在社区(村)上"
ERR_RESIDENT_UNKNOWN = "本社区没有在册居民的公民身份号码为 {masked}"
ERR_ALREADY_VOLUNTEER = "{name} 已是注册志愿者(注册于 {date})"
ERR_WORKER_GONE = "{name} 已离任,不能再登记培训"
ERR_WRITTEN_BY_WORK = "这条记录由「{source}」自动生成,请在原处修改"
ERR_UNKNOWN_SOURCE = "台账来源 {source} 没有登记(extras[\"ledger_sources\"])"


class LedgerError(RuleError):
    """A ledger entry breaks a rule (shown on the form, HTTP 400 on the page)."""


def _not_future(value: dt.date | None, field: str) -> None:
    if value and value > timezone.localdate():
        raise LedgerError(ERR_DATE_FUTURE.format(field=field))


def _community(place: Place) -> Place:
    if place.level != Level.COMMUNITY:
        raise LedgerError(ERR_NOT_COMMUNITY)
    return place


def record_add(*, community: Place, model, data: dict, by=None, date_field: str, date_label: str):
    """Add one row of a kind (meeting, disclosure, activity, election, ...); its date may not be in the future."""
    _community(community)
    _not_future(data.get(date_field), date_label)
    row = model(community=community, **data)
    row._history_user = by
    row.save()
    return row


def training_add(*, community: Place, data: dict, by=None) -> Training:
    """A training of one of the community's serving workers."""
    label = Training._meta.get_field("held_on").verbose_name
    _community(community)
    _not_future(data.get("held_on"), label)
    if data["worker"].left_on:
        raise LedgerError(ERR_WORKER_GONE.format(name=data["worker"].name))
    return record_add(community=community, model=Training, data=data, by=by, date_field="held_on", date_label=label)


def refuse_written_by_work(row) -> None:
    """A row written from the work is kept by its source: no hand edit or void."""
    if getattr(row, "source", ""):
        raise LedgerError(ERR_WRITTEN_BY_WORK.format(source=source_label(row.source)))


def source_label(source: str) -> str:
    """What users call a source (extras["ledger_sources"]: {source: (label, url name)})."""
    from gongzhi.core import modules
    entry = dict(modules.extras("ledger_sources")).get(source)
    return entry[0] if entry else source


@transaction.atomic
def record_void(*, row, reason: str, by=None):
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(ERR_VOID_REASON)
    refuse_written_by_work(row)
    row = type(row).objects.select_for_update().get(pk=row.pk)
    if row.voided:
        raise LedgerError(ERR_ALREADY_VOID)
    row.voided = reason[:100]
    row._history_user = by
    row.save(update_fields=["voided"])
    return row


def _check_tenure(data: dict) -> None:
    _not_future(data.get("since"), "任职日期")
    _not_future(data.get("left_on"), "离任日期")
    if data.get("left_on") and data.get("since") and data["left_on"] < data["since"]:
        raise LedgerError(ERR_LEFT_BEFORE_SINCE)


def worker_add(*, community: Place, data: dict, by=None) -> Worker:
    _community(community)
    _check_tenure(data)
    worker = Worker(community=community, **data)
    worker._history_user = by
    worker.save()
    return worker


@transaction.atomic
def worker_update(*, worker: Worker, version: int, data: dict, by=None) -> Worker:
    """Edit a worker's posts and certificate; a stale form (someone saved in
    between) is refused rather than silently overwriting."""
    current = lock_version(Worker.objects, worker.pk, version, ERR_CONFLICT)
    refuse_written_by_work(current)
    _check_tenure(data)
    for key, value in data.items():
        setattr(current, key, value)
    current.version += 1
    current._history_user = by
    current.save()
    return current


def volunteer_register(*, community: Place, id_number: str, registered_on: dt.date, team=None,
                       by=None) -> Volunteer:
    """Register an active resident of this community as a volunteer, found by
    ID number through the keyed hash (the number itself is never searched)."""
    _community(community)
    _not_future(registered_on, "注册日期")
    number, resident = active_resident_by_id_number(id_number, Resident.objects.filter(community=community))
    if resident is None:
        raise LedgerError(ERR_RESIDENT_UNKNOWN.format(masked=crypto.mask_id_number(number)))
    existing = Volunteer.objects.filter(resident=resident).first()
    if existing is not None and existing.left_on is None:
        raise LedgerError(ERR_ALREADY_VOLUNTEER.format(name=resident.name, date=existing.registered_on))
    volunteer = existing or Volunteer(resident=resident)
    volunteer.community, volunteer.team, volunteer.registered_on, volunteer.left_on = \
        community, team, registered_on, None
    volunteer._history_user = by
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:  # registered by someone else a moment ago
        raise LedgerError(ERR_ALREADY_VOLUNTEER.format(name=resident.name, date=registered_on)) from None
    return volunteer


@transaction.atomic
def volunteer_leave(*, volunteer: Volunteer, left_on: dt.date, by=None) -> Volunteer:
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _not_future(left_on, "退出日期")
    if volunteer.left_on is None:
        volunteer.left_on = max(left_on, volunteer.registered_on)
        volunteer._history_user = by
        volunteer.save(update_fields=["left_on"])
    return volunteer


# -- rows written by the work (a module's record writes its ledger row) --------------------------

def write_from(*, model, source: str, source_pk: int, community: Place, by=None, **fields):
    """Write, or bring up to date, the one row of `model` (Meeting, Disclosure, Election, Worker,
    Activity, Training) that the record `source_pk` of kind `source` stands for: a meeting held
    in gongzhi writes its meeting row, a published disclosure its disclosure row. Calling it
    again after the record changed updates the same row (and un-voids it); the row's history
    keeps every version. `source` must be registered under extras["ledger_sources"] so the
    ledger page can name and link it. Runs inside the caller's transaction when there is one."""
    from gongzhi.core import modules
    if source not in dict(modules.extras("ledger_sources")):
        raise LedgerError(ERR_UNKNOWN_SOURCE.format(source=source))
    _community(community)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                row = model.objects.select_for_update().filter(source=source, source_pk=source_pk).first()
                if row is None:
                    row = model(source=source, source_pk=source_pk)
                row.community = community
                for key, value in fields.items():
                    setattr(row, key, value)
                if hasattr(row, "voided") and "voided" not in fields:
                    row.voided = ""
                row._history_user = by
                row.save()
                return row
        except IntegrityError:  # written by a concurrent call a moment ago: update that row
            if attempt == 2:
                raise


def void_from(*, model, source: str, source_pk: int, reason: str, by=None):
    """The source record was withdrawn or cancelled: its row is voided with the reason (or, for a
    serving person, ends today). Nothing happens when the record never wrote a row."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(source=source, source_pk=source_pk).first()
        if row is None:
            return None
        if hasattr(row, "voided"):
            if row.voided:
                return row
            row.voided = (reason or "已撤销").strip()[:100]
        elif getattr(row, "left_on", None) is None:
            row.left_on = timezone.localdate()
        row._history_user = by
        row.save()
        return row


def end_committee_posts(*, community: Place, on: dt.date, keep_ids=(), by=None, reason: str = "换届") -> int:
    """A new committee took office on `on` (written by the election that chose it): the posts of the
    old one, hand-entered or written by an earlier election, end the day before. A person who also
    holds a party post keeps that row and loses only the committee post; the history of each row says
    why. Returns how many posts ended."""
    ended = 0
    serving = (Worker.objects.select_for_update().filter(community=community, left_on__isnull=True)
               .exclude(committee_post="").exclude(pk__in=list(keep_ids))
               .filter(models.Q(since__isnull=True) | models.Q(since__lt=on)))
    for worker in serving:
        worker._history_user = by
        worker._change_reason = reason
        if worker.party_post:
            worker.committee_post = ""
        else:
            worker.left_on = on - dt.timedelta(days=1)
        worker.save()
        ended += 1
    return ended
