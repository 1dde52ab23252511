"""A dispatch names exactly one handler that an account can act on (the form offers one list of
units, departments only where they have an account), and nobody verifies their own work."""
import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.accounts.models import RoleAssignment
from gongzhi.workorders import rights, selectors, services
from gongzhi.workorders.models import Action, Category, Channel, State, WorkOrder
from gongzhi.workorders.services import WorkflowError
from tests.factories import user


def _accepted(world, code="sanitation"):
    order = services.order_report(category=Category.objects.get(code=code), description="楼道堆满杂物",
                                  channel=Channel.GRID, by=world.grid_worker_a1, grid=world.grid_a1)
    return services.order_accept(order=order, by=world.community_worker_a, version=order.version)


def test_a_department_is_never_dispatched_to_a_grid(world):
    order = _accepted(world)
    with pytest.raises(WorkflowError, match="职能部门只能在街道"):
        services.order_dispatch(order=order, by=world.community_worker_a, version=order.version,
                                place=world.grid_a1, department="城管局")
    assert WorkOrder.objects.get(pk=order.pk).state == State.ACCEPTED


def test_a_unit_no_account_can_act_for_is_refused(world):
    order = _accepted(world)
    with pytest.raises(WorkflowError, match="没有可以处理工单的账号"):  # no 城管局 account anywhere
        services.order_dispatch(order=order, by=world.community_worker_a, version=order.version,
                                place=world.district, department="城管局")
    order = services.order_dispatch(order=order, by=world.community_worker_a, version=order.version,
                                    place=world.grid_a1)
    assert order.state == State.DISPATCHED and order.handling_department == ""


def test_the_form_offers_one_list_with_departments_that_have_accounts(client, world):
    RoleAssignment.objects.create(user=user("cgj"), role="department", place=world.district, department="城管局")
    order = _accepted(world)
    values = dict(selectors.dispatch_options(order))
    assert world.grid_a1.code in values and f"{world.district.code}|城管局" in values
    assert not any(v.startswith(world.grid_a1.code + "|") for v in values)
    client.force_login(world.community_worker_a)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="dispatch-dept"' not in page and "职能部门 · 宜兴市城管局" in page
    r = client.post(f"/orders/{order.pk}/act/dispatch/", {"version": order.version,
                                                          "target": f"{world.district.code}|城管局"})
    order.refresh_from_db()
    assert r.status_code == 302 and order.handling_place == world.district and order.handling_department == "城管局"


def test_nobody_verifies_their_own_reply(world):
    cw = world.community_worker_a
    order = _accepted(world)
    order = services.order_dispatch(order=order, by=cw, version=order.version, place=world.grid_a1)
    order = services.order_reply(order=order, by=world.grid_worker_a1, version=order.version, reply="已清理")
    assert Action.VERIFY_PASS not in services.allowed_actions(world.grid_worker_a1, order)
    with pytest.raises(PermissionDenied, match="核查须由处置人以外的人进行"):
        services.order_verify(order=order, by=world.grid_worker_a1, version=order.version, passed=True)
    assert WorkOrder.objects.get(pk=order.pk).state == State.REPLIED
    # the community worker (a supervisor who did not do the work) verifies
    order = services.order_verify(order=order, by=cw, version=order.version, passed=True)
    assert order.state == State.VERIFIED


def test_rework_goes_back_to_the_same_unit_whose_work_still_counts(world):
    """Rework returns the order to the unit that replied: that reply still bars its author from verifying."""
    cw = world.community_worker_a
    order = _accepted(world)
    order = services.order_dispatch(order=order, by=cw, version=order.version, place=world.comm_a)
    order = services.order_reply(order=order, by=cw, version=order.version, reply="已处理")
    order = services.order_verify(order=order, by=world.grid_worker_a1, version=order.version, passed=False,
                                  note="杂物仍在")
    assert rights.did_the_work(cw, order) is True  # the rework returns to the same unit: still cw's work
