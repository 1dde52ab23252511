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


def test_grouped_counts_equal_the_rows_counted_before(homes, world):
    """care_on_visit_lists / care_visits_not_overdue are counted by the database now (visits.status_counts), and
    the left-behind / disabled groups read with their inner queries narrowed to the run's communities: the same
    figures as counting visit_list's rows in Python and the unnarrowed grouped query (as before)."""
    from collections import Counter

    from django.db.models import Count, Q

    from gongzhi.care import visits
    from gongzhi.care.groups import annotate_groups, registry_residents
    from gongzhi.people.models import Resident
    from gongzhi.standards import compute

    today = dt.date.today()
    Resident.objects.filter(pk__in=[homes.alone.pk, homes.grandpa.pk]).update(
        created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    services.care_visit_record(resident=homes.old_man, by=world.community_worker_a,
                               visited_on=today - dt.timedelta(days=25), condition="good", notes="好")
    services.disability_record(resident=homes.young, kind="sight", grade=3, by=world.community_worker_a)
    # the workers' reviews: a derived left-behind child taken out, a disabled person and a left-behind elder added
    for who, group, decision in ((homes.grandkid, "left_behind_child", "exclude"), (homes.father, "disabled", "include"),
                                 (homes.old_man, "left_behind_elder", "include"), (homes.young, "disabled", "confirm")):
        services.group_review(resident=who, group=group, decision=decision, reason="核实", by=world.community_worker_a)
    communities = list(Place.objects.filter(pk__in=[world.comm_a.pk, world.comm_b.pk]))
    statuses_seen = set()
    for day in (today + dt.timedelta(days=n) for n in (0, 10, 20, 27, 40, 60, 85, 170, 400)):
        before = Counter((r.community_id, r.visit_status) for r in visits.visit_list(None, communities, day))
        statuses_seen |= {s for _, s in before}
        now = visits.status_counts(communities, day)
        assert {(cid, s): n for cid, by in now.items() for s, n in by.items()} == dict(before), day
        c = compute.computer(Place.objects.filter(pk__in=[c.pk for c in communities]), as_of=day)
        old = {r["community_id"]: r for r in annotate_groups(
            registry_residents().filter(c.scope), day).order_by().values("community_id").annotate(
            left_behind=Count("pk", filter=Q(e_left_behind_child=True) | Q(e_left_behind_elder=True)),
            disabled=Count("pk", filter=Q(e_disabled=True)))}
        for name, key in (("care_left_behind", "left_behind"), ("care_disabled", "disabled")):
            assert c.get(name) == {cid: old.get(cid, {}).get(key, 0) for cid in c.ids}, (name, day)
        assert c.get("care_on_visit_lists") == {cid: sum(n for (k, _), n in before.items() if k == cid)
                                                for cid in c.ids}
    assert statuses_seen == {visits.OVERDUE, visits.DUE, visits.LATER}, "the test would prove little"
    assert c.get("care_left_behind")[world.comm_a.pk] == 2 and c.get("care_disabled")[world.comm_a.pk] == 2
