"""The service stations of the demo district (DemoPart 58), through the real services:

- every community's station: weekday hours, staggered evenings and Saturday mornings (a few
  communities have no evenings), holiday duty, and the seven windows with the catalogue's items (a few
  communities lack one or two windows, so the configuration figures differ);
- a rota from four weeks back to four weeks ahead, filled in turn from the community's workers;
  东虹社区 and 南岳社区 (the demo accounts' communities) get three more workers each, one visible gap
  in the coming fortnight, and a recorded swap;
- 宜城街道's service centre with its hours, windows and rota.
Its own random generator, so the parts after it stay as they were."""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.core import demo as core_demo
from gongzhi.desks import selectors, services
from gongzhi.desks.models import Day, Duty, Station
from gongzhi.places.models import Level
from gongzhi.workorders.models import Category, Kind, Window

SUMMARY = {"desk_stations": "服务站 service stations", "desk_duties": "值班班次 duties"}
SEED = 5858
WEEKDAYS = (Day.MON, Day.TUE, Day.WED, Day.THU, Day.FRI)
STREET_CODE = "320282001"
SHOWCASE = (core_demo.ACCOUNT_COMMUNITY, core_demo.ACCOUNT_COMMUNITY2)
EXTRA_WORKERS = (("陆晓梅", "周志刚", "华丽娟"), ("邵建平", "蒋雨婷", "任国庆"))


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _hours(rng: random.Random, *, evenings: bool, needed: int = 1) -> list[tuple]:
    rows = [(d, _t("08:30"), _t("12:00"), needed) for d in WEEKDAYS] + \
           [(d, _t("13:30"), _t("17:30"), needed) for d in WEEKDAYS]
    if evenings:
        for d in rng.sample(WEEKDAYS, 2):  # two evenings a week (错时)
            rows.append((d, _t("17:30"), _t("20:00"), 1))
    rows.append((Day.SAT, _t("09:00"), _t("12:00"), 1))
    rows.append((Day.HOLIDAY, _t("09:00"), _t("11:30"), 1))
    return rows


def _windows(items_by_window: dict[str, list[str]], missing: set[str]) -> dict[str, list[str]]:
    return {w: items_by_window.get(w, []) for w in Window.values if w not in missing}


def _extra_workers(community, names) -> None:
    for i, name in enumerate(names, start=1):
        user, made = User.objects.get_or_create(username=f"desk-{community.code}-{i}",
                                                defaults={"display_name": name})
        if made:
            user.set_unusable_password()
            user.save()
        RoleAssignment.objects.get_or_create(user=user, role=Role.COMMUNITY, place=community)


def _fallback_worker(place, role) -> User | None:
    return User.objects.filter(assignments__role=role, assignments__place=place, assignments__active=True) \
        .order_by("pk").first()


def build(ctx) -> None:
    rng = random.Random(SEED)
    today = timezone.localdate()
    past = today - dt.timedelta(days=28)
    admin = User.objects.filter(assignments__role=Role.ADMIN).order_by("pk").first()
    items_by_window: dict[str, list[str]] = {}
    for code, window in (Category.objects.filter(kind=Kind.SERVICE, active=True).exclude(window="")
                         .order_by("sort", "code").values_list("code", "window")):
        items_by_window.setdefault(window, []).append(code)
    communities = sorted(ctx.places_at(Level.COMMUNITY), key=lambda p: p.code)
    for i, name_set in zip(SHOWCASE, EXTRA_WORKERS):
        place = ctx.places.get(i)
        if place is not None:
            _extra_workers(place, name_set)
    made = 0
    for i, community in enumerate(communities):
        by = _fallback_worker(community, Role.COMMUNITY) or admin
        if by is None:
            continue
        station = services.station_for(community)
        showcase = community.code in SHOWCASE
        evenings = showcase or i % 5 != 3
        missing = set() if showcase or i % 7 != 4 else set(rng.sample(Window.values, rng.choice([1, 2])))
        services.set_hours(station=station, rows=_hours(rng, evenings=evenings), by=by,
                           name=station.name, address=f"{community.name}党群服务中心一楼")
        services.set_windows(station=station, windows=_windows(items_by_window, missing), by=by)
        services.fill(station=station, start=past, days=56, by=by, today=past)
        made += 1
        if showcase:
            _gap_and_swap(station, today, by, rng)
    street = ctx.places.get(STREET_CODE)
    if street is not None:
        by = _fallback_worker(street, Role.STREET) or admin
        station = services.station_for(street)
        rows = [(d, _t("08:30"), _t("12:00"), 1) for d in WEEKDAYS] + \
               [(d, _t("13:30"), _t("17:30"), 1) for d in WEEKDAYS] + \
               [(Day.SAT, _t("09:00"), _t("12:00"), 1), (Day.HOLIDAY, _t("09:00"), _t("11:30"), 1)]
        services.set_hours(station=station, rows=rows, by=by, name=station.name, address="宜城街道便民服务中心大厅")
        services.set_windows(station=station, windows=_windows(items_by_window, set()), by=by)
        services.fill(station=station, start=past, days=56, by=by, today=past)
        made += 1
    duties = Duty.objects.filter(station__place__path__startswith=_district_path(ctx)).count()
    ctx.summary.add(SUMMARY, desk_stations=made, desk_duties=duties)
    ctx.say(f"服务站: {made} 个,值班 {duties} 班")


def _district_path(ctx) -> str:
    district = next((p for p in ctx.places.values() if p.level == Level.DISTRICT), None)
    return district.path if district else "/"


def _gap_and_swap(station: Station, today: dt.date, by, rng: random.Random) -> None:
    """One visible gap in the coming fortnight (an evening left open: its worker was taken off), and
    one recorded swap between two workers a few days ahead."""
    plan = selectors.rota(station, today + dt.timedelta(days=3), 11)
    evening = next((s for d in plan for s in d.slots if s.staggered and s.duties and not s.holiday), None)
    if evening is not None:
        services.unassign(duty=evening.duties[0], by=by, today=today)
    slots = [s for d in selectors.rota(station, today + dt.timedelta(days=2), 5) for s in d.slots if s.duties]
    if len(slots) < 2:
        return
    first = slots[0].duties[0]
    other = next((s.duties[0] for s in slots[1:] if s.duties[0].user_id != first.user_id
                  and not any(x.user_id == s.duties[0].user_id for x in slots[0].duties)), None)
    if other is None:
        return
    services.swap(duty=first, with_user=other.user, other=other, by=by,
                  reason=rng.choice(["家中老人就医,与同事互换", "参加街道业务培训,互换班次", "孩子家长会,调换值班"]))


def count_existing(summary, district) -> None:
    summary.add(SUMMARY, desk_stations=Station.objects.filter(place__path__startswith=district.path).count(),
                desk_duties=Duty.objects.filter(station__place__path__startswith=district.path).count())
