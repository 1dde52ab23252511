"""The demo district, 宜兴市 (GB/T 2260 code 320282), built by the modules.

Each module declares its part in its manifest (`DemoPart`); `build_demo()`
runs the parts in their declared order inside one transaction, handing each
the same `DemoContext`: one seeded random generator consumed in a fixed
order (so every build is the same, apart from encryption nonces and
timestamps), the name makers, the places and accounts made so far, and the
summary being filled. A second build is refused politely: the demo district
already exists, and `existing_summary()` counts what is there with the
counters the modules register under `extras["demo_counts"]` as
(part's build path, counter path) pairs, `counter(summary, district)`.

This module holds only what the parts share (the district, the reference
date, the demo accounts and their password, names and phone numbers) and
imports no feature app. All people, names and phone numbers are invented.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import models, transaction
from django.utils.module_loading import import_string

from gongzhi.accounts.models import Role, User
from gongzhi.core import modules, senders
from gongzhi.places.models import Dwelling, Estate, GridStaff, Place

SEED = 320282
# Ages, dates and care groups are computed as of this day (not "today"), so the
# data set is the same whenever it is built.
REFERENCE_DATE = dt.date(2026, 6, 30)
DEFAULT_PASSWORD = "gongzhi-demo"
PASSWORD_ENV = "GONGZHI_DEMO_PASSWORD"
ALREADY_EXISTS = "演示数据已存在"
HISTORY_REASON = "演示数据"
BATCH = 2000
COUNTERS = "demo_counts"  # the extras key of the existing-demo counters

DISTRICT_CODE = "320282"
DISTRICT_NAME = "宜兴市"


# -- the accounts -----------------------------------------------------------------

ACCOUNT_COMMUNITY = "320282001001"      # 东虹社区, 宜城街道
ACCOUNT_GRID = "320282001001001"        # 东虹社区第1网格
ACCOUNT_COMMUNITY2 = "320282003001"     # 南岳社区, 新街街道


class DemoAccount(NamedTuple):
    username: str
    role: str
    place: str          # code
    name: str           # display name; "" for the resident, named after the resident it is bound to
    department: str


ACCOUNTS = (
    DemoAccount("admin", Role.ADMIN, DISTRICT_CODE, "周建明", ""),
    DemoAccount("street", Role.STREET, "320282001", "蒋文华", ""),
    DemoAccount("community", Role.COMMUNITY, ACCOUNT_COMMUNITY, "吴晓燕", ""),
    DemoAccount("community2", Role.COMMUNITY, ACCOUNT_COMMUNITY2, "史俊峰", ""),
    DemoAccount("grid", Role.GRID, ACCOUNT_GRID, "储丽萍", ""),
    DemoAccount("department", Role.DEPARTMENT, DISTRICT_CODE, "潘志强", "市民政局"),
    DemoAccount("resident", Role.RESIDENT, ACCOUNT_GRID, "", ""),
    # more households of the same grid with their own resident accounts (people.demo binds each to its own household)
    DemoAccount("resident2", Role.RESIDENT, ACCOUNT_GRID, "", ""),
    DemoAccount("resident3", Role.RESIDENT, ACCOUNT_GRID, "", ""),
    # 三员分立: the auditor reads the audit trail only; the security administrator keeps the accounts' security
    DemoAccount("auditor", Role.AUDITOR, DISTRICT_CODE, "任静怡", ""),
    DemoAccount("security", Role.SECURITY, DISTRICT_CODE, "邵国平", ""),
    # a social worker of the organisation that serves 东虹社区 (the network, care and estates parts bind it)
    DemoAccount("provider", Role.PROVIDER, ACCOUNT_COMMUNITY, "许倩", "宜兴市东虹社会工作服务中心"),
    # a property firm's own account (estates binds it to the firm whose manager the district blacklisted)
    DemoAccount("wuye", Role.PROVIDER, "320282001", "华立新", "物业企业"),
)
_ACCOUNTS = ACCOUNTS  # the name tests/standards reads
_PLACE_NAMES = {DISTRICT_CODE: DISTRICT_NAME, "320282001": "宜城街道", ACCOUNT_COMMUNITY: "东虹社区",
                ACCOUNT_COMMUNITY2: "南岳社区", ACCOUNT_GRID: "东虹社区第1网格"}

# (username, role label, place name): for the README, `gongzhi serve`, the command.
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    (a.username, a.role.label + (f"({a.department})" if a.department else ""), _PLACE_NAMES[a.place])
    for a in ACCOUNTS
]


def demo_account(username: str) -> DemoAccount:
    return next(a for a in ACCOUNTS if a.username == username)


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

PHONE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "177",
                  "180", "181", "182", "187", "188", "189", "199")


def _era(birth_year: int) -> int:
    return 0 if birth_year < 1960 else 1 if birth_year < 1985 else 2 if birth_year < 2005 else 3


# -- what the parts share ----------------------------------------------------------------

@dataclass
class DemoSummary:
    """What the parts made (or, for an existing demo, found), in the order they said it."""
    created: bool = True
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def add(self, labels: dict[str, str], **counts: int) -> None:
        """Record counts, each shown under its label in `labels` (e.g. "households": "户 households")."""
        for key, n in counts.items():
            self.counts[key] = n
            self.labels[key] = labels[key]

    def __getattr__(self, name: str) -> int:  # summary.residents
        try:
            return self.__dict__["counts"][name]
        except KeyError:
            raise AttributeError(name) from None

    def lines(self) -> list[str]:
        out = [f"  {n:>8,}  {self.labels[key]}" for key, n in self.counts.items()]
        out.append(f"  {self.seconds:>8.1f}  秒 seconds elapsed")
        return out


class Progress:
    """Prints "[ 1.2s] message" lines to `stdout`, or nothing when it is None."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.t0 = time.monotonic()

    def __call__(self, msg: str) -> None:
        if self.stdout is not None:
            self.stdout.write(f"[{time.monotonic() - self.t0:5.1f}s] {msg}\n")


@dataclass
class DemoContext:
    """Handed to every part in turn: the one generator (each part consumes it in
    a fixed order, after the parts before it), the scale, the progress printer,
    the summary, the reference date, and the tables later parts look things up in."""
    rng: random.Random
    scale: float = 1.0
    say: Callable[[str], None] = lambda msg: None
    summary: DemoSummary = field(default_factory=DemoSummary)
    reference_date: dt.date = REFERENCE_DATE
    places: dict[str, Place] = field(default_factory=dict)  # code -> district, streets, communities, grids, as made
    occupied: dict[str, list[Dwelling]] = field(default_factory=dict)  # grid code -> dwellings awaiting a household
    estates: list[Estate] = field(default_factory=list)
    accounts: dict[str, User] = field(default_factory=dict)  # username -> demo account
    account_staff: dict[str, GridStaff] = field(default_factory=dict)  # username -> the grid-staff row it is
    account_residents: dict[str, models.Model] = field(default_factory=dict)  # username -> the resident it is
    handed: dict[str, dict] = field(default_factory=dict)  # what one part hands on to a later one, by name

    def places_at(self, level: str) -> list[Place]:
        return [p for p in self.places.values() if p.level == level]

    def children(self, place: Place) -> list[Place]:
        return [p for p in self.places.values() if p.parent_id == place.pk]

    # -- names and numbers ---------------------------------------------------------
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

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))


# -- the runner -------------------------------------------------------------------------

def demo_exists() -> bool:
    return Place.objects.filter(code=DISTRICT_CODE).exists()


def existing_summary() -> DemoSummary:
    """What the demo district holds, counted by each part's registered counter, in the parts' order."""
    district = Place.objects.get(code=DISTRICT_CODE)
    counters = dict(modules.extras(COUNTERS))
    summary = DemoSummary(created=False)
    for part in modules.demo_parts():
        if part.build in counters:
            import_string(counters[part.build])(summary, district)
    return summary


def _fresh_statistics() -> None:
    """PostgreSQL plans from table statistics that autovacuum refreshes a while after a bulk load;
    the demo's next part and first pages come sooner (a grid worker's desk took seconds on empty
    statistics). Inside the build's transaction ANALYZE counts the rows the transaction wrote."""
    from django.db import connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def build_demo(*, stdout=None, scale: float = 1.0) -> DemoSummary:
    """Build the demo into the configured database, or do nothing when the
    demo district is already there (`summary.created` is then False)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    t0 = time.monotonic()
    say = Progress(stdout)
    if demo_exists():
        summary = existing_summary()
    else:
        with transaction.atomic():
            # a year of history is not news: its notices fill inboxes only (else the queue worker would print
            # thousands of them when the demo serves, or a real gateway send them); what a part sends when
            # the transaction commits (the digests' one run, a relative's invitation) still leaves
            with senders.muted():
                ctx = DemoContext(rng=random.Random(SEED), scale=scale, say=say)
                for part in modules.demo_parts():
                    import_string(part.build)(ctx)
                    # each part bulk-loads tables the next parts query: without fresh statistics PostgreSQL
                    # plans them as empty (an estate's member check took 36 s a query in the test suite)
                    _fresh_statistics()
                summary = ctx.summary
    summary.seconds = time.monotonic() - t0
    return summary
