"""The people's part of the demo district (DemoPart 20): a household in every
occupied dwelling the places part left in `ctx.occupied`, residents with
valid citizen ID numbers, care-group tags, registration events and a few who
moved out or died since, then each community's organisations. It also
chooses the resident the "resident" demo account is bound to.

Rows are made in memory and written with `bulk_create` in big batches;
residents and households go through simple-history's
`bulk_create_with_history`, so their pages show a creation entry. Sensitive
fields are encrypted with `people.services.protected_fields`, exactly as the
registry does for a single registration. Everyone is invented.
"""
from __future__ import annotations

import datetime as dt
import random

from django.apps import apps
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from gongzhi.core import idcard
from gongzhi.accounts.models import Role
from gongzhi.core.demo import ACCOUNTS, BATCH, DISTRICT_CODE, HISTORY_REASON, DemoContext, DemoSummary
from gongzhi.core.pinyin import name_pinyin
from gongzhi.people.models import (
    BUILTIN_CARE_TAGS, CareTag, EventKind, Household, HouseholdStatus, Organisation, OrgKind, OrgRegistration,
    PersonStatus, ResidenceStatus, Resident, ResidentEvent,
)
from gongzhi.people.services import protected_fields
from gongzhi.places.models import AreaKind, CommunityType, Estate, Level, Place

# -- places people come from -------------------------------------------------------

LOCAL_REGION = DISTRICT_CODE
JIANGSU_REGIONS = ("320211", "320213", "320402", "320412", "320581", "320923", "321323", "320724", "321283")
OTHER_REGIONS = ("341222", "341221", "342422", "341126", "411324", "412726", "510722", "511321", "522426",
                 "362329", "430524", "433130", "450126", "532128")
MINORITIES = ("03", "08", "15", "06", "09", "11")
MOVE_OUT_DESTINATIONS = ("无锡市梁溪区", "常州市武进区", "南京市江宁区", "苏州市工业园区", "上海市闵行区",
                         "杭州市余杭区", "宜兴市丁蜀镇", "宜兴市宜城街道", "溧阳市", "长兴县")
_PROPERTY_FIRMS = ("宜兴市阳光物业管理有限公司", "宜兴市东方物业服务有限公司", "江苏宜房物业管理有限公司",
                   "宜兴城投物业有限公司", "宜兴市紫砂物业有限公司", "宜兴市氿滨物业服务有限公司",
                   "宜兴市安居物业管理有限公司", "宜兴市荆溪物业服务有限公司")

# -- credit codes --------------------------------------------------------------------

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


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _short(community: Place) -> str:
    return community.name.removesuffix("社区").removesuffix("村")


SUMMARY = {
    "households": "户 households", "residents": "居民 residents", "active_residents": "在册居民 active residents",
    "care_tag_links": "重点人群标签 care-group tags", "events": "居民事件 resident events",
    "organisations": "组织 organisations",
}


# -- the part ----------------------------------------------------------------------------

def build(ctx: DemoContext) -> None:
    """DemoPart 20: households, residents, care tags, events, organisations;
    binds the resident demo account in `ctx.account_residents`."""
    people = PeopleMaker(ctx)
    people.make()
    people.bind_resident_account()
    organisations = _organisations(ctx)
    ctx.summary.add(
        SUMMARY, households=len(people.households), residents=len(people.residents),
        active_residents=sum(1 for r in people.residents if r.status == PersonStatus.ACTIVE),
        care_tag_links=len(people.tag_links), events=len(people.events), organisations=len(organisations))


class PeopleMaker:
    """Households and their members, drawn from the context's generator."""

    _KINDS = ("single_elder", "single_adult", "elder_couple", "couple", "couple_kids", "couple_2kids",
              "three_gen", "grandparents", "single_parent", "married_son")
    _WEIGHTS = {
        ("urban", ResidenceStatus.REGISTERED): (9, 11, 15, 11, 26, 7, 9, 2, 5, 5),
        ("rural", ResidenceStatus.REGISTERED): (9, 7, 14, 7, 19, 9, 13, 9, 4, 9),
        ("urban", "incomer"): (0, 26, 0, 20, 34, 10, 0, 0, 10, 0),
        ("rural", "incomer"): (0, 30, 0, 20, 32, 8, 0, 0, 10, 0),
    }

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng
        self.used_ids: set[str] = set()
        self.households: list[Household] = []
        self.residents: list[Resident] = []
        self.events: list[ResidentEvent] = []
        self.tag_links: list[tuple[Resident, CareTag]] = []
        self.tags = {t.code: t for t in CareTag.objects.all()}
        for sort, (code, name) in enumerate(BUILTIN_CARE_TAGS):     # normally seeded by migration people/0002
            if code not in self.tags:
                self.tags[code] = CareTag.objects.create(code=code, name=name, builtin=True, sort=sort)

    def birth(self, age: int) -> dt.date:
        return self.ctx.reference_date - dt.timedelta(days=age * 365 + age // 4 + self.rng.randrange(365))

    def id_number(self, region: str, birth: dt.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(499) * 2 + (1 if sex == "M" else 2)
            number = idcard.make(region, birth, seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def compose(self, rural: bool, status: str) -> tuple[str, list[list]]:
        """One household: its kind and members as [relation, sex, age, surname]."""
        rng, ctx = self.rng, self.ctx
        weights = self._WEIGHTS[("rural" if rural else "urban",
                                 status if status == ResidenceStatus.REGISTERED else "incomer")]
        kind = rng.choices(self._KINDS, weights=weights)[0]
        members: list[list] = []
        fam = ctx.surname()

        def spouse_of(head_sex: str, head_age: int, lo=-5, hi=3) -> None:
            sex = "F" if head_sex == "M" else "M"
            rel = "10" if rng.random() < 0.3 else ("12" if sex == "F" else "11")
            age = head_age + (rng.randint(lo, hi) if sex == "F" else -rng.randint(lo, hi))
            members.append([rel, sex, max(20, age), ctx.surname()])

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
                members.append([rel, sex, age, fam if sex == "M" else ctx.surname()])
        elif kind == "grandparents":
            hs, ha = head(55, 80, male_share=0.7)
            if rng.random() < 0.75:
                spouse_of(hs, ha, lo=-4, hi=2)
            for _ in range(1 if rng.random() < 0.6 else 2):
                sex = rng.choice("MF")
                outside = rng.random() < 0.2
                rel = ("43" if sex == "M" else "44") if outside else ("41" if sex == "M" else "42")
                members.append([rel, sex, rng.randint(2, 15), ctx.surname() if outside else fam])
        elif kind == "single_parent":
            hs, ha = head(28, 55, male_share=0.3)
            children(1, ha if hs == "F" else ha - rng.randint(0, 4), fam, fam, max_age=25)
        elif kind == "married_son":
            hs, ha = head(50, 72, male_share=0.85)
            spouse_of(hs, ha)
            son_age = rng.randint(max(22, ha - 35), max(23, ha - 24))
            members.append(["22" if rng.random() < 0.5 else "20", "M", son_age, fam])
            dil_age = max(21, son_age + rng.randint(-4, 2))
            members.append(["38", "F", dil_age, ctx.surname()])
            if rng.random() < 0.7:
                for _ in range(1 if rng.random() < 0.7 else 2):
                    age = dil_age - rng.randint(23, 33)
                    if age >= 0:
                        sex = rng.choice("MF")
                        members.append(["41" if sex == "M" else "42", sex, age, fam])
        return kind, members

    def make(self) -> None:
        ctx, rng, say = self.ctx, self.rng, self.ctx.say
        today = ctx.reference_date
        for community in ctx.places_at(Level.COMMUNITY):
            seq = 0
            for grid in ctx.children(community):
                for dwelling in ctx.occupied.get(grid.code, []):
                    seq += 1
                    hh = Household(number=f"{community.code}-{seq:06d}", community=community, grid=grid,
                                   dwelling=dwelling)
                    self.households.append(hh)
                    self.add_members(hh, community.area_kind == AreaKind.RURAL)
        say(f"生成居民: {len(self.households)} 户, {len(self.residents)} 人")

        bulk_create_with_history(self.households, Household, batch_size=BATCH, default_change_reason=HISTORY_REASON)
        say("户已写入")
        bulk_create_with_history(self.residents, Resident, batch_size=BATCH, default_change_reason=HISTORY_REASON)
        say("居民已写入")

        Through = Resident.care_tags.through
        links = Through.objects.bulk_create([Through(resident_id=r.pk, caretag_id=t.pk) for r, t in self.tag_links],
                                            batch_size=BATCH)
        # The creation entry in each tagged resident's history names the tags too.
        HistoricalTags = apps.get_model("people", "HistoricalResident_care_tags")
        history_ids = dict(Resident.history.model.objects.filter(history_type="+").values_list("id", "history_id")
                           .iterator(chunk_size=BATCH)) if links else {}
        HistoricalTags.objects.bulk_create(
            [HistoricalTags(id=link.pk, history_id=history_ids[link.resident_id], resident_id=link.resident_id,
                            caretag_id=link.caretag_id) for link in links],
            batch_size=BATCH)
        say(f"重点人群标签: {len(self.tag_links)}")

        # Registration events, then a few residents moved out or died since.
        self.events = [ResidentEvent(resident=r, kind=EventKind.REGISTERED, occurred_on=r.moved_in_on,
                                     detail={"household": r.household.number}) for r in self.residents]
        changed = []
        for r in self.residents:
            age = _age(r.birth_date, today)
            roll = rng.random()
            if age >= 70 and roll < (0.012 if age < 85 else 0.03):
                r.status = PersonStatus.DECEASED
                r.status_changed_on = ctx.date_between(max(r.moved_in_on, today - dt.timedelta(days=540)),
                                                       today - dt.timedelta(days=3))
                self.events.append(ResidentEvent(resident=r, kind=EventKind.DECEASED, occurred_on=r.status_changed_on))
            elif 18 <= age <= 45 and roll < 0.008:
                r.status = PersonStatus.MOVED_OUT
                r.status_changed_on = ctx.date_between(max(r.moved_in_on, today - dt.timedelta(days=540)),
                                                       today - dt.timedelta(days=3))
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

    def add_members(self, hh: Household, rural: bool) -> None:
        ctx, rng = self.ctx, self.rng
        today = ctx.reference_date
        roll = rng.random()
        status = (ResidenceStatus.REGISTERED if roll < 0.74 else
                  ResidenceStatus.RESIDENT if roll < 0.89 else ResidenceStatus.FLOATING)
        kind, members = self.compose(rural, status)
        if status == ResidenceStatus.REGISTERED:
            region = LOCAL_REGION
            settled = ctx.date_between(dt.date(1985, 1, 1) if rural else dt.date(1995, 1, 1), dt.date(2024, 12, 31))
        elif status == ResidenceStatus.RESIDENT:
            region = rng.choice(JIANGSU_REGIONS) if rng.random() < 0.6 else rng.choice(OTHER_REGIONS)
            settled = ctx.date_between(dt.date(2006, 1, 1), dt.date(2024, 6, 30))
        else:
            region = rng.choice(OTHER_REGIONS) if rng.random() < 0.85 else rng.choice(JIANGSU_REGIONS)
            settled = ctx.date_between(dt.date(2016, 1, 1), today - dt.timedelta(days=10))
        minority = rng.random() < (0.06 if status == ResidenceStatus.FLOATING else 0.01)
        minority_code = rng.choice(MINORITIES)
        low_income = status == ResidenceStatus.REGISTERED and rng.random() < 0.015
        all_old = all(m[2] >= 60 for m in members)
        left_behind = rural and kind == "grandparents"
        left_behind_elders = left_behind or (rural and kind == "elder_couple" and rng.random() < 0.35)
        left_behind_wife = rural and kind in ("couple_kids", "couple_2kids") and rng.random() < 0.12
        for rel, sex, age, surname in members:
            birth = self.birth(age)
            person_status, person_region = status, region
            if status == ResidenceStatus.REGISTERED and rel in ("10", "11", "12", "38") and rng.random() < 0.08:
                person_status = ResidenceStatus.RESIDENT      # married in, hukou still elsewhere
                person_region = rng.choice(JIANGSU_REGIONS + OTHER_REGIONS)
            number = self.id_number(person_region, birth, sex)
            has_phone = age >= 16 and rng.random() < (0.5 if age >= 80 else 0.93)
            phone = ctx.phone() if has_phone else ""
            party = age >= 18 and rng.random() < (0.11 if sex == "M" else 0.06) * (1.4 if age >= 60 else 1)
            name = ctx.full_name(sex, birth.year, surname)
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
            self.tag_links += [(r, self.tags[code]) for code in codes if code in self.tags]

    def bind_resident_account(self) -> None:
        """Each resident demo account ("resident", "resident2", ...) is bound to an adult of its grid with a
        mobile number, each in a household of its own (the first one is the one it always was)."""
        today = self.ctx.reference_date
        used: set[int] = set()
        for account in (a for a in ACCOUNTS if a.role == Role.RESIDENT):
            grid = self.ctx.places[account.place]
            candidates = [r for r in self.residents if r.grid is grid and r.relation == "02"
                          and r.status == PersonStatus.ACTIVE and 25 <= _age(r.birth_date, today) <= 60 and r.phone_enc
                          and id(r.household) not in used]
            person = candidates[0] if candidates else next(
                r for r in self.residents if r.grid is grid and id(r.household) not in used)
            used.add(id(person.household))
            self.ctx.account_residents[account.username] = person


def _organisations(ctx: DemoContext) -> list[Organisation]:
    rng = ctx.rng
    organisations = []
    firms = {name: credit_code(rng, "91") for name in _PROPERTY_FIRMS}
    estates_by_community: dict[int, list[Estate]] = {}
    for e in ctx.estates:
        estates_by_community.setdefault(e.community_id, []).append(e)
    for community in ctx.places_at(Level.COMMUNITY):
        rural = community.area_kind == AreaKind.RURAL
        short = _short(community)
        street_short = community.parent.name.removesuffix("街道").removesuffix("镇")
        unit = "村" if rural else "社区"
        social = [
            (f"{short}{unit}老年人协会", OrgRegistration.FILED),
            (f"{short}{unit}志愿服务队", OrgRegistration.FILED),
            (f"{short}{unit}文体协会", OrgRegistration.NONE),
            (f"宜兴市{short}社会工作服务中心", OrgRegistration.REGISTERED),
            (f"{short}{unit}红白理事会" if rural else f"{short}社区调解工作室", OrgRegistration.FILED),
        ]
        for name, reg in rng.sample(social, rng.randint(2, 4)):
            organisations.append(Organisation(
                community=community, kind=OrgKind.SOCIAL_ORG, name=name, registration=reg,
                credit_code=credit_code(rng, "52") if reg == OrgRegistration.REGISTERED else "",
                contact_name=ctx.full_name(rng.choice("MF"), rng.randint(1950, 1990))))
        if rural:
            units = [(f"宜兴市{short}农机专业合作社", "93"), (f"宜兴市{street_short}{short}小学", "12"),
                     (f"宜兴市{short}紫砂工艺厂", "91"), (f"江苏{short}茶业有限公司", "91")]
        elif community.community_type == CommunityType.UNIT:
            units = [("宜兴陶瓷有限公司", "91"), ("宜兴陶瓷有限公司职工医院", "12"), ("宜兴市陶瓷行业协会", "51")]
        else:
            units = [(f"宜兴市{short}实验小学", "12"), (f"宜兴市{short}幼儿园", "12"),
                     (f"宜兴市{street_short}派出所{short}警务室", "11"),
                     (f"中国农业银行宜兴{short}支行", "91"), (f"宜兴市{short}农贸市场有限公司", "91")]
        for name, prefix in rng.sample(units, rng.randint(1, min(3, len(units)))):
            organisations.append(Organisation(
                community=community, kind=OrgKind.RESIDENT_UNIT, name=name, registration=OrgRegistration.REGISTERED,
                credit_code=credit_code(rng, prefix), contact_name=ctx.full_name(rng.choice("MF"), 1975)))
        if rural:
            continue
        for estate in estates_by_community.get(community.pk, []):
            firm = rng.choice(_PROPERTY_FIRMS)
            organisations.append(Organisation(
                community=community, kind=OrgKind.PROPERTY_FIRM, name=firm, estate=estate,
                registration=OrgRegistration.REGISTERED, credit_code=firms[firm],
                contact_name=ctx.full_name(rng.choice("MF"), rng.randint(1965, 1995))))
            if rng.random() < 0.5:
                organisations.append(Organisation(
                    community=community, kind=OrgKind.OWNERS_COMMITTEE, name=f"{estate.name}业主委员会",
                    estate=estate, registration=OrgRegistration.FILED if rng.random() < 0.7 else OrgRegistration.NONE,
                    contact_name=ctx.full_name(rng.choice("MF"), rng.randint(1950, 1985))))
    bulk_create_with_history(organisations, Organisation, batch_size=BATCH, default_change_reason=HISTORY_REASON)
    ctx.say(f"组织: {len(organisations)}")
    return organisations


# -- an existing demo ------------------------------------------------------------------------

def count_existing(summary: DemoSummary, district: Place) -> None:
    in_district = {"community__path__startswith": district.path}
    residents = Resident.objects.filter(**in_district)
    summary.add(
        SUMMARY,
        households=Household.objects.filter(**in_district).count(),
        residents=residents.count(),
        active_residents=residents.filter(status=PersonStatus.ACTIVE).count(),
        care_tag_links=Resident.care_tags.through.objects.filter(
            resident__community__path__startswith=district.path).count(),
        events=ResidentEvent.objects.filter(resident__community__path__startswith=district.path).count(),
        organisations=Organisation.objects.filter(**in_district).count())
