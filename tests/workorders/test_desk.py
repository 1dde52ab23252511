"""The desk (我的待办): each user sees the orders whose next step is theirs — accept and
dispatch for the community, handling for the unit it was sent to, verification for the
grid's worker unless they did the work, closing for the supervisor — and the key-group
households of their grids that nobody has visited for 30 days."""
import datetime as dt

from django.utils import timezone

from gongzhi.core.scope import Scope
from gongzhi.people.models import CareTag
from gongzhi.workorders import desk, services
from gongzhi.workorders.models import Category, Channel, Escalation, EscalationLevel, VisitLog
from tests.factories import household, resident, user_with_posts


def _waiting(user):
    return set(desk.waiting(Scope.for_user(user)).values_list("pk", flat=True))


def _report(world, grid=None, by=None):
    return services.order_report(category=Category.objects.get(code="sanitation"), description="楼道堆满杂物",
                                 channel=Channel.GRID, by=by or world.grid_worker_a1, grid=grid or world.grid_a1)


def test_each_step_waits_on_the_right_desk(world):
    cw, gw = world.community_worker_a, world.grid_worker_a1
    order = _report(world)
    assert order.pk in _waiting(cw)                      # 待受理: the community
    assert order.pk not in _waiting(gw) | _waiting(world.street_officer_a) | _waiting(world.community_worker_b)
    order = services.order_accept(order=order, by=cw, version=order.version)
    assert order.pk in _waiting(cw)                      # 待派遣
    order = services.order_dispatch(order=order, by=cw, version=order.version, place=world.grid_a1)
    assert order.pk in _waiting(gw) and order.pk not in _waiting(cw)   # 待处置: the grid it went to
    order = services.order_reply(order=order, by=gw, version=order.version, reply="已清理")
    assert order.pk not in _waiting(gw)                  # nobody verifies their own work
    other = user_with_posts("gw_a1_b", ("grid", world.grid_a1, ""))
    assert order.pk in _waiting(other)                   # the grid's other worker verifies
    order = services.order_verify(order=order, by=other, version=order.version, passed=True)
    assert order.pk in _waiting(cw)                      # 待结案: the community closes
    services.order_close(order=order, by=cw, version=order.version)
    assert order.pk not in _waiting(cw) | _waiting(gw) | _waiting(other)


def test_a_street_sees_community_orders_only_once_escalated_to_it(world):
    order = _report(world)
    assert order.pk not in _waiting(world.street_officer_a)
    Escalation.objects.update_or_create(order=order, defaults={"level": EscalationLevel.STREET})
    assert order.pk in _waiting(world.street_officer_a)
    assert order.pk not in _waiting(world.admin)


def test_a_department_gets_its_own_department_orders(world):
    cw = world.community_worker_a
    world.department.assignments.update(department="城管局")
    order = services.order_accept(order=_report(world), by=cw, version=1)
    order = services.order_dispatch(order=order, by=cw, version=order.version, place=world.street_a,
                                    department="城管局")
    assert order.pk in _waiting(world.department)
    assert order.pk not in _waiting(world.street_officer_a)  # the street's own desk: not sent to it


def test_two_posts_each_bring_their_own_steps(world):
    """A community worker of A who also holds a department post: A's reported orders and the
    department's dispatched ones — never community B's."""
    both = user_with_posts("cw_dept", ("community", world.comm_a, ""), ("department", world.street_a, "城管局"))
    order_a = _report(world)
    order_b = _report(world, grid=world.grid_b1, by=world.community_worker_b)
    sent = services.order_accept(order=_report(world), by=world.community_worker_a, version=1)
    sent = services.order_dispatch(order=sent, by=world.community_worker_a, version=sent.version,
                                   place=world.street_a, department="城管局")
    waiting = _waiting(both)
    assert {order_a.pk, sent.pk} <= waiting and order_b.pk not in waiting


def test_counts_split_overdue_and_due_today(world):
    cw = world.community_worker_a
    late, today, later = _report(world), _report(world), _report(world)
    now = timezone.now()
    type(late).objects.filter(pk=late.pk).update(step_due_at=now - dt.timedelta(hours=2))
    end_of_today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(23, 59)))
    type(today).objects.filter(pk=today.pk).update(step_due_at=min(now + dt.timedelta(minutes=5), end_of_today))
    type(later).objects.filter(pk=later.pk).update(step_due_at=now + dt.timedelta(days=3))
    counts = desk.waiting_counts(Scope.for_user(cw))
    assert counts == {"total": 3, "overdue": 1, "due_today": 1}
    assert list(desk.waiting(Scope.for_user(cw)).values_list("pk", flat=True))[:2] == [late.pk, today.pk]


def test_key_group_households_not_visited_for_30_days_are_due(world):
    gw = world.grid_worker_a1
    elderly = CareTag.objects.get(name="独居老人")  # a built-in tag
    world.res_a1.care_tags.add(elderly)                  # HA1: a key-group member
    quiet = household(world.grid_a1)                     # no key group: never due
    resident(quiet, "赵六")
    scope = Scope.for_user(gw)
    assert [h.number for h in desk.visits_due(scope)] == ["HA1"]
    VisitLog.objects.create(grid=world.grid_a1, household=world.hh_a1, visitor=gw, notes="走访",
                            visited_on=timezone.localdate() - dt.timedelta(days=31))
    due = list(desk.visits_due(scope))
    assert [h.number for h in due] == ["HA1"] and due[0].last_visit == timezone.localdate() - dt.timedelta(days=31)
    VisitLog.objects.create(grid=world.grid_a1, household=world.hh_a1, visitor=gw, notes="走访",
                            visited_on=timezone.localdate())
    assert not desk.visits_due(scope).exists()
    # a department keeps no visit log: nothing is due for it
    assert not desk.visits_due(Scope.for_user(world.department)).exists()


def test_the_home_and_the_desk_page_show_it(client, world):
    order = _report(world)
    client.force_login(world.community_worker_a)
    home = client.get("/").content.decode()
    assert "我的待办" in home and 'data-testid="desk-waiting">1<' in home and "上报事件" in home
    page = client.get("/orders/desk/").content.decode()
    assert order.number in page
    assert order.number not in client.get("/orders/desk/?when=overdue").content.decode()
    client.force_login(world.grid_worker_a1)
    home = client.get("/").content.decode()
    assert "记民情日记" in home and 'data-testid="desk-waiting">0<' in home
    # the visit form opens on the household named by the desk's link, in its own grid
    form = client.get("/orders/visits/?household=HA1").content.decode()
    assert 'value="HA1"' in form
    assert 'value="HB1"' not in client.get("/orders/visits/?household=HB1").content.decode()  # not theirs
