"""The demo shows every feature with something in it: the grid worker's 民情日记 and
desk, the department's open applications, the district's call for case studies."""
import re

from gongzhi.accounts.models import User
from gongzhi.core import demo
from gongzhi.core.scope import Scope
from gongzhi.standards.models import CaseCall
from gongzhi.workorders import desk
from gongzhi.workorders.models import Channel, Kind, VisitLog, WorkOrder


def test_the_demo_fills_each_desk(client, db):
    demo.build_demo(scale=0.02)
    grid = User.objects.get(username="grid")
    grid_place = grid.assignments.get().place
    assert VisitLog.objects.filter(grid=grid_place, visitor=grid).count() >= 10
    assert desk.visits_due(Scope.for_user(grid)).exists()  # some key-group homes wait over 30 days
    assert desk.waiting_counts(Scope.for_user(grid))["total"] >= 1

    department = User.objects.get(username="department")
    assert desk.waiting_counts(Scope.for_user(department))["total"] >= 1
    client.force_login(department)
    listing = client.get("/orders/").content.decode()  # the default list: open work
    assert re.search(r"GD\d{15}", listing), "the department's default list is empty"

    call = CaseCall.objects.get()
    assert call.submissions.count() >= 2 and call.phase == "征集中"

    # a grid worker "finds on patrol" incidents only; residents' requests reach them on visits
    patrol = WorkOrder.objects.filter(channel=Channel.GRID, description__startswith="网格巡查发现")
    assert patrol.exists() and not patrol.exclude(kind=Kind.INCIDENT).exists()
