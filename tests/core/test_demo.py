"""`gongzhi demo`: a deterministic synthetic 宜兴市, built here at a small scale
by the modules' demo parts, in the order their manifests declare."""
import ast
import datetime as dt
import inspect
import hashlib
import io
import json
import re
from collections import Counter, defaultdict

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.core.management import call_command
from django.db import transaction

from gongzhi.accounts.models import ROLE_LEVELS, Role, User
from gongzhi.accounts import demo as accounts_demo
from gongzhi.core import codes, crypto, demo, idcard, modules
from gongzhi.core.management.commands import demo as demo_command
from gongzhi.people import demo as people_demo
from gongzhi.people.models import (
    EventKind, Household, HouseholdStatus, Organisation, OrgKind, PersonStatus, Resident, ResidenceStatus,
)
from gongzhi.places import demo as places_demo
from gongzhi.places.models import Dwelling, Estate, Facility, GridKind, GridStaff, Level, Place, StaffRole

SCALE = 0.02


def _age(birth, on=demo.REFERENCE_DATE):
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _box(place):
    ring = place.boundary["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _digest() -> str:
    """Everything a user can see of the demo, ids and ciphertexts aside."""
    h = hashlib.sha256()

    def feed(rows):
        for row in rows:
            h.update(repr(row).encode())

    feed((*row[:-1], json.dumps(row[-1], sort_keys=True)) for row in Place.objects.order_by("code").values_list(
        "code", "name", "level", "parent__code", "is_town", "area_kind", "community_type", "urban_rural_code",
        "grid_kind", "boundary"))
    feed(GridStaff.objects.order_by("grid__code", "role", "name", "phone").values_list(
        "grid__code", "role", "name", "phone", "since", "user__username"))
    feed(Estate.objects.order_by("community__code", "name").values_list("community__code", "name", "address",
                                                                         "grid__code"))
    feed(Dwelling.objects.order_by("code").values_list("code", "address", "grid__code", "building__number",
                                                       "building__floors", "building__estate__name"))
    feed(Household.objects.order_by("number").values_list("number", "dwelling__code", "grid__code", "status"))
    for r in Resident.objects.order_by("household__number", "id").prefetch_related("care_tags"):
        feed([(r.household.number, r.name, r.birth_date, r.sex, r.ethnicity, r.relation, r.residence_status,
               r.moved_in_on, r.party_member, r.status, r.status_changed_on, crypto.decrypt(r.id_number_enc),
               crypto.decrypt(r.phone_enc), sorted(t.code for t in r.care_tags.all()),
               sorted((e.kind, e.occurred_on, sorted(e.detail.items())) for e in r.events.all()))])
    feed(Organisation.objects.order_by("community__code", "kind", "name", "estate__name").values_list(
        "community__code", "kind", "name", "registration", "credit_code", "contact_name", "estate__name"))
    feed(Facility.objects.order_by("community__code").values_list(
        "community__code", "service_area_m2", "station_area_m2", "activity_area_m2", "rooms", "publicity_boards",
        "disclosure_boards"))
    feed(User.objects.order_by("username").values_list("username", "display_name", "resident__name"))
    return h.hexdigest()


# -- the plan, without a database --------------------------------------------------

def test_plan_has_the_communities_and_size_classes_of_the_brief():
    full = places_demo.plan_households(1.0)
    assert len(full) >= 20
    sizes = Counter("small" if n < 1000 else "large" if n > 3000 else "medium" for n in full.values())
    assert sizes["small"] >= 2 and sizes["large"] >= 2 and sizes["medium"] >= 10
    streets = {s.name: s for s in places_demo.STREETS}
    for name in ("宜城街道", "新街街道", "屺亭街道", "新庄街道", "芳桥街道", "丁蜀镇"):
        assert name in streets
    assert sum(1 for s in places_demo.STREETS if s.is_town and s.name != "丁蜀镇") >= 2
    for s in places_demo.STREETS:
        code = places_demo.street_code(s)
        assert len(code) == 9 and code.startswith("320282")
        assert (100 <= s.suffix <= 199) == s.is_town
        for c in s.communities:
            assert (200 <= c.suffix <= 399) == c.rural and 1 <= c.suffix <= 399
            assert c.urban_rural_code in (("210", "220") if c.rural else ("111", "112", "121"))
    types = Counter(c.community_type for s in places_demo.STREETS for c in s.communities)
    assert types["unit"] == 1 and types["market_town"] == 1
    # The small build keeps every community and at least one household per grid.
    small = places_demo.plan_households(SCALE)
    assert small.keys() == full.keys()
    assert all(0 < small[code] < full[code] for code in full)


def test_accounts_table_names_every_role():
    assert {label.split("(")[0] for _u, label, _p in demo.DEMO_ACCOUNTS} == {r.label for r in Role}
    lines = demo.accounts_table("pw")
    assert lines[0] == "用户名  角色  位置  密码"
    assert "admin  市/区管理员  宜兴市  pw" in lines


def test_credit_codes_are_well_formed():
    import random

    rng = random.Random(1)
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [3 ** i % 31 for i in range(17)]
    for prefix in ("91", "52", "12") * 20:
        code = people_demo.credit_code(rng, prefix)
        assert len(code) == 18 and code.startswith(prefix + "320282")
        assert (sum(chars.index(c) * w for c, w in zip(code, weights)) + chars.index(code[17])) % 31 == 0


# -- a small build ------------------------------------------------------------------

@pytest.mark.django_db
def test_small_build_is_consistent_and_realistic():
    summary = demo.build_demo(scale=SCALE)
    assert summary.created
    full_households = sum(places_demo.plan_households(1.0).values())
    assert summary.households == sum(places_demo.plan_households(SCALE).values())
    # At full scale the same household mix gives well over 50,000 residents.
    assert summary.residents / summary.households * full_households >= 55_000

    # Territory: codes, kinds and a tidy tiling of rectangles.
    district = Place.objects.get(code="320282")
    assert district.level == Level.DISTRICT and district.name == "宜兴市"
    streets = list(Place.objects.filter(level=Level.STREET))
    communities = list(Place.objects.filter(level=Level.COMMUNITY))
    grids = list(Place.objects.filter(level=Level.GRID).select_related("parent"))
    assert (len(streets), len(communities), len(grids)) == (summary.streets, summary.communities, summary.grids)
    assert len(streets) >= 8 and len(communities) >= 20
    for p in streets + communities + grids:
        assert p.path == p.parent.path + p.code + "/"
        ring = p.boundary["coordinates"][0]
        assert p.boundary["type"] == "Polygon" and ring[0] == ring[-1] and len(ring) == 5
        x0, y0, x1, y1 = _box(p)
        px0, py0, px1, py1 = _box(p.parent)
        assert px0 - 1e-9 <= x0 < x1 <= px1 + 1e-9 and py0 - 1e-9 <= y0 < y1 <= py1 + 1e-9
        assert 119.5 < x0 < 120.1 and 31.1 < y0 < 31.6
    for parent in [district] + streets + communities:
        children = [p for p in streets + communities + grids if p.parent_id == parent.pk]
        if children:
            area = sum((b[2] - b[0]) * (b[3] - b[1]) for b in map(_box, children))
            b = _box(parent)
            assert area == pytest.approx((b[2] - b[0]) * (b[3] - b[1]), rel=1e-4)   # no gaps, no overlaps
    for c in communities:
        rural = int(c.code[9:]) >= 200
        assert c.area_kind == ("rural" if rural else "urban")
    for g in grids:
        assert g.code.startswith(g.parent.code) and len(g.code) == 15
    assert any(g.grid_kind == GridKind.DEDICATED for g in grids)
    assert all(re.fullmatch(r".+第\d+网格", g.name) for g in grids if g.grid_kind == GridKind.COMPREHENSIVE)

    # Staff, with deliberate gaps.
    roles = defaultdict(set)
    for s in GridStaff.objects.all():
        roles[s.grid_id].add(s.role)
        assert re.fullmatch(r"1[3-9]\d{9}", s.phone) and 2 <= len(s.name) <= 4
    without_leader = [g for g in grids if StaffRole.LEADER not in roles[g.pk]]
    without_full_time = [g for g in grids if StaffRole.FULL_TIME not in roles[g.pk]]
    assert len(without_leader) == 4 and len(without_full_time) == 3
    assert sum(not roles[g.pk] for g in grids) == 1  # one grid has nobody at all

    # Homes and households.
    dwellings = {d.pk: d for d in Dwelling.objects.select_related("building", "community")}
    for d in dwellings.values():
        assert d.code == f"{d.community.code}-{d.building.number}-{d.unit_no}-{d.room_no}"
        assert d.grid_id == d.building.grid_id
    households = list(Household.objects.all())
    assert len({h.dwelling_id for h in households}) == len(households)
    community_codes = {c.pk: c.code for c in communities}
    for h in households:
        assert re.fullmatch(rf"{community_codes[h.community_id]}-\d{{6}}", h.number)
        assert dwellings[h.dwelling_id].grid_id == h.grid_id
    assert Household.history.filter(history_type="+").count() == len(households)

    # Residents: valid ID numbers matching birth date and sex, one head per household.
    residents = list(Resident.objects.prefetch_related("care_tags"))
    assert len(residents) == summary.residents
    assert Resident.history.filter(history_type="+").count() == len(residents)
    heads = Counter(r.household_id for r in residents if r.relation == codes.HEAD_RELATION)
    assert set(heads.values()) == {1} and len(heads) == len(households)
    members = Counter(r.household_id for r in residents)
    numbers = set()
    for r in residents:
        number = crypto.decrypt(r.id_number_enc)
        parsed = idcard.parse(number)
        assert (parsed.birth_date, parsed.sex) == (r.birth_date, r.sex)
        assert r.id_number_hash == crypto.keyed_hash(number) and r.id_number_masked == crypto.mask_id_number(number)
        numbers.add(number)
        if r.residence_status == ResidenceStatus.REGISTERED:
            assert parsed.region == "320282"
        assert r.relation in codes.RELATIONS
        assert r.birth_date <= r.moved_in_on <= demo.REFERENCE_DATE
        tags = {t.code for t in r.care_tags.all()}
        assert ("very_old" in tags) == (_age(r.birth_date) >= 80)
        if "living_alone" in tags:
            assert members[r.household_id] == 1 and _age(r.birth_date) >= 60
        if "left_behind_child" in tags:
            assert _age(r.birth_date) < 16
        phone = crypto.decrypt(r.phone_enc)
        assert phone == "" or re.fullmatch(r"1[3-9]\d{9}", phone)
    assert len(numbers) == len(residents)
    statuses = Counter(r.residence_status for r in residents)
    assert statuses["registered"] > statuses["resident"] > 0 and statuses["floating"] > 0
    assert 0.03 < sum(r.party_member for r in residents) / len(residents) < 0.15

    # A few moved out or died: an event and a second history entry each.
    gone = [r for r in residents if r.status != PersonStatus.ACTIVE]
    assert gone
    for r in gone:
        kind = EventKind.DECEASED if r.status == PersonStatus.DECEASED else EventKind.MOVED_OUT
        assert r.events.filter(kind=kind, occurred_on=r.status_changed_on).exists()
        assert r.version == 2 and [h.history_type for h in r.history.all()] == ["~", "+"]
    assert all(r.events.filter(kind=EventKind.REGISTERED).exists() for r in residents[:50])
    active_households = {r.household_id for r in residents if r.status == PersonStatus.ACTIVE}
    for h in households:
        assert (h.status == HouseholdStatus.ACTIVE) == (h.pk in active_households)

    # Organisations and facilities.
    for c in communities:
        orgs = Organisation.objects.filter(community=c)
        assert orgs.filter(kind=OrgKind.SOCIAL_ORG).exists() and orgs.filter(kind=OrgKind.RESIDENT_UNIT).exists()
        if c.area_kind == "urban":
            assert orgs.filter(kind=OrgKind.PROPERTY_FIRM).count() == Estate.objects.filter(community=c).count()
        else:
            assert not orgs.filter(kind=OrgKind.PROPERTY_FIRM).exists()
    facilities = {f.community_id: f for f in Facility.objects.filter(community__level="community")}
    assert set(facilities) == {c.pk for c in communities}
    assert Facility.objects.filter(community__level="street").count() == len(streets)  # street centres
    per_100 = [float(f.service_area_m2) * 100 / Household.objects.filter(community_id=cid).count()
               for cid, f in facilities.items()]
    assert sum(a >= 40 for a in per_100) > len(per_100) / 2 and sum(a < 40 for a in per_100) >= 3
    room_codes = {code for code, _ in Facility.ROOMS}
    assert all(set(f.rooms) <= room_codes for f in facilities.values())

    # Accounts: one per role (two community workers, two provider accounts), scoped at the right level.
    everyone = list(User.objects.prefetch_related("assignments__place"))
    users = {u.username: u for u in everyone if u.has_usable_password()}
    # and care's family account of a son outside the registry: no post, no registry record
    assert set(users) == {u for u, _r, _p in demo.DEMO_ACCOUNTS} | {"jiashu"}
    assert not users["jiashu"].assignments.exists() and users["jiashu"].resident_id is None
    # The staff who act in the work-order history cannot log in.
    assert all(not u.has_usable_password() for u in everyone if u.username not in users)
    assert Counter(a.role for u in users.values() for a in u.assignments.all()) == {
        Role.ADMIN: 1, Role.STREET: 1, Role.COMMUNITY: 2, Role.GRID: 1, Role.DEPARTMENT: 1, Role.RESIDENT: 3,
        Role.AUDITOR: 1, Role.SECURITY: 1, Role.PROVIDER: 2}  # a social worker and a property firm's account
    # the resident accounts (resident, resident2, resident3): each a living resident of its own household
    homes = [users[u].resident for u in ("resident", "resident2", "resident3")]
    assert all(r is not None and r.status == "active" and r.phone_enc for r in homes)
    assert len({r.household_id for r in homes}) == 3
    for username, _label, place_name in demo.DEMO_ACCOUNTS:
        (a,) = users[username].assignments.all()
        assert a.place.level in ROLE_LEVELS[a.role] and a.place.name == place_name
    admin = users["admin"]
    # create_user, so the configured hasher (Argon2 in production settings).
    assert identify_hasher(admin.password).algorithm == get_hasher().algorithm
    assert admin.check_password(demo.demo_password())
    assert users["department"].assignments.get().department == "市民政局"
    community2 = users["community2"].assignments.get().place
    assert community2.parent != users["community"].assignments.get().place.parent
    grid = users["grid"].assignments.get().place
    assert GridStaff.objects.filter(grid=grid, user=users["grid"], role=StaffRole.FULL_TIME).exists()
    person = users["resident"].resident
    assert person.grid == grid and users["resident"].assignments.get().place == grid
    assert person.status == PersonStatus.ACTIVE and users["resident"].display_name == person.name

    # Work orders: a year of history made by the engine itself.
    from gongzhi.workorders.models import Action, State, WorkOrder, WorkOrderEvent
    orders = WorkOrder.objects.all()
    assert orders.count() >= 60
    states = set(orders.values_list("state", flat=True))
    assert {State.CLOSED, State.DECLINED} <= states and states & {State.DISPATCHED, State.HANDLING, State.REPLIED}
    assert orders.filter(escalation__level__gte=1).exists() and orders.filter(rework_count__gt=0).exists()
    assert orders.exclude(rating=None).exists()
    assert WorkOrderEvent.objects.filter(action=Action.REPORT).count() == orders.count()
    assert orders.filter(reporter_user=users["resident"]).exists()
    assert orders.filter(community=users["community"].assignments.get().place, owner=users["community"]).exists()

    # Care: every visit the demo loads in bulk has its grid's 民情日记 row, as a visit recorded one by one has
    from gongzhi.care.models import CareVisit, HomeStaff, StationStaff
    from gongzhi.workorders.models import VisitLog
    assert CareVisit.objects.count() > 50 and not CareVisit.objects.filter(visit_log__isnull=True).exists()
    assert VisitLog.objects.filter(notes__startswith="关爱走访").count() == CareVisit.objects.count()
    assert CareVisit.objects.values("visit_log_id").distinct().count() == CareVisit.objects.count()
    # the social worker's account works at 东虹社区's station and 残疾人之家, bound with dates by the community
    for binding in (StationStaff.objects.get(user=users["provider"]), HomeStaff.objects.get(user=users["provider"])):
        assert binding.is_current() and binding.bound_by is not None


@pytest.mark.django_db
def test_the_build_queues_no_notice_for_the_senders(settings):
    """A year of demo history fills inboxes only: nothing is queued for the console (or an SMS gateway),
    so the served demo's worker does not print thousands of old notices."""
    from django_tasks_db.models import DBTaskResult
    from gongzhi.workorders.models import Notification
    settings.GONGZHI_NOTIFY_SENDERS = ["gongzhi.core.senders.ConsoleSender"]
    demo.build_demo(scale=SCALE)
    assert Notification.objects.count() > 100
    assert not DBTaskResult.objects.filter(task_path__endswith="notify.deliver").exists()


def test_muted_nests():
    from gongzhi.core import senders
    settings_senders = senders.senders
    assert settings_senders()  # the console sender is configured by default
    with senders.muted():
        with senders.muted():
            assert senders.senders() == []
        assert senders.senders() == []  # the inner one ending does not unmute the outer one
    assert senders.senders()


@pytest.mark.django_db
def test_build_is_deterministic():
    sid = transaction.savepoint()
    demo.build_demo(scale=SCALE)
    first = _digest()
    transaction.savepoint_rollback(sid)
    assert not Place.objects.filter(code="320282").exists()
    demo.build_demo(scale=SCALE)
    assert _digest() == first


@pytest.mark.django_db
def test_command_prints_summary_and_accounts_and_second_run_changes_nothing(monkeypatch):
    monkeypatch.setenv(demo.PASSWORD_ENV, "another-demo-pw")
    out = io.StringIO()
    call_command("demo", scale=SCALE, stdout=out)
    text = out.getvalue()
    assert "宜兴市演示数据已生成" in text and "用户名  角色  位置  密码" in text
    assert "grid  网格员  东虹社区第1网格  another-demo-pw" in text
    assert User.objects.get(username="resident").check_password("another-demo-pw")
    before = (Place.objects.count(), Resident.objects.count(), Household.objects.count(), User.objects.count(),
              Resident.history.count())

    out = io.StringIO()
    call_command("demo", scale=SCALE, stdout=out)
    text = out.getvalue()
    assert demo.ALREADY_EXISTS in text and "department  职能部门(市民政局)  宜兴市  another-demo-pw" in text
    after = (Place.objects.count(), Resident.objects.count(), Household.objects.count(), User.objects.count(),
             Resident.history.count())
    assert after == before
    summary = demo.build_demo()
    assert not summary.created and summary.residents == before[1] and summary.communities >= 20


def test_reference_date_is_in_the_past():
    assert demo.REFERENCE_DATE < dt.date.today()


# -- the parts --------------------------------------------------------------------------

# The shared generator is consumed part after part, so this order is what makes
# the data set what it is: changing it changes every name and number after it.
PART_ORDER = ["gongzhi.places.demo.build", "gongzhi.people.demo.build", "gongzhi.places.demo.build_facilities",
              "gongzhi.accounts.demo.build", "gongzhi.workorders.demo.build", "gongzhi.governance.demo.build",
              "gongzhi.governance.demo_meetings.build", "gongzhi.projects.demo.build", "gongzhi.disclosure.demo.build",
              "gongzhi.governance.demo_mailbox.build", "gongzhi.ledgers.demo.build", "gongzhi.volunteers.demo.build",
              "gongzhi.network.demo.build", "gongzhi.care.demo.build", "gongzhi.estates.demo.build",
              "gongzhi.elections.demo.build", "gongzhi.admission.demo.build", "gongzhi.desks.demo.build",
              "gongzhi.cadres.demo.build", "gongzhi.standards.demo.build_part", "gongzhi.digests.demo.build"]


@pytest.mark.django_db
def test_parts_run_in_the_order_the_manifests_declare(monkeypatch):
    declared = sorted((part for m in modules.modules() for part in m.demo), key=lambda part: part.order)
    assert len({part.order for part in declared}) == len(declared)  # no two parts share a place in the line
    assert [part.build for part in declared] == PART_ORDER
    ran = []
    monkeypatch.setattr(demo, "import_string", lambda path: lambda ctx: ran.append((path, ctx)))
    summary = demo.build_demo(scale=SCALE)
    assert [path for path, _ctx in ran] == PART_ORDER
    assert len({id(ctx) for _path, ctx in ran}) == 1 and summary is ran[0][1].summary  # one context, handed on


def test_every_part_and_counter_is_importable_and_counts_a_declared_part():
    from django.utils.module_loading import import_string

    builds = {part.build for part in modules.demo_parts()}
    for part in modules.demo_parts():
        assert callable(import_string(part.build)), part
    for build, counter in modules.extras(demo.COUNTERS):
        assert build in builds and callable(import_string(counter)), (build, counter)


def _gongzhi_imports_and_paths(module) -> set[str]:
    """Every gongzhi module a source file imports or names in a string (a dotted path)."""
    tree = ast.parse(inspect.getsource(module))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= set(re.findall(r"gongzhi\.\w+", node.value))
    return {name for name in found if name.startswith("gongzhi.")}


def test_the_kernels_demo_code_imports_no_feature_app():
    kernel = {"core", "accounts", "places"}
    apps = {app.split(".")[1] for app in settings.INSTALLED_APPS if app.startswith("gongzhi.")}
    features = apps - kernel
    assert {"people", "workorders", "ledgers", "standards"} <= features
    for module in (demo, demo_command, places_demo, accounts_demo):
        used = {name.split(".")[1] for name in _gongzhi_imports_and_paths(module)}
        assert not used & features, (module.__name__, used & features)
