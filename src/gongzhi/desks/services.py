"""Every write of the desks: a station's details, its hours, its windows, the rota and the swaps.
Plain functions, one transaction each; a rule broken raises `RuleError` with a Chinese message and
writes nothing. The caller checks that the user may manage the station (a view through its scope);
the hours, the rota and the station keep their history (who changed what, when), and
every swap is a record of its own."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.core.errors import RuleError, lock_version
from gongzhi.core.validators import has_control_characters
from gongzhi.desks import selectors
from gongzhi.desks.models import (ADDRESS_MAX, NAME_MAX, NEEDED_MAX, REASON_MAX, Day, Duty, Session, Station,
                                  StationWindow, Swap)
from gongzhi.places.models import Place
from gongzhi.workorders.models import Category, Kind, Window

ERR_PLACE = "服务站只能设在社区(村)或街道(镇)"
ERR_NAME = "请填写服务站名称(不超过 {n} 个字)"
ERR_ADDRESS = "地址不能超过 {n} 个字"
ERR_CONTROL = "{field}含有不可见的控制字符,请删除后重新输入"
ERR_DAY = "第 {row} 行:请选择星期几或法定节假日"
ERR_TIME = "第 {row} 行:请填写开始和结束时间(如 08:30)"
ERR_END_BEFORE_START = "第 {row} 行:{day} {start}—{end} 的结束时间须晚于开始时间"
ERR_OVERLAP = "{day}的 {a} 与 {b} 两个时段重叠,请调整"
ERR_NEEDED = "第 {row} 行:每个时段的值班人数须为 1—{n} 人"
ERR_TOO_MANY = "开放时段不能超过 {n} 个"
ERR_WINDOW = "没有这个服务窗口"
ERR_ITEM = "「{code}」不是启用的服务事项"
ERR_ITEM_TWICE = "「{name}」已由{window}窗口受理,一个事项只能由一个窗口受理"
ERR_ITEM_NO_WINDOW = "「{name}」所在的{window}窗口未开设"
ERR_DATE_PAST = "{date} 已经过去,不能再排班"
ERR_DATE_FAR = "只能排 {n} 天之内的班"
ERR_NO_SESSION = "{date}({day}){station}没有 {start} 开始的开放时段,不能排班"
ERR_NO_POST = "{name}在{place}没有岗位,不能排入{station}的值班表"
ERR_SLOT_FULL = "{date} {start}—{end} 只需 {n} 人值班,已排{names},不能再排"
ERR_ALREADY = "{name}已排在 {date} {start}—{end} 的班上"
ERR_SWAP_SELF = "不能与自己换班"
ERR_SWAP_OUTSIDE = "{name}不是{station}的工作人员(在{place}没有岗位),不能换班"
ERR_SWAP_REASON = "请填写换班原因(不超过 {n} 个字)"
ERR_SWAP_PAST = "{date} 的班次已经过去,不能换班"
ERR_SWAP_OTHER = "换回的班次须是{name}在本服务站的班次"
ERR_SWAP_SAME = "换回的班次与原班次相同"
ERR_SWAP_BUSY = "{name}在 {date} {start} 已有值班,不能再接这个班"
ERR_DUTY_GONE = "该班次已不存在,请刷新后重试"
ERR_STALE = "该服务站的设置已被他人修改,请刷新后重试"

MAX_SESSIONS = 60
PLAN_AHEAD_DAYS = 92  # the rota may be planned this far ahead


def _fmt(t: dt.time) -> str:
    return f"{t:%H:%M}"


def _clean_text(value, field: str, *, limit: int, required: str = "", too_long: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleError(required)
    if len(value) > limit:
        raise RuleError((too_long or required).format(n=limit))
    if has_control_characters(value):
        raise RuleError(ERR_CONTROL.format(field=field))
    return value


# -- the station ------------------------------------------------------------------------------
def station_for(place: Place) -> Station:
    """The place's station, made with its default name the first time it is needed."""
    if place is None or place.level not in selectors.STATION_LEVELS:
        raise RuleError(ERR_PLACE)
    station, _ = Station.objects.get_or_create(place=place, defaults={"name": selectors.default_name(place)[:NAME_MAX]})
    return station


def _lock(station: Station, version) -> Station:
    """Lock the station row; with a form's `version`, refuse when someone saved since (and count one more)."""
    if version is None:
        return Station.objects.select_for_update().get(pk=station.pk)
    current = lock_version(Station.objects.all(), station.pk, version, ERR_STALE)
    Station.objects.filter(pk=station.pk).update(version=current.version + 1)
    current.version += 1
    return current


# -- hours ------------------------------------------------------------------------------------
def _parse_time(value) -> dt.time | None:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    try:
        return dt.time.fromisoformat(str(value or "").strip()[:8]).replace(second=0, microsecond=0)
    except ValueError:
        return None


def check_hours(rows) -> list[tuple[int, dt.time, dt.time, int]]:
    """The rows (day, start, end, needed) checked: the day known, the times read, each ending after it
    starts, no two overlapping on the same day, 1—9 on duty. Returns them sorted."""
    rows = list(rows)
    if len(rows) > MAX_SESSIONS:
        raise RuleError(ERR_TOO_MANY.format(n=MAX_SESSIONS))
    out = []
    for i, (day, start, end, needed) in enumerate(rows, start=1):
        try:
            day = int(day)
        except (TypeError, ValueError):
            raise RuleError(ERR_DAY.format(row=i)) from None
        if day not in Day.values:
            raise RuleError(ERR_DAY.format(row=i))
        start_t, end_t = _parse_time(start), _parse_time(end)
        if start_t is None or end_t is None:
            raise RuleError(ERR_TIME.format(row=i))
        if end_t <= start_t:
            raise RuleError(ERR_END_BEFORE_START.format(row=i, day=Day(day).label, start=_fmt(start_t),
                                                        end=_fmt(end_t)))
        try:
            needed = int(needed if needed not in (None, "") else 1)
        except (TypeError, ValueError):
            raise RuleError(ERR_NEEDED.format(row=i, n=NEEDED_MAX)) from None
        if not 1 <= needed <= NEEDED_MAX:
            raise RuleError(ERR_NEEDED.format(row=i, n=NEEDED_MAX))
        out.append((day, start_t, end_t, needed))
    out.sort()
    for (d1, s1, e1, _n1), (d2, s2, e2, _n2) in zip(out, out[1:]):
        if d1 == d2 and s2 < e1:
            raise RuleError(ERR_OVERLAP.format(day=Day(d1).label, a=f"{_fmt(s1)}—{_fmt(e1)}",
                                               b=f"{_fmt(s2)}—{_fmt(e2)}"))
    return out


def set_hours(*, station: Station, rows, by, version: int | None = None, name: str | None = None,
              address: str | None = None) -> list[Session]:
    """Replace the station's opening hours with `rows` (day, start, end, needed), and with `name`
    its name and address. A session kept unchanged keeps its row (and history); the rota already
    planned stays as it is (a duty outside the new hours shows as such)."""
    rows = check_hours(rows)
    if name is not None:
        name = _clean_text(name, "名称", limit=NAME_MAX, required=ERR_NAME.format(n=NAME_MAX),
                           too_long=ERR_NAME.format(n=NAME_MAX))
        address = _clean_text(address, "地址", limit=ADDRESS_MAX, too_long=ERR_ADDRESS.format(n=ADDRESS_MAX))
    with transaction.atomic():
        current = _lock(station, version)
        if name is not None and (current.name, current.address) != (name, address):
            current.name, current.address = name, address
            current._history_user = by
            current.save(update_fields=["name", "address"])
        existing = {(s.day, s.start): s for s in Session.objects.filter(station=station)}
        wanted = {(d, s): (e, n) for d, s, e, n in rows}
        for key, session in existing.items():
            if key not in wanted:
                session._history_user = by
                session.delete()
        for (day, start), (end, needed) in wanted.items():
            session = existing.get((day, start))
            if session is None:
                session = Session(station=station, day=day, start=start, end=end, needed=needed)
            elif (session.end, session.needed) == (end, needed):
                continue
            session.end, session.needed = end, needed
            session._history_user = by
            session.save()
    sessions = list(Session.objects.filter(station=station).order_by("day", "start"))
    return sessions


# -- windows ----------------------------------------------------------------------------------
def set_windows(*, station: Station, windows: dict[str, list[str]], by, version: int | None = None) -> None:
    """The windows the station runs (keys) and the item codes each accepts (values): an item in one
    window only, every item an active one-window item of the catalogue."""
    windows = dict(windows or {})
    for w in windows:
        if w not in Window.values:
            raise RuleError(ERR_WINDOW)
    codes = [c for items in windows.values() for c in items]
    found = {c.code: c for c in Category.objects.filter(code__in=codes, kind=Kind.SERVICE, active=True)}
    where: dict[str, str] = {}
    for w, items in windows.items():
        for code in items:
            if code not in found:
                raise RuleError(ERR_ITEM.format(code=str(code)[:40]))
            if code in where and where[code] != w:
                raise RuleError(ERR_ITEM_TWICE.format(name=found[code].name, window=Window(where[code]).label))
            where[code] = w
    with transaction.atomic():
        _lock(station, version)
        StationWindow.objects.filter(station=station).exclude(window__in=list(windows)).delete()
        for w, items in windows.items():
            row, _ = StationWindow.objects.get_or_create(station=station, window=w)
            row.items.set([found[c] for c in dict.fromkeys(items)])


# -- the rota ---------------------------------------------------------------------------------
def _worker_or_refuse(station: Station, user, message: str) -> None:
    if user is None or not selectors.is_worker(station.place, user):
        raise RuleError(message.format(name=str(user) if user else "该人员", place=station.place.name,
                                       station=station.name))


def assign(*, station: Station, date: dt.date, start: dt.time, user, by, today: dt.date | None = None) -> Duty:
    """Put `user` on duty at `station` on `date` in the session starting at `start`."""
    today = today or timezone.localdate()
    if date < today:
        raise RuleError(ERR_DATE_PAST.format(date=f"{date:%Y-%m-%d}"))
    if date > today + dt.timedelta(days=PLAN_AHEAD_DAYS):
        raise RuleError(ERR_DATE_FAR.format(n=PLAN_AHEAD_DAYS))
    start = _parse_time(start)
    session = selectors.slot_on(station, date, start) if start else None
    if session is None:
        key, _note = selectors.day_key(date, selectors.calendar_between(date, date))
        raise RuleError(ERR_NO_SESSION.format(date=f"{date:%Y-%m-%d}", day=Day(key).label, station=station.name,
                                              start=_fmt(start) if start else "该时间"))
    _worker_or_refuse(station, user, ERR_NO_POST)
    with transaction.atomic():
        Station.objects.select_for_update().filter(pk=station.pk).first()  # one assignment at a time per station
        there = list(Duty.objects.filter(station=station, date=date, start=session.start).select_related("user"))
        if any(d.user_id == user.pk for d in there):
            raise RuleError(ERR_ALREADY.format(name=user, date=f"{date:%Y-%m-%d}", start=_fmt(session.start),
                                               end=_fmt(session.end)))
        if len(there) >= session.needed:
            raise RuleError(ERR_SLOT_FULL.format(date=f"{date:%Y-%m-%d}", start=_fmt(session.start),
                                                 end=_fmt(session.end), n=session.needed,
                                                 names="、".join(str(d.user) for d in there)))
        duty = Duty(station=station, date=date, start=session.start, end=session.end, user=user, created_by=by)
        duty._history_user = by
        try:
            with transaction.atomic():
                duty.save()
        except IntegrityError:
            raise RuleError(ERR_ALREADY.format(name=user, date=f"{date:%Y-%m-%d}", start=_fmt(session.start),
                                               end=_fmt(session.end))) from None
    return duty


def unassign(*, duty: Duty, by, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if duty.date < today:
        raise RuleError(ERR_DATE_PAST.format(date=f"{duty.date:%Y-%m-%d}"))
    with transaction.atomic():
        gone = Duty.objects.select_for_update().filter(pk=duty.pk).first()
        if gone is None:
            raise RuleError(ERR_DUTY_GONE)
        gone._history_user = by
        gone.delete()


def fill(*, station: Station, start: dt.date, days: int, by, today: dt.date | None = None) -> int:
    """Fill the open places of the rota in [start, start + days) from the station's workers, fairly:
    each place goes to whoever has had the fewest duties of that kind (holiday duties counted apart,
    节假日轮休) in the period, ties by who has stood duty least overall. Returns how many were added."""
    today = today or timezone.localdate()
    start = max(start, today)
    days = max(0, min(days, (today + dt.timedelta(days=PLAN_AHEAD_DAYS) - start).days + 1))
    people = [w["user"] for w in selectors.workers(station.place)]
    if not people or not days:
        return 0
    added = 0
    with transaction.atomic():
        Station.objects.select_for_update().filter(pk=station.pk).first()
        plan = selectors.rota(station, start, days)
        load, holiday_load = Counter(), Counter()
        for day in plan:
            for slot in day.slots:
                for d in slot.duties:
                    (holiday_load if slot.holiday else load)[d.user_id] += 1
        order = {u.pk: i for i, u in enumerate(people)}
        new = []
        for day in plan:
            for slot in day.slots:
                taken = {d.user_id for d in slot.duties}
                counter = holiday_load if slot.holiday else load
                for _ in range(slot.missing):
                    free = [u for u in people if u.pk not in taken]
                    if not free:
                        break
                    u = min(free, key=lambda x: (counter[x.pk], load[x.pk] + holiday_load[x.pk], order[x.pk]))
                    taken.add(u.pk)
                    counter[u.pk] += 1
                    new.append(Duty(station=station, date=day.date, start=slot.start, end=slot.end, user=u,
                                    created_by=by))
        for duty in new:
            duty._history_user = by
            duty.save()
        added = len(new)
    return added


def swap(*, duty: Duty, with_user, reason: str, by, other: Duty | None = None,
         now: dt.datetime | None = None) -> Swap:
    """`duty` goes to `with_user` (代班); with `other` (one of `with_user`'s duties at the same
    station) the two exchange (换班). The record keeps who, with whom, when and why."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    station = duty.station
    if with_user is not None and with_user.pk == duty.user_id:
        raise RuleError(ERR_SWAP_SELF)
    _worker_or_refuse(station, with_user, ERR_SWAP_OUTSIDE)
    reason = _clean_text(reason, "换班原因", limit=REASON_MAX, required=ERR_SWAP_REASON.format(n=REASON_MAX),
                         too_long=ERR_SWAP_REASON.format(n=REASON_MAX))
    with transaction.atomic():
        Station.objects.select_for_update().filter(pk=station.pk).first()
        duty = Duty.objects.filter(pk=duty.pk).select_related("user").first()
        if duty is None:
            raise RuleError(ERR_DUTY_GONE)
        if duty.date < today:
            raise RuleError(ERR_SWAP_PAST.format(date=f"{duty.date:%Y-%m-%d}"))
        if other is not None:
            other = Duty.objects.filter(pk=other.pk).first()
            if other is None:
                raise RuleError(ERR_DUTY_GONE)
            if other.pk == duty.pk:
                raise RuleError(ERR_SWAP_SAME)
            if other.station_id != station.pk or other.user_id != with_user.pk:
                raise RuleError(ERR_SWAP_OTHER.format(name=with_user))
            if other.date < today:
                raise RuleError(ERR_SWAP_PAST.format(date=f"{other.date:%Y-%m-%d}"))
        busy = Duty.objects.filter(station=station, date=duty.date, start=duty.start, user=with_user)
        if busy.exists():
            raise RuleError(ERR_SWAP_BUSY.format(name=with_user, date=f"{duty.date:%Y-%m-%d}", start=_fmt(duty.start)))
        if other is not None and Duty.objects.filter(station=station, date=other.date, start=other.start,
                                                     user_id=duty.user_id).exists():
            raise RuleError(ERR_SWAP_BUSY.format(name=duty.user, date=f"{other.date:%Y-%m-%d}",
                                                 start=_fmt(other.start)))
        from_user = duty.user
        record = Swap.objects.create(
            station=station, duty=duty, other_duty=other, duty_date=duty.date, duty_start=duty.start,
            other_date=other.date if other else None, other_start=other.start if other else None,
            from_user=from_user, to_user=with_user, reason=reason, by=by, at=now)
        duty.user = with_user
        duty._history_user = by
        duty._change_reason = f"换班:{reason}"[:100]
        duty.save(update_fields=["user"])
        if other is not None:
            other.user = from_user
            other._history_user = by
            other._change_reason = f"换班:{reason}"[:100]
            other.save(update_fields=["user"])
    return record
