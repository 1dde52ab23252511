"""Volunteers and neighbours as visitors (结对关爱走访): the community worker pairs a registered volunteer or a
neighbour with an account with a person on the visit list; the visitor sees only their paired people who
are due or overdue, records visits that count for the schedule like the workers', and is refused for anyone
else; pairings end with a reason and are never deleted."""
import datetime as dt

import pytest

from gongzhi.care import pairings, services, visits
from gongzhi.care.manifest import KEEP_CARE
from gongzhi.care.models import CareVisit, HardshipReport, VisitorPairing
from gongzhi.care.selectors import communities_in
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessLog
from gongzhi.core.scope import Scope
from gongzhi.people.models import Resident
from gongzhi.volunteers.models import Volunteer
from gongzhi.workorders.models import Notification, VisitLog, WorkOrder
from tests.care.conftest import person
from tests.factories import household, user

TODAY = dt.date.today()


@pytest.fixture
def helpers(homes, world):
    """A volunteer (with an account) and a neighbour (with an account) of community A, and one without."""
    vol_hh = household(world.grid_a1)
    vol_person = person(vol_hh, "志愿者己", 45)
    vol = Volunteer.objects.create(resident=vol_person, community=world.comm_a, registered_on=TODAY)
    vol_user = user("vol_ji", "resident", world.grid_a1, resident=vol_person)
    nb_hh = household(world.grid_a1)
    nb_person = person(nb_hh, "邻居庚", 50)
    nb_user = user("nb_geng", "resident", world.grid_a1, resident=nb_person)
    lone_hh = household(world.grid_a1)
    no_account = person(lone_hh, "邻居辛", 52)
    return type("H", (), {"vol": vol, "vol_user": vol_user, "nb": nb_person, "nb_user": nb_user,
                          "no_account": no_account})


def _id(p: Resident) -> str:
    from gongzhi.core import crypto
    return crypto.decrypt(Resident.objects.get(pk=p.pk).id_number_enc)


def _pair_both(homes, world, helpers):
    cw = world.community_worker_a
    a = pairings.pairing_start(resident=homes.alone, kind="volunteer", volunteer_id=str(helpers.vol.pk), by=cw,
                               starts_on=TODAY)
    b = pairings.pairing_start(resident=homes.old_man, kind="neighbour", id_number=_id(helpers.nb), by=cw,
                               starts_on=TODAY)
    return a, b


def test_the_worker_pairs_a_volunteer_and_a_neighbour(homes, world, helpers):
    a, b = _pair_both(homes, world, helpers)
    assert a.visitor == helpers.vol_user and a.volunteer == helpers.vol and a.kind == "volunteer"
    assert b.visitor == helpers.nb_user and b.visitor_resident == helpers.nb and b.grid == world.grid_a1


def test_pairing_refusals_name_the_problem_and_change_nothing(homes, world, helpers):
    cw = world.community_worker_a
    pairings.pairing_start(resident=homes.alone, kind="volunteer", volunteer_id=str(helpers.vol.pk), by=cw,
                           starts_on=TODAY)
    before = VisitorPairing.objects.count()
    other_vol = Volunteer.objects.create(resident=world.res_b1, community=world.comm_b, registered_on=TODAY)
    for kw, message in (
            ({"kind": "friend"}, "请选择走访人类别"),
            ({"volunteer_id": "99999999999999999999"}, "请选择本社区在册的志愿者"),
            ({"volunteer_id": str(other_vol.pk)}, "请选择本社区在册的志愿者"),    # another community's volunteer
            ({"volunteer_id": str(helpers.vol.pk)}, "不能重复结对"),
            ({"kind": "neighbour", "id_number": "=1+1"}, "公民身份号码"),
            ({"kind": "neighbour", "id_number": _id(world.res_b1)}, "本社区没有该身份号码"),
            ({"kind": "neighbour", "id_number": _id(helpers.no_account)}, "邻居辛还没有开通居民账号"),
            ({"kind": "neighbour", "id_number": _id(homes.alone)}, "不能是关爱对象本人或同户家属"),
            ({"resident": homes.young, "kind": "neighbour", "id_number": _id(helpers.nb)}, "青年戊不在关爱走访名单内"),
            ({"starts_on": TODAY + dt.timedelta(days=1)}, "结对开始日期")):
        args = {"resident": homes.alone, "kind": "volunteer", "volunteer_id": str(helpers.vol.pk), "by": cw,
                "starts_on": TODAY} | kw
        with pytest.raises(RuleError, match=message):
            pairings.pairing_start(**args)
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):  # a grid worker does not assign, nor another community's worker
        pairings.pairing_start(resident=homes.old_man, kind="volunteer", volunteer_id=str(helpers.vol.pk),
                               by=world.grid_worker_a1, starts_on=TODAY)
    with pytest.raises(PermissionDenied):
        pairings.pairing_start(resident=homes.old_man, kind="volunteer", volunteer_id=str(helpers.vol.pk),
                               by=world.community_worker_b, starts_on=TODAY)
    assert VisitorPairing.objects.count() == before


def test_the_visitor_sees_only_paired_people_due_and_their_visits_count(homes, world, helpers):
    a, b = _pair_both(homes, world, helpers)
    rows = visits.paired_list(helpers.vol_user, TODAY)
    assert [r.pk for r in rows] == [homes.alone.pk]  # weekly and never visited: due this week
    assert visits.paired_list(helpers.nb_user, TODAY) == []  # 老夫乙 is monthly: not due yet
    assert [r.pk for r in visits.paired_list(helpers.nb_user, TODAY + dt.timedelta(days=40))] == [homes.old_man.pk]
    v = services.care_visit_record(resident=homes.alone, by=helpers.vol_user, visited_on=TODAY, condition="good",
                                   notes="陪老人聊天")
    assert v.pairing == a and v.work_order is None
    # the grid's 民情日记 gets its row, written by the work: who, whom, the day, the condition; not the notes
    log = VisitLog.objects.get(pk=v.visit_log_id)
    assert (log.grid, log.household, log.visitor, log.visited_on) == (world.grid_a1, homes.alone_hh, helpers.vol_user,
                                                                      TODAY)
    assert "孤老甲" in log.notes and "结对志愿者走访" in log.notes and "聊天" not in log.notes and not log.concerns
    # the visit counts for the schedule, for the visitor and the workers alike
    [row] = visits.paired_list(helpers.vol_user, TODAY)
    assert row.last_visit == TODAY and visits.due_on(row) == TODAY + dt.timedelta(days=7)
    scope = Scope.for_user_capability(world.community_worker_a, KEEP_CARE)
    row = next(r for r in visits.visit_list(scope, communities_in(scope), TODAY) if r.pk == homes.alone.pk)
    assert row.last_visit == TODAY
    # the neighbour's monthly visit takes 老夫乙 off their list, and off the worker's, for a month
    services.care_visit_record(resident=homes.old_man, by=helpers.nb_user, visited_on=TODAY, condition="good",
                               notes="身体硬朗")
    assert visits.paired_list(helpers.nb_user, TODAY + dt.timedelta(days=20)) == []
    later = visits.visit_list(scope, communities_in(scope), TODAY + dt.timedelta(days=20), statuses=(visits.OVERDUE,
                                                                                                     visits.DUE))
    assert homes.old_man.pk not in [r.pk for r in later]


def test_a_visit_outside_the_pairings_is_refused_and_nothing_is_written(homes, world, helpers):
    _pair_both(homes, world, helpers)
    counts = (CareVisit.objects.count(), WorkOrder.objects.count(), HardshipReport.objects.count(),
              VisitLog.objects.count(), Notification.objects.count())
    args = {"by": helpers.vol_user, "visited_on": TODAY, "condition": "good", "notes": "好"}
    for kw, message in (({"resident": homes.old_man}, "老夫乙不是您的结对关爱对象"),   # paired with the neighbour
                        ({"resident": world.res_b1}, "不是您的结对关爱对象"),
                        ({"resident": homes.alone, "follow_up": "hardship", "findings": "困难",
                          "hardship_kind": "illness"}, "结对走访人不能直接转工单或困难上报"),
                        ({"resident": homes.alone, "visited_on": TODAY - dt.timedelta(days=3)},
                         "走访日期不能早于结对开始日期")):
        with pytest.raises(RuleError, match=message):
            services.care_visit_record(**(args | kw))
    assert counts == (CareVisit.objects.count(), WorkOrder.objects.count(), HardshipReport.objects.count(),
                      VisitLog.objects.count(), Notification.objects.count())


def test_findings_of_a_paired_visit_tell_the_grid_worker(homes, world, helpers):
    _pair_both(homes, world, helpers)
    services.care_visit_record(resident=homes.alone, by=helpers.vol_user, visited_on=TODAY, condition="poor",
                               notes="老人咳嗽", findings="家里没有米了")
    note = Notification.objects.get(user=world.grid_worker_a1)
    assert note.kind == "care_visit" and "孤老甲" in note.text and "咳嗽" not in note.text
    services.care_visit_record(resident=homes.old_man, by=helpers.nb_user, visited_on=TODAY, condition="good",
                               notes="一切都好")
    assert Notification.objects.count() == 1  # nothing to follow up: no notice
    # the findings stay care data: the 民情日记 rows hold neither the notes nor the findings
    assert VisitLog.objects.count() == 2
    assert not VisitLog.objects.filter(notes__contains="米").exists()
    assert not VisitLog.objects.exclude(concerns="").exists()


def test_visits_recorded_before_get_their_visit_log_row_from_the_migration(homes, world, helpers):
    """care migration 0013: one 民情日记 row for each visit that has none, marked 补记; nothing else changes."""
    import importlib

    from django.apps import apps

    from gongzhi.care.models import CareVisit
    a, _ = _pair_both(homes, world, helpers)
    old = CareVisit.objects.create(resident=homes.alone, community=world.comm_a, grid=world.grid_a1,
                                   visitor=helpers.vol_user, visited_on=TODAY, condition="fair", notes="老人腿疼",
                                   pairing=a)
    kept = services.care_visit_record(resident=homes.alone, by=world.grid_worker_a1, visited_on=TODAY,
                                      condition="good", notes="好")
    before = VisitLog.objects.count()
    migration = importlib.import_module("gongzhi.care.migrations.0013_paired_visits_in_the_visit_log")
    migration.forwards(apps, None)
    old = CareVisit.objects.get(pk=old.pk)
    log = VisitLog.objects.get(pk=old.visit_log_id)
    assert VisitLog.objects.count() == before + 1 and CareVisit.objects.get(pk=kept.pk).visit_log_id == kept.visit_log_id
    assert (log.grid, log.visitor, log.visited_on) == (world.grid_a1, helpers.vol_user, TODAY)
    assert log.notes == "关爱走访(关爱对象):孤老甲,状况一般(结对志愿者走访,补记)"
    migration.forwards(apps, None)  # twice: nothing more
    assert VisitLog.objects.count() == before + 1


def test_ending_a_pairing_keeps_its_visits_and_stops_the_visitor(homes, world, helpers):
    a, _ = _pair_both(homes, world, helpers)
    services.care_visit_record(resident=homes.alone, by=helpers.vol_user, visited_on=TODAY, condition="good",
                               notes="好")
    cw = world.community_worker_a
    for kw, message in (({"reason": " "}, "请写明结束结对的原因"), ({"reason": "a\x00b"}, "请写明结束结对的原因"),
                        ({"ended_on": TODAY - dt.timedelta(days=1)}, "结束日期不能早于")):
        with pytest.raises(RuleError, match=message):
            pairings.pairing_end(**({"pairing": a, "reason": "志愿者搬家", "ended_on": TODAY, "by": cw} | kw))
    assert VisitorPairing.objects.get(pk=a.pk).ended_on is None
    pairings.pairing_end(pairing=a, reason="志愿者搬家", ended_on=TODAY, by=cw)
    with pytest.raises(RuleError, match="已经结束"):
        pairings.pairing_end(pairing=a, reason="再次结束", ended_on=TODAY, by=cw)
    with pytest.raises(ValueError):
        VisitorPairing.objects.get(pk=a.pk).delete()
    assert CareVisit.objects.get().pairing_id == a.pk
    assert visits.paired_list(helpers.vol_user, TODAY + dt.timedelta(days=30)) == []
    with pytest.raises(RuleError, match="不是您的结对关爱对象"):
        services.care_visit_record(resident=homes.alone, by=helpers.vol_user, visited_on=TODAY, condition="good",
                                   notes="好")
    # paired again later: a new pairing, the old one stays ended
    pairings.pairing_start(resident=homes.alone, kind="volunteer", volunteer_id=str(helpers.vol.pk), by=cw,
                           starts_on=TODAY)
    assert VisitorPairing.objects.filter(resident=homes.alone).count() == 2


def test_pages(homes, world, helpers, client):
    client.force_login(world.community_worker_a)
    page = client.get(f"/care/people/{homes.alone.pk}/").content.decode()
    assert "安排结对走访" in page and "志愿者己" in page  # the volunteer to choose
    r = client.post(f"/care/people/{homes.alone.pk}/pairings/", {"kind": "volunteer", "volunteer": helpers.vol.pk,
                                                                 "starts_on": TODAY.isoformat()})
    assert r.status_code == 302
    r = client.post(f"/care/people/{homes.old_man.pk}/pairings/", {"kind": "neighbour", "id_number": "x\x01",
                                                                   "starts_on": TODAY.isoformat()}, follow=True)
    assert "公民身份号码" in r.content.decode() and VisitorPairing.objects.count() == 1
    r = client.post(f"/care/people/{homes.old_man.pk}/pairings/", {"kind": "neighbour", "id_number": _id(helpers.nb),
                                                                   "starts_on": TODAY.isoformat()})
    assert VisitorPairing.objects.count() == 2
    assert AccessLog.objects.filter(action="lookup", user=world.community_worker_a).exists()
    page = client.get("/care/pairings/").content.decode()
    assert "孤老甲" in page and "邻居庚" in page
    # the grid worker reads the person's page but does not assign
    client.force_login(world.grid_worker_a1)
    assert "安排结对走访" not in client.get(f"/care/people/{homes.alone.pk}/").content.decode()
    assert client.get("/care/pairings/").status_code == 403

    client.force_login(helpers.vol_user)
    page = client.get("/care/paired/").content.decode()
    assert "孤老甲" in page and "老夫乙" not in page and "孙子丙" not in page
    assert "结对走访" in client.get("/people/home/").content.decode()
    for pk in (homes.old_man.pk, world.res_b1.pk, 99999999999999999999):
        r = client.get(f"/care/paired/{pk}/visit/")
        assert r.status_code == 403 and "不是您的结对关爱对象" in r.content.decode()
        r = client.post(f"/care/paired/{pk}/visit/", {"visited_on": TODAY.isoformat(), "condition": "good",
                                                      "notes": "好"})
        assert r.status_code == 403
    assert client.get(f"/care/people/{homes.alone.pk}/").status_code == 403  # no care pages for the visitor
    logs = AccessLog.objects.count()
    r = client.get(f"/care/paired/{homes.alone.pk}/visit/")
    assert r.status_code == 200 and "处理方式" not in r.content.decode()
    assert AccessLog.objects.count() == logs + 1
    r = client.post(f"/care/paired/{homes.alone.pk}/visit/", {"visited_on": TODAY.isoformat(), "condition": "",
                                                              "notes": "好"})
    assert r.status_code == 422 and "身体和生活状况" in r.content.decode() and not CareVisit.objects.exists()
    r = client.post(f"/care/paired/{homes.alone.pk}/visit/", {"visited_on": TODAY.isoformat(), "condition": "fair",
                                                              "notes": "聊天一小时", "findings": "=HYPERLINK(1)"})
    assert r.status_code == 302 and CareVisit.objects.get().visitor == helpers.vol_user
    # a resident without pairings: an empty page, nothing of anyone
    client.force_login(helpers.nb_user)
    VisitorPairing.objects.filter(visitor=helpers.nb_user).update(ended_on=TODAY, end_reason="测试")
    page = client.get("/care/paired/").content.decode()
    assert "孤老甲" not in page and "老夫乙" not in page
