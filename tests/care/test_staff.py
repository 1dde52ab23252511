"""The staff accounts of stations and 残疾人之家 bound with dates (care/staff.py, care/staff_views.py): only a provider
account posted in the binder's places and reaching the station's or home's place is bound, once at a time; an
end is dated, once, and a stale form is 409; rows stay; every bind and end is audited; the account's pages (the
station's orders, the home's attendance) follow the binding in force today."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.audit.models import AuditAction, AuditEvent
from gongzhi.care import disabled, orders, services, staff
from gongzhi.care.models import DisabilityHome, HomeAttendance, HomeStaff, ServiceOrder, Station, StationStaff
from gongzhi.core.errors import ConflictError, RuleError
from tests.factories import community, user

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
HUGE = 2**63


@pytest.fixture
def station(world):
    return Station.objects.create(place=world.comm_a, level="community", name="东虹社区居家养老服务站",
                                  services=["meal"], hours="8:00-17:00", capacity=30)


@pytest.fixture
def home(world):
    return DisabilityHome.objects.create(place=world.comm_a, name="东虹社区残疾人之家", day_care_places=3,
                                         rehab_places=3, hours="8:30-16:30")


@pytest.fixture
def providers(world):
    return {"a": user("prov_a", "provider", world.comm_a, display_name="陈服务"),
            "street": user("prov_s", "provider", world.street_a, display_name="街道服务"),
            "b": user("prov_b", "provider", world.comm_b),
            "a2": user("prov_a2", "provider", community(world.street_a, 2, "西虹社区"))}


def _rows():
    return (list(StationStaff.objects.order_by("pk").values_list("pk", "user_id", "ended_on", "version")),
            list(HomeStaff.objects.order_by("pk").values_list("pk", "user_id", "ended_on", "version")))


def test_binding_needs_a_provider_post_in_the_binders_places_once_at_a_time(world, station, providers):
    cw = world.community_worker_a
    for name, message in (("nobody", "没有名为「nobody」的有效账号"),
                          ("gw_a1", "不是服务机构人员账号"),
                          ("prov_b", "不在您管理的范围内"),          # B's account: not in A's places
                          ("prov_s", "不在您管理的范围内"),          # the street's post: above the community worker
                          ("prov\x00a", "不含空格和控制字符"),        # never sent to the database
                          ("", "请填写要绑定的账号登录名"),
                          ("x" * 151, "请填写要绑定的账号登录名")):
        with pytest.raises(RuleError, match=message):
            staff.station_staff_bind(station=station, username=name, by=cw)
    # the street keeps the community's station, but an account of another community cannot serve there
    with pytest.raises(RuleError, match="不在东虹社区"):
        staff.station_staff_bind(station=station, username="prov_a2", by=world.street_officer_a)
    # a station outside the binder's places, and a post that keeps no stations at all
    foreign = Station.objects.create(place=world.comm_b, level="community", name="南岳社区居家养老服务站")
    with pytest.raises(PermissionDenied):
        staff.station_staff_bind(station=foreign, username="prov_b", by=cw)
    with pytest.raises(PermissionDenied):
        staff.station_staff_bind(station=station, username="prov_a", by=world.grid_worker_a1)
    assert _rows() == ([], [])
    binding = staff.station_staff_bind(station=station, username=" prov_a ", by=cw)
    assert (binding.user, binding.started_on, binding.ended_on, binding.bound_by) == (providers["a"], TODAY, None, cw)
    with pytest.raises(RuleError, match="已是「东虹社区居家养老服务站」的工作人员账号"):
        staff.station_staff_bind(station=station, username="prov_a", by=world.street_officer_a)
    # the street binds its own post's account to the community's station
    staff.station_staff_bind(station=station, username="prov_s", by=world.street_officer_a)
    assert set(StationStaff.objects.values_list("user__username", flat=True)) == {"prov_a", "prov_s"}
    event = AuditEvent.objects.filter(action=AuditAction.STAFF_BIND).order_by("pk").first()
    assert (event.actor, event.object_type, event.object_id) == (cw, "养老服务站点工作人员账号", str(binding.pk))
    assert "prov_a" in event.detail and "东虹社区居家养老服务站" in event.detail
    # a closed station takes nobody new
    Station.objects.filter(pk=station.pk).update(active=False)
    with pytest.raises(RuleError, match="已停用或停办"):
        staff.station_staff_bind(station=station, username="prov_a", by=world.street_officer_a)


def test_an_end_is_dated_once_and_a_stale_form_changes_nothing(world, station, providers):
    cw = world.community_worker_a
    binding = staff.station_staff_bind(station=station, username="prov_a", by=cw)
    before = _rows()
    with pytest.raises(ConflictError, match="已被他人修改"):
        staff.station_staff_end(binding=binding, ended_on=TODAY, version=binding.version + 3, by=cw)
    for day in (TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=40), TODAY + dt.timedelta(days=400)):
        with pytest.raises(RuleError, match="结束日期"):
            staff.station_staff_end(binding=binding, ended_on=day, version=binding.version, by=cw)
    with pytest.raises(PermissionDenied):
        staff.station_staff_end(binding=binding, ended_on=TODAY, version=binding.version,
                                by=world.community_worker_b)
    assert _rows() == before and not AuditEvent.objects.filter(action=AuditAction.STAFF_END).exists()
    ended = staff.station_staff_end(binding=binding, ended_on=TODAY, version=binding.version, by=cw)
    assert (ended.ended_on, ended.ended_by, ended.version) == (TODAY, cw, 2)
    with pytest.raises(RuleError, match=f"已于 {TODAY.isoformat()} 结束,不能再次结束"):
        staff.station_staff_end(binding=ended, ended_on=TODAY, version=ended.version, by=cw)
    event = AuditEvent.objects.get(action=AuditAction.STAFF_END)
    assert event.actor == cw and event.after == {"结束日期": TODAY.isoformat()} and "prov_a" in event.detail
    # bound again: a new row, the ended one kept and never deleted
    again = staff.station_staff_bind(station=station, username="prov_a", by=cw)
    assert StationStaff.objects.count() == 2 and again.pk != ended.pk
    with pytest.raises(ValueError):
        ended.delete()


def test_the_accounts_rights_follow_the_binding_in_force(world, client, station, providers, homes):
    cw, provider = world.community_worker_a, providers["a"]
    order = orders.order_place(resident=homes.alone, kind="meal", scheduled_for=timezone.now(), by=cw,
                               station=station)
    client.force_login(provider)
    assert "孤老甲" not in client.get("/care/station/").content.decode()   # not bound yet: nothing
    with pytest.raises(PermissionDenied):
        orders.order_check_in(order=order, by=provider)
    binding = staff.station_staff_bind(station=station, username="prov_a", by=cw)
    assert "孤老甲" in client.get("/care/station/").content.decode()
    # an end in the future leaves the rights until that day
    binding = staff.station_staff_end(binding=binding, ended_on=TODAY + dt.timedelta(days=3), version=1, by=cw)
    assert list(staff.stations_of(provider)) == [station]
    assert list(staff.stations_of(provider, TODAY + dt.timedelta(days=3))) == []
    assert client.post(f"/care/station/{order.pk}/check-in/").status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).state == "in_service"
    # ended today: the orders page is empty, the step is 404 and the service refuses
    StationStaff.objects.filter(pk=binding.pk).update(ended_on=TODAY)
    assert "孤老甲" not in client.get("/care/station/").content.decode()
    assert client.post(f"/care/station/{order.pk}/check-out/").status_code == 404
    with pytest.raises(PermissionDenied):
        orders.order_check_out(order=order, by=provider)
    assert ServiceOrder.objects.get(pk=order.pk).state == "in_service"


def test_a_home_staff_loses_the_attendance_page_when_the_binding_ends(world, client, home, providers, homes):
    cw = world.community_worker_a
    services.disability_record(resident=homes.young, kind="physical", grade=3, by=cw)
    enrolment = disabled.enrol(resident=homes.young, home=home, service="day_care", starts_on=TODAY, by=cw)
    binding = staff.home_staff_bind(home=home, username="prov_a", by=world.street_officer_a)
    client.force_login(providers["a"])
    assert "青年戊" in client.get("/care/home/").content.decode()
    staff.home_staff_end(binding=binding, ended_on=TODAY, version=1, by=cw)
    assert "青年戊" not in client.get("/care/home/").content.decode()
    assert client.post(f"/care/home/{enrolment.pk}/attend/").status_code == 404
    with pytest.raises(PermissionDenied):
        disabled.attendance_record(home=home, resident=homes.young, day=TODAY, by=providers["a"])
    assert not HomeAttendance.objects.exists()
    # a closed home takes nobody new; the ended binding is listed as past on the home's pages
    DisabilityHome.objects.filter(pk=home.pk).update(active=False, closed_on=TODAY, close_reason="场地改造")
    with pytest.raises(RuleError, match="已停用或停办"):
        staff.home_staff_bind(home=home, username="prov_a", by=cw)
    client.force_login(cw)
    page = client.get(f"/care/disabled/homes/{home.pk}/").content.decode()
    assert 'data-testid="staff-past"' in page and "prov_a" in page


def test_the_station_page_binds_and_ends(world, client, station, providers):
    client.force_login(world.community_worker_a)
    page = client.get(f"/care/stations/{station.pk}/")
    assert page.status_code == 200 and "没有在岗的工作人员账号" in page.content.decode()
    assert f"/care/stations/{station.pk}/" in client.get("/care/stations/").content.decode()
    assert client.get(f"/care/stations/{station.pk}/staff/")["Location"] == f"/care/stations/{station.pk}/"
    for name, message in (("prov\x00a", "控制字符"), ("prov_b", "不在您管理的范围内"), ("", "请填写")):
        r = client.post(f"/care/stations/{station.pk}/staff/", {"username": name})
        assert r.status_code == 422 and message in r.content.decode(), name
        assert "\x00" not in r.content.decode()
    assert _rows() == ([], [])
    r = client.post(f"/care/stations/{station.pk}/staff/", {"username": "prov_a"})
    assert r.status_code == 302 and r["Location"] == f"/care/stations/{station.pk}/"
    binding = StationStaff.objects.get()
    page = client.get(f"/care/stations/{station.pk}/").content.decode()
    assert "陈服务" in page and f"/care/station-staff/{binding.pk}/end/" in page and "<title>东虹社区居家养老服务站" in page
    url = f"/care/station-staff/{binding.pk}/end/"
    for body, status, message in (({"ended_on": TODAY.isoformat(), "version": "9"}, 409, "已被他人修改"),
                                  ({"ended_on": "2026-02-30", "version": "1"}, 422, "结束日期"),
                                  ({"ended_on": "\x00", "version": "1"}, 422, "结束日期"),
                                  ({"ended_on": TODAY.isoformat(), "version": "x"}, 409, "已被他人修改")):
        r = client.post(url, body)
        assert r.status_code == status and message in r.content.decode(), body
    assert StationStaff.objects.get().ended_on is None
    assert client.post(url, {"ended_on": TODAY.isoformat(), "version": "1"}).status_code == 302
    r = client.post(url, {"ended_on": TODAY.isoformat(), "version": "2"})
    assert r.status_code == 422 and "不能再次结束" in r.content.decode()
    page = client.get(f"/care/stations/{station.pk}/").content.decode()
    assert 'data-testid="staff-past"' in page and "陈服务" in page
    # ids beyond a database integer, and another community's station and binding: 404
    for path in (f"/care/stations/{HUGE}/", f"/care/stations/{HUGE}/staff/", f"/care/station-staff/{HUGE}/end/",
                 f"/care/disabled/homes/{HUGE}/staff/", f"/care/disabled/home-staff/{HUGE}/end/"):
        assert client.post(path, {"username": "prov_a", "ended_on": TODAY.isoformat(), "version": "1"}
                           ).status_code == 404, path
    client.force_login(world.community_worker_b)
    assert client.get(f"/care/stations/{station.pk}/").status_code == 404
    assert client.post(url, {"ended_on": TODAY.isoformat(), "version": "2"}).status_code == 404
    client.force_login(world.grid_worker_a1)
    assert client.get(f"/care/stations/{station.pk}/").status_code == 403


def test_the_home_staff_page_binds_and_ends(world, client, home, providers):
    client.force_login(world.street_officer_a)  # the street keeps its communities' homes
    url = f"/care/disabled/homes/{home.pk}/staff/"
    page = client.get(url)
    assert page.status_code == 200 and "<title>东虹社区残疾人之家工作人员账号" in page.content.decode()
    r = client.post(url, {"username": "prov_a2"})
    assert r.status_code == 422 and "不在东虹社区" in r.content.decode()
    assert client.post(url, {"username": "prov_s"}).status_code == 302
    binding = HomeStaff.objects.get()
    assert binding.user == providers["street"] and "街道服务" in client.get(url).content.decode()
    end = f"/care/disabled/home-staff/{binding.pk}/end/"
    assert client.post(end, {"ended_on": TODAY.isoformat(), "version": "0"}).status_code == 409
    assert client.post(end, {"ended_on": TODAY.isoformat(), "version": "1"}).status_code == 302
    assert HomeStaff.objects.get().ended_by == world.street_officer_a
    assert [e.action for e in AuditEvent.objects.filter(object_type="残疾人之家工作人员账号").order_by("pk")] == [
        AuditAction.STAFF_BIND, AuditAction.STAFF_END]
    # the community worker of B, and a grid worker (no homes kept): refused
    client.force_login(world.community_worker_b)
    assert client.get(url).status_code == 404 and client.post(end, {"version": "2"}).status_code == 404
    client.force_login(world.grid_worker_a1)
    assert client.get(url).status_code == 403


def test_a_station_set_up_is_audited_and_control_characters_are_refused(world, client):
    client.force_login(world.community_worker_a)
    body = {"name": "东虹社区第二服务站", "level": "community", "place": world.comm_a.code, "capacity": "20",
            "services": ["meal"], "hours": "8:00-17:00"}
    for kw in ({"name": "东虹\x00服务站"}, {"hours": "8:00\x00"}, {"address": "东虹路\x001号"}, {"place": "32\x00"}):
        r = client.post("/care/stations/", body | kw)
        assert r.status_code == 422 and "控制字符" in r.content.decode(), kw
    assert not Station.objects.exists() and not AuditEvent.objects.filter(action=AuditAction.FACILITY_CREATE).exists()
    assert client.post("/care/stations/", body).status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.FACILITY_CREATE)
    assert (event.actor, event.object_type, event.object_id) == (world.community_worker_a, "养老服务站点",
                                                                 str(Station.objects.get().pk))
    assert event.after["名称"] == "东虹社区第二服务站" and "东虹社区第二服务站" in event.detail
