"""Issue 4's speed requirement: a full assessment of a synthetic city (2,000 communities,
10,000,000 residents) with every indicator of the Yixing pack, checked against a plain
per-community reference computation.

What is measured
  assess   the wall time of `assess.start` + `assess.run(run, pack)` for the district (all the
           city's communities) in a process with Django set up and the connection open (the clock
           covers the metric queries, the scoring and the bulk insert of Results/CommunityScores):
           a warm-up run, then `--runs` timed runs, each in its own process (so max RSS is per run).
           Per metric: the first `computer.get(metric)` call's time (timed by wrapping
           `compute._Computer.get` in the bench process; a metric that reads another one's cached
           values is charged only its own work), its statements and their `execute_s` (Django
           `execute_wrapper`; on SQLite rows are stepped through on fetch, so this is ≈ 0 there). `--pack all` assesses a pack built in memory with one indicator
           (`>= 0`) for EVERY metric of metrics.METRICS: the cost of a pack that names everything.
  check    the reference: one community at a time, the slow obvious way (a dozen simple ORM
           queries per community, counting and dividing in Python), for every metric of
           metrics.METRICS; compared with (1) the Results and CommunityScores stored by the latest
           finished run of the pack (value, passed, points, applicable count, score, grade) and
           (2) a fresh `compute.computer()` for every metric. Mismatches are printed; exit 1 if any.
  assess --as-of   today's run (2026, the registry as it stands) and the closed period's run (2025: the
           registry as it stood on 2025-12-31, from the history), each in its own process, interleaved
           (today, as-of, as-of, today, …) after a warm-up of each: median, min–max, ratio as-of / today.
  check --as-of    a plain replay of the history (every version of every record in order of record, the
           latest one dated before the end of the day kept, in Python) counted per community, for every
           figure read as of the day (asof.READERS, the ledgers' workers and volunteers, the ratios over
           them, the care elders and the circle figures over them); compared with a fresh `compute.computer(registry_as_of=…)`
           and the latest 2025 run's stored Results. `--day D` replays to another day (it must fail).
  snapshot the period-close snapshot of AS_OF_DAY (standards/closing.py), taken now, i.e. late: the figures read
           from a history, as `gongzhi registry_snapshot` keeps them; its wall time, figures kept and max RSS.
           `--again` drops the one already taken first. The closed period's runs after it read those figures.
  explain  every SQL statement of every metric the pack names: its time (run again, rows fetched) and
           PostgreSQL EXPLAIN (ANALYZE, BUFFERS) / SQLite EXPLAIN QUERY PLAN; to bench/out/city/.

The city (`load`, deterministic: --seed)
  One district (320200, so the default scope is the whole city), 100 streets (60 街道 with urban
  communities, 40 镇 with 5 urban + 15 rural communities each), 2,000 communities (1,400 urban,
  600 rural; 5 of them new and still empty), ≈ 4 M households (per community from ≈ 300 to
  ≈ 6,500, log-normal around 1,800) and exactly `--residents` residents, ≈ 14,000 grids, estates,
  facilities (≈ 6 % of communities have none; 85 % of streets have a centre), grid staff,
  organisations, committee/party members and full-time workers with certificates and trainings
  (2025 and 2026), meetings, disclosures, volunteers (1–15 % of residents), activities,
  elections (2021, 2024), satisfaction / security / property surveys (2025 crossing into 2026, and
  2026) with ≈ 1.5 M responses, ≈ 600,000 work orders (2025-01-01 … T0) with escalation rows.
  Every community draws its own rates so that every indicator both passes and fails somewhere.
  Left empty: dwellings/buildings, users, care tags and stations; residents' encrypted and
  hashed columns (id_number_hash NULL, pinyin blank). T0 = 2026-11-25 10:00 Asia/Shanghai.
  History (issue 16; the tables the as-of readers use: households, residents, organisations,
  workers, volunteers): a creation version ("+") of every row, dated when it was entered (created_at;
  任职 / 注册 dates), and for a share of rows later versions — residents who left or died (every one not
  active), 4 % who moved here from another community, party members who joined or left, certificates,
  promotions, workers and volunteers who left, organisations closed or filed, plain edits — dated after
  the row's creation, about half after 2025-12-31 (a few at 2025-12-31 23:59:59 and 2026-01-01 00:00:00
  local), and 0.1–3 % deleted rows ("-"). Written from a staging table by one INSERT … SELECT per history
  table, history ids in date order (ROW_NUMBER() OVER (ORDER BY history_date, id, seq)).
  Insert path: PostgreSQL COPY (session_replication_role=replica: no FK triggers), SQLite
  executemany in one transaction (foreign_keys/journal/synchronous OFF for the load only); plain
  indexes of the loaded tables dropped before and built again after; then PostgreSQL VACUUM
  ANALYZE (what autovacuum does), SQLite nothing (gongzhi never runs ANALYZE; `--analyze` does).

Run (PG_URL from `source scripts/lib/postgres.sh && pg_start`):

    python bench/assess_city.py load    --backend pg|sqlite [--communities 2000] [--residents 10000000]
    python bench/assess_city.py assess  --backend pg|sqlite [--runs 3] [--pack yixing-2019|all] [--as-of]
    python bench/assess_city.py check   --backend pg|sqlite [--sample N] [--run ID] [--as-of [--day D]]
    python bench/assess_city.py snapshot --backend pg|sqlite [--again]
    python bench/assess_city.py explain --backend pg|sqlite [--pack yixing-2019|all] [--metric NAME] [--as-of]

`--db NAME` picks another database (default bench_city; SQLite: bench/out/db/NAME.sqlite3).
Figures go to bench/out/results.jsonl (kinds city_load, city_assess, city_assess_asof, city_check,
city_check_asof, city_snapshot).
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

SRC = os.environ.get("BENCH_SRC", "")
DB = "bench_city"
SEED = 20261125
PACK = "yixing-2019"
PERIOD = 2026
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
OUT = common.OUT / "city"
GONGZHI = str(common.ROOT / ".venv" / "bin" / "gongzhi")
DISTRICT_CODE = "320200"
PER_STREET = 20


def env_for(url: str) -> dict:
    env = common.child_env(url)
    if SRC:
        env["PYTHONPATH"] = SRC + os.pathsep + env["PYTHONPATH"]
    return env


def setup_django() -> None:
    if SRC:
        sys.path.insert(0, SRC)
    common.django_setup()


def src_state() -> dict:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=str(common.ROOT), capture_output=True,
                          text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "status", "--short", "--", "src"], cwd=str(common.ROOT), capture_output=True,
                           text=True, check=False).stdout.split("\n")
    return {"gongzhi_src": SRC or "working tree", "head": head if not SRC else "n/a (snapshot)",
            "working_tree_src_changes": [ln.strip() for ln in dirty if ln.strip()] if not SRC else "n/a"}


def rss_now_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# =============================================================================================
# The plan: per street and community, everything the generators need (small; a few MB)
# =============================================================================================
WORDS = (  # noqa: SIM905
    "东城 西城 南湖 北塘 金山 银河 红星 青山 绿水 白云 黄埔 紫荆 长安 永和 新华 人民 解放 建设 和平 幸福 "
    "光明 朝阳 向阳 阳光 春晖 秋实 桃园 李园 梅村 兰亭 竹林 菊苑 松鹤 柳营 杨湾 枫桥 荷塘 芦荡 稻香 麦田 "
    "桑园 茶亭 丝路 锦绣 华庭 翠苑 碧波 清溪 双河 三里 五里 七星 九龙 十字 百花 千禧 万寿 天宁 太湖 滨湖 "
    "运河 梁溪 惠山 锡山 新吴 蠡园 鸿山 梅园 荣巷 河埒 扬名 广益 通江 江溪 旺庄 硕放 东亭 安镇 羊尖 鹅湖 "
    "东港 厚桥 洛社 前洲 玉祁 阳山 钱桥 胡埭 马山 雪浪 华庄 太湖湾 山水 文化 学府 科技 商贸 工业 港口").split()
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
            "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬建国志文斌辉鹏飞宇浩然欣怡子涵梓轩雨彤"
         "思远博涛嘉琪晨阳佳怡梦琪俊杰立新春梅海燕丽娟国庆淑珍桂英秀兰凤英德明振华永红")


def _name_pool(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        out.append(rng.choice(SURNAMES) + given)
    return out


def crng(seed: int, table: int, index: int) -> random.Random:
    """A generator per (table, community): every table can be generated alone, in any order."""
    return random.Random(seed * 1_000_003 + table * 10_007 + index)


def household_closed(hid: int) -> bool:
    return (hid * 2654435761) % 1000 < 20  # 2 % of households, decided by id (both passes agree)


def make_plan(n_communities: int, n_residents: int, seed: int) -> SimpleNamespace:
    rng = random.Random(seed)
    n_streets = math.ceil(n_communities / PER_STREET)
    n_towns = round(n_streets * 0.4)
    streets, communities = [], []
    left = n_communities
    empty_at = set() if n_communities < 10 else {n_communities * k // 6 for k in range(1, 6)}
    for s in range(n_streets):
        town = s >= n_streets - n_towns
        code = f"{DISTRICT_CODE}{s + 1:03d}"
        word = WORDS[s % len(WORDS)] + ("" if s < len(WORDS) else str(s // len(WORDS) + 1))
        street = SimpleNamespace(index=s, code=code, name=word + ("镇" if town else "街道"), town=town,
                                 has_centre=rng.random() < 0.85, centre_area=round(rng.uniform(800, 4200), 1))
        streets.append(street)
        n_here = min(PER_STREET, left)
        left -= n_here
        urban_n = round(n_here * 0.25) if town else n_here
        for k in range(n_here):
            i = len(communities)
            urban = k < urban_n
            number = k + 1 if urban else 200 + (k - urban_n)
            name = WORDS[(s * 7 + k * 3) % len(WORDS)] + WORDS[(s + k * 11) % len(WORDS)] + ("社区" if urban else "村")
            q = rng.random()  # the community's "quality": how well run it is
            empty = i in empty_at
            h_raw = 0.0 if empty else min(6500.0, max(300.0, rng.lognormvariate(math.log(1800 if urban else 1300), 0.5)))
            communities.append(SimpleNamespace(
                index=i, street=street, code=f"{code}{number:03d}", name=name, urban=urban, q=q, empty=empty,
                type=("unit" if rng.random() < 0.03 else ("market_town" if town and urban else "ordinary")),
                urban_rural=(rng.choice(["111", "112"]) if urban and not town else "121" if urban else
                             rng.choice(["210", "220", "220"])),
                h_raw=h_raw, ratio=rng.uniform(2.2, 2.9)))
    # residents: exactly n_residents in all, in proportion to h_raw × ratio
    raw = [c.h_raw * c.ratio for c in communities]
    total = sum(raw)
    for c, r in zip(communities, raw):
        c.r = int(r * n_residents / total) if total else 0
    short = n_residents - sum(c.r for c in communities)
    live = [c for c in communities if not c.empty]
    for j in range(short):
        live[j % len(live)].r += 1
    return SimpleNamespace(streets=streets, communities=communities, seed=seed, n_residents=n_residents)


def assign_ids(plan, first: dict) -> None:
    """Ids of places, households and residents (explicit, so every table can be generated alone)."""
    pid = first["place"]
    plan.district_id = pid
    pid += 1
    for s in plan.streets:
        s.id, pid = pid, pid + 1
    for c in plan.communities:
        c.id, pid = pid, pid + 1
    for c in plan.communities:
        rng = crng(plan.seed, 1, c.index)
        c.h = 0 if not c.r else min(c.r, max(1, round(c.r / c.ratio)))
        n_comp = max(1, round(c.h / rng.uniform(250, 500))) if c.h else 1
        n_ded = 1 if rng.random() < 0.1 else 0
        c.grid_ids = list(range(pid, pid + n_comp + n_ded))
        c.comp_grids = c.grid_ids[:n_comp]
        pid += n_comp + n_ded
    hid, rid = first["household"], first["resident"]
    for c in plan.communities:
        c.first_h, c.first_r = hid, rid
        hid += c.h
        rid += c.r
    plan.n_places = pid - first["place"]


# =============================================================================================
# Generators: one per table, each yields tuples in the column order of TABLES
# =============================================================================================
DAY = dt.timedelta(days=1)
EPOCH_LOCAL = dt.datetime(2025, 1, 1, tzinfo=SHANGHAI)


def utc_text(moment: dt.datetime) -> str:
    """Naive UTC text: what Django's SQLite backend stores; PostgreSQL reads it in a UTC session."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def utc_ts(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def day_in(rng: random.Random, year: int, last: dt.date | None = None) -> dt.date:
    start = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), last or dt.date(year, 12, 31))
    return start + DAY * rng.randrange((end - start).days + 1)


T0_DATE = T0.date()
T0_TEXT = utc_text(T0)
YEARS = (2025, 2026)


class Gen:
    def __init__(self, plan, first: dict, categories: list[tuple[int, str]]):
        self.plan, self.first, self.categories = plan, first, categories
        self.seed = plan.seed
        pool = random.Random(self.seed + 1)
        self.names = _name_pool(pool, 16384)
        self.tails = [f"{pool.randrange(10000):04d}" for _ in range(8192)]
        base = dt.date(1930, 1, 1).toordinal()
        self.births = [dt.date.fromordinal(base + pool.randrange(34000)).isoformat() for _ in range(32768)]
        self.created = [utc_text(T0 - dt.timedelta(days=pool.randrange(3650), seconds=pool.randrange(86400)))
                        for _ in range(4096)]
        self._orgs = None

    # -- territory -------------------------------------------------------------------------
    def places(self):
        p = self.plan
        d = p.district_id
        yield (d, "district", DISTRICT_CODE, "合成市(基准)", None, f"/{DISTRICT_CODE}/", False, "", "", "", "", "", None,
               None, T0_TEXT)
        for s in p.streets:
            yield (s.id, "street", s.code, s.name, d, f"/{DISTRICT_CODE}/{s.code}/", s.town, "", "", "", "", "", None,
                   None, T0_TEXT)
        for c in p.communities:
            s = c.street
            yield (c.id, "community", c.code, c.name, s.id, f"/{DISTRICT_CODE}/{s.code}/{c.code}/", False,
                   "urban" if c.urban else "rural", c.type, c.urban_rural, "", "", None, None, T0_TEXT)
        for c in p.communities:
            s = c.street
            for g, gid in enumerate(c.grid_ids, start=1):
                code = f"{c.code}{g:03d}"
                dedicated = gid not in c.comp_grids
                yield (gid, "grid", code, f"{c.name}第{g}网格" if not dedicated else f"{c.name}园区网格", c.id,
                       f"/{DISTRICT_CODE}/{s.code}/{c.code}/{code}/", False, "", "", "", "",
                       "dedicated" if dedicated else "comprehensive", None, None, T0_TEXT)

    def facilities(self):
        fid = self.first["facility"]
        rooms_all = ["service_hall", "culture_sports", "deliberation", "library_archive", "rights_mediation",
                     "police", "meeting", "family_planning", "clinic", "convenience_shop"]
        for c in self.plan.communities:
            rng = crng(self.seed, 2, c.index)
            if c.empty or rng.random() < 0.05:
                continue  # no facility row
            per100 = 40 * (0.45 + 0.9 * c.q) * rng.uniform(0.8, 1.2)
            area = round(max(c.h, 1) * per100 / 100, 1)
            station = round(area * rng.uniform(0.4, 0.8), 1) if rng.random() > 0.03 else 0.0
            activity = round(station * rng.uniform(0.2, 0.6), 1)
            rooms = [r for r in rooms_all if rng.random() < 0.35 + 0.6 * c.q]
            if rng.random() < (0.45 + 0.4 * c.q if c.urban else 0.25 + 0.4 * c.q):
                rooms.append("elderly_care")
            yield (fid, c.id, f"{area:.1f}", f"{station:.1f}", f"{activity:.1f}", json.dumps(rooms),
                   rng.randrange(7), rng.randrange(5), T0_TEXT)
            fid += 1
        for s in self.plan.streets:  # the street centre: a Facility row whose "community" is the street
            if s.has_centre:
                yield (fid, s.id, f"{s.centre_area:.1f}", "0.0", "0.0", "[]", 0, 0, T0_TEXT)
                fid += 1

    def estates(self):
        eid = self.first["estate"]
        for c in self.plan.communities:
            rng = crng(self.seed, 3, c.index)
            if c.empty or rng.random() < 0.05:
                continue
            n = max(1, round(max(c.h, 1) / rng.uniform(200, 600)))
            uncovered = 0 if rng.random() < 0.8 else rng.randint(1, min(2, n))
            for k in range(n):
                grid = None if k < uncovered else c.comp_grids[k % len(c.comp_grids)]
                name = WORDS[(c.index + k * 13) % len(WORDS)] + ("花园", "新村", "家园", "小区", "苑")[k % 5] + str(k + 1)
                yield (eid, c.id, grid, name, f"{c.street.name}{c.name}{name}")
                eid += 1

    def grid_staff(self):
        sid = self.first["gridstaff"]
        for c in self.plan.communities:
            rng = crng(self.seed, 4, c.index)
            full = rng.random() < 0.55 + 0.3 * c.q
            p = 1.0 if full else rng.uniform(0.5, 0.95)
            for gid in c.grid_ids:
                rows = []
                if rng.random() < p:
                    rows.append(("leader", True))
                elif rng.random() < 0.5:
                    rows.append(("leader", False))  # the leader left, not replaced yet
                if rng.random() < p:
                    rows += [("full_time", True)] * rng.randint(1, 2)
                rows += [("part_time", True)] * rng.randrange(4)
                for role, active in rows:
                    yield (sid, gid, None, self.names[rng.randrange(16384)], "", role, active,
                           day_in(rng, rng.choice((2019, 2021, 2023, 2025))).isoformat())
                    sid += 1

    # -- people ----------------------------------------------------------------------------
    def households(self):
        for c in self.plan.communities:
            for k in range(c.h):
                hid = c.first_h + k
                gid = c.comp_grids[k * len(c.comp_grids) // c.h]
                yield (hid, f"{c.code}{k:05d}", c.id, gid, None, "closed" if household_closed(hid) else "active",
                       self.created[hid & 4095])

    def residents(self):
        names, tails, births, created = self.names, self.tails, self.births, self.created
        # one 64-bit draw per resident: name 0-13, ID tail 14-26, birth 27-41, sex 42, residence 43-46,
        # party 47-56, status 57-63
        res_status = ["registered"] * 11 + ["resident"] * 3 + ["floating"] * 2
        relations = ["10", "10", "10", "20", "20", "30", "30", "22", "32", "28", "38", "50", "51", "60", "61", "70"]
        for c in self.plan.communities:
            if not c.r:
                continue
            rng = crng(self.seed, 5, c.index)
            party = int(1024 * rng.uniform(0.03, 0.11))
            h, grids, ng, cid = c.h, c.comp_grids, len(c.comp_grids), c.id
            rid, hid0 = c.first_r, c.first_h
            getbits, randrange = rng.getrandbits, rng.randrange
            for j in range(c.r):
                bits = getbits(64)
                if j < h:
                    k, rel = j, "02"
                else:
                    k = randrange(h)
                    rel = relations[(k + j) & 15]
                hid = hid0 + k
                st = bits >> 57
                status = ("moved_out" if household_closed(hid) else
                          "active" if st < 124 else "moved_out" if st < 126 else "deceased")
                t = created[(rid + j) & 4095]
                birth = (bits >> 27) & 32767
                yield (rid + j, names[bits & 16383], "", "", "", None, "", tails[(bits >> 14) & 8191],
                       births[birth] if birth else None, "M" if (bits >> 42) & 1 else "F",
                       "01", "", "", "", res_status[(bits >> 43) & 15], hid, rel, None, cid, grids[k * ng // h], None,
                       ((bits >> 47) & 1023) < party, status, None, 1, t, t)

    def _org_plan(self):
        """Organisation rows per community (small, kept: volunteers need the teams' ids)."""
        if self._orgs is None:
            oid = self.first["organisation"]
            rows, teams = [], {}
            for c in self.plan.communities:
                rng = crng(self.seed, 6, c.index)
                n_social = 0 if c.empty else round(c.r / 10000 * rng.uniform(2, 16))
                kinds = (["social_org"] * n_social + ["resident_unit"] * rng.randrange(5)
                         + ["property_firm"] * rng.randrange(3) + ["owners_committee"] * rng.randrange(3))
                for k, kind in enumerate(kinds):
                    team = kind == "social_org" and rng.random() < 0.35
                    active = rng.random() < 0.92
                    rows.append((oid, c.id, kind, f"{c.name}{('志愿服务队' if team else '社会组织')}{k + 1}",
                                 rng.choice(("registered", "filed", "none")), "", "", None, team, active))
                    if team:
                        teams.setdefault(c.id, []).append(oid)
                    oid += 1
            self._orgs = (rows, teams)
        return self._orgs

    def organisations(self):
        yield from self._org_plan()[0]

    # -- ledgers ---------------------------------------------------------------------------
    def _workers(self):
        """(worker rows, training rows): committee, party committee, full-time staff."""
        wid, tid = self.first["worker"], self.first["training"]
        workers, trainings = [], []
        for c in self.plan.communities:
            rng = crng(self.seed, 7, c.index)
            if c.empty:
                continue
            people = []  # [committee_post, party_post, full_time]
            if rng.random() > 0.04:
                people.append(["director", "", True])
            people += [["deputy", "", rng.random() < 0.8] for _ in range(rng.randint(1, 2))]
            people += [["member", "", rng.random() < 0.6] for _ in range(rng.randint(3, 5))]
            if rng.random() > 0.03:
                if people and people[0][0] == "director" and rng.random() < 0.6:
                    people[0][1] = "secretary"  # 一肩挑
                else:
                    people.append(["", "secretary", True])
            if rng.random() < 0.6:
                people.append(["", "deputy_secretary", rng.random() < 0.7])
            for p in people[1:]:
                if p[0] and not p[1] and rng.random() < 0.35 * c.q:
                    p[1] = "member"  # cross-holding
            people += [["", "member", rng.random() < 0.5] for _ in range(rng.randint(1, 3))]
            n_ft = 0 if rng.random() < 0.04 else round(c.h / rng.uniform(220, 600))
            people += [["", "", rng.random() < 0.93] for _ in range(n_ft)]
            p_cert = rng.uniform(0.1, 0.9)
            train_level = 0.4 + 1.6 * c.q
            for committee, party, full_time in people:
                left = rng.random() < 0.05
                cert = rng.choice(("assistant", "assistant", "social_worker", "senior")) if rng.random() < p_cert else ""
                since = day_in(rng, rng.choice((2015, 2018, 2021, 2021, 2024)))
                left_on = day_in(rng, 2026, T0_DATE).isoformat() if left else None
                workers.append((wid, "", None, c.id, self.names[rng.randrange(16384)], committee, party, full_time, cert,
                                since.isoformat(), left_on, 1))
                leader = committee == "director" or party == "secretary"
                if committee or party or rng.random() < 0.3:
                    for year in YEARS:
                        n = int(rng.random() * (4 if leader else 3) * train_level)
                        for _ in range(n):
                            trainings.append((tid, "", None, wid, c.id, day_in(rng, year, T0_DATE).isoformat(),
                                              str(rng.choice((0.5, 1, 1, 1.5, 2, 2, 3, 5))),
                                              "社区治理能力提升培训", "市民政局",
                                              "重复录入" if rng.random() < 0.03 else ""))
                            tid += 1
                wid += 1
        return workers, trainings

    def workers(self):
        yield from self._workers()[0]

    def trainings(self):
        yield from self._workers()[1]

    def meetings(self):
        mid = self.first["meeting"]
        for c in self.plan.communities:
            rng = crng(self.seed, 8, c.index)
            if c.empty:
                continue
            for year in YEARS:
                kinds = (["residents"] * rng.randrange(3) + ["representatives"] * rng.randrange(5)
                         + ["deliberation"] * int(rng.random() * 14 * (0.3 + c.q)) + ["hearing"] * rng.randrange(3)
                         + ["monthly"] * rng.randint(8, 12))
                for kind in kinds:
                    yield (mid, "", None, c.id, kind, day_in(rng, year, T0_DATE).isoformat(), f"{c.name}{kind}会议",
                           rng.randint(15, 120), "", "作废" if rng.random() < 0.02 else "")
                    mid += 1

    def disclosures(self):
        did = self.first["disclosure"]
        for c in self.plan.communities:
            rng = crng(self.seed, 9, c.index)
            if c.empty or rng.random() < 0.03:
                continue
            for year in YEARS:
                quarters = [q for q in range(1, 5) if rng.random() < 0.4 + 0.6 * c.q]
                for q in quarters:
                    first = dt.date(year, 3 * q - 2, 1)
                    last = min((dt.date(year, 3 * q, 28)), T0_DATE)
                    if first > T0_DATE:
                        continue
                    for _ in range(rng.randint(1, 4)):
                        day = first + DAY * rng.randrange((last - first).days + 1)
                        yield (did, "", None, c.id, rng.choice(("plan", "results", "finance", "major")), day.isoformat(),
                               f"{year}年第{q}季度居务公开", "", "作废" if rng.random() < 0.02 else "")
                        did += 1

    def volunteers(self):
        vid = self.first["volunteer"]
        teams = self._org_plan()[1]
        for c in self.plan.communities:
            rng = crng(self.seed, 10, c.index)
            if not c.r:
                continue
            k = int(c.r * rng.uniform(0.01, 0.15))
            mine = teams.get(c.id, [])
            for j in sorted(rng.sample(range(c.r), k)):
                team = mine[rng.randrange(len(mine))] if mine and rng.random() < 0.4 else None
                yield (vid, c.id, c.first_r + j, team, day_in(rng, rng.randint(2018, 2026), T0_DATE).isoformat(),
                       day_in(rng, 2026, T0_DATE).isoformat() if rng.random() < 0.06 else None)
                vid += 1

    def activities(self):
        aid = self.first["activity"]
        for c in self.plan.communities:
            rng = crng(self.seed, 11, c.index)
            if c.empty:
                continue
            for year in YEARS:
                for _ in range(int(rng.random() * 40 * (0.3 + c.q))):
                    yield (aid, "", None, c.id, rng.choice(("volunteer", "mutual_aid")), day_in(rng, year, T0_DATE).isoformat(),
                           "志愿服务活动", rng.randint(5, 80), f"{rng.uniform(1, 200):.1f}",
                           "作废" if rng.random() < 0.02 else "")
                    aid += 1

    def elections(self):
        eid = self.first["election"]
        methods = ["direct"] * 4 + ["household"] * 4 + ["representative"] * 2
        for c in self.plan.communities:
            rng = crng(self.seed, 12, c.index)
            if c.empty:
                continue
            for year, p in ((2021, 0.92), (2024, 0.85)):
                if rng.random() < p:
                    day = dt.date(year, rng.randint(3, 6), rng.randint(1, 28)).isoformat()
                    voters = int(c.r * 0.8)
                    yield (eid, "", None, c.id, day, rng.choice(methods), voters, int(voters * rng.uniform(0.6, 0.98)),
                           "程序瑕疵,已重新选举" if rng.random() < 0.03 else "")
                    eid += 1
                    if rng.random() < 0.01:  # a second election row the same day: the later id wins
                        yield (eid, "", None, c.id, day, rng.choice(methods), voters, voters // 2, "")
                        eid += 1

    # -- surveys ---------------------------------------------------------------------------
    SURVEYS = (  # (kind, year label, opens, closes, positive rate range)
        ("satisfaction", 2025, dt.date(2025, 12, 1), dt.date(2026, 1, 20), (0.65, 0.97)),
        ("security", 2025, dt.date(2025, 12, 1), dt.date(2026, 1, 20), (0.82, 1.0)),
        ("property", 2025, dt.date(2025, 12, 1), dt.date(2026, 1, 20), (0.55, 0.95)),
        ("satisfaction", 2026, dt.date(2026, 6, 1), dt.date(2026, 7, 15), (0.65, 0.97)),
        ("security", 2026, dt.date(2026, 6, 1), dt.date(2026, 7, 15), (0.82, 1.0)),
        ("property", 2026, dt.date(2026, 6, 1), dt.date(2026, 7, 15), (0.55, 0.95)),
    )
    KIND_TITLE: ClassVar[dict] = {"satisfaction": "居民满意度调查", "security": "群众安全感调查", "property": "物业服务满意度调查"}

    def surveys(self):
        questions = json.dumps(["您对社区服务总体是否满意?", "您对社区环境是否满意?", "您对社区工作人员是否满意?"],
                               ensure_ascii=False)
        for k, (kind, year, opens, closes, _) in enumerate(self.SURVEYS):
            yield (self.first["survey"] + k, f"{year}年{self.KIND_TITLE[kind]}", kind, self.plan.district_id,
                   questions, opens.isoformat(), closes.isoformat(), "closed" if closes < T0_DATE else "open", None,
                   utc_text(dt.datetime.combine(opens, dt.time(9), SHANGHAI)), 1)

    def survey_responses(self):
        rid = self.first["surveyresponse"]
        answers_pos = [json.dumps(a) for a in itertools.product((3, 4, 5), repeat=3)]
        answers_neg = [json.dumps(a) for a in itertools.product((1, 2), repeat=3)]
        for c in self.plan.communities:
            rng = crng(self.seed, 13, c.index)
            if not c.r:
                continue
            for k, (kind, _year, opens, closes, (lo, hi)) in enumerate(self.SURVEYS):
                if rng.random() < 0.04:
                    continue  # no response from this community
                n = min(c.r, int(rng.uniform(20, 150)))
                p_pos = rng.uniform(lo, hi)
                start = dt.datetime.combine(opens, dt.time(0), SHANGHAI).timestamp()
                span = (closes - opens).days * 86400 + 86399
                for j in rng.sample(range(c.r), n):
                    a = (answers_pos if rng.random() < p_pos else answers_neg)
                    text = a[rng.randrange(len(a))]
                    score = round(sum(json.loads(text)) / 3, 4)
                    yield (rid, self.first["survey"] + k, c.first_r + j, c.id, text, score, score >= 3,
                           utc_ts(start + rng.randrange(span)), None)
                    rid += 1

    # -- work orders -----------------------------------------------------------------------
    TITLES = ("楼道堆放杂物", "垃圾桶满溢未清运", "绿化带内建筑垃圾", "小区污水井冒水", "电梯经常停运", "地下车库照明损坏",
              "消防通道被占用", "电动车楼道内充电", "占道经营", "车辆乱停影响通行", "邻里噪音纠纷", "咨询医保报销",
              "老人助餐需求", "开具居住情况证明", "申请最低生活保障", "申领高龄津贴")
    CHANNELS = ("grid",) * 45 + ("web",) * 25 + ("open311",) * 15 + ("window",) * 10 + ("visit",) * 5
    OPEN = ("reported", "accepted", "dispatched", "handling", "replied", "verified")

    def _orders(self):
        """(order row, escalation row) pairs."""
        oid = self.first["workorder"]
        start, end = EPOCH_LOCAL.timestamp(), T0.timestamp()
        cats = self.categories
        for c in self.plan.communities:
            rng = crng(self.seed, 14, c.index)
            if not c.h:
                continue
            n = int(c.h * rng.uniform(0.06, 0.22))
            late_p = 0.35 - 0.3 * c.q
            good_p = 0.55 + 0.4 * c.q
            for _ in range(n):
                created = rng.uniform(start, end)
                age = end - created
                cat_id, kind = cats[rng.randrange(len(cats))]
                gid = c.comp_grids[rng.randrange(len(c.comp_grids))]
                if age > 30 * 86400:
                    x = rng.random()
                    state = "closed" if x < 0.88 else "declined" if x < 0.95 else "merged"
                else:
                    state = "closed" if rng.random() < 0.4 else self.OPEN[rng.randrange(6)]
                accepted = due = closed = replied = rating = resolved = step_due = None
                on_time = rng.random() < 0.9
                first_resp = created + rng.uniform(600, 36 * 3600)
                if state not in ("reported", "declined", "merged"):
                    accepted = first_resp
                    due = created + rng.uniform(5, 15) * 86400
                if state == "closed":
                    closed = min(end - 60, due + rng.uniform(1, 12) * 86400 if rng.random() < late_p
                                 else created + rng.uniform(0.3, 1) * (due - created))
                    replied = closed - rng.uniform(3600, 86400)
                    resolved = rng.random() < 0.9
                    if rng.random() < 0.6:
                        rating = rng.choice((4, 5)) if rng.random() < good_p else rng.choice((1, 2, 3))
                elif state in self.OPEN and due:
                    step_due = due
                ts = utc_ts
                overdue = bool(due and (closed or end) > due)
                next_at = ts(due) if state in self.OPEN and due and due > end else None
                yield ((oid, f"{rng.getrandbits(128):032x}", cat_id, kind, self.TITLES[rng.randrange(16)],
                        "居民反映情况属实,请尽快处理。", self.CHANNELS[rng.randrange(100)], self.plan.district_id,
                        c.street.id, c.id, gid, None, f"{c.street.name}{c.name}", None, None, None, "", "", "", "",
                        None, None, state, c.id if accepted else None, "", ts(step_due) if step_due else None,
                        ts(due) if due else None, 1 if rng.random() < 0.08 else 0, rating, "", resolved, None, None,
                        "{}", ts(created), ts(accepted) if accepted else None, ts(first_resp), on_time,
                        ts(replied) if replied else None, ts(closed) if closed else None, 1),
                       (oid, 0 if overdue is False else rng.randrange(2), overdue, next_at))
                oid += 1

    def workorders(self):
        for order, _esc in self._orders():
            yield order

    def escalations(self):
        for _order, esc in self._orders():
            yield esc


# =============================================================================================
# History (issue 16): the versions django-simple-history keeps of the registry rows the as-of readers use
# =============================================================================================
# Every row gets its creation version ("+", dated when it was entered); a share gets later versions
# ("~": moves between communities, deaths and leavings, party membership, certificates and posts,
# volunteers leaving, organisations closing or filing; plain edits that change nothing counted) and a few
# rows were deleted ("-", ids no longer in the table). A change is dated after the row's creation, about
# half of them after the closed period's end (AS_OF_DAY) and half before it, a few exactly at the day's
# last second and at the next day's first. history_id grows with history_date over the whole table, as on
# the platform (assigned by ROW_NUMBER() OVER (ORDER BY history_date, id, seq) in one INSERT … SELECT).
AS_OF_YEAR = 2025                       # the closed period the as-of runs assess
AS_OF_DAY = dt.date(AS_OF_YEAR, 12, 31)
END_TS = dt.datetime(AS_OF_YEAR + 1, 1, 1, tzinfo=SHANGHAI).timestamp()  # the end of AS_OF_DAY
T0_TS = T0.timestamp()
HMUL = 2246822519                        # k = id * HMUL % 1000 picks the rows that change (same in SQL)
# (model label, history reason of creation, how the creation versions are dated: a column of the table, or
# None when Python writes every version); households and residents take their creation from the table itself
HISTORY = [("people.Household", "created_at"), ("people.Resident", "created_at"), ("people.Organisation", None),
           ("ledgers.Worker", None), ("ledgers.Volunteer", None)]
LAST = 9  # seq of a row's latest version (seq only breaks ties between versions dated the same second)


def _frac(key: int, salt: int) -> float:
    return ((key * 2654435761 + salt * 40503 + 12345) * 2246822519 % 4294967296) / 4294967296.0


def change_ts(key: int, created: float, salt: int = 0) -> float:
    """When row `key`, created at `created`, changed: after the period's end about half the time, else
    between its creation and the end; 0.5 % at the end's first second, 0.5 % at the day's last."""
    u, v = _frac(key, salt), _frac(key, salt + 7)
    if u < 0.005 and created < END_TS:
        return END_TS
    if u < 0.010 and created < END_TS - 61:
        return END_TS - 1
    if u < 0.46 or created >= END_TS - 121:
        lo = max(created + 60, END_TS)
        return int(lo + v * (T0_TS - 60 - lo))
    return int(created + 60 + v * (END_TS - 121 - created))


def _local_ts(day, hour: int) -> float:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return dt.datetime.combine(day, dt.time(hour), SHANGHAI).timestamp()


_EPOCHS: dict = {}


def _epoch(v) -> float:
    """Seconds since the epoch of a stored moment: an aware datetime (PostgreSQL), a naive one (SQLite, through
    Django's converter: UTC) or its text."""
    if isinstance(v, dt.datetime):
        return (v if v.tzinfo else v.replace(tzinfo=UTC)).timestamp()
    e = _EPOCHS.get(v)
    if e is None:
        e = _EPOCHS[v] = dt.datetime.fromisoformat(v[:19]).replace(tzinfo=UTC).timestamp()
    return e


class Versions:
    """The versions of one model's changed rows (staging rows: the history columns, history_date,
    change reason, type, seq), from its current rows."""

    def __init__(self, gen: Gen, cols: list[str]):
        self.gen, self.cols, self.at = gen, cols, {c: i for i, c in enumerate(cols)}
        self.plan = gen.plan
        self.by_id = {c.id: c for c in gen.plan.communities}
        self.live = [c for c in gen.plan.communities if c.h]
        self.live_at = {c.id: i for i, c in enumerate(self.live)}
        self.stats: dict[str, int] = {}

    def _v(self, row, ts, kind, reason, seq, **changes):
        out = list(row)
        for k, v in changes.items():
            out[self.at[k]] = v
        self.stats[reason] = self.stats.get(reason, 0) + 1
        return (*out, utc_ts(ts), reason, kind, seq)

    # -- households: 2 % closed (a change to "closed"), 3 % edited, 0.1 % deleted ------------------------
    def close_ts(self, hid: int) -> float:
        return change_ts(hid, _epoch(self.gen.created[hid & 4095]), 3)

    def households(self, rows):
        at = self.at
        for row in rows:
            hid, created = row[at["id"]], _epoch(row[at["created_at"]])
            if row[at["status"]] != "active":
                yield self._v(row, created, "+", "导入", 0, status="active")
                yield self._v(row, self.close_ts(hid), "~", "注销", LAST)
            else:
                yield self._v(row, created, "+", "导入", 0)
                yield self._v(row, change_ts(hid, created, 1), "~", "修改", LAST)

    def deleted_households(self, first_id: int, n: int):
        for j in range(n):
            hid = first_id + j
            c = self.live[hid % len(self.live)]
            created = _epoch(self.gen.created[hid & 4095])
            row = [None] * len(self.cols)
            row[self.at["id"]], row[self.at["number"]] = hid, f"{c.code}D{j:05d}"
            row[self.at["status"]], row[self.at["created_at"]] = "active", utc_ts(created)
            row[self.at["community_id"]], row[self.at["grid_id"]] = c.id, c.comp_grids[0]
            yield self._v(row, created, "+", "导入", 0)
            yield self._v(row, change_ts(hid, created, 2), "-", "误登删除", LAST)

    # -- residents: every one not active left or died; 4 % moved here from another community; party
    #    members who joined, members who left; 5 % plain edits; 0.2 % deleted --------------------------------
    def residents(self, rows):
        at = self.at
        for row in rows:
            rid, created = row[at["id"]], _epoch(row[at["created_at"]])
            k = rid * HMUL % 1000
            status = row[at["status"]]
            if status != "active":
                hid = row[at["household_id"]]
                ts = max(self.close_ts(hid), created + 60) if household_closed(hid) else change_ts(rid, created)
                yield self._v(row, created, "+", "导入", 0, status="active", status_changed_on=None, version=1,
                              updated_at=utc_ts(created))
                yield self._v(row, ts, "~", "死亡" if status == "deceased" else "迁出", LAST, version=2,
                              updated_at=utc_ts(ts), status_changed_on=dt.datetime.fromtimestamp(ts, SHANGHAI)
                              .date().isoformat())
            elif k < 40:  # moved here from another community (some edited since)
                here = self.by_id[row[at["community_id"]]]
                c = self.live[(self.live_at[here.id] + 1 + k) % len(self.live)] if len(self.live) > 1 else here
                j = rid % c.h
                ts = change_ts(rid, created)
                yield self._v(row, created, "+", "导入", 0, community_id=c.id, household_id=c.first_h + j,
                              grid_id=c.comp_grids[j * len(c.comp_grids) // c.h], version=1, updated_at=utc_ts(created))
                if k < 10 and ts < T0_TS - 3600:
                    later = ts + 60 + _frac(rid, 5) * (T0_TS - 120 - ts)
                    yield self._v(row, ts, "~", "迁入", 1, version=2, updated_at=utc_ts(ts))
                    yield self._v(row, later, "~", "修改", LAST, version=3, updated_at=utc_ts(later))
                else:
                    yield self._v(row, ts, "~", "迁入", LAST, version=2, updated_at=utc_ts(ts))
            elif k < 60 and row[at["party_member"]] in (True, 1) or 60 <= k < 65 and row[at["party_member"]] in (False, 0):
                ts = change_ts(rid, created)
                yield self._v(row, created, "+", "导入", 0, party_member=not row[at["party_member"]], version=1,
                              updated_at=utc_ts(created))
                yield self._v(row, ts, "~", "党员变更", LAST, version=2, updated_at=utc_ts(ts))
            elif 100 <= k < 150:
                ts = change_ts(rid, created)
                yield self._v(row, created, "+", "导入", 0, version=1, updated_at=utc_ts(created))
                yield self._v(row, ts, "~", "修改", LAST, version=2, updated_at=utc_ts(ts))

    def deleted_residents(self, first_id: int, n: int):
        names = self.gen.names
        for j in range(n):
            rid = first_id + j
            c = self.live[rid % len(self.live)]
            k = rid % c.h
            created = _epoch(self.gen.created[rid & 4095])
            row = {"id": rid, "name": names[rid & 16383], "id_number_enc": "", "id_number_hash": None,
                   "id_number_masked": "", "id_tail": "", "birth_date": None, "sex": "F", "ethnicity": "01",
                   "phone_enc": "", "phone_hash": "", "phone_masked": "", "residence_status": "registered",
                   "relation": "10", "moved_in_on": None, "party_member": j % 9 == 0, "status": "active",
                   "status_changed_on": None, "version": 1, "created_at": utc_ts(created), "updated_at": utc_ts(created),
                   "household_id": c.first_h + k, "dwelling_id": None, "community_id": c.id,
                   "grid_id": c.comp_grids[k * len(c.comp_grids) // c.h]}
            row = [row[col] for col in self.cols]
            yield self._v(row, created, "+", "导入", 0)
            yield self._v(row, change_ts(rid, created, 2), "-", "误登删除", LAST)

    # -- organisations: all versions; closed ones were active, filed/registered ones were not at first --------
    def organisations(self, rows):
        at = self.at
        for row in rows:
            oid = row[at["id"]]
            created = _epoch(self.gen.created[(oid * 7) & 4095])
            k = oid * HMUL % 1000
            if row[at["active"]] in (False, 0):
                yield self._v(row, created, "+", "新增", 0, active=True)
                yield self._v(row, change_ts(oid, created), "~", "撤销", LAST)
            elif k < 150 and row[at["registration"]] != "none":
                yield self._v(row, created, "+", "新增", 0, registration="none")
                yield self._v(row, change_ts(oid, created), "~", "登记备案", LAST)
            elif k < 200 and row[at["volunteer_team"]] in (True, 1):
                yield self._v(row, created, "+", "新增", 0, volunteer_team=False)
                yield self._v(row, change_ts(oid, created), "~", "志愿队", LAST)
            else:
                yield self._v(row, created, "+", "新增", LAST)
            if k < 30:  # a deleted organisation of the same community
                gone = list(row)
                self.next_id += 1
                gone[at["id"]] = self.next_id
                gone[at["name"]] = f"{row[at['name']]}(已删)"
                yield self._v(gone, created, "+", "新增", 0, active=True)
                yield self._v(gone, change_ts(self.next_id, created, 2), "-", "删除", LAST, active=True)

    # -- workers: every version from the ledger's dates: took office, certificate, promoted, left -------------
    def workers(self, rows):
        at = self.at
        for row in rows:
            wid = row[at["id"]]
            since = _local_ts(row[at["since"]], 9) if row[at["since"]] else _epoch(self.gen.created[wid & 4095])
            k = wid * HMUL % 1000
            left = row[at["left_on"]]
            if left:
                yield self._v(row, since, "+", "任职", 0, left_on=None, version=1)
                yield self._v(row, max(_local_ts(left, 17), since + 60), "~", "离任", LAST, version=2)
            elif k < 250 and row[at["certificate"]]:
                yield self._v(row, since, "+", "任职", 0, certificate="", version=1)
                yield self._v(row, change_ts(wid, since), "~", "取得证书", LAST, version=2)
            elif k < 450 and row[at["committee_post"]] == "deputy":
                yield self._v(row, since, "+", "任职", 0, committee_post="member", version=1)
                yield self._v(row, change_ts(wid, since), "~", "职务变动", LAST, version=2)
            else:
                yield self._v(row, since, "+", "任职", LAST, version=1)

    # -- volunteers: registered, joined a team, left -------------------------------------------------------
    def volunteers(self, rows):
        at = self.at
        for row in rows:
            vid = row[at["id"]]
            since = _local_ts(row[at["registered_on"]], 9)
            if row[at["left_on"]]:
                yield self._v(row, since, "+", "注册", 0, left_on=None)
                yield self._v(row, max(_local_ts(row[at["left_on"]], 17), since + 60), "~", "退出", LAST)
            elif row[at["team_id"]] is not None and vid * HMUL % 1000 < 300:
                yield self._v(row, since, "+", "注册", 0, team_id=None)
                yield self._v(row, change_ts(vid, since), "~", "加入队伍", LAST)
            else:
                yield self._v(row, since, "+", "注册", LAST)


def history_columns(label: str) -> list[str]:
    from django.apps import apps
    return [f.column for f in apps.get_model(label).history.model._meta.concrete_fields
            if not f.column.startswith("history_")]


def history_table(label: str) -> str:
    from django.apps import apps
    return apps.get_model(label).history.model._meta.db_table


def _load_history(backend: str, cur, gen: Gen, counts: dict, per_table: dict) -> dict:
    """Write the history of the registry rows (see above): changed rows' versions to a staging table from
    Python, then one INSERT … SELECT per history table (creation versions of unchanged rows straight from
    the table), history ids in date order; the table's version/updated_at follow the latest version."""
    from django.apps import apps
    out = {}
    ph = "%s" if backend == "pg" else "?"
    for label, creation in HISTORY:
        t = time.perf_counter()
        model = apps.get_model(label)
        table, hist = model._meta.db_table, history_table(label)
        cols = history_columns(label)
        v = Versions(gen, cols)
        collist = ", ".join(cols)
        cur.execute("DROP TABLE IF EXISTS bench_stage")
        cur.execute(f"CREATE TABLE bench_stage AS SELECT {collist}, history_date, history_change_reason, history_type, "
                    f"0 AS seq FROM {hist} WHERE 1 = 0")
        name = label.split(".")[1].lower()
        where = {"household": f"status <> 'active' OR id * {HMUL} % 1000 < 30",
                 "resident": f"status <> 'active' OR id * {HMUL} % 1000 < 150"}.get(name, "1 = 1")
        cur.execute(f"SELECT max(id) FROM {table}")
        top = v.next_id = cur.fetchone()[0] or 0
        select = f"SELECT {collist} FROM {table} WHERE {where} ORDER BY id"
        staged_cols = [*cols, "history_date", "history_change_reason", "history_type", "seq"]
        insert = f"INSERT INTO bench_stage ({', '.join(staged_cols)}) VALUES ({', '.join([ph] * len(staged_cols))})"
        n_staged = 0

        def stage(versions):
            nonlocal n_staged
            if backend == "pg":
                with cur.copy(f"COPY bench_stage ({', '.join(staged_cols)}) FROM STDIN") as copy:
                    for row in versions:
                        copy.write_row(row)
                        n_staged += 1
            else:
                while batch := list(itertools.islice(versions, 50_000)):
                    cur.executemany(insert, batch)
                    n_staged += len(batch)

        # the changed rows, read in chunks (a server-side cursor on PostgreSQL: the COPY runs between fetches)
        rd = cur.connection.cursor(name="bench_hist") if backend == "pg" else cur.connection.cursor()
        rd.execute(select)
        method = getattr(v, name + "s")
        while chunk := rd.fetchmany(20_000):
            stage(method([tuple(r) for r in chunk]))
        rd.close()
        if name == "household":
            stage(v.deleted_households(top + 1, max(1, top // 1000)))
        elif name == "resident":
            stage(v.deleted_residents(top + 1, max(1, top // 500)))
        staged_s = time.perf_counter() - t
        creations = ""
        if creation:
            creations = (f"SELECT {collist}, {creation} AS history_date, '导入' AS history_change_reason, "
                         f"'+' AS history_type, 0 AS seq FROM {table} "
                         f"WHERE id NOT IN (SELECT id FROM bench_stage) UNION ALL ")
        cur.execute(f"INSERT INTO {hist} (history_id, {collist}, history_date, history_change_reason, history_type, "
                    f"history_user_id) SELECT ROW_NUMBER() OVER (ORDER BY history_date, id, seq), {collist}, "
                    f"history_date, history_change_reason, history_type, NULL FROM ({creations}"
                    f"SELECT {collist}, history_date, history_change_reason, history_type, seq FROM bench_stage) v")
        if "version" in cols:  # the table's row says what its latest version says
            sets = ", ".join(f"{c} = s.{c}" for c in ("version", "updated_at", "status_changed_on") if c in cols)
            cur.execute(f"UPDATE {table} SET {sets} FROM bench_stage AS s WHERE s.id = {table}.id AND s.seq = {LAST} "
                        "AND s.history_type <> '-'")
        cur.execute(f"SELECT count(*), count(DISTINCT id), sum(CASE WHEN history_date >= {ph} THEN 1 ELSE 0 END) "
                    f"FROM {hist}", [utc_ts(END_TS)])
        n, ids, after = cur.fetchone()
        cur.execute("DROP TABLE bench_stage")
        counts[hist] = n
        per_table[hist] = round(time.perf_counter() - t, 1)
        out[hist] = {"versions": n, "rows": ids, "changed_versions": n_staged, "after_period_end": after,
                     "kinds": v.stats, "stage_s": round(staged_s, 1), "s": per_table[hist]}
        print(f"{hist}: {n:,} versions of {ids:,} rows ({n_staged:,} staged, {after:,} after {AS_OF_DAY}) "
              f"{per_table[hist]} s", file=sys.stderr, flush=True)
    return out


# (table, model label, Gen method) in load order; the first-id key is the model name in lower case
TABLES = [
    ("places_place", "places.Place", "places"),
    ("places_facility", "places.Facility", "facilities"),
    ("places_estate", "places.Estate", "estates"),
    ("places_gridstaff", "places.GridStaff", "grid_staff"),
    ("people_household", "people.Household", "households"),
    ("people_resident", "people.Resident", "residents"),
    ("people_organisation", "people.Organisation", "organisations"),
    ("ledgers_worker", "ledgers.Worker", "workers"),
    ("ledgers_training", "ledgers.Training", "trainings"),
    ("ledgers_meeting", "ledgers.Meeting", "meetings"),
    ("ledgers_disclosure", "ledgers.Disclosure", "disclosures"),
    ("ledgers_volunteer", "ledgers.Volunteer", "volunteers"),
    ("ledgers_activity", "ledgers.Activity", "activities"),
    ("ledgers_election", "ledgers.Election", "elections"),
    ("standards_survey", "standards.Survey", "surveys"),
    ("standards_surveyresponse", "standards.SurveyResponse", "survey_responses"),
    ("workorders_workorder", "workorders.WorkOrder", "workorders"),
    ("workorders_escalation", "workorders.Escalation", "escalations"),
]


# =============================================================================================
# load
# =============================================================================================
def _columns(label: str) -> list[str]:
    from django.apps import apps
    return [f.column for f in apps.get_model(label)._meta.concrete_fields]


def _checked(rows, table: str, cols: list[str]):
    """The rows, after checking that the first one has one value per column of the model."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return iter(())
    if len(first) != len(cols):
        raise SystemExit(f"{table}: the generator gives {len(first)} values, the model has {len(cols)} columns "
                         f"({', '.join(cols)}): update Gen in bench/assess_city.py")
    return itertools.chain([first], rows)


def _load_child(backend: str, n_communities: int, n_residents: int, seed: int, analyze: bool) -> dict:
    setup_django()
    from django.db import connection

    from gongzhi.workorders.models import Category

    tables = [t for t, _, _ in TABLES] + [history_table(label) for label, _ in HISTORY]
    first = {}
    with connection.cursor() as c:
        for table, label, _ in TABLES:
            key = label.split(".")[1].lower()
            pk = "order_id" if table == "workorders_escalation" else "id"
            c.execute(f"SELECT count(*), coalesce(max({pk}), 0) FROM {table}")
            n, top = c.fetchone()
            if n:
                raise SystemExit(f"{table} is not empty ({n} rows): load needs a freshly migrated database")
            first[key] = top + 1
    categories = list(Category.objects.filter(active=True).order_by("id").values_list("id", "kind"))
    t_plan = time.perf_counter()
    plan = make_plan(n_communities, n_residents, seed)
    assign_ids(plan, first)
    gen = Gen(plan, first, categories)
    plan_s = time.perf_counter() - t_plan

    connection.ensure_connection()
    raw = connection.connection
    per_table, counts = {}, {}
    t0 = time.perf_counter()
    if backend == "pg":
        raw.autocommit = False
        cur = raw.cursor()
        cur.execute("SET session_replication_role = replica")  # no FK triggers during the load
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET work_mem = '512MB'")  # the history's ROW_NUMBER sort and NOT IN hash (load only)
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) "
                    "AND indexname NOT IN (SELECT conname FROM pg_constraint)", [tables])
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        for table, label, method in TABLES:
            t = time.perf_counter()
            cols = _columns(label)
            n = 0
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in _checked(getattr(gen, method)(), table, cols):
                    copy.write_row(row)
                    n += 1
            per_table[table], counts[table] = round(time.perf_counter() - t, 1), n
            print(f"{table}: {n:,} rows {per_table[table]} s", file=sys.stderr, flush=True)
        t = time.perf_counter()
        history = _load_history(backend, cur, gen, counts, per_table)
        history_s = time.perf_counter() - t
        t = time.perf_counter()
        for _, sql in indexes:
            cur.execute(sql)
        index_s = time.perf_counter() - t
        raw.commit()
        raw.autocommit = True
        for table, _, _ in TABLES:
            if table != "workorders_escalation":
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
        for label, _ in HISTORY:  # past the ids of deleted rows too, and the history's own ids
            hist = history_table(label)
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{hist}', 'history_id'), max(history_id)) FROM {hist}")
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{label.replace('.', '_').lower()}', 'id'), max(id)) "
                        f"FROM {hist}")
        load_s = time.perf_counter() - t0
        t = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        analyze_s = time.perf_counter() - t
    else:
        raw.isolation_level = None
        cur = raw.cursor()
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute("PRAGMA journal_mode=OFF")
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-1048576")
        cur.execute("BEGIN")
        indexes = cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
                              f"tbl_name IN ({', '.join('?' * len(tables))})", tables).fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        for table, label, method in TABLES:
            t = time.perf_counter()
            cols = _columns(label)
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            n = 0
            rows = _checked(getattr(gen, method)(), table, cols)
            while batch := list(itertools.islice(rows, 50_000)):
                cur.executemany(sql, batch)
                n += len(batch)
            per_table[table], counts[table] = round(time.perf_counter() - t, 1), n
            print(f"{table}: {n:,} rows {per_table[table]} s", file=sys.stderr, flush=True)
        t = time.perf_counter()
        history = _load_history(backend, cur, gen, counts, per_table)
        history_s = time.perf_counter() - t
        t = time.perf_counter()
        for _, sql in indexes:
            cur.execute(sql)
        index_s = time.perf_counter() - t
        cur.execute("COMMIT")
        load_s = time.perf_counter() - t0
        t = time.perf_counter()
        if analyze:
            cur.execute("ANALYZE")
        cur.execute("PRAGMA journal_mode=WAL")
        analyze_s = time.perf_counter() - t
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM people_resident WHERE status = 'active'")
        active = c.fetchone()[0]
        c.execute("SELECT count(*) FROM people_household WHERE status = 'active'")
        households = c.fetchone()[0]
    sizes = sorted(c.h for c in plan.communities)
    return {"kind": "city_load", **src_state(), "backend": backend, "communities": n_communities,
            "residents": n_residents, "active_residents": active, "active_households": households, "seed": seed,
            "plan_s": round(plan_s, 1), "load_s": round(load_s, 1), "index_s": round(index_s, 1),
            "history_s": round(history_s, 1), "history": history,
            "analyze_s": round(analyze_s, 1), "analyzed": backend == "pg" or analyze,
            "per_table_s": per_table, "rows": counts, "rows_total": sum(counts.values()),
            "households_per_community": {"min": sizes[0], "p10": sizes[len(sizes) // 10], "median": sizes[len(sizes) // 2],
                                         "p90": sizes[len(sizes) * 9 // 10], "max": sizes[-1],
                                         "under_1000": sum(1 for s in sizes if 0 < s < 1000),
                                         "over_3000": sum(1 for s in sizes if s > 3000),
                                         "empty": sum(1 for s in sizes if s == 0)},
            "max_rss_mb": round(common.maxrss_mb())}


def load(args) -> None:
    url = common.db_url(args.backend, args.db)
    common.drop_db(args.backend, args.db)
    if args.backend == "pg":
        common.psql(f"CREATE DATABASE \"{args.db}\" TEMPLATE template0 ENCODING 'UTF8'")
    t0 = time.perf_counter()
    subprocess.run([GONGZHI, "migrate", "--noinput", "-v", "0"], env=env_for(url), cwd=str(common.ROOT), check=True)
    migrate_s = time.perf_counter() - t0
    args_child = [__file__, "_load", args.backend, str(args.communities), str(args.residents), str(args.seed),
                  "1" if args.analyze else "0"]
    t1 = time.perf_counter()
    proc = subprocess.run([common.PYTHON, *args_child], env=env_for(url), cwd=str(common.ROOT),
                          stdout=subprocess.PIPE, text=True, check=False)
    result = _result_of(proc)
    result["process_wall_s"] = round(time.perf_counter() - t1, 1)
    result["migrate_s"] = round(migrate_s, 1)
    result["db"] = args.db
    if args.backend == "pg":
        result["db_mb"] = int(common.psql(f"SELECT pg_database_size('{args.db}') / 1048576"))
    else:
        result["db_mb"] = round(common.sqlite_path(args.db).stat().st_size / 2**20)
    common.record(result)


def _result_of(proc) -> dict:
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
        else:
            print(line)
    if proc.returncode != 0 or result is None:
        raise SystemExit(f"child failed ({proc.returncode})")
    return result


# =============================================================================================
# assess
# =============================================================================================
def all_metrics_pack():
    """A pack with one indicator (>= 0, weight 1) for every metric of metrics.METRICS."""
    from gongzhi.standards.metrics import METRICS
    from gongzhi.standards.packs import Pack

    everywhere = {"level": "community", "area": ["urban", "rural"], "streets": [], "not_streets": [],
                  "types": ["market_town", "ordinary", "unit"]}
    indicators = []
    for name, m in METRICS.items():
        where = dict(everywhere, level=m.level)
        indicators.append({"id": f"all-{name}", "rule": "P-BENCH-1", "title": m.title, "metric": name,
                           "min": None, "max": None, "op": ">=", "value": 0, "applies_to": where, "weight": 1,
                           "clause": ""})
    return Pack(id="bench-all-metrics", title="基准:全部指标数据", source={}, path=Path("bench-all-metrics.yaml"),
                indicators=indicators)


def load_pack(name: str):
    from gongzhi.standards import packs
    return all_metrics_pack() if name == "all" else packs.load(name)


class MetricTimer:
    """Wraps compute._Computer.get (in this process only) and the SQL: time per metric."""

    def __init__(self):
        from gongzhi.standards import compute
        self.compute = compute
        self.stack, self.metrics, self.sql = [], {}, []
        self._orig = compute._Computer.get
        timer = self

        def get(computer, name, window=None):
            w = tuple(window) if window else computer._window
            if (name, w) in computer._cache:
                return timer._orig(computer, name, window=window)
            name = name if not w else f"{name}@{w[0]}-{w[1]}"
            timer.stack.append(name)
            t = time.perf_counter()
            try:
                return timer._orig(computer, name.split("@")[0], window=window)
            finally:
                elapsed = time.perf_counter() - t
                timer.stack.pop()
                own = timer.metrics.setdefault(name, {"s": 0.0, "sql_s": 0.0, "queries": 0, "deps_s": 0.0})
                own["s"] += elapsed
                if timer.stack:
                    timer.metrics.setdefault(timer.stack[-1], {"s": 0.0, "sql_s": 0.0, "queries": 0,
                                                               "deps_s": 0.0})["deps_s"] += elapsed

        compute._Computer.get = get

    def wrapper(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - t
            who = self.stack[-1] if self.stack else "(engine)"
            self.sql.append((who, elapsed, sql, params))
            if self.stack:
                m = self.metrics[who] if who in self.metrics else self.metrics.setdefault(
                    who, {"s": 0.0, "sql_s": 0.0, "queries": 0, "deps_s": 0.0})
                m["sql_s"] += elapsed
                m["queries"] += 1

    def restore(self):
        self.compute._Computer.get = self._orig


def _assess_child(backend: str, pack_name: str, label: str, period: str = str(PERIOD)) -> dict:
    setup_django()
    from django.db import connection

    from gongzhi.standards import assess
    from gongzhi.standards.models import Result

    pack = load_pack(pack_name)
    scope = assess.scope_place(None)
    connection.ensure_connection()
    timer = MetricTimer()
    rss_before = rss_now_mb()
    marks = []
    with connection.execute_wrapper(timer.wrapper):
        t0 = time.perf_counter()
        run = assess.start(pack=pack, period=int(period), scope=scope)
        assess.run(run, pack, progress=lambda done, total, what: marks.append(time.perf_counter()))
        seconds = time.perf_counter() - t0
    metrics_s = sum(v["s"] - v["deps_s"] for v in timer.metrics.values())
    engine_sql = [(s, sql) for who, s, sql, _ in timer.sql if who == "(engine)"]
    insert_s = sum(s for s, sql in engine_sql if sql.lstrip().upper().startswith("INSERT"))
    per_metric = {k: {"s": round(v["s"] - v["deps_s"], 3), "incl_s": round(v["s"], 3), "execute_s": round(v["sql_s"], 3),
                      "queries": v["queries"]} for k, v in timer.metrics.items()}
    top = sorted(per_metric.items(), key=lambda kv: -kv[1]["s"])
    needed = {i["metric"] for i in pack.indicators} | {i.get("by") for i in pack.indicators if i.get("by")}
    return {"kind": "city_assess", **src_state(), "backend": backend, "label": label, "pack": pack.id,
            "period": run.period, "as_of": str(run.as_of), "registry": run.summary.get("registry"),
            "indicators": len(pack.indicators), "metrics_named": len(needed), "run_id": run.pk,
            "communities": run.summary.get("communities"), "results": Result.objects.filter(run=run).count(),
            "grades": run.summary.get("grades"), "seconds": round(seconds, 2),
            "engine_seconds": run.summary.get("seconds"), "metrics_s": round(metrics_s, 2),
            "insert_s": round(insert_s, 2), "rest_s": round(seconds - metrics_s - insert_s, 2),
            "sql_statements": len(timer.sql), "rss_before_mb": round(rss_before), "max_rss_mb": round(common.maxrss_mb()),
            "per_metric": dict(top)}


def _assess_one(args, url: str, label: str, period: int) -> dict:
    proc = subprocess.run([common.PYTHON, __file__, "_assess", args.backend, args.pack, label, str(period)],
                          env=env_for(url), cwd=str(common.ROOT), stdout=subprocess.PIPE, text=True, check=False)
    result = _result_of(proc)
    result["db"] = args.db
    return result


def assess_cmd(args) -> None:
    url = common.db_url(args.backend, args.db)
    if args.as_of:
        return assess_as_of(args, url)
    labels = (["warm-up"] if not args.no_warmup else []) + [f"run {i + 1}" for i in range(args.runs)]
    for label in labels:
        result = _assess_one(args, url, label, PERIOD)
        if label == "warm-up":
            print(json.dumps({k: result[k] for k in ("label", "seconds", "metrics_s", "max_rss_mb")}), flush=True)
            continue
        common.record(result)
        top = list(result["per_metric"].items())[:6]
        print(f"{args.backend} {result['pack']} {label}: {result['seconds']} s (metrics {result['metrics_s']} s, "
              f"insert {result['insert_s']} s), max RSS {result['max_rss_mb']} MB; top: "
              + ", ".join(f"{k} {v['s']}" for k, v in top), flush=True)


def _spread(xs: list[float]) -> dict:
    xs = sorted(xs)
    n = len(xs)
    median = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    return {"median": round(median, 3), "min": xs[0], "max": xs[-1], "n": n, "all": xs}


def assess_as_of(args, url: str) -> None:
    """Today's run (period PERIOD, the registry as it stands) and the closed period's run (AS_OF_YEAR: the
    registry as it stood on AS_OF_DAY, from the history), each in its own process, interleaved (today, as-of,
    as-of, today, …) after one warm-up of each; the median, min–max and ratio as-of / today."""
    modes = {"today": PERIOD, "as-of": AS_OF_YEAR}
    if not args.no_warmup:
        for mode, period in modes.items():
            r = _assess_one(args, url, f"warm-up {mode}", period)
            print(json.dumps({"label": r["label"], "seconds": r["seconds"], "registry": r["registry"]["history"]},
                             ensure_ascii=False), flush=True)
    got = {m: [] for m in modes}
    per_metric = {m: {} for m in modes}
    for i in range(args.runs):
        order = list(modes) if i % 2 == 0 else list(reversed(modes))
        for mode in order:
            r = _assess_one(args, url, f"{mode} {i + 1}", modes[mode])
            r["mode"] = mode
            common.record(r)
            got[mode].append(r["seconds"])
            for k, v in r["per_metric"].items():
                per_metric[mode].setdefault(k, []).append(v["s"])
            print(f"{args.backend} {r['pack']} {mode} {i + 1} (period {r['period']}, as of {r['as_of']}): "
                  f"{r['seconds']} s, metrics {r['metrics_s']} s", flush=True)
    spread = {m: _spread(xs) for m, xs in got.items()}
    ratio = round(spread["as-of"]["median"] / spread["today"]["median"], 2)
    top = sorted(per_metric["as-of"], key=lambda k: -_spread(per_metric["as-of"][k])["median"])[:8]
    summary = {"kind": "city_assess_asof", **src_state(), "backend": args.backend, "db": args.db, "pack": args.pack,
               "runs": args.runs, "today": spread["today"], "as_of": spread["as-of"], "ratio": ratio,
               "top_as_of": {k: {"as_of": _spread(per_metric["as-of"][k])["median"],
                                 "today": _spread(per_metric["today"][k])["median"] if k in per_metric["today"] else None}
                             for k in top}}
    common.record(summary)
    print(json.dumps(summary, ensure_ascii=False), flush=True)


# =============================================================================================
# check: the reference, one community at a time
# =============================================================================================
def _reference(c, year: int, as_of: dt.date) -> dict:
    """Every community metric of metrics.METRICS for one community, the slow obvious way."""
    from gongzhi.ledgers.models import (
        Activity,
        Disclosure,
        Election,
        Meeting,
        Training,
        Volunteer,
        Worker,
    )
    from gongzhi.people.models import Household, Organisation, Resident
    from gongzhi.places.models import Estate, Facility, GridStaff, Place
    from gongzhi.standards.models import SurveyResponse
    from gongzhi.workorders.models import WorkOrder

    def ratio(n, d, scale):
        return round(float(n) * scale / d, 2) if d else None

    def rate1(n, d):
        return round(100.0 * n / d, 1) if d else None

    v = {}
    households = Household.objects.filter(community=c, status="active").count()
    residents = Resident.objects.filter(community=c, status="active").count()
    v["households"], v["residents"] = households, residents
    v["party_members"] = Resident.objects.filter(community=c, status="active", party_member=True).count()

    f = Facility.objects.filter(community=c).first()
    rooms = set(f.rooms or []) if f else set()
    v["facility_area"] = float(f.service_area_m2) if f else 0
    v["station_area"] = float(f.station_area_m2) if f else 0
    v["activity_area_share"] = ((round(100.0 * float(f.activity_area_m2) / float(f.station_area_m2), 2)
                                 if f.station_area_m2 else None) if f else 0)
    v["rooms_one_hall_five"] = len(rooms & {"service_hall", "culture_sports", "deliberation", "library_archive",
                                            "rights_mediation", "police"}) if f else 0
    v["rooms_eight"] = len(rooms & {"service_hall", "meeting", "culture_sports", "library_archive", "family_planning",
                                    "police", "clinic", "convenience_shop"}) if f else 0
    v["home_care_station"] = (100.0 if "elderly_care" in rooms else 0.0) if f else 0
    v["publicity_boards"] = f.publicity_boards if f else 0
    v["disclosure_boards"] = f.disclosure_boards if f else 0
    v["facility_area_per_100_households"] = ratio(v["facility_area"], households, 100)

    workers = list(Worker.objects.filter(community=c, left_on__isnull=True))
    committee = [w for w in workers if w.committee_post]
    party = [w for w in workers if w.party_post]
    full_time = [w for w in workers if w.full_time]
    certified = [w for w in workers if w.certificate]
    v["committee_members"] = len(committee)
    v["full_time_staff"] = sum(1 for w in workers if w.full_time and not w.committee_post and not w.party_post)
    v["party_committee_members"] = len(party)
    v["committee_full_time_share"] = ratio(sum(1 for w in committee if w.full_time), len(committee), 100)
    v["households_per_committee_member"] = ratio(households, len(committee), 1)
    v["households_per_full_time_worker"] = ratio(households, len(full_time), 1)
    v["certified_social_workers_per_10k"] = ratio(len(certified), residents, 10_000)
    v["certified_worker_share"] = ratio(len(certified), len(workers), 100)
    v["cross_holding_share"] = ratio(sum(1 for w in party if w.committee_post), len(party), 100)
    days, count = {}, {}
    for wid, d in Training.objects.filter(worker__in=[w.id for w in workers], voided="",
                                          held_on__gte=dt.date(year, 1, 1), held_on__lte=dt.date(year, 12, 31)
                                          ).values_list("worker_id", "days"):
        days[wid] = days.get(wid, 0) + d
        count[wid] = count.get(wid, 0) + 1
    leaders = [w for w in workers if w.committee_post == "director" or w.party_post == "secretary"]
    others = [w for w in workers if w not in leaders and (w.committee_post or w.party_post)]
    v["leader_training_days"] = min((float(days.get(w.id, 0)) for w in leaders), default=0)
    v["member_training_days"] = min((float(days.get(w.id, 0)) for w in others), default=0)
    v["leader_trainings"] = min((float(count.get(w.id, 0)) for w in leaders), default=0)
    v["member_trainings"] = min((float(count.get(w.id, 0)) for w in others), default=0)
    # the names these two have had since the metrics were split by post (director / other committee members)
    directors = [w for w in workers if w.committee_post == "director"]
    members = [w for w in workers if w.committee_post and w.committee_post != "director"]
    v["director_trainings"] = min((float(count.get(w.id, 0)) for w in directors), default=0)
    v["committee_member_trainings"] = min((float(count.get(w.id, 0)) for w in members), default=0)

    grids = list(Place.objects.filter(parent=c, level="grid"))
    estates = list(Estate.objects.filter(community=c))
    v["grid_coverage"] = (round(100.0 * sum(1 for e in estates if e.grid_id) / len(estates), 2) if estates
                          else (100.0 if grids else 0.0))
    staff = list(GridStaff.objects.filter(grid__in=grids, active=True).values_list("grid_id", "role"))
    staffed = [g for g in grids if (g.id, "leader") in staff and (g.id, "full_time") in staff]
    v["grids_staffed_share"] = round(100.0 * len(staffed) / len(grids), 2) if grids else 0

    orgs = [o for o in Organisation.objects.filter(community=c) if o.kind == "social_org" and o.active]
    v["social_orgs"] = len(orgs)
    v["social_orgs_per_10k"] = ratio(len(orgs), residents, 10_000)
    v["volunteer_orgs"] = sum(1 for o in orgs if o.volunteer_team)
    volunteers = Volunteer.objects.filter(community=c, left_on__isnull=True, resident__status="active").count()
    v["registered_volunteers"] = volunteers
    v["volunteer_registration_rate"] = ratio(volunteers, residents, 100)
    in_year = {"held_on__gte": dt.date(year, 1, 1), "held_on__lte": dt.date(year, 12, 31)}
    v["volunteer_activities_per_year"] = Activity.objects.filter(community=c, voided="", **in_year).count()
    kinds = [m.kind for m in Meeting.objects.filter(community=c, voided="", **in_year)]
    v["residents_meetings_per_year"] = sum(1 for k in kinds if k in ("residents", "representatives"))
    v["deliberation_meetings_per_year"] = kinds.count("deliberation")
    published = [d.published_on for d in Disclosure.objects.filter(community=c, voided="")]
    v["disclosure_quarters"] = len({(p.month - 1) // 3 for p in published if p.year == year})
    latest = max((p for p in published if p <= as_of), default=None)
    v["disclosure_age_days"] = float((as_of - latest).days) if latest else None
    elections = [e for e in Election.objects.filter(community=c, voided="") if e.held_on <= as_of]
    last = max(elections, key=lambda e: (e.held_on, e.id), default=None)
    v["committee_directly_elected"] = None if last is None else (100.0 if last.method == "direct" else 0.0)

    t0 = dt.datetime(year, 1, 1, tzinfo=SHANGHAI)
    t1 = dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    due = closed = on_time = rated = satisfied = 0
    for created, due_at, closed_at, state, rating in WorkOrder.objects.filter(community=c).values_list(
            "created_at", "due_at", "closed_at", "state", "rating"):
        in_period = t0 <= created < t1
        is_due = bool((due_at and t0 <= due_at < t1) or (closed_at and t0 <= closed_at < t1 and state == "closed"))
        if is_due:
            due += 1
            if state == "closed":
                closed += 1
                on_time += bool(closed_at and due_at and closed_at <= due_at)
        if in_period and rating is not None:
            rated += 1
            satisfied += rating >= 4
    v["work_order_closure_rate"] = rate1(closed, due)
    v["work_order_on_time_rate"] = rate1(on_time, due)
    v["work_order_satisfaction_rate"] = rate1(satisfied, rated)

    answers = {}
    for kind, positive in SurveyResponse.objects.filter(community=c, submitted_at__gte=t0, submitted_at__lt=t1) \
            .values_list("survey__kind", "positive"):
        answers.setdefault(kind, []).append(positive)
    for metric, kind in (("satisfaction_rate", "satisfaction"), ("sense_of_security_rate", "security"),
                         ("property_satisfaction_rate", "property")):
        got = answers.get(kind, [])
        v[metric] = round(100.0 * sum(got) / len(got), 2) if got else None
    return v


def _street_reference(street) -> dict:
    from gongzhi.places.models import Facility
    f = Facility.objects.filter(community=street).first()
    return {"street_centre_area": float(f.service_area_m2) if f else None}


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def _ref_applies(where: dict, c) -> bool:
    return ((c.area_kind or "urban") in where["area"] and (c.community_type or "ordinary") in where["types"]
            and (not where["streets"] or c.parent.name in where["streets"])
            and not (where["not_streets"] and c.parent.name in where["not_streets"]))


def _ref_compare(ind: dict, value, by_value) -> bool:
    cmp = ind
    if ind["op"] == "tiers":
        cmp = next((b for b in ind["bands"] if by_value is not None and b["from"] <= by_value
                    and (b["to"] is None or by_value < b["to"])), None)
        if cmp is None:
            return False
    if value is None:
        return False
    op = cmp["op"]
    if op == "between":
        return cmp["min"] <= value <= cmp["max"]
    return {">=": value >= cmp["value"], "<=": value <= cmp["value"], ">": value > cmp["value"],
            "<": value < cmp["value"], "==": value == cmp["value"]}[op]


def _check_child(backend: str, pack_name: str, sample: int, run_id: int) -> dict:
    setup_django()
    from gongzhi.places.models import Place
    from gongzhi.standards import compute
    from gongzhi.standards.metrics import METRICS
    from gongzhi.standards.models import (
        AssessmentRun,
        CommunityScore,
        Result,
        RunStatus,
    )

    pack = load_pack(pack_name)
    runs = AssessmentRun.objects.filter(pack_id=pack.id, status=RunStatus.DONE)
    run = runs.get(pk=run_id) if run_id else runs.order_by("-finished_at", "-id").first()
    if run is None:
        raise SystemExit(f"no finished run of {pack.id}: run `assess` first")
    year, as_of = run.period, run.as_of
    communities = list(Place.objects.filter(path__startswith=run.scope.path, level="community")
                       .select_related("parent").order_by("code"))
    checked = communities if not sample or sample >= len(communities) else \
        sorted(random.Random(SEED).sample(communities, sample), key=lambda c: c.code)
    streets = sorted({c.parent_id: c.parent for c in checked}.values(), key=lambda s: s.code)

    t0 = time.perf_counter()
    ref = {c.id: _reference(c, year, as_of) for c in checked}
    ref_streets = {s.id: _street_reference(s) for s in streets}
    ref_s = time.perf_counter() - t0

    mismatches = []

    def mismatch(kind, place, what, got, want):
        mismatches.append({"kind": kind, "place": place.code, "name": place.name, "what": what, "got": got,
                           "want": want})

    # (1) the stored results of the run, indicator by indicator
    stored = {(r.place_id, r.indicator): r for r in Result.objects.filter(run=run, place_id__in=[
        *ref, *ref_streets])}
    scores = {s.community_id: s for s in CommunityScore.objects.filter(run=run, community_id__in=list(ref))}
    n_results = 0
    for c in checked:
        values = ref[c.id]
        earned = weight = passed_n = applicable = 0
        met = {}
        for ind in pack.indicators:
            if ind["applies_to"]["level"] != "community":
                continue
            key = (c.id, ind["id"])
            if not _ref_applies(ind["applies_to"], c):
                if key in stored:
                    mismatch("result", c, ind["id"], "stored", "does not apply")
                continue
            value = values.get(ind["metric"])
            ok = _ref_compare(ind, value, values.get(ind.get("by")) if ind.get("by") else None)
            met[ind["id"]] = ok
            applicable += 1
            passed_n += ok
            weight += ind["weight"]
            earned += ind["weight"] if ok else 0
            r = stored.get(key)
            n_results += 1
            if r is None:
                mismatch("result", c, ind["id"], "missing", value)
                continue
            if not _same(r.value, value):
                mismatch("value", c, ind["id"], r.value, value)
            if r.passed != ok or not _same(r.points, ind["weight"] if ok else 0):
                mismatch("passed", c, ind["id"], (r.passed, r.points), (ok, ind["weight"] if ok else 0))
        # only weight-0 indicators apply: the share of them met (the engine's rule since it was written down;
        # 0.0 before — no pack of the benchmark has such a community)
        score = round(100.0 * earned / weight, 1) if weight else round(100.0 * passed_n / applicable, 1)
        grade = "不合格"
        if pack.grading:
            for g in ("示范", "合格"):
                rule = pack.grading[g]
                if score >= rule["min_score"] and all(met.get(r, True) for r in rule["require"]):
                    grade = g
                    break
        s = scores.get(c.id)
        if not applicable:  # the pack says nothing about this kind of community: not graded
            if s is not None:
                mismatch("score", c, "score", (s.score, s.grade), "no score (no indicator applies)")
            continue
        if s is None:
            mismatch("score", c, "score", "missing", score)
        elif (not _same(s.score, score) or s.grade != grade or s.passed != passed_n or s.applicable != applicable):
            mismatch("score", c, "score", (s.score, s.grade, s.passed, s.applicable), (score, grade, passed_n, applicable))
    for ind in pack.indicators:
        if ind["applies_to"]["level"] != "street":
            continue
        for s in streets:
            value = ref_streets[s.id][ind["metric"]]
            ok = _ref_compare(ind, value, None)
            r = stored.get((s.id, ind["id"]))
            n_results += 1
            if r is None or not _same(r.value, value) or r.passed != ok:
                mismatch("street", s, ind["id"], r and (r.value, r.passed), (value, ok))

    # (2) every metric of the registry, from a fresh computer over the run's scope
    computer = compute.computer(Place.objects.filter(path__startswith=run.scope.path, level="community"),
                                year=year, as_of=as_of)
    n_values = 0
    missing = [m for m in METRICS if m not in ref_streets.get(streets[0].id, {}) and m not in ref[checked[0].id]]
    for m in missing:
        mismatches.append({"kind": "reference", "place": "-", "name": "-", "what": m, "got": "in metrics.METRICS",
                           "want": "no reference: add it to _reference() in bench/assess_city.py"})
    for m in METRICS:
        if m in missing:
            continue
        got = computer.get(m)
        if METRICS[m].level == "street":
            for s in streets:
                n_values += 1
                if not _same(got.get(s.id), ref_streets[s.id][m]):
                    mismatch("metric", s, m, got.get(s.id), ref_streets[s.id][m])
            continue
        for c in checked:
            n_values += 1
            if not _same(got.get(c.id), ref[c.id][m]):
                mismatch("metric", c, m, got.get(c.id), ref[c.id][m])

    by_what = {}
    for m in mismatches:
        by_what[m["what"]] = by_what.get(m["what"], 0) + 1
    # how varied the reference is: how many communities pass each indicator
    passing = {}
    for ind in pack.indicators:
        if ind["applies_to"]["level"] != "community":
            continue
        vals = [_ref_compare(ind, ref[c.id].get(ind["metric"]), None) for c in checked if _ref_applies(ind["applies_to"], c)
                and ind["op"] != "tiers"]
        passing[ind["id"]] = f"{sum(vals)}/{len(vals)}"
    return {"kind": "city_check", **src_state(), "backend": backend, "pack": pack.id, "run_id": run.pk,
            "year": year, "as_of": str(as_of), "communities_in_run": len(communities), "checked": len(checked),
            "sampled": len(checked) < len(communities), "streets_checked": len(streets), "results_checked": n_results,
            "metric_values_checked": n_values, "metrics": len(METRICS), "reference_s": round(ref_s, 1),
            "reference_per_community_ms": round(1000 * ref_s / max(1, len(checked)), 1),
            "mismatches": len(mismatches), "mismatches_by": by_what, "first_mismatches": mismatches[:40],
            "passing": passing, "ok": not mismatches}


# =============================================================================================
# check --as-of: the registry as it stood at the closed period's end, replayed from the history
# =============================================================================================
# The metrics a closed period reads from the history (asof.READERS, the ledgers' workers and volunteers) and
# those computed from them; the care elders (P-CARE-3: active residents of active households, 60 or over on the
# day) and the circle figures over them.
AS_OF_METRICS = (
    "households", "residents", "party_members", "social_orgs", "volunteer_orgs", "community_social_orgs",
    "social_orgs_per_10k", "community_social_orgs_per_10k", "facility_area_per_100_households",
    "committee_members", "full_time_staff", "party_committee_members", "committee_full_time_share",
    "households_per_committee_member", "households_per_full_time_worker", "certified_social_workers_per_10k",
    "certified_worker_share", "cross_holding_share", "leader_training_days", "member_training_days",
    "director_trainings", "committee_member_trainings", "committee_posts_counted", "secretary_is_director",
    "posts_one_shoulder", "posts_secretary_or_director", "posts_deputy_director", "certified_workers",
    "serving_workers", "registered_volunteers", "volunteer_registration_rate", "care_circle_coverage",
    "care_elders", "care_elders_within_circle",
)


def _replay(model, fields: tuple, end: dt.datetime):
    """Each record's latest version recorded before `end` (by date, then history id), deletions left out:
    every version of every record read in order of record, in Python. Yields dicts."""
    rows = (model.history.model.objects.order_by("id", "history_date", "history_id")
            .values_list("id", "history_date", "history_type", *fields).iterator(chunk_size=20_000))
    current, last = None, None
    for row in rows:
        if row[0] != current:
            if last is not None and last[2] != "-":
                yield dict(zip(fields, last[3:]))
            current, last = row[0], None
        if row[1] < end:
            last = row
    if last is not None and last[2] != "-":
        yield dict(zip(fields, last[3:]))


def _asof_reference(day: dt.date, year: int, ids: list[int]) -> tuple[dict, dict]:
    """{metric: {community id: value}} for AS_OF_METRICS as of the end of `day`, and the elders per community
    (for the note on care figures): counted in Python from the replayed versions."""
    from gongzhi.ledgers.models import Training, Volunteer, Worker
    from gongzhi.people.models import Household, Organisation, Resident
    from gongzhi.places.models import Facility

    end = dt.datetime.combine(day + DAY, dt.time(0), SHANGHAI)
    z = dict.fromkeys(ids, 0)
    v = {m: dict(z) for m in AS_OF_METRICS}
    active_households = set()
    for h in _replay(Household, ("id", "community_id", "status"), end):
        if h["status"] == "active":
            active_households.add(h["id"])
            if h["community_id"] in z:
                v["households"][h["community_id"]] += 1
    active_residents, elders = set(), dict(z)
    try:
        old = day.replace(year=day.year - 60)
    except ValueError:
        old = day.replace(year=day.year - 60, day=28)
    for r in _replay(Resident, ("id", "community_id", "status", "party_member", "birth_date", "household_id"), end):
        if r["status"] != "active":
            continue
        active_residents.add(r["id"])
        cid = r["community_id"]
        if cid in z:
            v["residents"][cid] += 1
            v["party_members"][cid] += bool(r["party_member"])
            if r["birth_date"] and r["birth_date"] <= old and r["household_id"] in active_households:
                elders[cid] += 1
    for o in _replay(Organisation, ("community_id", "kind", "active", "volunteer_team", "registration"), end):
        if o["community_id"] in z and o["kind"] == "social_org" and o["active"]:
            v["social_orgs"][o["community_id"]] += 1
            v["volunteer_orgs"][o["community_id"]] += bool(o["volunteer_team"])
            v["community_social_orgs"][o["community_id"]] += o["registration"] in ("registered", "filed")
    serving = [w for w in _replay(Worker, ("id", "community_id", "committee_post", "party_post", "full_time",
                                           "certificate", "since", "left_on"), end)
               if w["community_id"] in z and (w["since"] is None or w["since"] <= day)
               and (w["left_on"] is None or w["left_on"] > day)]
    days, times = {}, {}
    for wid, d in Training.objects.filter(voided="", held_on__gte=dt.date(year, 1, 1),
                                          held_on__lte=dt.date(year, 12, 31)).values_list("worker_id", "days"):
        days[wid] = days.get(wid, 0) + d
        times[wid] = times.get(wid, 0) + 1
    by = {cid: [] for cid in ids}
    for w in serving:
        by[w["community_id"]].append(w)

    def ratio(n, d, scale):
        return round(float(n) * scale / d, 2) if d else None

    for cid, ws in by.items():
        committee = [w for w in ws if w["committee_post"]]
        party = [w for w in ws if w["party_post"]]
        certified = [w for w in ws if w["certificate"]]
        full_time = [w for w in ws if w["full_time"]]
        secretaries = [w for w in ws if w["party_post"] == "secretary"]
        both = [w for w in secretaries if w["committee_post"] == "director"]
        v["committee_members"][cid] = len(committee)
        v["full_time_staff"][cid] = sum(1 for w in full_time if not w["committee_post"] and not w["party_post"])
        v["party_committee_members"][cid] = len(party)
        v["committee_full_time_share"][cid] = ratio(sum(1 for w in committee if w["full_time"]), len(committee), 100)
        v["households_per_committee_member"][cid] = ratio(v["households"][cid], len(committee), 1)
        v["households_per_full_time_worker"][cid] = ratio(v["households"][cid], len(full_time), 1)
        v["certified_social_workers_per_10k"][cid] = ratio(len(certified), v["residents"][cid], 10_000)
        v["certified_worker_share"][cid] = ratio(len(certified), len(ws), 100)
        v["cross_holding_share"][cid] = ratio(sum(1 for w in party if w["committee_post"]), len(party), 100)
        v["committee_posts_counted"][cid] = sum(1 for w in committee if w["full_time"])
        v["secretary_is_director"][cid] = None if not secretaries else (100.0 if both else 0.0)
        v["posts_one_shoulder"][cid] = sum(1 for w in ws if w["party_post"] == "secretary"
                                           and w["committee_post"] == "director")
        v["posts_secretary_or_director"][cid] = sum(1 for w in ws if (w["party_post"] == "secretary")
                                                    != (w["committee_post"] == "director"))
        v["posts_deputy_director"][cid] = sum(1 for w in ws if w["committee_post"] == "deputy")
        v["certified_workers"][cid] = len(certified)
        v["serving_workers"][cid] = len(ws)
        leaders = [w for w in ws if w["committee_post"] == "director" or w["party_post"] == "secretary"]
        others = [w for w in ws if w not in leaders and (w["committee_post"] or w["party_post"])]
        directors = [w for w in ws if w["committee_post"] == "director"]
        members = [w for w in committee if w["committee_post"] != "director"]
        for metric, who, per in (("leader_training_days", leaders, days), ("member_training_days", others, days),
                                 ("director_trainings", directors, times),
                                 ("committee_member_trainings", members, times)):
            v[metric][cid] = min((float(per.get(w["id"], 0)) for w in who), default=0)
    for vol in _replay(Volunteer, ("community_id", "resident_id", "registered_on", "left_on"), end):
        if (vol["community_id"] in z and vol["registered_on"] <= day and (vol["left_on"] is None or vol["left_on"] > day)
                and vol["resident_id"] in active_residents):
            v["registered_volunteers"][vol["community_id"]] += 1
    area = dict(Facility.objects.filter(community_id__in=ids).values_list("community_id", "service_area_m2"))
    for cid in ids:
        res = v["residents"][cid]
        v["social_orgs_per_10k"][cid] = ratio(v["social_orgs"][cid], res, 10_000)
        v["community_social_orgs_per_10k"][cid] = ratio(v["community_social_orgs"][cid], res, 10_000)
        v["volunteer_registration_rate"][cid] = ratio(v["registered_volunteers"][cid], res, 100)
        v["facility_area_per_100_households"][cid] = ratio(float(area.get(cid, 0)), v["households"][cid], 100)
        # no station in the synthetic city: nobody is inside a 30-minute circle, so the share is 0 of the elders
        v["care_circle_coverage"][cid] = 0.0 if elders[cid] else None
        v["care_elders"][cid] = elders[cid]
        v["care_elders_within_circle"][cid] = 0
    return v, elders


def _asof_check_child(backend: str, pack_name: str, run_id: int, day_text: str) -> dict:
    setup_django()
    from gongzhi.places.models import Place
    from gongzhi.standards import asof, compute
    from gongzhi.standards.models import AssessmentRun, Result, RunStatus

    pack = load_pack(pack_name)
    runs = AssessmentRun.objects.filter(pack_id=pack.id, status=RunStatus.DONE, period=AS_OF_YEAR)
    run = runs.get(pk=run_id) if run_id else runs.order_by("-finished_at", "-id").first()
    if run is None:
        raise SystemExit(f"no finished {AS_OF_YEAR} run of {pack.id}: run `assess --as-of` first")
    day = run.as_of
    ref_day = dt.date.fromisoformat(day_text) if day_text else day  # --day: a deliberately wrong day
    communities = Place.objects.filter(path__startswith=run.scope.path, level="community")
    places = {p.id: p for p in communities}
    ids = sorted(places)
    t0 = time.perf_counter()
    ref, elders = _asof_reference(ref_day, run.period, ids)
    ref_s = time.perf_counter() - t0
    mismatches = []

    def mismatch(kind, cid, what, got, want):
        mismatches.append({"kind": kind, "place": places[cid].code, "name": places[cid].name, "what": what,
                           "got": got, "want": want})

    t0 = time.perf_counter()
    computer = compute.computer(communities, year=run.period, as_of=day, registry_as_of=day)
    n_values = 0
    for m in AS_OF_METRICS:
        got = computer.get(m)
        for cid in ids:
            n_values += 1
            if not _same(got.get(cid), ref[m][cid]):
                mismatch("metric", cid, m, got.get(cid), ref[m][cid])
    engine_s = time.perf_counter() - t0
    sources = dict(computer.registry)
    for name, how in sources.items():  # the period-close snapshot (standards/snapshots.py) is checked the same way
        if how not in (asof.FROM_HISTORY, "snapshot"):
            mismatches.append({"kind": "source", "place": "-", "name": "-", "what": name, "got": how,
                               "want": asof.FROM_HISTORY})
    # the run's stored results for every indicator over a metric read as of the day
    covered = {i["id"]: i for i in pack.indicators if i["metric"] in AS_OF_METRICS and
               i["applies_to"]["level"] == "community" and not i.get("window")}
    n_results = 0
    for r in Result.objects.filter(run=run, indicator__in=list(covered)).only("place_id", "indicator", "value"):
        n_results += 1
        want = ref[covered[r.indicator]["metric"]].get(r.place_id)
        if not _same(r.value, want):
            mismatch("result", r.place_id, r.indicator, r.value, want)
    # how far today's registry is from the day's: the communities whose elders differ (the check proves something)
    today = compute.computer(communities, year=run.period)
    today_elders = today.get("care_elders")
    care_elders_differ = sum(1 for cid in ids if today_elders.get(cid, 0) != elders[cid])
    by_what = {}
    for m in mismatches:
        by_what[m["what"]] = by_what.get(m["what"], 0) + 1
    totals = {m: sum(x or 0 for x in ref[m].values()) for m in ("households", "residents", "party_members",
                                                                  "social_orgs", "serving_workers",
                                                                  "registered_volunteers", "care_elders")}
    today_totals = {m: sum(x or 0 for x in today.get(m).values()) for m in totals}
    return {"kind": "city_check_asof", **src_state(), "backend": backend, "pack": pack.id, "run_id": run.pk,
            "period": run.period, "as_of": str(day), "reference_day": str(ref_day), "communities": len(ids),
            "metrics": len(AS_OF_METRICS), "metric_values_checked": n_values, "results_checked": n_results,
            "engine_sources": sources, "reference_s": round(ref_s, 1), "engine_s": round(engine_s, 1),
            "totals_as_of": totals, "totals_today": today_totals,
            "care_elders_today_vs_as_of_differ": care_elders_differ,
            "mismatches": len(mismatches), "mismatches_by": by_what, "first_mismatches": mismatches[:40],
            "ok": not mismatches}


def check_cmd(args) -> None:
    url = common.db_url(args.backend, args.db)
    if args.as_of:
        proc = subprocess.run([common.PYTHON, __file__, "_check_asof", args.backend, args.pack, str(args.run),
                               args.day or ""], env=env_for(url), cwd=str(common.ROOT), stdout=subprocess.PIPE,
                              text=True, check=False)
        result = _result_of(proc)
        result["db"] = args.db
        common.record(result)
        for m in result["first_mismatches"]:
            print(f"MISMATCH {m['kind']} {m['place']} {m['name']} {m['what']}: engine {m['got']!r}, "
                  f"reference {m['want']!r}")
        print(f"{args.backend} as of {result['as_of']} (reference replayed to {result['reference_day']}): "
              f"{result['communities']} communities, {result['metric_values_checked']} metric values, "
              f"{result['results_checked']} stored results checked (reference {result['reference_s']} s): "
              f"{result['mismatches']} mismatches {result['mismatches_by']}", flush=True)
        if not result["ok"]:
            raise SystemExit(1)
        return
    proc = subprocess.run([common.PYTHON, __file__, "_check", args.backend, args.pack, str(args.sample), str(args.run)],
                          env=env_for(url), cwd=str(common.ROOT), stdout=subprocess.PIPE, text=True, check=False)
    result = _result_of(proc)
    result["db"] = args.db
    common.record(result)
    for m in result["first_mismatches"]:
        print(f"MISMATCH {m['kind']} {m['place']} {m['name']} {m['what']}: stored/computed {m['got']!r}, "
              f"reference {m['want']!r}")
    print(f"{args.backend}: {result['checked']} communities, {result['results_checked']} results, "
          f"{result['metric_values_checked']} metric values checked in {result['reference_s']} s: "
          f"{result['mismatches']} mismatches", flush=True)
    if not result["ok"]:
        raise SystemExit(1)


# =============================================================================================
# explain
# =============================================================================================
def _explain_child(backend: str, pack_name: str, only: str, as_of: bool = False) -> dict:
    setup_django()
    from django.db import connection

    from gongzhi.standards import compute

    pack = load_pack(pack_name)
    names = [only] if only else list(dict.fromkeys(
        m for i in pack.indicators for m in (i["metric"], i.get("by")) if m))
    OUT.mkdir(parents=True, exist_ok=True)
    timer = MetricTimer()
    from gongzhi.standards import assess
    scope = assess.scope_place(None)
    with connection.execute_wrapper(timer.wrapper):
        if as_of:  # the closed period's run: the registry as of its end
            c = compute.computer(assess._communities(scope), year=AS_OF_YEAR, as_of=AS_OF_DAY,
                                 registry_as_of=AS_OF_DAY)
        else:
            c = compute.computer(assess._communities(scope), year=PERIOD)
        for n in names:
            c.get(n)
    timer.restore()
    out = {}
    db = Path(str(connection.settings_dict["NAME"])).name.removesuffix(".sqlite3")
    path = OUT / (f"explain-{backend}-{pack.id}{'-' + only if only else ''}{'-asof' if as_of else ''}"
                  f"{'' if db == DB else '-' + db}.txt")
    with path.open("w", encoding="utf-8") as f, connection.cursor() as cur:
        for who, s, sql, params in timer.sql:
            if who == "(engine)":
                continue
            t = time.perf_counter()
            cur.execute(sql, params)
            n = len(cur.fetchall())
            s = time.perf_counter() - t  # run again and fetched: SQLite steps through the rows on fetch
            f.write(f"==== {who}: {s:.3f} s, {n} rows\n{sql}\n{params}\n")
            if backend == "pg":
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            else:
                cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            f.write("\n".join(" | ".join(str(x) for x in row) for row in cur.fetchall()) + "\n\n")
            out.setdefault(who, []).append(round(s, 3))
    print(f"plans: {path}", file=sys.stderr)
    return {"kind": "city_explain", "backend": backend, "file": str(path), "sql_s": out}


def explain_cmd(args) -> None:
    url = common.db_url(args.backend, args.db)
    proc = subprocess.run([common.PYTHON, __file__, "_explain", args.backend, args.pack, args.metric or "",
                           "1" if args.as_of else ""],
                          env=env_for(url), cwd=str(common.ROOT), stdout=subprocess.PIPE, text=True, check=False)
    print(json.dumps(_result_of(proc), ensure_ascii=False, indent=1))


# =============================================================================================
# snapshot: the period-close snapshot, taken late
# =============================================================================================
def _snapshot_child(backend: str, again: str) -> dict:
    setup_django()
    from gongzhi.standards import closing
    from gongzhi.standards.models import RegistrySnapshot, SnapshotFigure

    day = AS_OF_DAY
    if again == "1":
        SnapshotFigure.objects.filter(snapshot__day=day).delete()
        RegistrySnapshot.objects.filter(day=day).delete()
    existed = RegistrySnapshot.objects.filter(day=day).exists()
    t0 = time.perf_counter()
    snap = closing.take(day)
    seconds = time.perf_counter() - t0
    return {"kind": "city_snapshot", **src_state(), "backend": backend, "day": str(day), "taken_before": existed,
            "on_time": snap.on_time, "figures": snap.figures, "left_out": len(snap.left_out),
            "kept": sorted(SnapshotFigure.objects.filter(snapshot=snap).values_list("metric", flat=True).distinct()),
            "values": SnapshotFigure.objects.filter(snapshot=snap).count(), "seconds": round(seconds, 2),
            "max_rss_mb": round(common.maxrss_mb())}


def snapshot_cmd(args) -> None:
    url = common.db_url(args.backend, args.db)
    proc = subprocess.run([common.PYTHON, __file__, "_snapshot", args.backend, "1" if args.again else ""],
                          env=env_for(url), cwd=str(common.ROOT), stdout=subprocess.PIPE, text=True, check=False)
    result = _result_of(proc)
    result["db"] = args.db
    common.record(result)
    print(json.dumps(result, ensure_ascii=False), flush=True)


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "_load":
        b, n, r, s, a = sys.argv[2:7]
        common.emit(_load_child(b, int(n), int(r), int(s), a == "1"))
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "_snapshot":
        common.emit(_snapshot_child(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else ""))
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "_assess":
        common.emit(_assess_child(*sys.argv[2:6]))
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "_check_asof":
        b, p, run, day = sys.argv[2:6]
        common.emit(_asof_check_child(b, p, int(run), day))
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "_check":
        b, p, sample, run = sys.argv[2:6]
        common.emit(_check_child(b, p, int(sample), int(run)))
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "_explain":
        common.emit(_explain_child(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "",
                                   len(sys.argv) > 5 and sys.argv[5] == "1"))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("load", "assess", "check", "explain", "snapshot"):
        sp = sub.add_parser(name)
        sp.add_argument("--backend", choices=["pg", "sqlite"], required=True)
        sp.add_argument("--db", default=DB, help=f"database name (default {DB})")
        if name == "snapshot":
            sp.add_argument("--again", action="store_true", help="drop the snapshot already taken, then take it")
            continue
        if name == "load":
            sp.add_argument("--communities", type=int, default=2000)
            sp.add_argument("--residents", type=int, default=10_000_000)
            sp.add_argument("--seed", type=int, default=SEED)
            sp.add_argument("--analyze", action="store_true", help="SQLite: run ANALYZE after the load")
        else:
            sp.add_argument("--pack", default=PACK, help=f"pack id (default {PACK}) or 'all' (every metric)")
        if name == "assess":
            sp.add_argument("--runs", type=int, default=3)
            sp.add_argument("--no-warmup", action="store_true")
            sp.add_argument("--as-of", action="store_true",
                            help=f"today's run and the closed period's ({AS_OF_YEAR}, registry as of {AS_OF_DAY}), "
                                 "interleaved; their ratio")
        if name == "check":
            sp.add_argument("--sample", type=int, default=0, help="check N random communities (default: all)")
            sp.add_argument("--run", type=int, default=0, help="the run to check (default: the latest finished)")
            sp.add_argument("--as-of", action="store_true",
                            help="check the closed period's registry figures against a replay of the history")
            sp.add_argument("--day", default="", help="with --as-of: replay to this day instead of the run's "
                                                      "(to see the reference fail)")
        if name == "explain":
            sp.add_argument("--metric", default="")
            sp.add_argument("--as-of", action="store_true", help=f"the closed period's run (registry as of {AS_OF_DAY})")
    args = p.parse_args()
    {"load": load, "assess": assess_cmd, "check": check_cmd, "explain": explain_cmd,
     "snapshot": snapshot_cmd}[args.cmd](args)


if __name__ == "__main__":
    main()
