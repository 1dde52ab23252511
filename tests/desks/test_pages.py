"""The desks' pages: public station, guide and list pages (name and post only); the staff overview,
rota and forms, with bad input answered in Chinese and nothing changed; the home panel's gaps."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.desks import services
from gongzhi.desks.models import Duty, Session, StationWindow, Swap
from tests.desks.test_desks import WEEKDAY_HOURS, _worker

ALL_DAYS = [(d, "00:00", "23:59", 1) for d in range(8)]  # open every day, so the tests do not depend on the weekday


@pytest.fixture
def desk(world):
    station = services.station_for(world.comm_a)
    services.set_hours(station=station, rows=ALL_DAYS, by=world.community_worker_a, name="东虹社区服务站",
                       address="东虹路 1 号")
    services.set_windows(station=station, by=world.community_worker_a,
                         windows={"assistance": ["svc_dibao"], "party": ["svc_party_transfer"]})
    world.station = station
    world.cw_a2 = _worker("cw_a2", world.comm_a, "赵六")
    world.today = timezone.localdate()
    return world


def _post(client, url, data):
    return client.post(url, data)


def test_public_pages_show_name_and_post_only(client, desk):
    services.assign(station=desk.station, date=desk.today, start=dt.time(0, 0), user=desk.cw_a2,
                    by=desk.community_worker_a)
    page = client.get(f"/desks/at/{desk.comm_a.code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "赵六" in text and "社区工作者" in text and "东虹路 1 号" in text
    assert "cw_a2" not in text and "138" not in text and "张三" not in text  # no username, phone or resident
    assert "最低生活保障申请" in text and "社会救助窗口" in text
    assert client.get("/desks/").status_code == 200 and "东虹社区服务站" in client.get("/desks/").content.decode()
    guides = client.get(f"/desks/at/{desk.comm_a.code}/guides/").content.decode()
    assert "户口簿" in guides and "窗口受理" in guides and "党组织关系转接" in guides
    guide = client.get("/desks/guide/svc_dibao/").content.decode()
    assert "低保申请书" in guide and "受理后 10 个工作日内办结" in guide and "东虹社区服务站" in guide
    assert client.get("/desks/guide/sanitation/").status_code == 404  # an incident category has no guide
    assert client.get(f"/desks/at/{desk.comm_b.code}/").status_code == 404  # no station there
    assert client.get("/desks/at/99999999999999999999/").status_code == 404


def test_staff_overview_rota_and_home_panel(client, desk):
    client.force_login(desk.community_worker_a)
    overview = client.get("/desks/manage/")
    assert overview.status_code == 200 and "东虹社区服务站" in overview.content.decode()
    assert "南岳" not in overview.content.decode()
    rota = client.get(f"/desks/manage/{desk.comm_a.code}/")
    assert rota.status_code == 200 and 'data-gap="1"' in rota.content.decode()
    home = client.get("/").content.decode()
    assert 'data-testid="panel-desk-gaps"' in home
    place = client.get(f"/places/{desk.comm_a.code}/").content.decode()
    assert 'data-testid="panel-place-desk"' in place and "个值班空缺" in place
    xlsx = client.get("/desks/manage/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from gongzhi.desks.models import Station
    from tests.core.test_spreadsheets import HOSTILE, assert_written_as_text
    renamed = Station.objects.filter(place=desk.comm_a).update(name=HOSTILE[0])
    assert renamed == 1
    assert_written_as_text(b"".join(client.get("/desks/manage/?format=xlsx").streaming_content), HOSTILE[0])
    Station.objects.filter(place=desk.comm_a).update(name="东虹社区服务站")
    # the street sees its communities, the grid worker and the department nothing
    client.force_login(desk.street_officer_a)
    assert "东虹社区服务站" in client.get("/desks/manage/").content.decode()
    for who in (desk.grid_worker_a1, desk.department, desk.resident_user):
        client.force_login(who)
        assert client.get("/desks/manage/").status_code == 403


def _hours_form(station, rows, **extra):
    data = {"version": station.version, "name": station.name, "address": station.address,
            "day": [r[0] for r in rows], "start": [r[1] for r in rows], "end": [r[2] for r in rows],
            "needed": [r[3] for r in rows]}
    data.update(extra)
    return data


@pytest.mark.parametrize("rows, message", [
    ([(0, "18:00", "09:00", 1)], "结束时间须晚于开始时间"),
    ([(2, "08:30", "12:00", 1), (2, "11:30", "13:00", 1)], "两个时段重叠"),
    ([(0, "99:99", "12:00", 1)], "请填写开始和结束时间"),
])
def test_hours_form_refuses_bad_hours(client, desk, rows, message):
    client.force_login(desk.community_worker_a)
    before = list(Session.objects.values_list("day", "start", "end"))
    response = client.post(f"/desks/manage/{desk.comm_a.code}/hours/", _hours_form(desk.station, rows))
    assert response.status_code == 422 and message in response.content.decode()
    assert list(Session.objects.values_list("day", "start", "end")) == before


def test_hours_form_saves_and_a_stale_one_is_refused(client, desk):
    client.force_login(desk.community_worker_a)
    form = _hours_form(desk.station, WEEKDAY_HOURS)
    response = client.post(f"/desks/manage/{desk.comm_a.code}/hours/", form)
    assert response.status_code == 302 and Session.objects.filter(station=desk.station).count() == 13
    again = client.post(f"/desks/manage/{desk.comm_a.code}/hours/", form)  # the same, now stale, version
    assert again.status_code == 409 and "已被他人修改" in again.content.decode()
    assert client.post(f"/desks/manage/{desk.comm_a.code}/hours/", {"version": "x"}).status_code == 422


def test_windows_form(client, desk):
    client.force_login(desk.community_worker_a)
    version = desk.station.version
    url = f"/desks/manage/{desk.comm_a.code}/windows/"
    bad = client.post(url, {"version": version, "run_assistance": "1", "items_assistance": "svc_dibao",
                            "run_services": "1", "items_services": "svc_dibao"})
    assert bad.status_code == 422 and "一个事项只能由一个窗口受理" in bad.content.decode()
    ok = client.post(url, {"version": version, "run_family": "1", "items_family": "svc_birth_registration"})
    assert ok.status_code == 302
    assert list(StationWindow.objects.filter(station=desk.station).values_list("window", flat=True)) == ["family"]


def test_assign_unassign_and_swap_through_the_pages(client, desk):
    client.force_login(desk.community_worker_a)
    tomorrow = desk.today + dt.timedelta(days=1)
    url = f"/desks/manage/{desk.comm_a.code}/rota/assign/"
    assert client.post(url, {"date": f"{tomorrow:%Y-%m-%d}", "start": "00:00", "user": desk.cw_a2.pk}).status_code == 302
    full = client.post(url, {"date": f"{tomorrow:%Y-%m-%d}", "start": "00:00", "user": desk.community_worker_a.pk})
    assert full.status_code == 422 and "只需 1 人值班,已排赵六" in full.content.decode()
    foreign = client.post(url, {"date": f"{tomorrow:%Y-%m-%d}", "start": "00:00", "user": desk.community_worker_b.pk})
    assert foreign.status_code == 422 and "没有岗位" in foreign.content.decode()
    for bad in ({"date": "2026-02-30", "start": "00:00", "user": desk.cw_a2.pk},
                {"date": f"{tomorrow:%Y-%m-%d}", "start": "00:00", "user": "99999999999999999999"}):
        assert client.post(url, bad).status_code == 422
    duty = Duty.objects.get()
    swap_url = f"/desks/manage/{desk.comm_a.code}/rota/{duty.pk}/swap/"
    assert client.get(swap_url).status_code == 200
    self_swap = client.post(swap_url, {"with_user": desk.cw_a2.pk, "reason": "有事"})
    assert self_swap.status_code == 422 and "不能与自己换班" in self_swap.content.decode()
    other = client.post(swap_url, {"with_user": desk.community_worker_b.pk, "reason": "有事"})
    assert other.status_code == 422 and "没有岗位" in other.content.decode()
    assert not Swap.objects.exists()
    done = client.post(swap_url, {"with_user": desk.community_worker_a.pk, "reason": "家中有事"})
    assert done.status_code == 302
    swap = Swap.objects.get()
    assert (swap.from_user, swap.to_user, swap.reason) == (desk.cw_a2, desk.community_worker_a, "家中有事")
    rota = client.get(f"/desks/manage/{desk.comm_a.code}/").content.decode()
    assert "家中有事" in rota
    assert client.post(f"/desks/manage/{desk.comm_a.code}/rota/{duty.pk}/remove/").status_code == 302
    assert not Duty.objects.exists() and Swap.objects.count() == 1  # the record stays
    assert client.post(f"/desks/manage/{desk.comm_a.code}/rota/fill/", {"days": "abc"}).status_code == 302
    assert Duty.objects.count() == 14


def test_a_street_manages_its_centre(client, desk):
    client.force_login(desk.street_officer_a)
    url = f"/desks/manage/{desk.street_a.code}/hours/"
    assert client.get(url).status_code == 200
    station = services.station_for(desk.street_a)
    assert station.name == "宜城街道便民服务中心"
    response = client.post(url, _hours_form(station, [(0, "08:30", "17:30", 1)]))
    assert response.status_code == 302
    assert client.get(f"/desks/at/{desk.street_a.code}/").status_code == 200


def test_opening_a_form_writes_nothing(client, world):
    from gongzhi.desks.models import Station
    client.force_login(world.community_worker_a)
    page = client.get(f"/desks/manage/{world.comm_a.code}/windows/")
    assert page.status_code == 200 and "东虹社区服务站" in page.content.decode()
    assert client.get(f"/desks/manage/{world.comm_a.code}/hours/").status_code == 200
    assert client.get(f"/desks/manage/{world.comm_a.code}/rota/1/swap/").status_code == 404
    assert client.get(f"/desks/manage/{world.comm_a.code}/").status_code == 200
    assert not Station.objects.exists()
