"""The step table (services.lifecycle.STEPS) is the only source of the state
machine: every step has a form and a service that fit each other, every state
can be reached, the buttons (allowed_actions) and the services' check agree,
the page takes each step through the table, and each service leads where the
table says. Anything not in the table is refused by the page and the service."""
import dataclasses
import inspect

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.workorders import forms, services
from gongzhi.workorders.models import Action, Category, Channel, State, WorkOrder
from gongzhi.workorders.services.lifecycle import STEPS

USERS = ("admin", "street_officer_a", "community_worker_a", "community_worker_b", "grid_worker_a1", "department",
         "resident_user")


def _report(world, code="sanitation"):
    return services.order_report(category=Category.objects.get(code=code), description="楼道堆物",
                                 channel=Channel.GRID, by=world.grid_worker_a1, grid=world.grid_a1)


def _post(world, action: str, order: WorkOrder, into: WorkOrder | None = None) -> dict:
    """What the order page posts for each step."""
    return {
        Action.ACCEPT: {"note": "收到"},
        Action.DECLINE: {"reason": "不属于社区职责"},
        Action.MERGE: {"into": into.number if into else ""},
        Action.DISPATCH: {"target": world.grid_a1.code, "department": "", "note": "请处理"},
        Action.HANDLE: {"note": "已联系物业"},
        Action.MEDIATE: {"mediator": "孙调解", "mediation": "双方协商一致", "outcome": "success", "agreement": "on",
                         "parties": "赵一,申请人"},
        Action.REPLY: {"reply": "已清理", "resolved": "1"},
        Action.VERIFY_PASS: {"note": "现场已清理"},
        Action.VERIFY_FAIL: {"note": "杂物仍在"},
        Action.CLOSE: {"note": ""},
        Action.RATE: {"rating": "5", "comment": "满意"},
    }[action]


def test_every_step_has_a_form_and_a_service():
    assert set(STEPS) <= set(Action.values)
    for action, step in STEPS.items():
        assert step.action == action
        assert issubclass(step.form, forms.StepForm), action
        parameters = inspect.signature(step.service).parameters
        assert {"order", "by", "version"} <= set(parameters), action
        assert all(State(s) for s in step.start) and (step.to is None or State(step.to))


def test_every_state_is_reachable_from_a_report():
    reached, frontier = {State.REPORTED}, [State.REPORTED]
    while frontier:
        state = frontier.pop()
        for step in STEPS.values():
            if state in step.start and step.to and step.to not in reached:
                reached.add(step.to)
                frontier.append(step.to)
    assert reached == set(State.values)


def _orders_in_every_state(world) -> list[WorkOrder]:
    """One order in each state (a dispute, one sent to a department and a rated one besides)."""
    cw, gw = world.community_worker_a, world.grid_worker_a1

    def accepted(code="sanitation"):
        return services.order_accept(order=_report(world, code), by=cw, version=None)

    def dispatched():
        return services.order_dispatch(order=accepted(), by=cw, version=None, place=world.grid_a1)

    def replied():
        return services.order_reply(order=dispatched(), by=gw, version=None, reply="好")

    def verified():
        return services.order_verify(order=replied(), by=cw, version=None, passed=True)

    def closed():
        return services.order_close(order=verified(), by=cw, version=None)

    reported = _report(world)
    world.department.assignments.update(department="城管局")
    orders = [
        reported, accepted(), dispatched(), replied(), verified(), closed(),
        services.order_handle(order=dispatched(), by=gw, version=None, note="x"),
        services.order_dispatch(order=accepted(), by=cw, version=None, place=world.street_a, department="城管局"),
        services.order_rate(order=closed(), by=gw, version=None, rating=4),
        services.order_decline(order=_report(world), by=cw, version=None, reason="重复"),
        services.order_merge(order=_report(world), into=reported, by=cw, version=None),
        accepted("dispute"),
    ]
    return [WorkOrder.objects.select_related("category", "district", "street", "community", "grid",
                                             "handling_place").get(pk=o.pk) for o in orders]


def test_the_buttons_and_the_services_check_agree(world):
    """allowed_actions offers a step exactly when check_step (which every service runs) lets it through."""
    orders = _orders_in_every_state(world)
    assert {o.state for o in orders} == set(State.values)
    offered = set()
    for order in orders:
        for who in USERS:
            user = getattr(world, who)
            allowed = services.allowed_actions(user, order)
            for action in STEPS:
                try:
                    services.check_step(order, action, user)
                    passes = True
                except (services.WorkflowError, PermissionDenied):
                    passes = False
                assert (action in allowed) == passes, (order.state, who, action)
                if passes:
                    offered.add(action)
    assert offered == set(STEPS)  # each step is somebody's to take on one of these orders


@pytest.mark.parametrize("action", [Action.REPORT, Action.MERGED_IN, Action.SUPERVISE, "bogus"])
def test_a_step_outside_the_table_is_refused(client, world, action):
    order = _report(world)
    client.force_login(world.admin)
    response = client.post(f"/orders/{order.pk}/act/{action}/", {"version": order.version})
    assert response.status_code == 404
    with pytest.raises(services.WorkflowError, match="不能执行"):
        services.check_step(order, action, world.admin)
    assert action not in services.allowed_actions(world.admin, order)


def test_the_page_takes_each_step_through_the_table(client, world, monkeypatch):
    """The page hands the step's form arguments to the service the table names, and nothing else."""
    order, other = _report(world), _report(world)
    client.force_login(world.community_worker_a)
    for action, step in list(STEPS.items()):
        calls = []

        def service(**kwargs):
            calls.append(kwargs)
            return kwargs["order"]

        monkeypatch.setitem(STEPS, action, dataclasses.replace(step, service=service))
        response = client.post(f"/orders/{order.pk}/act/{action}/", _post(world, action, order, into=other))
        assert response.status_code == 302, (action, response.content.decode()[:300])
        assert len(calls) == 1, action
        kwargs = calls[0]
        inspect.signature(step.service).bind(**kwargs)  # the real service takes exactly these
        assert kwargs["order"] == order and kwargs["by"] == world.community_worker_a


def test_dispatch_and_merge_forms_resolve_within_the_callers_scope(world):
    from gongzhi.core.scope import Scope
    from gongzhi.workorders.manifest import VIEW_ORDERS
    order, other = _report(world), _report(world)
    scope = Scope.for_user_capability(world.community_worker_a, VIEW_ORDERS)
    form = forms.DispatchForm({"target": world.grid_a1.code}, scope=scope, order=order)
    assert form.is_valid() and form.arguments()["place"] == world.grid_a1
    form = forms.DispatchForm({"target": world.grid_b1.code}, scope=scope, order=order)
    assert form.is_valid() and form.arguments()["place"] is None  # not a target of this order: the service refuses
    assert forms.MergeForm({"into": other.number}, scope=scope, order=order).is_valid()
    foreign = Scope.for_user_capability(world.community_worker_b, VIEW_ORDERS)
    form = forms.MergeForm({"into": other.number}, scope=foreign, order=order)
    assert not form.is_valid() and other.number in form.error_text()


def test_each_step_leads_where_the_table_says(client, world):
    cw, gw = world.community_worker_a, world.grid_worker_a1

    def take(user, order, action, into=None):
        before = WorkOrder.objects.get(pk=order.pk)
        client.force_login(user)
        response = client.post(f"/orders/{order.pk}/act/{action}/",
                               {"version": before.version, **_post(world, action, order, into)})
        assert response.status_code == 302, (action, response.content.decode()[:300])
        after = WorkOrder.objects.get(pk=order.pk)
        assert after.state == (STEPS[action].to or before.state), action
        assert after.version == before.version + 1 and after.events.last().action == action
        return after

    order = _report(world)
    for user, action in ((cw, Action.ACCEPT), (cw, Action.DISPATCH), (gw, Action.HANDLE), (gw, Action.REPLY),
                         (cw, Action.VERIFY_FAIL), (gw, Action.REPLY), (cw, Action.VERIFY_PASS), (cw, Action.CLOSE),
                         (gw, Action.RATE)):
        order = take(user, order, action)
    assert order.rework_count == 1 and order.rating == 5
    take(cw, _report(world), Action.DECLINE)
    first = _report(world)
    take(cw, _report(world), Action.MERGE, into=first)
    dispute = take(cw, _report(world, "dispute"), Action.ACCEPT)
    dispute = take(cw, dispute, Action.MEDIATE)
    assert dispute.dispute.outcome == "success" and dispute.dispute.parties == [{"name": "赵一", "role": "申请人"}]
