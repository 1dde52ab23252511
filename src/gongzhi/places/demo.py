"""The places' part of the demo district: the territory of 宜兴市 (streets and
towns, urban and rural communities, grids, each with a rectangle on the map),
the grid staff with deliberate gaps, the homes (estates or villages,
buildings, dwellings) and each community's service facility.

`build` is DemoPart 10; `build_facilities` is DemoPart 25, after the people
part, because that is where the shared generator reaches the facilities.
The streets, towns and most community names are real places of 宜兴市; their
codes follow the GB/T 2260 / statistical-division pattern but are not the
official ones.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from gongzhi.core.demo import (
    ACCOUNT_GRID, BATCH, DISTRICT_CODE, DISTRICT_NAME, DemoContext, DemoSummary, demo_account,
)
from gongzhi.places.models import (
    AreaKind, Building, CityZone, CommunityType, Dwelling, Estate, Facility, GridKind, GridStaff, Level, Place,
    StaffRole,
)

# Households per comprehensive grid at full scale (the brief: ~300–500).
GRID_TARGET_HOUSEHOLDS = 480


# -- the territory --------------------------------------------------------------

@dataclass(frozen=True)
class CommunitySpec:
    suffix: int                 # last three digits: 001–199 residents' committee, 200–399 village committee
    name: str
    households: int             # at scale 1.0
    urban_rural_code: str       # 111/112/121 urban, 210/220 rural
    community_type: str = CommunityType.ORDINARY
    dedicated: tuple[str, ...] = ()   # 专属网格 for an institution / business cluster

    @property
    def rural(self) -> bool:
        return self.suffix >= 200

    @property
    def short(self) -> str:
        return self.name.removesuffix("社区").removesuffix("村")


@dataclass(frozen=True)
class StreetSpec:
    suffix: int                 # 001–099 street office (街道), 100–199 town (镇)
    name: str
    block: tuple[int, int]      # (column, row) of the street's block on the map, row 0 in the north
    communities: tuple[CommunitySpec, ...]

    @property
    def is_town(self) -> bool:
        return self.name.endswith("镇")


C = CommunitySpec
STREETS: tuple[StreetSpec, ...] = (
    StreetSpec(1, "宜城街道", (1, 1), (
        C(1, "东虹社区", 3150, "111", dedicated=("东氿商圈专属网格",)),
        C(2, "陶都社区", 1480, "111"),
        C(3, "城北社区", 1060, "111"),
        C(4, "荆溪社区", 1210, "111"),
    )),
    StreetSpec(2, "屺亭街道", (1, 0), (
        C(1, "屺亭社区", 1130, "112"),
        C(201, "红塔村", 780, "220"),
    )),
    StreetSpec(3, "新街街道", (2, 2), (
        C(1, "南岳社区", 1320, "111"),
        C(2, "百合社区", 1040, "112"),
        C(3, "陶瓷公司社区", 520, "112", CommunityType.UNIT),
        C(201, "潼渚村", 860, "220"),
    )),
    StreetSpec(4, "新庄街道", (2, 1), (
        C(1, "新庄社区", 1020, "112"),
        C(201, "茶亭村", 690, "220"),
    )),
    StreetSpec(5, "芳桥街道", (2, 0), (
        C(1, "芳桥社区", 1010, "112"),
        C(201, "金兰村", 740, "220"),
    )),
    StreetSpec(100, "丁蜀镇", (1, 2), (
        C(1, "丁山社区", 3060, "121", dedicated=("陶瓷产业园专属网格",)),
        C(2, "汤渡社区", 1080, "121"),
        C(201, "西望村", 1190, "220"),
        C(202, "洑东村", 1100, "220"),
    )),
    StreetSpec(103, "徐舍镇", (0, 1), (
        C(1, "徐舍社区", 1120, "121"),
        C(201, "潘东村", 1010, "210"),
        C(202, "芳庄村", 580, "220"),
    )),
    StreetSpec(107, "和桥镇", (0, 0), (
        C(1, "和桥社区", 1260, "121", CommunityType.MARKET_TOWN),
        C(201, "闸口村", 1030, "220"),
    )),
    StreetSpec(111, "张渚镇", (0, 2), (
        C(1, "张渚社区", 1150, "121"),
        C(201, "茗岭村", 860, "220"),
        C(202, "善卷村", 1050, "220"),
    )),
)
del C


def street_code(s: StreetSpec) -> str:
    return f"{DISTRICT_CODE}{s.suffix:03d}"


def community_code(s: StreetSpec, c: CommunitySpec) -> str:
    return f"{street_code(s)}{c.suffix:03d}"


def grid_count(c: CommunitySpec) -> int:
    """Comprehensive grids of a community: fixed by its full-scale size, so a
    small build has the same grids (and staff gaps) as the full one."""
    return max(1, math.ceil(c.households / GRID_TARGET_HOUSEHOLDS))


def plan_households(scale: float = 1.0) -> dict[str, int]:
    """Households per community code at `scale`, without building anything."""
    return {community_code(s, c): max(grid_count(c), round(c.households * scale))
            for s in STREETS for c in s.communities}


# -- estates ----------------------------------------------------------------------------

_ESTATE_PREFIXES = ("阳光", "金色", "锦绣", "荆溪", "丽景", "翠竹", "紫砂", "凤凰", "世纪", "湖滨", "银河", "书香",
                    "和平", "幸福", "春晖", "滨湖", "龙背山", "蜀山", "宜园", "东氿", "团氿", "氿滨", "梅园", "桃园",
                    "兰亭", "清华", "景湖", "香樟", "汇景", "星河")
_ESTATE_SUFFIXES = ("花园", "家园", "新村", "花苑", "名邸", "雅苑", "公寓", "嘉园", "华府", "小区")
_VILLAGE_GROUPS = ("家组", "家塘", "家桥", "家湾", "家浜", "家墩", "家头", "家圩")
_VILLAGE_PLACES = ("东庄", "西庄", "南塘", "北圩", "上湾", "下湾", "前村", "后村", "大圩", "小圩", "新塘", "竹园里",
                   "庙前", "桥头", "河东", "河西", "圩里", "窑头", "山脚", "岭下")
_ROADS = ("人民南路", "人民北路", "解放东路", "阳泉西路", "东虹路", "荆溪北路", "宜城路", "太滆路", "氿滨大道",
          "团氿路", "蜀山路", "丁山路", "和桥大道", "陶都路", "文化路", "健康路", "环科园路", "宜北路")


# -- the map ----------------------------------------------------------------------------

def _rect(box) -> dict:
    x0, y0, x1, y1 = (round(v, 6) for v in box)
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _tile(box, n: int) -> list[tuple[float, float, float, float]]:
    """Split a box into n adjacent rectangles: rows from north to south,
    cells west to east, every row filling the full width."""
    x0, y0, x1, y1 = box
    rows = max(1, round(math.sqrt(n)))
    counts = [n // rows + (1 if i < n % rows else 0) for i in range(rows)]
    h = (y1 - y0) / rows
    cells = []
    for r, k in enumerate(counts):
        top = y1 - r * h
        w = (x1 - x0) / k
        cells += [(x0 + i * w, top - h, x0 + (i + 1) * w, top) for i in range(k)]
    return cells


# The district: a 3×3 block of streets around 宜兴 city centre (≈ 119.82 E, 31.36 N).
_MAP_WEST, _MAP_NORTH, _BLOCK_W, _BLOCK_H = 119.67, 31.465, 0.10, 0.07


def _street_box(s: StreetSpec):
    col, row = s.block
    x0 = _MAP_WEST + col * _BLOCK_W
    y1 = _MAP_NORTH - row * _BLOCK_H
    return (x0, y1 - _BLOCK_H, x0 + _BLOCK_W, y1)


# -- the parts ------------------------------------------------------------------------------

SUMMARY = {
    "streets": "街道/镇 streets", "communities": "社区/村 communities", "grids": "网格 grids",
    "grid_staff": "网格人员 grid staff", "estates": "小区/自然村 estates", "buildings": "楼栋 buildings",
    "dwellings": "房屋 dwellings",
}
FACILITY_SUMMARY = {"facilities": "服务设施 facilities"}

_SPECS = {community_code(s, c): (s, c) for s in STREETS for c in s.communities}


def build(ctx: DemoContext) -> None:
    """DemoPart 10: the territory, its grid staff and the homes; fills `ctx.places`,
    `ctx.occupied`, `ctx.estates` and `ctx.account_staff`."""
    grid_households = _territory(ctx)
    _staff(ctx)
    _homes(ctx, grid_households)


def _territory(ctx: DemoContext) -> dict[str, int]:
    """District, streets, communities and grids; returns the households planned per grid code."""
    district = Place(level=Level.DISTRICT, code=DISTRICT_CODE, name=DISTRICT_NAME, path=f"/{DISTRICT_CODE}/",
                     boundary=_rect((_MAP_WEST, _MAP_NORTH - 3 * _BLOCK_H, _MAP_WEST + 3 * _BLOCK_W, _MAP_NORTH)))
    district.save()
    streets, communities, grids = [], [], []
    planned = plan_households(ctx.scale)
    for s in STREETS:
        code = street_code(s)
        streets.append(Place(level=Level.STREET, code=code, name=s.name, parent=district, is_town=s.is_town,
                             # the demo city's street offices are its central city, its towns outer districts
                             city_zone=CityZone.OUTER if s.is_town else CityZone.CENTRAL,
                             path=f"{district.path}{code}/", boundary=_rect(_street_box(s))))
    Place.objects.bulk_create(streets, batch_size=BATCH)
    community_boxes = {}
    for s, street in zip(STREETS, streets):
        for c, box in zip(s.communities, _tile(_street_box(s), len(s.communities))):
            code = community_code(s, c)
            community_boxes[code] = box
            communities.append(Place(
                level=Level.COMMUNITY, code=code, name=c.name, parent=street, path=f"{street.path}{code}/",
                area_kind=AreaKind.RURAL if c.rural else AreaKind.URBAN, community_type=c.community_type,
                urban_rural_code=c.urban_rural_code, boundary=_rect(box)))
    Place.objects.bulk_create(communities, batch_size=BATCH)
    # Grids: comprehensive ones share the community's households; dedicated
    # ones (an institution or business cluster) come after them.
    grid_households: dict[str, int] = {}
    for community in communities:
        _s, c = _SPECS[community.code]
        n = grid_count(c)
        names = [f"{c.name}第{i}网格" for i in range(1, n + 1)] + list(c.dedicated)
        boxes = _tile(community_boxes[community.code], len(names))
        households = planned[community.code]
        community_grids = []
        for i, (name, box) in enumerate(zip(names, boxes), start=1):
            code = f"{community.code}{i:03d}"
            kind = GridKind.COMPREHENSIVE if i <= n else GridKind.DEDICATED
            community_grids.append(Place(level=Level.GRID, code=code, name=name, parent=community,
                                         path=f"{community.path}{code}/", grid_kind=kind, boundary=_rect(box)))
            grid_households[code] = 0
        # Spread the households about evenly (±8 %) over the comprehensive
        # grids, at least one each (plan_households guarantees enough).
        shares = [1 + ctx.rng.uniform(-0.08, 0.08) for _ in range(n)]
        total, extra = sum(shares), households - n
        counts = [1 + int(extra * w / total) for w in shares]
        counts[0] += households - sum(counts)
        for grid, k in zip(community_grids, counts):
            grid_households[grid.code] = k
        grids += community_grids
    Place.objects.bulk_create(grids, batch_size=BATCH)
    ctx.places.update((p.code, p) for p in [district, *streets, *communities, *grids])
    ctx.summary.add(SUMMARY, streets=len(streets), communities=len(communities), grids=len(grids))
    ctx.say(f"区划: {len(streets)} 街道/镇, {len(communities)} 社区/村, {len(grids)} 网格")
    return grid_households


def _staff(ctx: DemoContext) -> None:
    rng = ctx.rng
    grids = ctx.places_at(Level.GRID)
    comprehensive = [g for g in grids if g.grid_kind == GridKind.COMPREHENSIVE and g.code != ACCOUNT_GRID]
    # Deliberate gaps for the P-STAFF checks: 4 grids without a leader,
    # 3 without a full-time worker; one of them has nobody at all.
    no_leader = set(g.code for g in rng.sample(comprehensive, 4))
    rest = [g for g in comprehensive if g.code not in no_leader]
    empty = sorted(no_leader)[0]
    no_full_time = {empty} | set(g.code for g in rng.sample(rest, 2))
    staff = []
    grid_account = demo_account("grid")  # a full-time worker of its grid
    for grid in grids:
        posts = []
        if grid.code not in no_leader:
            posts.append(StaffRole.LEADER)
        if grid.code not in no_full_time:
            posts += [StaffRole.FULL_TIME] * (1 if rng.random() < 0.6 else 2)
        if grid.code != empty:
            posts += [StaffRole.PART_TIME] * rng.randint(0, 3)
        for role in posts:
            sex = "F" if rng.random() < 0.6 else "M"
            year = rng.randint(1965, 1998)
            row = GridStaff(grid=grid, name=ctx.full_name(sex, year), phone=ctx.phone(), role=role,
                            since=ctx.date_between(dt.date(2018, 1, 1), dt.date(2025, 12, 31)))
            if (grid.code == grid_account.place and role == StaffRole.FULL_TIME
                    and grid_account.username not in ctx.account_staff):
                row.name = grid_account.name
                ctx.account_staff[grid_account.username] = row
            staff.append(row)
    GridStaff.objects.bulk_create(staff, batch_size=BATCH)
    ctx.summary.add(SUMMARY, grid_staff=len(staff))
    ctx.say(f"网格人员: {len(staff)}")


def _homes(ctx: DemoContext, grid_households: dict[str, int]) -> None:
    """Estates (小区 / 自然村), buildings and dwellings; one occupied dwelling
    per planned household, with some vacant ones."""
    rng = ctx.rng
    buildings, dwellings = [], []
    for community in ctx.places_at(Level.COMMUNITY):
        _street, c = _SPECS[community.code]
        used_names: set[str] = set()
        roads = rng.sample(_ROADS, 3) + [f"{c.short}路"]
        next_building = 1
        for grid in ctx.children(community):
            left = grid_households[grid.code]
            homes: list[Dwelling] = []
            while left > 0:
                size = min(left, rng.randint(60, 160) if c.rural else rng.randint(180, 520))
                if 0 < left - size < (40 if c.rural else 100):
                    size = left
                left -= size
                estate = _new_estate(ctx, community, grid, c, used_names, roads)
                if c.rural:
                    n_houses = max(size, round(size / rng.uniform(0.9, 0.97)))
                    estate_homes = []
                    for _ in range(n_houses):
                        b = Building(estate=estate, community=community, grid=grid, number=str(next_building),
                                     floors=rng.choice((2, 2, 3)))
                        buildings.append(b)
                        estate_homes.append(Dwelling(
                            code=f"{community.code}-{next_building}-1-1", building=b, community=community,
                            grid=grid, unit_no="1", room_no="1", address=f"{c.name}{estate.name}{next_building}号"))
                        next_building += 1
                else:
                    modern = rng.random() < 0.45
                    need = math.ceil(size / rng.uniform(0.86, 0.96))
                    estate_homes = []
                    while len(estate_homes) < need:
                        floors = rng.choice((11, 12, 15, 18)) if modern else rng.choice((6, 6, 6, 7))
                        units = rng.randint(1, 2) if modern else rng.randint(2, 4)
                        per_floor = 2 if not modern else rng.choice((2, 3, 4))
                        b = Building(estate=estate, community=community, grid=grid, number=str(next_building),
                                     floors=floors)
                        buildings.append(b)
                        for u in range(1, units + 1):
                            for f in range(1, floors + 1):
                                for r in range(1, per_floor + 1):
                                    room = f"{f}{r:02d}"
                                    estate_homes.append(Dwelling(
                                        code=f"{community.code}-{next_building}-{u}-{room}", building=b,
                                        community=community, grid=grid, unit_no=str(u), room_no=room,
                                        address=f"{estate.name}{next_building}幢{u}单元{room}室"))
                        next_building += 1
                dwellings += estate_homes
                homes += [estate_homes[i] for i in sorted(rng.sample(range(len(estate_homes)), size))]
            ctx.occupied[grid.code] = homes
    Estate.objects.bulk_create(ctx.estates, batch_size=BATCH)
    Building.objects.bulk_create(buildings, batch_size=BATCH)
    Dwelling.objects.bulk_create(dwellings, batch_size=BATCH)
    ctx.summary.add(SUMMARY, estates=len(ctx.estates), buildings=len(buildings), dwellings=len(dwellings))
    ctx.say(f"房屋: {len(ctx.estates)} 小区/自然村, {len(buildings)} 楼栋, {len(dwellings)} 房屋")


def _new_estate(ctx: DemoContext, community: Place, grid: Place, c: CommunitySpec, used: set[str], roads) -> Estate:
    rng = ctx.rng
    for attempt in range(200):
        if c.rural:
            name = (ctx.surname() + rng.choice(_VILLAGE_GROUPS)) if rng.random() < 0.6 else rng.choice(_VILLAGE_PLACES)
            if attempt > 50:
                name += f"{attempt}组"
        elif not used and rng.random() < 0.5:
            name = c.short + rng.choice(("新村", "花园", "家园"))
        else:
            name = rng.choice(_ESTATE_PREFIXES) + rng.choice(_ESTATE_SUFFIXES)
            if attempt > 50:
                name += f"{attempt // 50}期"
        if name not in used:
            break
    used.add(name)
    address = f"{c.name}{name}" if c.rural else f"{rng.choice(roads)}{rng.randint(1, 300)}号"
    estate = Estate(community=community, grid=grid, name=name, address=address)
    ctx.estates.append(estate)
    return estate


def build_facilities(ctx: DemoContext) -> None:
    """DemoPart 25: one facility per community, spread around the P-FAC
    thresholds (40 m² per 100 households): most pass, some fall short."""
    rng = ctx.rng
    all_rooms = [code for code, _label in Facility.ROOMS]
    core_rooms = ["service_hall", "culture_sports", "deliberation", "library_archive", "rights_mediation"]
    facilities = []
    for i, community in enumerate(ctx.places_at(Level.COMMUNITY)):
        n = sum(len(ctx.occupied.get(g.code, ())) for g in ctx.children(community))  # one household per home
        # Every third community falls short of the area; one in five lacks core rooms.
        short = i % 3 == 1
        ratio = rng.uniform(0.22, 0.37) if short else rng.uniform(0.42, 0.75)
        area = Decimal(round(n * ratio, 1)).quantize(Decimal("0.1"))
        optional = [r for r in all_rooms if r not in core_rooms]
        rooms = core_rooms + rng.sample(optional, rng.randint(1, len(optional)))
        if i % 5 == 2:
            rooms = [r for r in rooms if r not in rng.sample(core_rooms, 2)]
        rooms = [r for r in all_rooms if r in rooms]
        facilities.append(Facility(
            community=community, service_area_m2=area,
            station_area_m2=(area * Decimal(rng.uniform(0.3, 0.45))).quantize(Decimal("0.1")),
            activity_area_m2=(area * Decimal(rng.uniform(0.3, 0.5))).quantize(Decimal("0.1")),
            rooms=rooms, publicity_boards=rng.randint(0, 6) if i % 7 == 3 else rng.randint(2, 8),
            disclosure_boards=0 if i % 7 == 3 else rng.randint(1, 4)))
    Facility.objects.bulk_create(facilities, batch_size=BATCH)
    ctx.summary.add(FACILITY_SUMMARY, facilities=len(facilities))
    ctx.say(f"服务设施: {len(facilities)}")


# -- an existing demo ------------------------------------------------------------------------

def count_existing(summary: DemoSummary, district: Place) -> None:
    places = Place.objects.filter(path__startswith=district.path)
    in_district = {"community__path__startswith": district.path}
    summary.add(SUMMARY,
                streets=places.filter(level=Level.STREET).count(),
                communities=places.filter(level=Level.COMMUNITY).count(),
                grids=places.filter(level=Level.GRID).count(),
                grid_staff=GridStaff.objects.filter(grid__path__startswith=district.path).count(),
                estates=Estate.objects.filter(**in_district).count(),
                buildings=Building.objects.filter(**in_district).count(),
                dwellings=Dwelling.objects.filter(**in_district).count())


def count_existing_facilities(summary: DemoSummary, district: Place) -> None:
    summary.add(FACILITY_SUMMARY,
                facilities=Facility.objects.filter(community__path__startswith=district.path).count())
