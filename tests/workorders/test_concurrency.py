"""Two people act on the same order at the same moment, each in their own
connection: exactly one step lands, the other gets the conflict message."""
import threading

from django.db import connection

from gongzhi.workorders import services
from gongzhi.workorders.models import Action, Category, Channel, State, WorkOrder


def test_simultaneous_steps_one_wins_none_lost(transactional_db):
    from tests.factories import World
    world = World()
    order = services.order_report(category=Category.objects.get(code="sanitation"), description="x",
                                  channel=Channel.GRID, by=world.grid_worker_a1, grid=world.grid_a1)
    version = order.version
    barrier = threading.Barrier(2)
    outcomes = []

    def act(step):
        try:
            barrier.wait(timeout=10)
            step()
            outcomes.append("ok")
        except services.ConflictError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()  # this thread's own connection

    accept = lambda: services.order_accept(order=order, by=world.community_worker_a, version=version)  # noqa: E731
    decline = lambda: services.order_decline(order=order, by=world.street_officer_a, version=version,  # noqa: E731
                                             reason="不属实")
    threads = [threading.Thread(target=act, args=(s,)) for s in (accept, decline)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "该记录已被他人修改,请刷新后重试"]
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert fresh.version == version + 1 and fresh.state in (State.ACCEPTED, State.DECLINED)
    steps = list(fresh.events.exclude(action=Action.REPORT).values_list("action", flat=True))
    assert len(steps) == 1 and steps[0] in (Action.ACCEPT, Action.DECLINE)
