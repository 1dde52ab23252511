"""P-VOL-1/2/3 from the service records, through the kernel's registry as the standards engine reads
them: registered share of residents, activities held with confirmed hours, hours, certificates, points."""
import pytest
from django.utils import timezone

from gongzhi.core.metrics import REGISTERED, Figures
from gongzhi.places.models import Place
from gongzhi.volunteers import services
from gongzhi.volunteers.models import SignUp
from tests.volunteers.helpers import activity, volunteer

pytestmark = pytest.mark.django_db


def test_metrics_are_registered_with_evidence():
    for name in ("volunteers_registered_rate", "volunteer_activities_held", "volunteer_certificates_issued",
                 "time_bank_points_earned", "volunteers_serving_rate"):
        assert REGISTERED[name].evidence is not None


def test_metrics_count_the_records(world):
    v = volunteer(world)
    volunteer(world, world.res_a2)
    year = timezone.localdate().year
    for i in range(3):
        a = activity(world, hours_from_now=-4 - i, length=3, title=f"活动{i}")
        if a.starts_at.year != year:
            continue
        s = SignUp.objects.create(activity=a, volunteer=v, community=a.community, served_on=timezone.localdate())
        services.hours_confirm(activity=a, hours={s.pk: "2"}, by=world.community_worker_a)
    activity(world, hours_from_now=5, title="未开始")  # no confirmed hours: not held yet
    services.certificate_issue(volunteer=v, by=world.community_worker_a)
    f = Figures(Place.objects.filter(pk__in=[world.comm_a.pk, world.comm_b.pk]), year=year)
    a, b = world.comm_a.pk, world.comm_b.pk
    held = SignUp.objects.filter(hours__isnull=False).count()
    assert f.get("volunteers_registered") == {a: 2, b: 0}
    assert f.get("volunteers_registered_rate")[a] == 100.0  # both residents of A volunteer
    assert f.get("volunteer_activities_held") == {a: held, b: 0}
    assert f.get("volunteer_hours_confirmed")[a] == 2.0 * held
    assert f.get("volunteers_serving_rate")[a] == 50.0
    assert f.get("volunteer_certificates_issued") == {a: 1, b: 0}
    assert f.get("time_bank_points_earned") == {a: 20 * held, b: 0}
