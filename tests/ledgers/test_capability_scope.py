"""Users with several posts: ledger pages read through the posts whose role
grants VIEW_LEDGERS and write through those granting EDIT_LEDGERS, so a
department, grid or resident post held beside reaches no other community's
books, and every refusal leaves them as they were."""
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from gongzhi.core.scope import Scope
from gongzhi.ledgers import panels, selectors
from gongzhi.ledgers.manifest import EDIT_LEDGERS, VIEW_LEDGERS
from gongzhi.ledgers.models import Meeting, Volunteer, Worker
from gongzhi.places.models import Place
from tests.factories import user_with_posts




@pytest.fixture
def books_b(world):
    """Community B's books: a worker, a meeting and a volunteer, all about 王五."""
    world.worker_b = Worker.objects.create(community=world.comm_b, name="王五", committee_post="director")
    world.meeting_b = Meeting.objects.create(community=world.comm_b, kind="residents", held_on="2025-03-01",
                                             title="王五提议加装电梯")
    world.volunteer_b = Volunteer.objects.create(community=world.comm_b, resident=world.res_b1,
                                                 registered_on="2025-01-01")
    return world


MULTI = {
    "cw_a+dept_b": lambda w: [("community", w.comm_a, ""), ("department", w.street_b, "城管局")],
    "street_a+grid_b1": lambda w: [("street", w.street_a, ""), ("grid", w.grid_b1, "")],
    "cw_a+resident_b": lambda w: [("community", w.comm_a, ""), ("resident", w.comm_b, "")],
}


def _snapshot():
    return (list(Worker.objects.order_by("pk").values_list("pk", "name", "version", "left_on", "community_id")),
            list(Meeting.objects.order_by("pk").values_list("pk", "title", "voided", "community_id")),
            list(Volunteer.objects.order_by("pk").values_list("pk", "left_on", "community_id")))


WRITES = [
    lambda w: (f"/ledgers/{w.comm_b.code}/workers/new/", {"name": "篡改", "committee_post": "member"}),
    lambda w: (f"/ledgers/{w.comm_b.code}/workers/{w.worker_b.pk}/", {"name": "篡改", "version": 1}),
    lambda w: (f"/ledgers/{w.comm_b.code}/meetings/new/", {"kind": "residents", "held_on": "2025-03-02",
                                                           "title": "篡改"}),
    lambda w: (f"/ledgers/{w.comm_b.code}/meetings/{w.meeting_b.pk}/void/", {"reason": "篡改"}),
    lambda w: (f"/ledgers/{w.comm_b.code}/volunteers/new/", {"id_number": "11010519491231002X",
                                                             "registered_on": "2025-01-01"}),
    lambda w: (f"/ledgers/{w.comm_b.code}/volunteers/{w.volunteer_b.pk}/leave/", {}),
]


@pytest.mark.parametrize("who", sorted(MULTI))
def test_another_post_reads_no_ledgers_of_community_b(client, books_b, who):
    w = books_b
    client.force_login(user_with_posts(who.replace("+", "_"), *MULTI[who](w)))
    for tab in ("workers", "meetings", "volunteers", "trainings"):
        r = client.get(f"/ledgers/{w.comm_b.code}/?tab={tab}&year=2025")
        assert r.status_code == 404 and "王五" not in r.content.decode(), tab
    own = client.get(f"/ledgers/{w.comm_a.code}/?tab=workers")
    assert own.status_code == 200 and "王五" not in own.content.decode()


@pytest.mark.parametrize("who, status", [
    ("cw_a+dept_b", 404),  # keeps community A's books only
    ("street_a+grid_b1", 403),  # neither post keeps books
    ("cw_a+resident_b", 404),
])
@pytest.mark.parametrize("write", range(len(WRITES)))
def test_another_post_changes_no_ledgers_of_community_b(client, books_b, who, status, write):
    w = books_b
    client.force_login(user_with_posts(who.replace("+", "_"), *MULTI[who](w)))
    url, data = WRITES[write](w)
    before = _snapshot()
    r = client.post(url, data)
    assert r.status_code == status, url
    assert _snapshot() == before


def test_own_community_is_kept_only_where_a_post_keeps_books(client, world):
    """The community worker keeps A's books; a department post at B adds nothing to edit."""
    u = user_with_posts("cw_a_dept_b", *MULTI["cw_a+dept_b"](world))
    client.force_login(u)
    assert client.get(f"/ledgers/{world.comm_a.code}/").context["can_edit"] is True
    r = client.post(f"/ledgers/{world.comm_a.code}/meetings/new/",
                    {"kind": "residents", "held_on": "2025-03-02", "title": "东虹居民会议"})
    assert r.status_code == 302 and Meeting.objects.get().community == world.comm_a
    street = user_with_posts("street_a_grid_b1", *MULTI["street_a+grid_b1"](world))
    client.force_login(street)
    assert client.get(f"/ledgers/{world.comm_a.code}/").context["can_edit"] is False  # street officers read


def test_scopes_and_may_edit_follow_the_capability(world):
    u = user_with_posts("cw_a_dept_b", *MULTI["cw_a+dept_b"](world))
    view = Scope.for_user_capability(u, VIEW_LEDGERS)
    assert view.staff_places == [world.comm_a]
    assert selectors.may_edit(view, world.comm_a) and not selectors.may_edit(view, world.comm_b)
    assert not Scope.for_user_capability(world.department, VIEW_LEDGERS)
    street = user_with_posts("street_a_grid_b1", *MULTI["street_a+grid_b1"](world))
    assert not Scope.for_user_capability(street, EDIT_LEDGERS)
    assert not selectors.may_edit(Scope.for_user_capability(street, VIEW_LEDGERS), world.comm_a)


def test_department_alone_is_refused(client, world):
    client.force_login(world.department)
    assert client.get(f"/ledgers/{world.comm_a.code}/").status_code == 403


# -- the place page's panel ---------------------------------------------------------------
def test_place_panel_only_for_a_community_the_scope_holds(world):
    request = RequestFactory().get("/")
    scope = Scope.for_user_capability(world.community_worker_a, VIEW_LEDGERS)
    assert panels.place_ledgers(request, scope, world.comm_a) == {"place": world.comm_a}
    for place in (world.grid_a1, world.street_a, world.district):
        assert panels.place_ledgers(request, scope, place) is None, place
    assert panels.place_ledgers(request, scope, world.comm_b) is None
    html = render_to_string("ledgers/panel_place.html", {"place": world.comm_a})
    assert "社区台账" in html and f"/ledgers/{world.comm_a.code}/" in html


def test_place_panel_is_registered_under_view_ledgers():
    from gongzhi.core import modules
    panel = next(p for p in modules.panels("place_panels") if p.template == "ledgers/panel_place.html")
    assert panel.capability is VIEW_LEDGERS
    place = Place(code="x", level="community", name="x", path="/x/")
    assert panel.render_context(RequestFactory().get("/"), Scope(user=None, capability=VIEW_LEDGERS,
                                                                  assignments=[]), place) is None
