"""A small election in community A (东虹社区) of the test world, walked to any step."""
import datetime as dt

from gongzhi.elections import services
from gongzhi.elections.models import Nomination, Post, StationKind
from tests.factories import household, id_number, resident

TODAY = dt.date.today()
DAY = TODAY + dt.timedelta(days=40)


def people(w, n=10):
    """n adults registered in community A, living there for years, plus the world's 张三 and 李四."""
    hh = household(w.grid_a1)
    w.numbers = [id_number(dt.date(1970 + i, 3, 1)) for i in range(n)]
    w.adults = [resident(hh, f"选民{i}", relation="10" if i == 0 else "20", id_number=w.numbers[i],
                         moved_in_on=dt.date(2000, 1, 1)) for i in range(n)]
    return w.adults


def election(w, seats=(1, 0, 2), by=None):
    if not hasattr(w, "adults"):
        people(w)
    (e,) = services.election_open(street=w.street_a, communities=[w.comm_a], term=2026,
                                  committee_on=TODAY, roll_on=TODAY + dt.timedelta(days=5),
                                  candidates_on=TODAY + dt.timedelta(days=20), election_day=DAY, seats=seats,
                                  by=by or w.street_officer_a)
    return e


def published(w, **kw):
    e = election(w, **kw)
    services.roll_build(election=e, by=w.street_officer_a)
    services.roll_publish(election=e, on=TODAY, by=w.street_officer_a)
    e.refresh_from_db()
    return e


def nominated(w, **kw):
    """Roll published; 2 director and 3 member candidates (选民0-4), list published today."""
    e = published(w, **kw)
    posts = [Post.DIRECTOR, Post.DIRECTOR, Post.MEMBER, Post.MEMBER, Post.MEMBER]
    w.candidates = [services.candidate_nominate(election=e, resident=w.adults[i], post=p,
                                                nomination=Nomination.JOINT, nominators=12, on=TODAY)
                    for i, p in enumerate(posts)]
    services.candidates_publish(election=e, on=TODAY)
    e.refresh_from_db()
    return e


def voting(w, **kw):
    e = nominated(w, **kw)
    w.station = services.station_add(election=e, kind=StationKind.STATION, name="第一投票站")
    w.mobile = services.station_add(election=e, kind=StationKind.MOBILE, name="流动票箱")
    services.voting_open(election=e, on=TODAY + dt.timedelta(days=5))
    e.refresh_from_db()
    return e


def voter(e, r):
    return e.roll.get(resident=r, active=True)
