"""The visit network (关爱走访): who is due and overdue by the locality's rules, a visit recorded on the
phone page, findings that become a work order (through the grid's visit log) or a hardship report in
one step, the refusal of a visit outside the visitor's list, the weekly list and the street's counts."""
import datetime as dt

import pytest

from gongzhi.care import services, visits
from gongzhi.care.models import CareVisit, Group, HardshipReport
from gongzhi.care.selectors import communities_in
from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.care.manifest import KEEP_CARE
from gongzhi.workorders.models import Category, VisitLog, WorkOrder

TODAY = dt.date.today()


def _status(user, today=TODAY):
    scope = Scope.for_user_capability(user, KEEP_CARE)
    from gongzhi.people.models import Resident
    rows = visits.visit_list(scope, communities_in(scope), today)
    names = dict(Resident.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "name"))
    return {names[r.pk]: (r.visit_status, r.interval) for r in rows}


def test_rules_give_each_person_an_interval_and_a_status(homes, world):
    cw = world.community_worker_a
    status = _status(cw)
    # Yixing's rules (the world's district is 320282): living alone and 80+ weekly, left-behind elders weekly
    assert status["孤老甲"][1] == 7 and status["爷爷丙"][1] == 7 and status["孙子丙"][1] == 14
    assert status["老夫乙"][1] == 30 and "青年戊" not in status
    # registered today, never visited: not yet overdue; two weeks on, the weekly ones are
    assert status["孤老甲"][0] == visits.DUE and status["老夫乙"][0] == visits.LATER
    later = _status(cw, TODAY + dt.timedelta(days=14))
    assert later["孤老甲"][0] == visits.OVERDUE and later["老夫乙"][0] == visits.LATER
    assert _status(cw, TODAY + dt.timedelta(days=25))["老夫乙"][0] == visits.DUE
    # a visit resets the clock
    services.care_visit_record(resident=homes.alone, by=cw, visited_on=TODAY, condition="good", notes="精神好")
    assert _status(cw, TODAY + dt.timedelta(days=6))["孤老甲"][0] == visits.DUE
    assert _status(cw, TODAY + dt.timedelta(days=8))["孤老甲"][0] == visits.OVERDUE
    # the grid worker of the other grid has none of them
    from tests.factories import user
    other = user("gw_a2", "grid", world.grid_a2)
    assert _status(other) == {}


def test_findings_become_a_work_order_or_a_hardship_report_in_one_step(homes, world):
    gw = world.grid_worker_a1
    category = Category.objects.filter(kind="request", active=True).first()
    v = services.care_visit_record(resident=homes.alone, by=gw, visited_on=TODAY, condition="poor",
                                   notes="腿脚不便", findings="家中水管漏水", follow_up="order",
                                   order_category=category)
    assert v.work_order and v.work_order.description == "家中水管漏水" and v.work_order.channel == "visit"
    log = VisitLog.objects.get(pk=v.visit_log_id)
    assert log.work_order_id == v.work_order_id and "腿脚" not in log.notes  # no health detail in the diary
    v = services.care_visit_record(resident=homes.grandpa, by=gw, visited_on=TODAY, condition="urgent",
                                   notes="突发疾病住院", findings="住院费用无力承担", follow_up="hardship",
                                   hardship_kind="illness")
    assert v.hardship.state == "reported" and v.hardship.household_id == homes.grand_hh.pk


def test_refusals_name_the_problem_and_change_nothing(homes, world):
    gw = world.grid_worker_a1
    counts = (CareVisit.objects.count(), WorkOrder.objects.count(), HardshipReport.objects.count(),
              VisitLog.objects.count())
    for kw, message in (
            ({"resident": homes.young}, "不在您的关爱走访名单内"),       # in the grid, in no group
            ({"resident": world.res_a2}, "不在您的关爱走访名单内"),      # another grid
            ({"condition": "fine"}, "身体和生活状况"),
            ({"notes": " "}, "请填写走访情况"),
            ({"visited_on": TODAY + dt.timedelta(days=1)}, "走访日期不能晚于今天"),
            ({"follow_up": "order"}, "请填写发现的问题"),
            ({"follow_up": "order", "findings": "x"}, "请选择工单类别"),
            ({"follow_up": "hardship", "findings": "x"}, "请选择困难类型")):
        args = {"resident": homes.alone, "by": gw, "visited_on": TODAY, "condition": "good", "notes": "好"} | kw
        with pytest.raises(RuleError, match=message):
            services.care_visit_record(**args)
    assert counts == (CareVisit.objects.count(), WorkOrder.objects.count(), HardshipReport.objects.count(),
                      VisitLog.objects.count())
    with pytest.raises(ValueError):
        services.care_visit_record(resident=homes.alone, by=gw, visited_on=TODAY, condition="good",
                                   notes="好").delete()


def test_pages(homes, world, client):
    client.force_login(world.grid_worker_a1)
    page = client.get("/care/visits/").content.decode()
    assert "孤老甲" in page and "青年戊" not in page
    r = client.get(f"/care/visits/{homes.young.pk}/new/")
    assert r.status_code == 403 and "不在您的关爱走访名单内" in r.content.decode()
    r = client.post(f"/care/visits/{homes.alone.pk}/new/", {"visited_on": TODAY.isoformat(), "condition": "",
                                                            "notes": "好"})
    assert r.status_code == 422 and "身体和生活状况" in r.content.decode() and not CareVisit.objects.exists()
    r = client.post(f"/care/visits/{homes.alone.pk}/new/", {"visited_on": TODAY.isoformat(), "condition": "good",
                                                            "notes": "精神很好"})
    assert r.status_code == 302 and CareVisit.objects.get().resident == homes.alone
    # 孙子丙 entered the registry a month ago and was never visited: overdue, on this week's list
    from django.utils import timezone
    from gongzhi.people.models import Resident
    Resident.objects.filter(pk=homes.grandkid.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    page = client.get("/care/visits/week/").content.decode()
    assert "孙子丙" in page and "孤老甲" not in page  # visited today: next due next week
    assert "孙子丙" in client.get("/care/visits/").content.decode().split('data-testid="due-list"')[0]
    assert "精神很好" in client.get(f"/care/people/{homes.alone.pk}/").content.decode()
    # the street sees the community's overdue count, no names
    client.force_login(world.street_officer_a)
    page = client.get("/care/overview/").content.decode()
    assert f'data-testid="overdue-{world.comm_a.code}">1<' in page and "孙子丙" not in page


def test_visits_loaded_in_bulk_write_the_visit_log_rows_one_recorded_writes(homes, world,
                                                                          django_assert_max_num_queries):
    """A load of visits (the demo's) writes each one's 民情日记 row in one statement, with the text a visit recorded
    through the service writes: the person, their groups and condition, nothing of the notes."""
    gw = world.grid_worker_a1
    one = services.care_visit_record(resident=homes.alone, by=gw, visited_on=TODAY, condition="fair",
                                     notes="血压偏高")
    groups = {homes.alone.pk: [Group(g).label for g in services.current_groups(homes.alone)]}
    rows = [CareVisit(resident=person, community=world.comm_a, grid=world.grid_a1, visitor=gw, visited_on=TODAY,
                      condition="fair", notes="血压偏高") for person in (homes.alone, homes.old_man)]
    with django_assert_max_num_queries(2):  # the people, then one insert of every row
        assert visits.with_visit_logs(rows, groups=groups) == 2
    CareVisit.objects.bulk_create(rows)
    loaded = CareVisit.objects.filter(pk__in=[r.pk for r in rows]).select_related("visit_log").order_by("pk")
    assert [v.visit_log.notes for v in loaded] == [VisitLog.objects.get(pk=one.visit_log_id).notes,
                                                   "关爱走访(关爱对象):老夫乙,状况一般"]
    assert [(v.visit_log.household_id, v.visit_log.visitor_id, v.visit_log.visited_on) for v in loaded] == [
        (homes.alone_hh.pk, gw.pk, TODAY), (homes.couple_hh.pk, gw.pk, TODAY)]
    assert "血压" not in "".join(v.visit_log.notes for v in loaded)
    assert visits.with_visit_logs([]) == 0
