"""The demo district's stations: hours with staggered evenings and weekends, windows, a rota with one
visible gap ahead and a recorded swap in the demo accounts' communities, and the street centre's hours."""
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import demo
from gongzhi.desks import selectors
from gongzhi.desks.models import Station, Swap
from gongzhi.places.models import Place


def test_demo_stations(client, db):
    demo.build_demo(scale=0.02)
    today = timezone.localdate()
    for code in (demo.ACCOUNT_COMMUNITY, demo.ACCOUNT_COMMUNITY2):
        station = Station.objects.get(place__code=code)
        assert any(s.staggered and s.day < 5 for s in station.sessions.all())  # evenings
        assert station.sessions.filter(day=5).exists() and station.sessions.filter(day=7).exists()
        assert all(w["runs"] and w["items"] for w in selectors.windows_of(station))
        assert len(selectors.gaps([station], today, selectors.AHEAD_DAYS)) == 1
        assert Swap.objects.filter(station=station).count() == 1
        assert len(selectors.workers(station.place)) >= 4
    street = Station.objects.get(place__code="320282001")
    assert street.sessions.count() >= 10
    assert Station.objects.filter(place__level="community").count() == Place.objects.filter(level="community").count()
    client.force_login(User.objects.get(username="community"))
    home = client.get("/").content.decode()
    assert 'data-testid="desk-gap-count">1<' in home
    page = client.get(f"/desks/manage/{demo.ACCOUNT_COMMUNITY}/").content.decode()
    assert 'data-gap="1"' in page and "换班记录" in page
    assert client.get(f"/desks/at/{demo.ACCOUNT_COMMUNITY}/").status_code == 200
