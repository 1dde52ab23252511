"""Small, explicit builders for test data (real rows in the real database)."""
import datetime as dt
import itertools

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core import idcard
from gongzhi.people import services as people_services
from gongzhi.places.models import AreaKind, Building, Dwelling, Estate, GridKind, Level, Place

PASSWORD = "Test-pass-2026"
_seq = itertools.count(1)


def district(code="320282", name="宜兴市"):
    return Place.objects.get_or_create(code=code, defaults={"level": Level.DISTRICT, "name": name})[0]


def street(parent, n=1, name=None):
    code = f"{parent.code}{n:03d}"
    return Place.objects.get_or_create(code=code, defaults={
        "level": Level.STREET, "name": name or f"街道{n}", "parent": parent})[0]


def community(parent, n=1, name=None, rural=False):
    code = f"{parent.code}{(200 + n) if rural else n:03d}"
    return Place.objects.get_or_create(code=code, defaults={
        "level": Level.COMMUNITY, "name": name or f"社区{n}", "parent": parent,
        "area_kind": AreaKind.RURAL if rural else AreaKind.URBAN,
        "urban_rural_code": "220" if rural else "111", "community_type": "ordinary"})[0]


def grid(parent, n=1):
    code = f"{parent.code}{n:03d}"
    return Place.objects.get_or_create(code=code, defaults={
        "level": Level.GRID, "name": f"{parent.name}第{n}网格", "parent": parent,
        "grid_kind": GridKind.COMPREHENSIVE})[0]


def dwelling(g, room="101", building_no="1", unit="1"):
    community_ = g.parent
    estate, _ = Estate.objects.get_or_create(community=community_, name=f"{community_.name}小区",
                                             defaults={"grid": g})
    building, _ = Building.objects.get_or_create(estate=estate, number=building_no,
                                                 defaults={"community": community_, "grid": g})
    code = f"{community_.code}-{building_no}-{unit}-{room}"
    return Dwelling.objects.get_or_create(code=code, defaults={
        "building": building, "community": community_, "grid": g, "unit_no": unit, "room_no": room,
        "address": f"{estate.name}{building_no}幢{unit}单元{room}室"})[0]


def id_number(birth=dt.date(1980, 5, 17), region="320282"):
    return idcard.make(region, birth, next(_seq) % 1000)


def household(g, number=None):
    return people_services.household_create(number=number or f"H{next(_seq):08d}", community=g.parent, grid=g,
                                            # five-digit rooms: never one a test names ("101", "909")
                                            dwelling=dwelling(g, room=str(10000 + next(_seq))))


def resident(hh, name="张三", relation="02", **kw):
    kw.setdefault("id_number", id_number())
    kw.setdefault("residence_status", "registered")
    return people_services.resident_register(household=hh, name=name, relation=relation, **kw)


def user(username, role=None, place=None, **kw):
    u = User.objects.create_user(username=username, password=PASSWORD, display_name=kw.pop("display_name", username),
                                 **kw)
    if role:
        RoleAssignment.objects.create(user=u, role=role, place=place)
    return u


def user_with_posts(username, *posts):
    """A user holding every (role, place, department) post given."""
    u = user(username)
    for role, place, department in posts:
        RoleAssignment.objects.create(user=u, role=role, place=place, department=department)
    return u


class World:
    """Two streets, each with communities and grids, and staff at every level."""

    def __init__(self):
        self.district = district()
        self.street_a = street(self.district, 1, "宜城街道")
        self.street_b = street(self.district, 2, "新街街道")
        self.comm_a = community(self.street_a, 1, "东虹社区")
        self.comm_b = community(self.street_b, 1, "南岳社区")
        self.grid_a1 = grid(self.comm_a, 1)
        self.grid_a2 = grid(self.comm_a, 2)
        self.grid_b1 = grid(self.comm_b, 1)
        self.hh_a1 = household(self.grid_a1, "HA1")
        self.hh_a2 = household(self.grid_a2, "HA2")
        self.hh_b1 = household(self.grid_b1, "HB1")
        self.res_a1 = resident(self.hh_a1, "张三", phone="13812345678")
        self.res_a2 = resident(self.hh_a2, "李四")
        self.res_b1 = resident(self.hh_b1, "王五")
        from gongzhi.places.models import GridStaff
        self.staff_b1 = GridStaff.objects.create(grid=self.grid_b1, name="钱七", role="leader")
        from gongzhi.people.models import Organisation
        self.org_b = Organisation.objects.create(community=self.comm_b, kind="social_org", name="南岳志愿者协会")
        self.admin = user("admin", "admin", self.district)
        self.street_officer_a = user("street_a", "street", self.street_a)
        self.community_worker_a = user("cw_a", "community", self.comm_a)
        self.community_worker_b = user("cw_b", "community", self.comm_b)
        self.grid_worker_a1 = user("gw_a1", "grid", self.grid_a1)
        self.department = user("dept", "department", self.street_a)
        self.resident_user = user("res_a1", "resident", self.comm_a, resident=self.res_a1)
