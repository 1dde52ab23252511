"""Work orders read through a scope narrowed to the page's capability: a user's
second post never widens the first. A community worker who is also a
department officer elsewhere sees there only what was dispatched to their
department, and supervises nothing there; a grid worker who is also a street
officer elsewhere reads that street's visit log but keeps only their own grid's.
Every refusal leaves the data as it was."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import get_resolver
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment
from gongzhi.core.permissions import OWN_RECORDS, PUBLIC, capability_of
from gongzhi.core.scope import Scope, ScopeNotNarrowed
from gongzhi.workorders import selectors, services
from gongzhi.workorders.manifest import VIEW_ORDERS
from gongzhi.workorders.models import Category, Channel, State, VisitLog, WorkOrder
from tests.factories import user


def _report(description, *, by, grid):
    return services.order_report(category=Category.objects.get(code="sanitation"), description=description,
                                 channel=Channel.GRID if grid.level == "grid" else Channel.WEB, by=by, grid=grid)


def _dispatched(world, description, *, place, department=""):
    order = _report(description, by=world.community_worker_b, grid=world.grid_b1)
    order = services.order_accept(order=order, by=world.community_worker_b, version=order.version)
    return services.order_dispatch(order=order, by=world.community_worker_b, version=order.version, place=place,
                                   department=department)


def _snapshot(order):
    order = WorkOrder.objects.get(pk=order.pk)
    return (order.state, order.version, order.handling_place_id, order.handling_department, order.owner_id,
            order.events.count())


@pytest.fixture
def dual(world):
    """Community worker of community A and 城管局 officer at street B."""
    u = user("dual", Role.COMMUNITY, world.comm_a)
    RoleAssignment.objects.create(user=u, role=Role.DEPARTMENT, place=world.street_b, department="城管局")
    return u


@pytest.fixture
def orders_b(world):
    """Street B's orders: one waiting, one at the community, one at each of two departments
    (each department has its officer at street B: nothing is dispatched where nobody can act)."""
    for username, department in (("cgj_b", "城管局"), ("mzb_b", "民政办")):
        user(username, Role.DEPARTMENT, world.street_b).assignments.update(department=department)
    return {
        "waiting": _report("南岳待受理", by=world.community_worker_b, grid=world.grid_b1),
        "community": _dispatched(world, "南岳社区承办", place=world.comm_b),
        "cgj": _dispatched(world, "南岳城管承办", place=world.street_b, department="城管局"),
        "mzb": _dispatched(world, "南岳民政承办", place=world.street_b, department="民政办"),
    }


def test_community_worker_with_a_department_post_elsewhere_sees_only_what_was_dispatched_there(
        client, world, dual, orders_b):
    own = _report("东虹楼道杂物", by=world.grid_worker_a1, grid=world.grid_a1)
    client.force_login(dual)

    listing = client.get("/orders/?state=").content.decode()
    assert "东虹楼道杂物" in listing and "南岳城管承办" in listing
    for key in ("waiting", "community", "mzb"):
        assert orders_b[key].title not in listing, key

    assert client.get(f"/orders/{own.pk}/").status_code == 200
    assert client.get(f"/orders/{orders_b['cgj'].pk}/").status_code == 200
    for key in ("waiting", "community", "mzb"):
        assert client.get(f"/orders/{orders_b[key].pk}/").status_code == 404, key

    response = client.get("/orders/figures/?group=street")
    assert response.status_code == 200
    rows = {r["unit"]: r for r in response.context["rows"]}
    assert rows["新街街道"]["reported"] == 1 and rows["宜城街道"]["reported"] == 1
    response = client.get("/orders/figures/?group=handling")
    units = {r["unit"] for r in response.context["rows"]}
    assert "新街街道城管局" in units and "新街街道民政办" not in units and "南岳社区" not in units


def test_department_post_elsewhere_grants_no_supervision_there(client, world, dual, orders_b):
    client.force_login(dual)
    waiting, cgj = orders_b["waiting"], orders_b["cgj"]
    before = {k: _snapshot(o) for k, o in orders_b.items()}

    # a waiting order of street B: not even visible, so not accepted
    response = client.post(f"/orders/{waiting.pk}/act/accept/", {"version": waiting.version})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.order_accept(order=waiting, by=dual, version=waiting.version)

    # the order at their department: they handle it, but neither redispatch nor close it
    detail = client.get(f"/orders/{cgj.pk}/")
    assert "handle" in detail.context["actions"] and "dispatch" not in detail.context["actions"]
    response = client.post(f"/orders/{cgj.pk}/act/dispatch/", {"version": cgj.version,
                                                                "target": world.comm_b.code})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.order_dispatch(order=cgj, by=dual, version=cgj.version, place=world.comm_b)
    assert not services.is_supervisor(Scope.for_user(dual), cgj)

    assert {k: _snapshot(o) for k, o in orders_b.items()} == before

    # their community post still supervises community A
    own = _report("东虹路灯不亮", by=world.grid_worker_a1, grid=world.grid_a1)
    assert client.post(f"/orders/{own.pk}/act/accept/", {"version": own.version}).status_code == 302
    assert WorkOrder.objects.get(pk=own.pk).state == State.ACCEPTED


def test_department_post_handles_only_its_own_department(world, dual, orders_b):
    cgj, mzb = orders_b["cgj"], orders_b["mzb"]
    before = _snapshot(mzb)
    with pytest.raises(PermissionDenied):
        services.order_handle(order=mzb, by=dual, version=mzb.version, note="越权处置")
    assert _snapshot(mzb) == before
    order = services.order_handle(order=cgj, by=dual, version=cgj.version, note="已到场处置")
    assert order.state == State.HANDLING


@pytest.fixture
def gw_street(world):
    """Grid worker of grid A1 and street officer of street B."""
    u = user("gw_street", Role.GRID, world.grid_a1)
    RoleAssignment.objects.create(user=u, role=Role.STREET, place=world.street_b)
    return u


@pytest.fixture
def visit_b(world):
    keeper = user("gw_b1", Role.GRID, world.grid_b1)
    return services.visit_record(by=keeper, grid=world.grid_b1, visited_on=timezone.localdate(), notes="南岳走访",
                                 concerns="南岳路面坑洼")


def test_grid_worker_with_a_street_post_keeps_the_log_only_in_their_grid(client, world, gw_street, visit_b):
    today = timezone.localdate()
    client.force_login(gw_street)
    page = client.get("/orders/visits/")
    assert page.status_code == 200
    assert [code for code, _ in page.context["form"].fields["grid"].choices] == [world.grid_a1.code]
    text = page.content.decode()
    assert "南岳走访" in text  # street B's log is readable
    assert f"/orders/visits/{visit_b.pk}/order/" not in text  # but not theirs to turn into an order

    visits_before, orders_before = VisitLog.objects.count(), WorkOrder.objects.count()
    response = client.post("/orders/visits/", {"grid": world.grid_b1.code, "visited_on": today.isoformat(),
                                               "notes": "越权走访"})
    assert response.status_code == 200 and not VisitLog.objects.filter(notes="越权走访").exists()
    with pytest.raises(PermissionDenied):
        services.visit_record(by=gw_street, grid=world.grid_b1, visited_on=today, notes="越权走访")
    response = client.post(f"/orders/visits/{visit_b.pk}/order/", {"category": "property"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.visit_to_order(visit=visit_b, by=gw_street, category=Category.objects.get(code="property"))
    visit_b.refresh_from_db()
    assert visit_b.work_order_id is None
    assert (VisitLog.objects.count(), WorkOrder.objects.count()) == (visits_before, orders_before)

    response = client.post("/orders/visits/", {"grid": world.grid_a1.code, "visited_on": today.isoformat(),
                                               "notes": "东虹走访"})
    assert response.status_code == 302
    assert VisitLog.objects.get(notes="东虹走访").grid == world.grid_a1


def test_street_post_reads_visits_but_keeps_none(client, world, visit_b):
    officer_b = user("street_b", Role.STREET, world.street_b)
    client.force_login(officer_b)
    page = client.get("/orders/visits/")
    assert page.status_code == 200 and "南岳走访" in page.content.decode() and not page.context["can_record"]
    response = client.post(f"/orders/visits/{visit_b.pk}/order/", {"category": "property"})
    assert response.status_code == 403
    visit_b.refresh_from_db()
    assert visit_b.work_order_id is None


def test_department_only_user_cannot_report(client, world):
    world.department.assignments.update(department="城管局")
    client.force_login(world.department)
    count = WorkOrder.objects.count()
    assert client.get("/orders/new/").status_code == 403
    response = client.post("/orders/new/", {"category": "sanitation", "description": "部门直报",
                                            "grid": world.grid_a1.code})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.order_report(category=Category.objects.get(code="sanitation"), description="部门直报",
                              channel=Channel.WINDOW, by=world.department, grid=world.grid_a1)
    assert WorkOrder.objects.count() == count
    listing = client.get("/orders/")
    assert listing.status_code == 200 and not listing.context["can_report"]
    assert "/orders/new/" not in listing.content.decode()


def test_reads_refuse_a_scope_not_narrowed(world):
    with pytest.raises(ScopeNotNarrowed):
        list(selectors.orders_in(Scope.for_user(world.community_worker_a)))
    with pytest.raises(ScopeNotNarrowed):
        list(selectors.visits_in(Scope.for_user(world.grid_worker_a1)))
    assert list(selectors.orders_in(Scope.for_user_capability(world.community_worker_a, VIEW_ORDERS))) == []


def _patterns(resolver, namespace=""):
    for p in resolver.url_patterns:
        if hasattr(p, "url_patterns"):
            yield from _patterns(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        else:
            yield f"{namespace}{p.name}", p.callback


def test_every_work_order_view_declares_what_it_needs():
    views = {name: view for name, view in _patterns(get_resolver())
             if name.startswith(("workorders:", "open311:"))}
    assert len(views) >= 20
    for name, view in views.items():
        assert capability_of(view) is not None, name
    assert capability_of(views["workorders:inbox"]) == OWN_RECORDS
    assert capability_of(views["workorders:public_map"]) == PUBLIC
    assert all(capability_of(v) == PUBLIC for n, v in views.items() if n.startswith("open311:"))
