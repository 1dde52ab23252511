"""Stations and the 30-minute circle (P-CARE-3 per community, urban and rural), the map's data (counts, no
names), and hardship reports: the check against the locality's schemes names the unknown conditions, the
community routes with the scheme's time limit, only the street decides, and bad input changes nothing."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.care import hardship, services, stations
from gongzhi.care.models import HardshipReport, Station
from gongzhi.core.errors import ConflictError, RuleError

TODAY = dt.date.today()


def _box(lon, lat, size=0.004):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                 [lon, lat + size], [lon, lat]]]}


def test_circle_and_coverage(homes, world):
    world.grid_a1.boundary = _box(119.800, 31.300)       # the elders of 'homes' live here
    world.grid_a1.save()
    world.grid_a2.boundary = _box(119.900, 31.300)       # ~9.5 km east: outside any 1.8 km walk
    world.grid_a2.save()
    from tests.care.conftest import person
    from tests.factories import household
    person(household(world.grid_a2), "远处老人", 70)
    Station.objects.create(place=world.comm_a, level="community", name="东虹站", services=["meal"],
                           lat=31.302, lon=119.803)
    rows = stations.grid_coverage([world.comm_a], TODAY)
    by_grid = {r["grid"].pk: r for r in rows}
    assert by_grid[world.grid_a1.pk]["inside"] and not by_grid[world.grid_a2.pk]["inside"]
    assert by_grid[world.grid_a1.pk]["reach"] == 1800   # 60 m a minute for 30 minutes (locality data)
    cov = stations.coverage([world.comm_a], TODAY)[0]
    assert cov["station"] and cov["elders"] == 5 and cov["inside"] == 4   # 4 elders in grid a1, 1 in a2
    t = stations.totals([cov])
    assert t["urban"]["station_share"] == 1 and t["rural"]["communities"] == 0


def test_map_and_station_pages(homes, world, client):
    world.grid_a1.boundary = _box(119.800, 31.300)
    world.grid_a1.save()
    client.force_login(world.street_officer_a)
    r = client.post("/care/stations/", {"name": "宜城街道居家养老服务中心", "level": "community",
                                        "place": world.street_a.code})
    assert r.status_code == 422 and "层级与站点层级一致" in r.content.decode()
    r = client.post("/care/stations/", {"name": "宜城街道居家养老服务中心", "level": "street", "capacity": "80",
                                        "place": world.street_a.code, "lat": "31.301", "lon": "119.801",
                                        "services": ["meal", "bath", "nonsense"]})
    assert r.status_code == 302
    s = Station.objects.get()
    assert s.services == ["meal", "bath"]
    data = client.get("/care/stations/map.json").json()
    kinds = sorted(f["properties"]["kind"] for f in data["features"])
    assert kinds == ["elders", "station"]
    assert "孤老甲" not in str(data)
    page = client.get("/care/stations/").content.decode()
    assert "东虹社区" in page and 'data-testid="coverage-urban">100%' in page
    assert client.get("/care/stations/map/").status_code == 200


def test_hardship_check_route_decide(homes, world, client):
    cw = world.community_worker_a
    report = services.hardship_report(resident=homes.alone, kind="illness", description="突发脑梗住院", by=cw)
    checked = {s["scheme"]: s for s in hardship.check(report)}
    assert checked["temporary"]["result"] == "met"
    assert checked["minimum_living"]["result"] == "unknown"
    assert checked["minimum_living"]["unknown"] == ["家庭人均收入低于当地低保标准"]
    assert checked["medical"]["result"] == "unmet"     # not on 低保 or 特困
    with pytest.raises(RuleError, match="请选择要申请的救助项目"):
        hardship.hardship_route(report=report, scheme="nonsense", by=cw, version=1)
    with pytest.raises(ConflictError):
        hardship.hardship_route(report=report, scheme="temporary", by=cw, version=7)
    report = hardship.hardship_route(report=report, scheme="temporary", by=cw, version=1, today=TODAY)
    assert report.due_on == TODAY + dt.timedelta(days=10) and "临时救助" in report.office
    with pytest.raises(PermissionDenied):
        hardship.hardship_decide(report=report, granted=True, outcome="给予", by=cw, version=2)
    with pytest.raises(RuleError, match="请填写办理结果"):
        hardship.hardship_decide(report=report, granted=True, outcome=" ", by=world.street_officer_a, version=2)
    assert HardshipReport.objects.get().state == "routed"
    # the street decides through its page
    client.force_login(world.street_officer_a)
    page = client.get(f"/care/hardships/{report.pk}/").content.decode()
    assert "临时救助" in page and "需核实:家庭人均收入低于当地低保标准" in page
    r = client.post(f"/care/hardships/{report.pk}/decide/", {"granted": "yes", "outcome": "给予临时救助 3000 元",
                                                             "version": "2"})
    assert r.status_code == 302 and HardshipReport.objects.get().state == "decided"
    r = client.post(f"/care/hardships/{report.pk}/decide/", {"granted": "yes", "outcome": "再次", "version": "2"})
    assert r.status_code == 409 and "已被他人处理" in r.content.decode()
