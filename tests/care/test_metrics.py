"""The care figures the standards engine reads (P-CARE-1..6), through the kernel's metrics registry."""
import datetime as dt

from gongzhi.care import services
from gongzhi.care.models import Station
from gongzhi.core.metrics import REGISTERED, Figures
from gongzhi.places.models import Place


def test_care_metrics_per_community(homes, world):
    assert {"care_circle_coverage", "care_visits_not_overdue", "care_left_behind", "care_disabled",
            "care_hardships_in_time", "care_community_station"} <= set(REGISTERED)
    world.grid_a1.boundary = {"type": "Polygon", "coordinates": [[[119.8, 31.3], [119.804, 31.3], [119.804, 31.304],
                                                                  [119.8, 31.304], [119.8, 31.3]]]}
    world.grid_a1.save()
    Station.objects.create(place=world.comm_a, level="community", name="东虹站", services=["meal"],
                           lat=31.302, lon=119.802)
    services.care_visit_record(resident=homes.alone, by=world.community_worker_a, visited_on=dt.date.today(),
                               condition="good", notes="好")
    services.disability_record(resident=homes.young, kind="sight", grade=3, by=world.community_worker_a)
    f = Figures(Place.objects.filter(pk__in=[world.comm_a.pk, world.comm_b.pk]))
    a, b = world.comm_a.pk, world.comm_b.pk
    assert f.get("care_community_station") == {a: 1, b: 0}
    assert f.get("care_elders")[a] == 4 and f.get("care_circle_coverage")[a] == 100.0
    assert f.get("care_left_behind")[a] == 2 and f.get("care_disabled")[a] == 1
    assert f.get("care_visits")[a] == 1 and f.get("care_on_visit_lists")[a] == 6
    assert f.get("care_visits_not_overdue")[a] == 100.0   # registered today: nobody overdue yet
    assert f.get("care_hardships_in_time")[a] is None
