"""On PostgreSQL, at the same moment: two residents after the last place, one volunteer checking
in twice, the same points spent twice. One wins, the other is refused with its message, nothing is
doubled and no balance goes negative."""
import threading

import pytest
from django.db import connection

from gongzhi.core.errors import RuleError
from gongzhi.volunteers import services
from gongzhi.volunteers.models import Activity, PointAccount, PointEntry, SignUp
from tests.volunteers.helpers import activity, more_volunteers, volunteer

pytestmark = [pytest.mark.skipif("connection.vendor != 'postgresql'"), pytest.mark.django_db(transaction=True)]


def _run(jobs):
    errors, barrier = [], threading.Barrier(len(jobs))

    def go(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # noqa: BLE001 - asserted by the tests
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_eight_residents_after_the_last_two_places_get_two(world):
    a = activity(world, places=2, hours_from_now=2)
    vols = more_volunteers(world, 8)
    errors = _run([lambda v=v: services.signup(activity=a, resident=v.resident) for v in vols])
    assert len(errors) == 6 and all(isinstance(e, RuleError) and "名额已满" in str(e) for e in errors)
    assert SignUp.objects.filter(activity=a).count() == 2
    assert Activity.objects.get(pk=a.pk).taken == 2


def test_one_volunteer_signing_up_from_two_phones_gets_one_record(world):
    a = activity(world, places=5, hours_from_now=2)
    v = volunteer(world)
    errors = _run([lambda: services.signup(activity=a, resident=v.resident) for _ in range(4)])
    assert len(errors) == 3 and all("您已报名" in str(e) for e in errors)
    assert SignUp.objects.filter(activity=a).count() == 1 and Activity.objects.get(pk=a.pk).taken == 1


def test_checking_in_twice_at_once_is_one_check_in(world):
    a = activity(world, hours_from_now=0, length=2)
    v = volunteer(world)
    services.signup(activity=a, resident=v.resident)
    errors = _run([lambda: services.check_in(token=a.token, resident=v.resident) for _ in range(5)])
    assert len(errors) == 4 and all("不能重复签到" in str(e) for e in errors)
    assert SignUp.objects.get(activity=a).checked_in_at is not None


def test_the_same_points_spent_twice_at_once_are_spent_once(world):
    v = volunteer(world)
    a = activity(world, hours_from_now=-4, length=3)
    s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
    services.hours_confirm(activity=a, hours={s.pk: "3"}, by=world.community_worker_a)  # 30 points
    offer = services.offer_add(community=world.comm_a, title="理发一次", points=20)
    errors = _run([lambda i=i: services.points_spend(volunteer=v, offer=offer, by=world.resident_user,
                                                     request_key=f"k{i}") for i in range(6)])
    assert len(errors) == 5 and all(isinstance(e, RuleError) and "积分不足" in str(e) for e in errors)
    assert PointAccount.objects.get(volunteer=v).balance == 10
    assert PointEntry.objects.filter(kind="spend").count() == 1
    assert sum(PointAccount.objects.values_list("balance", flat=True)) == 0


def test_the_same_form_submitted_twice_at_once_is_one_spend(world):
    v = volunteer(world)
    a = activity(world, hours_from_now=-4, length=3)
    s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
    services.hours_confirm(activity=a, hours={s.pk: "3"}, by=world.community_worker_a)
    offer = services.offer_add(community=world.comm_a, title="一次", points=5)
    errors = _run([lambda: services.points_spend(volunteer=v, offer=offer, by=world.resident_user,
                                                 request_key="same") for _ in range(4)])
    assert len(errors) == 3 and all("已经登记过" in str(e) for e in errors)
    assert PointAccount.objects.get(volunteer=v).balance == 25


def test_confirmations_at_once_keep_the_yearly_rollup_equal_to_the_records(world):
    """Six activities confirmed at the same moment, the same volunteers in each in different orders:
    no deadlock, and the rollup, the cumulative hours and the points equal the plain sums."""
    from django.db.models import Sum

    from gongzhi.volunteers.models import Volunteer
    from gongzhi.volunteers.selectors import rollup_drift
    vols = more_volunteers(world, 5)
    jobs = []
    for i in range(6):
        a = activity(world, hours_from_now=-4 - i, length=3, title=f"活动{i}")
        rows = [SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=a.starts_at.date())
                for v in (vols if i % 2 else list(reversed(vols)))]
        hours = {s.pk: f"{(i + n) % 3}.5" for n, s in enumerate(rows)}
        jobs.append(lambda a=a, hours=hours: services.hours_confirm(activity=a, hours=hours,
                                                                     by=world.community_worker_a))
    assert _run(jobs) == []
    assert rollup_drift() == []
    for v in Volunteer.objects.filter(pk__in=[v.pk for v in vols]):
        total = SignUp.objects.filter(volunteer=v, hours__isnull=False).aggregate(h=Sum("hours"))["h"]
        assert v.hours == total and PointAccount.objects.get(volunteer=v).balance == int(total * 10)
    assert sum(PointAccount.objects.values_list("balance", flat=True)) == 0


def test_many_volunteers_checking_in_twice_at_once_are_each_checked_in_once(world):
    a = activity(world, hours_from_now=0, length=2, places=20)
    vols = more_volunteers(world, 12)
    for v in vols:
        services.signup(activity=a, resident=v.resident)
    errors = _run([lambda v=v: services.check_in(token=a.token, resident=v.resident) for v in vols * 2])
    assert len(errors) == 12 and all(isinstance(e, RuleError) and "不能重复签到" in str(e) for e in errors)
    assert SignUp.objects.filter(activity=a, checked_in_at__isnull=False).count() == 12
