"""A synthetic but realistic demo territory: 宜兴市 (GB/T 2260 code 320282).

`build_demo()` writes streets and towns, urban and rural communities, grids
with staff, estates, buildings, dwellings, households, residents with valid
citizen ID numbers, care groups, organisations, facilities and one account per
role into the configured database. Everything comes from one seeded random
generator consumed in a fixed order, so every build is the same (apart from
encryption nonces and timestamps). A second build is refused politely: the
demo district already exists.

Speed: rows are made in memory and written with `bulk_create` in big batches
inside one transaction; residents and households go through simple-history's
`bulk_create_with_history`, so their pages show a creation entry. Sensitive
fields are encrypted with `people.services.protected_fields`, exactly as the
registry does for a single registration.

All people, names, ID numbers and phone numbers are invented. The streets,
towns and most community names are real places of 宜兴市; their codes follow
the GB/T 2260 / statistical-division pattern but are not the official ones.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.core import idcard
from gongzhi.core.pinyin import name_pinyin
from gongzhi.people.models import (
    BUILTIN_CARE_TAGS, CareTag, EventKind, Household, HouseholdStatus, Organisation, OrgKind, OrgRegistration, PersonStatus, Resident,
    ResidenceStatus, ResidentEvent,
)
from gongzhi.people.services import protected_fields
from gongzhi.workorders.models import WorkOrder
from gongzhi.places.models import (
    AreaKind, Building, CommunityType, Dwelling, Estate, Facility, GridKind, GridStaff, Level, Place, StaffRole,
)

SEED = 320282
# Ages, dates and care groups are computed as of this day (not "today"), so the
# data set is the same whenever it is built.
REFERENCE_DATE = dt.date(2026, 6, 30)
DEFAULT_PASSWORD = "gongzhi-demo"
PASSWORD_ENV = "GONGZHI_DEMO_PASSWORD"
ALREADY_EXISTS = "演示数据已存在"
HISTORY_REASON = "演示数据"
BATCH = 2000

DISTRICT_CODE = "320282"
DISTRICT_NAME = "宜兴市"
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


# -- the accounts -----------------------------------------------------------------

ACCOUNT_COMMUNITY = "320282001001"      # 东虹社区, 宜城街道
ACCOUNT_GRID = "320282001001001"        # 东虹社区第1网格
ACCOUNT_COMMUNITY2 = "320282003001"     # 南岳社区, 新街街道

# username, role, place code, display name, department
_ACCOUNTS = (
    ("admin", Role.ADMIN, DISTRICT_CODE, "周建明", ""),
    ("street", Role.STREET, "320282001", "蒋文华", ""),
    ("community", Role.COMMUNITY, ACCOUNT_COMMUNITY, "吴晓燕", ""),
    ("community2", Role.COMMUNITY, ACCOUNT_COMMUNITY2, "史俊峰", ""),
    ("grid", Role.GRID, ACCOUNT_GRID, "储丽萍", ""),
    ("department", Role.DEPARTMENT, DISTRICT_CODE, "潘志强", "市民政局"),
    ("resident", Role.RESIDENT, ACCOUNT_GRID, "", ""),     # named after the resident it is bound to
)
_PLACE_NAMES = {DISTRICT_CODE: DISTRICT_NAME, "320282001": "宜城街道", ACCOUNT_COMMUNITY: "东虹社区",
                ACCOUNT_COMMUNITY2: "南岳社区", ACCOUNT_GRID: "东虹社区第1网格"}

# (username, role label, place name): for the README, `gongzhi serve`, the command.
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    (username, role.label + (f"({dept})" if dept else ""), _PLACE_NAMES[place])
    for username, role, place, _name, dept in _ACCOUNTS
]


def demo_password() -> str:
    """The one password of every demo account — for the demo only."""
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


def accounts_table(password: str | None = None) -> list[str]:
    password = password or demo_password()
    return ["用户名  角色  位置  密码"] + [f"{u}  {role}  {place}  {password}" for u, role, place in DEMO_ACCOUNTS]


# -- names ---------------------------------------------------------------------------

# Frequency-weighted, with the surnames common around 宜兴 (储, 蒋, 史, 邵, 任...) weighted up.
_SURNAMES = (
    "王 9|张 8|陈 9|李 6|刘 5|吴 7|周 7|徐 6|蒋 6|储 5|史 4|杨 4|朱 4|潘 4|邵 4|任 3|胡 3|沈 3|钱 3|孙 3|"
    "黄 3|赵 3|许 3|路 2|万 2|尹 2|宗 2|陆 2|顾 2|唐 2|汤 2|高 2|郭 2|马 2|何 2|林 2|罗 1|郑 1|梁 1|谢 1|"
    "宋 1|韩 1|冯 1|曹 1|彭 1|曾 1|田 1|董 1|袁 1|于 1|蔡 1|余 1|杜 1|叶 1|程 1|苏 1|魏 1|吕 1|丁 1|姚 1|"
    "卢 1|姜 1|崔 1|谈 1|范 1|金 1|石 1|贾 1|夏 1|方 1|邹 1|孟 1|秦 1|江 1|薛 1|戴 1|毛 1|邱 1|华 1|承 1"
)
SURNAMES = [s.split()[0] for s in _SURNAMES.split("|")]
_SURNAME_CUM = []
for _w in (int(s.split()[1]) for s in _SURNAMES.split("|")):
    _SURNAME_CUM.append((_SURNAME_CUM[-1] if _SURNAME_CUM else 0) + _w)

# (first characters, second characters) of given names by sex and birth era.
_GIVEN = {
    ("M", 0): ("建国志永金根福德荣明文海正炳振锡寿春洪庆", "国华明林生荣良兴祥宝才元富泉忠发法坤清成"),
    ("F", 0): ("秀桂玉凤金兰招彩月美雪银素菊小琴", "英兰珍芳娣妹凤娟花琴仙宝梅贞芬"),
    ("M", 1): ("建卫伟志国海文晓红小新永俊立振", "军平华东明强伟勇峰斌涛刚林波忠荣辉"),
    ("F", 1): ("丽红晓海小雪秀春美玉静建亚燕", "萍芳华红燕娟霞敏丽玲琴英洁梅"),
    ("M", 2): ("俊浩子家志宇晨天嘉一文思明博", "杰伟磊涛鹏超宇浩豪峰辉轩飞斌阳凯晨"),
    ("F", 2): ("佳雨欣思婷晓梦雪诗静紫可心", "婷怡琪雯颖倩洁悦妍丹瑶彤琳蕾莹"),
    ("M", 3): ("子宇浩梓俊一沐皓奕睿明嘉锦承辰", "轩涵然睿泽宸航铭阳哲霖熙恒瑞宁"),
    ("F", 3): ("梓欣语一雨诗可思若紫芷依安沐", "涵怡萱桐诺琪彤妍然溪宁悦瑶汐晴"),
}
_SINGLE_CHAR_SHARE = (0.2, 0.35, 0.2, 0.05)


def _era(birth_year: int) -> int:
    return 0 if birth_year < 1960 else 1 if birth_year < 1985 else 2 if birth_year < 2005 else 3


# -- places people come from -------------------------------------------------------

LOCAL_REGION = DISTRICT_CODE
JIANGSU_REGIONS = ("320211", "320213", "320402", "320412", "320581", "320923", "321323", "320724", "321283")
OTHER_REGIONS = ("341222", "341221", "342422", "341126", "411324", "412726", "510722", "511321", "522426",
                 "362329", "430524", "433130", "450126", "532128")
MINORITIES = ("03", "08", "15", "06", "09", "11")
PHONE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "177",
                  "180", "181", "182", "187", "188", "189", "199")
MOVE_OUT_DESTINATIONS = ("无锡市梁溪区", "常州市武进区", "南京市江宁区", "苏州市工业园区", "上海市闵行区",
                         "杭州市余杭区", "宜兴市丁蜀镇", "宜兴市宜城街道", "溧阳市", "长兴县")

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
_PROPERTY_FIRMS = ("宜兴市阳光物业管理有限公司", "宜兴市东方物业服务有限公司", "江苏宜房物业管理有限公司",
                   "宜兴城投物业有限公司", "宜兴市紫砂物业有限公司", "宜兴市氿滨物业服务有限公司",
                   "宜兴市安居物业管理有限公司", "宜兴市荆溪物业服务有限公司")


# -- small helpers -------------------------------------------------------------------

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(rng: random.Random, prefix: str, region: str = DISTRICT_CODE) -> str:
    """A well-formed 统一社会信用代码 (GB 32100): registry+type prefix, region,
    9-character organisation code with its own check digit, check character."""
    body8 = "".join(str(rng.randrange(10)) for _ in range(8))
    c9 = 11 - sum(int(d) * w for d, w in zip(body8, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    org = body8 + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    first17 = prefix + region + org
    check = 31 - sum(_USCC_CHARS.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS)) % 31
    return first17 + _USCC_CHARS[0 if check == 31 else check]


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


@dataclass
class DemoSummary:
    created: bool = True
    streets: int = 0
    communities: int = 0
    grids: int = 0
    grid_staff: int = 0
    estates: int = 0
    buildings: int = 0
    dwellings: int = 0
    households: int = 0
    residents: int = 0
    active_residents: int = 0
    care_tag_links: int = 0
    events: int = 0
    organisations: int = 0
    facilities: int = 0
    accounts: int = 0
    work_orders: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        labels = {
            "streets": "街道/镇 streets", "communities": "社区/村 communities", "grids": "网格 grids",
            "grid_staff": "网格人员 grid staff", "estates": "小区/自然村 estates", "buildings": "楼栋 buildings",
            "dwellings": "房屋 dwellings", "households": "户 households", "residents": "居民 residents",
            "active_residents": "在册居民 active residents", "care_tag_links": "重点人群标签 care-group tags",
            "events": "居民事件 resident events", "organisations": "组织 organisations",
            "facilities": "服务设施 facilities", "accounts": "账号 accounts", "work_orders": "工单 work orders",
        }
        out = [f"  {getattr(self, name):>8,}  {label}" for name, label in labels.items()]
        out.append(f"  {self.seconds:>8.1f}  秒 seconds elapsed")
        return out


class _Out:
    def __init__(self, stdout):
        self.stdout = stdout
        self.t0 = time.monotonic()

    def __call__(self, msg: str) -> None:
        if self.stdout is not None:
            self.stdout.write(f"[{time.monotonic() - self.t0:5.1f}s] {msg}\n")


# -- the builder ------------------------------------------------------------------------

class _Builder:
    """Makes every row in memory, in a fixed order from one seeded generator."""

    def __init__(self, scale: float, say: _Out):
        self.rng = random.Random(SEED)
        self.scale = scale
        self.say = say
        self.used_ids: set[str] = set()
        self.tags = {t.code: t for t in CareTag.objects.all()}
        for sort, (code, name) in enumerate(BUILTIN_CARE_TAGS):     # normally seeded by migration people/0002
            if code not in self.tags:
                self.tags[code] = CareTag.objects.create(code=code, name=name, builtin=True, sort=sort)

    # -- people ------------------------------------------------------------------
    def surname(self) -> str:
        return self.rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]

    def given(self, sex: str, birth_year: int) -> str:
        era = _era(birth_year)
        first, second = _GIVEN[(sex, era)]
        if self.rng.random() < _SINGLE_CHAR_SHARE[era]:
            return self.rng.choice(second)
        a, b = self.rng.choice(first), self.rng.choice(second)
        return a + (b if b != a else self.rng.choice(second))

    def full_name(self, sex: str, birth_year: int, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(sex, birth_year)

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"

    def birth(self, age: int) -> dt.date:
        return REFERENCE_DATE - dt.timedelta(days=age * 365 + age // 4 + self.rng.randrange(365))

    def id_number(self, region: str, birth: dt.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(499) * 2 + (1 if sex == "M" else 2)
            number = idcard.make(region, birth, seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    # -- households ------------------------------------------------------------------
    _KINDS = ("single_elder", "single_adult", "elder_couple", "couple", "couple_kids", "couple_2kids",
              "three_gen", "grandparents", "single_parent", "married_son")
    _WEIGHTS = {
        ("urban", ResidenceStatus.REGISTERED): (9, 11, 15, 11, 26, 7, 9, 2, 5, 5),
        ("rural", ResidenceStatus.REGISTERED): (9, 7, 14, 7, 19, 9, 13, 9, 4, 9),
        ("urban", "incomer"): (0, 26, 0, 20, 34, 10, 0, 0, 10, 0),
        ("rural", "incomer"): (0, 30, 0, 20, 32, 8, 0, 0, 10, 0),
    }

    def compose(self, rural: bool, status: str) -> tuple[str, list[list]]:
        """One household: its kind and members as [relation, sex, age, surname]."""
        rng = self.rng
        weights = self._WEIGHTS[("rural" if rural else "urban",
                                 status if status == ResidenceStatus.REGISTERED else "incomer")]
        kind = rng.choices(self._KINDS, weights=weights)[0]
        members: list[list] = []
        fam = self.surname()

        def spouse_of(head_sex: str, head_age: int, lo=-5, hi=3) -> None:
            sex = "F" if head_sex == "M" else "M"
            rel = "10" if rng.random() < 0.3 else ("12" if sex == "F" else "11")
            age = head_age + (rng.randint(lo, hi) if sex == "F" else -rng.randint(lo, hi))
            members.append([rel, sex, max(20, age), self.surname()])

        def children(n: int, mother_age: int, father_surname: str, mother_surname: str, max_age: int = 35):
            ages = sorted((mother_age - rng.randint(22, 36) for _ in range(n)), reverse=True)
            ages = [a for a in ages if 0 <= a <= max_age]
            only = len(ages) == 1 and rng.random() < 0.5
            for i, age in enumerate(ages):
                sex = rng.choice("MF")
                if only:
                    rel = "21" if sex == "M" else "31"
                elif len(ages) > 1 and rng.random() < 0.6:
                    rel = ("22" if sex == "M" else "32") if i == 0 else ("23" if sex == "M" else "33")
                else:
                    rel = "20" if sex == "M" else "30"
                sur = father_surname if rng.random() < 0.9 else mother_surname
                members.append([rel, sex, age, sur])

        def head(lo: int, hi: int, male_share: float = 0.8) -> tuple[str, int]:
            sex = "M" if rng.random() < male_share else "F"
            age = rng.randint(lo, hi)
            members.append(["02", sex, age, fam])
            return sex, age

        def couple_with_kids(lo: int, hi: int, n: int) -> None:
            hs, ha = head(lo, hi)
            spouse_of(hs, ha)
            wife = members[0] if hs == "F" else members[1]
            husband = members[1] if hs == "F" else members[0]
            children(n, wife[2], husband[3], wife[3])

        if kind == "single_elder":
            head(65, 96, male_share=0.38)
        elif kind == "single_adult":
            head(20, 64, male_share=0.6)
        elif kind == "elder_couple":
            hs, ha = head(60, 90, male_share=0.85)
            spouse_of(hs, ha, lo=-6, hi=2)
        elif kind == "couple":
            hs, ha = head(23, 58)
            spouse_of(hs, ha)
        elif kind == "couple_kids":
            couple_with_kids(26, 58, 1)
        elif kind == "couple_2kids":
            couple_with_kids(30, 58, 2)
        elif kind == "three_gen":
            couple_with_kids(32, 58, 1 if rng.random() < 0.7 else 2)
            head_age = members[0][2]
            parents = [(rel, sex) for rel, sex in (("51", "M"), ("52", "F")) if rng.random() < 0.6] or [("52", "F")]
            for rel, sex in parents:
                age = min(98, head_age + rng.randint(24, 34))
                members.append([rel, sex, age, fam if sex == "M" else self.surname()])
        elif kind == "grandparents":
            hs, ha = head(55, 80, male_share=0.7)
            if rng.random() < 0.75:
                spouse_of(hs, ha, lo=-4, hi=2)
            for _ in range(1 if rng.random() < 0.6 else 2):
                sex = rng.choice("MF")
                outside = rng.random() < 0.2
                rel = ("43" if sex == "M" else "44") if outside else ("41" if sex == "M" else "42")
                members.append([rel, sex, rng.randint(2, 15), self.surname() if outside else fam])
        elif kind == "single_parent":
            hs, ha = head(28, 55, male_share=0.3)
            children(1, ha if hs == "F" else ha - rng.randint(0, 4), fam, fam, max_age=25)
        elif kind == "married_son":
            hs, ha = head(50, 72, male_share=0.85)
            spouse_of(hs, ha)
            son_age = rng.randint(max(22, ha - 35), max(23, ha - 24))
            members.append(["22" if rng.random() < 0.5 else "20", "M", son_age, fam])
            dil_age = max(21, son_age + rng.randint(-4, 2))
            members.append(["38", "F", dil_age, self.surname()])
            if rng.random() < 0.7:
                for _ in range(1 if rng.random() < 0.7 else 2):
                    age = dil_age - rng.randint(23, 33)
                    if age >= 0:
                        sex = rng.choice("MF")
                        members.append(["41" if sex == "M" else "42", sex, age, fam])
        return kind, members

    # -- the whole thing ------------------------------------------------------------------
    def build(self) -> DemoSummary:
        summary = DemoSummary()
        self.places()
        self.staff()
        self.homes()
        self.people()
        self.organisations()
        self.facilities()
        self.accounts()
        self.work_orders()
        self.standards()
        for name in ("streets", "communities", "grids", "grid_staff", "estates", "buildings", "dwellings",
                     "households", "residents", "organisations", "facilities", "accounts", "events",
                     "care_tag_links", "work_orders"):
            setattr(summary, name, len(getattr(self, name)))
        summary.active_residents = sum(1 for r in self.residents if r.status == PersonStatus.ACTIVE)
        return summary

    def places(self) -> None:
        say = self.say
        district = Place(level=Level.DISTRICT, code=DISTRICT_CODE, name=DISTRICT_NAME, path=f"/{DISTRICT_CODE}/",
                         boundary=_rect((_MAP_WEST, _MAP_NORTH - 3 * _BLOCK_H, _MAP_WEST + 3 * _BLOCK_W, _MAP_NORTH)))
        district.save()
        self.district = district
        self.streets, self.communities, self.grids = [], [], []
        self.community_spec: dict[str, tuple[StreetSpec, CommunitySpec]] = {}
        planned = plan_households(self.scale)
        for s in STREETS:
            code = street_code(s)
            box = _street_box(s)
            self.streets.append(Place(level=Level.STREET, code=code, name=s.name, parent=district, is_town=s.is_town,
                                      path=f"{district.path}{code}/", boundary=_rect(box)))
        Place.objects.bulk_create(self.streets, batch_size=BATCH)
        community_boxes = {}
        for s, street in zip(STREETS, self.streets):
            for c, box in zip(s.communities, _tile(_street_box(s), len(s.communities))):
                code = community_code(s, c)
                self.community_spec[code] = (s, c)
                community_boxes[code] = box
                self.communities.append(Place(
                    level=Level.COMMUNITY, code=code, name=c.name, parent=street, path=f"{street.path}{code}/",
                    area_kind=AreaKind.RURAL if c.rural else AreaKind.URBAN, community_type=c.community_type,
                    urban_rural_code=c.urban_rural_code, boundary=_rect(box)))
        Place.objects.bulk_create(self.communities, batch_size=BATCH)
        # Grids: comprehensive ones share the community's households; dedicated
        # ones (an institution or business cluster) come after them.
        self.grid_households: dict[int, int] = {}
        self.community_grids: dict[str, list[Place]] = {}
        for community in self.communities:
            _s, c = self.community_spec[community.code]
            n = grid_count(c)
            names = [f"{c.name}第{i}网格" for i in range(1, n + 1)] + list(c.dedicated)
            boxes = _tile(community_boxes[community.code], len(names))
            households = planned[community.code]
            grids = []
            for i, (name, box) in enumerate(zip(names, boxes), start=1):
                code = f"{community.code}{i:03d}"
                kind = GridKind.COMPREHENSIVE if i <= n else GridKind.DEDICATED
                grid = Place(level=Level.GRID, code=code, name=name, parent=community, path=f"{community.path}{code}/",
                             grid_kind=kind, boundary=_rect(box))
                grids.append(grid)
                self.grid_households[id(grid)] = 0
            # Spread the households about evenly (±8 %) over the comprehensive
            # grids, at least one each (plan_households guarantees enough).
            shares = [1 + self.rng.uniform(-0.08, 0.08) for _ in range(n)]
            total, extra = sum(shares), households - n
            counts = [1 + int(extra * w / total) for w in shares]
            counts[0] += households - sum(counts)
            for grid, k in zip(grids, counts):
                self.grid_households[id(grid)] = k
            self.community_grids[community.code] = grids
            self.grids += grids
        Place.objects.bulk_create(self.grids, batch_size=BATCH)
        say(f"区划: {len(self.streets)} 街道/镇, {len(self.communities)} 社区/村, {len(self.grids)} 网格")

    def staff(self) -> None:
        rng = self.rng
        comprehensive = [g for g in self.grids if g.grid_kind == GridKind.COMPREHENSIVE and g.code != ACCOUNT_GRID]
        # Deliberate gaps for the P-STAFF checks: 4 grids without a leader,
        # 3 without a full-time worker; one of them has nobody at all.
        no_leader = set(g.code for g in rng.sample(comprehensive, 4))
        rest = [g for g in comprehensive if g.code not in no_leader]
        empty = sorted(no_leader)[0]
        no_full_time = {empty} | set(g.code for g in rng.sample(rest, 2))
        self.grid_staff = []
        self.account_staff = None
        grid_worker_name = next(a[3] for a in _ACCOUNTS if a[0] == "grid")
        for grid in self.grids:
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
                row = GridStaff(grid=grid, name=self.full_name(sex, year), phone=self.phone(), role=role,
                                since=self.date_between(dt.date(2018, 1, 1), dt.date(2025, 12, 31)))
                if grid.code == ACCOUNT_GRID and role == StaffRole.FULL_TIME and self.account_staff is None:
                    row.name = grid_worker_name
                    self.account_staff = row
                self.grid_staff.append(row)
        GridStaff.objects.bulk_create(self.grid_staff, batch_size=BATCH)
        self.say(f"网格人员: {len(self.grid_staff)}")

    def homes(self) -> None:
        """Estates (小区 / 自然村), buildings and dwellings; one occupied dwelling
        per household, with some vacant ones."""
        rng = self.rng
        self.estates, self.buildings, self.dwellings = [], [], []
        self.occupied: dict[int, list[Dwelling]] = {}      # id(grid) -> dwellings for its households
        for community in self.communities:
            _street, c = self.community_spec[community.code]
            used_names: set[str] = set()
            roads = rng.sample(_ROADS, 3) + [f"{c.short}路"]
            next_building = 1
            for grid in self.community_grids[community.code]:
                left = self.grid_households[id(grid)]
                homes: list[Dwelling] = []
                while left > 0:
                    size = min(left, rng.randint(60, 160) if c.rural else rng.randint(180, 520))
                    if 0 < left - size < (40 if c.rural else 100):
                        size = left
                    left -= size
                    estate = self.new_estate(community, grid, c, used_names, roads)
                    if c.rural:
                        n_houses = max(size, round(size / rng.uniform(0.9, 0.97)))
                        estate_homes = []
                        for _ in range(n_houses):
                            b = Building(estate=estate, community=community, grid=grid, number=str(next_building),
                                         floors=rng.choice((2, 2, 3)))
                            self.buildings.append(b)
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
                            self.buildings.append(b)
                            for u in range(1, units + 1):
                                for f in range(1, floors + 1):
                                    for r in range(1, per_floor + 1):
                                        room = f"{f}{r:02d}"
                                        estate_homes.append(Dwelling(
                                            code=f"{community.code}-{next_building}-{u}-{room}", building=b,
                                            community=community, grid=grid, unit_no=str(u), room_no=room,
                                            address=f"{estate.name}{next_building}幢{u}单元{room}室"))
                            next_building += 1
                    self.dwellings += estate_homes
                    homes += [estate_homes[i] for i in sorted(rng.sample(range(len(estate_homes)), size))]
                self.occupied[id(grid)] = homes
        Estate.objects.bulk_create(self.estates, batch_size=BATCH)
        Building.objects.bulk_create(self.buildings, batch_size=BATCH)
        Dwelling.objects.bulk_create(self.dwellings, batch_size=BATCH)
        self.say(f"房屋: {len(self.estates)} 小区/自然村, {len(self.buildings)} 楼栋, {len(self.dwellings)} 房屋")

    def new_estate(self, community: Place, grid: Place, c: CommunitySpec, used: set[str], roads) -> Estate:
        rng = self.rng
        for attempt in range(200):
            if c.rural:
                name = (self.surname() + rng.choice(_VILLAGE_GROUPS)) if rng.random() < 0.6 else rng.choice(_VILLAGE_PLACES)
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
        self.estates.append(estate)
        return estate

    def people(self) -> None:
        rng = self.rng
        say = self.say
        self.households, self.residents = [], []
        tag_links: list[tuple[Resident, CareTag]] = []
        for community in self.communities:
            _street, c = self.community_spec[community.code]
            seq = 0
            for grid in self.community_grids[community.code]:
                for dwelling in self.occupied.get(id(grid), []):
                    seq += 1
                    hh = Household(number=f"{community.code}-{seq:06d}", community=community, grid=grid,
                                   dwelling=dwelling)
                    self.households.append(hh)
                    self.add_members(hh, c, tag_links)
        say(f"生成居民: {len(self.households)} 户, {len(self.residents)} 人")

        bulk_create_with_history(self.households, Household, batch_size=BATCH, default_change_reason=HISTORY_REASON)
        say("户已写入")
        bulk_create_with_history(self.residents, Resident, batch_size=BATCH, default_change_reason=HISTORY_REASON)
        say("居民已写入")

        Through = Resident.care_tags.through
        links = Through.objects.bulk_create([Through(resident_id=r.pk, caretag_id=t.pk) for r, t in tag_links],
                                            batch_size=BATCH)
        # The creation entry in each tagged resident's history names the tags too.
        HistoricalTags = apps.get_model("people", "HistoricalResident_care_tags")
        history_ids = dict(Resident.history.model.objects.filter(history_type="+").values_list("id", "history_id")
                           .iterator(chunk_size=BATCH)) if links else {}
        HistoricalTags.objects.bulk_create(
            [HistoricalTags(id=link.pk, history_id=history_ids[link.resident_id], resident_id=link.resident_id,
                            caretag_id=link.caretag_id) for link in links],
            batch_size=BATCH)
        self.care_tag_links = tag_links
        say(f"重点人群标签: {len(tag_links)}")

        # Registration events, then a few residents moved out or died since.
        self.events = [ResidentEvent(resident=r, kind=EventKind.REGISTERED, occurred_on=r.moved_in_on,
                                     detail={"household": r.household.number}) for r in self.residents]
        changed = []
        for r in self.residents:
            age = _age(r.birth_date)
            roll = rng.random()
            if age >= 70 and roll < (0.012 if age < 85 else 0.03):
                r.status = PersonStatus.DECEASED
                r.status_changed_on = self.date_between(max(r.moved_in_on, REFERENCE_DATE - dt.timedelta(days=540)),
                                                        REFERENCE_DATE - dt.timedelta(days=3))
                self.events.append(ResidentEvent(resident=r, kind=EventKind.DECEASED, occurred_on=r.status_changed_on))
            elif 18 <= age <= 45 and roll < 0.008:
                r.status = PersonStatus.MOVED_OUT
                r.status_changed_on = self.date_between(max(r.moved_in_on, REFERENCE_DATE - dt.timedelta(days=540)),
                                                        REFERENCE_DATE - dt.timedelta(days=3))
                self.events.append(ResidentEvent(resident=r, kind=EventKind.MOVED_OUT, occurred_on=r.status_changed_on,
                                                 detail={"destination": rng.choice(MOVE_OUT_DESTINATIONS)}))
            else:
                continue
            r.version += 1
            r.updated_at = timezone.now()
            r._change_reason = f"{HISTORY_REASON}:{r.get_status_display()}"
            changed.append(r)
        ResidentEvent.objects.bulk_create(self.events, batch_size=BATCH)
        bulk_update_with_history(changed, Resident, ["status", "status_changed_on", "version", "updated_at"],
                                 batch_size=BATCH)
        # A household whose every member has left or died is closed.
        active = {r.household_id for r in self.residents if r.status == PersonStatus.ACTIVE}
        closed = [h for h in self.households if h.pk not in active]
        for h in closed:
            h.status = HouseholdStatus.CLOSED
        bulk_update_with_history(closed, Household, ["status"], batch_size=BATCH)
        say(f"事件: {len(self.events)}; 迁出/死亡 {len(changed)} 人, 注销 {len(closed)} 户")

    def add_members(self, hh: Household, c: CommunitySpec, tag_links: list) -> None:
        rng = self.rng
        roll = rng.random()
        status = (ResidenceStatus.REGISTERED if roll < 0.74 else
                  ResidenceStatus.RESIDENT if roll < 0.89 else ResidenceStatus.FLOATING)
        kind, members = self.compose(c.rural, status)
        if status == ResidenceStatus.REGISTERED:
            region = LOCAL_REGION
            settled = self.date_between(dt.date(1985, 1, 1) if c.rural else dt.date(1995, 1, 1), dt.date(2024, 12, 31))
        elif status == ResidenceStatus.RESIDENT:
            region = rng.choice(JIANGSU_REGIONS) if rng.random() < 0.6 else rng.choice(OTHER_REGIONS)
            settled = self.date_between(dt.date(2006, 1, 1), dt.date(2024, 6, 30))
        else:
            region = rng.choice(OTHER_REGIONS) if rng.random() < 0.85 else rng.choice(JIANGSU_REGIONS)
            settled = self.date_between(dt.date(2016, 1, 1), REFERENCE_DATE - dt.timedelta(days=10))
        minority = rng.random() < (0.06 if status == ResidenceStatus.FLOATING else 0.01)
        minority_code = rng.choice(MINORITIES)
        low_income = status == ResidenceStatus.REGISTERED and rng.random() < 0.015
        all_old = all(m[2] >= 60 for m in members)
        left_behind = c.rural and kind == "grandparents"
        left_behind_elders = left_behind or (c.rural and kind == "elder_couple" and rng.random() < 0.35)
        left_behind_wife = c.rural and kind in ("couple_kids", "couple_2kids") and rng.random() < 0.12
        for rel, sex, age, surname in members:
            birth = self.birth(age)
            person_status, person_region = status, region
            if status == ResidenceStatus.REGISTERED and rel in ("10", "11", "12", "38") and rng.random() < 0.08:
                person_status = ResidenceStatus.RESIDENT      # married in, hukou still elsewhere
                person_region = rng.choice(JIANGSU_REGIONS + OTHER_REGIONS)
            number = self.id_number(person_region, birth, sex)
            has_phone = age >= 16 and rng.random() < (0.5 if age >= 80 else 0.93)
            phone = self.phone() if has_phone else ""
            party = age >= 18 and rng.random() < (0.11 if sex == "M" else 0.06) * (1.4 if age >= 60 else 1)
            name = self.full_name(sex, birth.year, surname)
            pinyin, initials = name_pinyin(name)
            r = Resident(
                name=name, name_pinyin=pinyin, name_initials=initials, birth_date=birth, sex=sex,
                ethnicity=minority_code if minority else "01", residence_status=person_status, household=hh,
                relation=rel, dwelling=hh.dwelling, community=hh.community, grid=hh.grid,
                moved_in_on=max(settled, birth), party_member=party,
                **protected_fields(id_number=number, phone=phone),
            )
            self.residents.append(r)
            codes = []
            if age >= 80:
                codes.append("very_old")
            if len(members) == 1 and age >= 60:
                codes.append("living_alone")
                if rng.random() < 0.04:
                    codes.append("extreme_poverty")
            elif all_old and age >= 60:
                codes.append("empty_nest")
            if left_behind and age < 16:
                codes.append("left_behind_child")
            if left_behind_elders and age >= 60:
                codes.append("left_behind_elder")
            if left_behind_wife and rel in ("10", "11", "12") and sex == "F" and age <= 50:
                codes.append("left_behind_woman")
            if rng.random() < (0.04 if age >= 60 else 0.012):
                codes.append("disabled")
            if low_income:
                codes.append("minimum_living")
            if sex == "M" and age >= 60 and rng.random() < 0.025:
                codes.append("special_care")
            tag_links += [(r, self.tags[code]) for code in codes if code in self.tags]

    def organisations(self) -> None:
        rng = self.rng
        self.organisations = []
        firms = {name: credit_code(rng, "91") for name in _PROPERTY_FIRMS}
        estates_by_community: dict[int, list[Estate]] = {}
        for e in self.estates:
            estates_by_community.setdefault(id(e.community), []).append(e)
        for community in self.communities:
            street_spec, c = self.community_spec[community.code]
            street_short = street_spec.name.removesuffix("街道").removesuffix("镇")
            unit = "村" if c.rural else "社区"
            social = [
                (f"{c.short}{unit}老年人协会", OrgRegistration.FILED),
                (f"{c.short}{unit}志愿服务队", OrgRegistration.FILED),
                (f"{c.short}{unit}文体协会", OrgRegistration.NONE),
                (f"宜兴市{c.short}社会工作服务中心", OrgRegistration.REGISTERED),
                (f"{c.short}{unit}红白理事会" if c.rural else f"{c.short}社区调解工作室", OrgRegistration.FILED),
            ]
            for name, reg in rng.sample(social, rng.randint(2, 4)):
                self.organisations.append(Organisation(
                    community=community, kind=OrgKind.SOCIAL_ORG, name=name, registration=reg,
                    credit_code=credit_code(rng, "52") if reg == OrgRegistration.REGISTERED else "",
                    contact_name=self.full_name(rng.choice("MF"), rng.randint(1950, 1990))))
            if c.rural:
                units = [(f"宜兴市{c.short}农机专业合作社", "93"), (f"宜兴市{street_short}{c.short}小学", "12"),
                         (f"宜兴市{c.short}紫砂工艺厂", "91"), (f"江苏{c.short}茶业有限公司", "91")]
            elif c.community_type == CommunityType.UNIT:
                units = [("宜兴陶瓷有限公司", "91"), ("宜兴陶瓷有限公司职工医院", "12"), ("宜兴市陶瓷行业协会", "51")]
            else:
                units = [(f"宜兴市{c.short}实验小学", "12"), (f"宜兴市{c.short}幼儿园", "12"),
                         (f"宜兴市{street_short}派出所{c.short}警务室", "11"),
                         (f"中国农业银行宜兴{c.short}支行", "91"), (f"宜兴市{c.short}农贸市场有限公司", "91")]
            for name, prefix in rng.sample(units, rng.randint(1, min(3, len(units)))):
                self.organisations.append(Organisation(
                    community=community, kind=OrgKind.RESIDENT_UNIT, name=name, registration=OrgRegistration.REGISTERED,
                    credit_code=credit_code(rng, prefix), contact_name=self.full_name(rng.choice("MF"), 1975)))
            if c.rural:
                continue
            for estate in estates_by_community.get(id(community), []):
                firm = rng.choice(_PROPERTY_FIRMS)
                self.organisations.append(Organisation(
                    community=community, kind=OrgKind.PROPERTY_FIRM, name=firm, estate=estate,
                    registration=OrgRegistration.REGISTERED, credit_code=firms[firm],
                    contact_name=self.full_name(rng.choice("MF"), rng.randint(1965, 1995))))
                if rng.random() < 0.5:
                    self.organisations.append(Organisation(
                        community=community, kind=OrgKind.OWNERS_COMMITTEE, name=f"{estate.name}业主委员会",
                        estate=estate, registration=OrgRegistration.FILED if rng.random() < 0.7 else OrgRegistration.NONE,
                        contact_name=self.full_name(rng.choice("MF"), rng.randint(1950, 1985))))
        bulk_create_with_history(self.organisations, Organisation, batch_size=BATCH,
                                 default_change_reason=HISTORY_REASON)
        self.say(f"组织: {len(self.organisations)}")

    def facilities(self) -> None:
        """One facility per community, spread around the P-FAC thresholds
        (40 m² per 100 households): most pass, some fall short."""
        rng = self.rng
        households = {}
        for h in self.households:
            households[h.community_id] = households.get(h.community_id, 0) + 1
        all_rooms = [code for code, _label in Facility.ROOMS]
        core_rooms = ["service_hall", "culture_sports", "deliberation", "library_archive", "rights_mediation"]
        self.facilities = []
        for i, community in enumerate(self.communities):
            n = households.get(community.pk, 0)
            # Every third community falls short of the area; one in five lacks core rooms.
            short = i % 3 == 1
            ratio = rng.uniform(0.22, 0.37) if short else rng.uniform(0.42, 0.75)
            area = Decimal(round(n * ratio, 1)).quantize(Decimal("0.1"))
            optional = [r for r in all_rooms if r not in core_rooms]
            rooms = core_rooms + rng.sample(optional, rng.randint(1, len(optional)))
            if i % 5 == 2:
                rooms = [r for r in rooms if r not in rng.sample(core_rooms, 2)]
            rooms = [r for r in all_rooms if r in rooms]
            self.facilities.append(Facility(
                community=community, service_area_m2=area,
                station_area_m2=(area * Decimal(rng.uniform(0.3, 0.45))).quantize(Decimal("0.1")),
                activity_area_m2=(area * Decimal(rng.uniform(0.3, 0.5))).quantize(Decimal("0.1")),
                rooms=rooms, publicity_boards=rng.randint(0, 6) if i % 7 == 3 else rng.randint(2, 8),
                disclosure_boards=0 if i % 7 == 3 else rng.randint(1, 4)))
        Facility.objects.bulk_create(self.facilities, batch_size=BATCH)
        self.say(f"服务设施: {len(self.facilities)}")

    def accounts(self) -> None:
        password = demo_password()
        places = {p.code: p for p in [self.district, *self.streets, *self.communities, *self.grids]}
        grid = places[ACCOUNT_GRID]
        # The resident account is bound to an adult head of household of the grid.
        candidates = [r for r in self.residents if r.grid is grid and r.relation == "02"
                      and r.status == PersonStatus.ACTIVE and 25 <= _age(r.birth_date) <= 60 and r.phone_enc]
        person = candidates[0] if candidates else next(r for r in self.residents if r.grid is grid)
        self.accounts = []
        for username, role, code, display_name, department in _ACCOUNTS:
            user = User.objects.create_user(username=username, password=password,
                                            display_name=display_name or person.name,
                                            resident=person if role == Role.RESIDENT else None)
            RoleAssignment.objects.create(user=user, role=role, place=places[code], department=department)
            if role == Role.GRID and self.account_staff is not None:
                self.account_staff.user = user
                self.account_staff.save(update_fields=["user"])
            self.accounts.append(user)
        self.say(f"账号: {len(self.accounts)}")


    def work_orders(self) -> None:
        """A year of work orders, run through the real engine (see workorders/demo.py)."""
        from gongzhi.workorders.demo import build_history

        rng = self.rng
        count = build_history(scale=self.scale,
                              name_maker=lambda: self.full_name(rng.choice("MF"), rng.randint(1950, 2000)))
        self.work_orders = range(count)  # len() is what the summary reads
        self.say(f"工单: {count}")


    def standards(self) -> None:
        """Community books, surveys and two years of assessments (see standards/demo.py)."""
        from gongzhi.standards.demo import build as build_books

        rng = self.rng
        made = build_books(name_maker=lambda: self.full_name(rng.choice("MF"), rng.randint(1960, 1995)))
        self.say(f"社区台账: {made['workers']} 名社区工作者, {made['meetings']} 次会议, {made['volunteers']} 名志愿者; "
                 f"问卷答卷 {made['responses']} 份; 评估 {made['runs']} 次")


def _age(birth: dt.date, on: dt.date = REFERENCE_DATE) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def demo_exists() -> bool:
    return Place.objects.filter(code=DISTRICT_CODE).exists()


def existing_summary() -> DemoSummary:
    prefix = f"/{DISTRICT_CODE}/"
    places = Place.objects.filter(path__startswith=prefix)
    residents = Resident.objects.filter(community__path__startswith=prefix)
    return DemoSummary(
        created=False,
        streets=places.filter(level=Level.STREET).count(),
        communities=places.filter(level=Level.COMMUNITY).count(),
        grids=places.filter(level=Level.GRID).count(),
        grid_staff=GridStaff.objects.filter(grid__path__startswith=prefix).count(),
        estates=Estate.objects.filter(community__path__startswith=prefix).count(),
        buildings=Building.objects.filter(community__path__startswith=prefix).count(),
        dwellings=Dwelling.objects.filter(community__path__startswith=prefix).count(),
        households=Household.objects.filter(community__path__startswith=prefix).count(),
        residents=residents.count(),
        active_residents=residents.filter(status=PersonStatus.ACTIVE).count(),
        care_tag_links=Resident.care_tags.through.objects.filter(resident__community__path__startswith=prefix).count(),
        events=ResidentEvent.objects.filter(resident__community__path__startswith=prefix).count(),
        organisations=Organisation.objects.filter(community__path__startswith=prefix).count(),
        facilities=Facility.objects.filter(community__path__startswith=prefix).count(),
        accounts=User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).count(),
        work_orders=WorkOrder.objects.filter(district__code=DISTRICT_CODE).count(),
    )


def build_demo(*, stdout=None, scale: float = 1.0) -> DemoSummary:
    """Build the demo into the configured database, or do nothing when the
    demo district is already there (`summary.created` is then False)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    t0 = time.monotonic()
    say = _Out(stdout)
    if demo_exists():
        summary = existing_summary()
    else:
        with transaction.atomic():
            summary = _Builder(scale, say).build()
    summary.seconds = time.monotonic() - t0
    return summary


