"""The roll follows the election's method: a household-representative election (户代表选举) has one
voter per household (its head, else its first eligible member), a representatives' election (居民代表
选举) the residents' representatives serving on election day; adding by hand keeps to the same rule."""
import datetime as dt

import pytest

from gongzhi.elections import services
from gongzhi.elections.models import Method, Voter
from gongzhi.elections.services import ElectionError
from gongzhi.governance.models_meetings import PostKind, ResidentPost
from tests.elections.helpers import DAY, TODAY
from tests.factories import household, id_number, resident

pytestmark = pytest.mark.django_db


def _open(w, method):
    (e,) = services.election_open(street=w.street_a, communities=[w.comm_a], term=2026, method=method,
                                  committee_on=TODAY, roll_on=TODAY + dt.timedelta(days=5),
                                  candidates_on=TODAY + dt.timedelta(days=20), election_day=DAY, seats=(1, 0, 2))
    return e


def _adult(hh, name, relation, year=1970, **kw):
    return resident(hh, name, relation=relation, id_number=id_number(dt.date(year, 3, 1)), **kw)


def _on_roll(e, people):
    names = set(Voter.objects.filter(election=e, active=True).values_list("resident__name", flat=True))
    return {p.name for p in people} & names


def test_a_household_election_has_one_voter_per_household(world):
    h1, h2, h3 = (household(world.grid_a1) for _ in range(3))
    head1, wife1 = _adult(h1, "甲户主", "02"), _adult(h1, "甲妻", "10")
    child1 = _adult(h1, "甲子", "20", year=TODAY.year - 10)
    first2, second2 = _adult(h2, "乙一", "20", year=1960), _adult(h2, "乙二", "20", year=1990)  # no head in the registry
    head3, son3 = _adult(h3, "丙户主", "02"), _adult(h3, "丙子", "20", year=1995)
    e = _open(world, Method.HOUSEHOLD)
    services.exclusion_add(election=e, resident=head3, kind="deprived", basis_text="判决书")
    services.roll_build(election=e)
    people = [head1, wife1, child1, first2, second2, head3, son3]
    assert _on_roll(e, people) == {"甲户主", "乙一", "丙子"}
    # every household of the community once: as many voters as households with an eligible adult
    households = set(Voter.objects.filter(election=e).values_list("resident__household_id", flat=True))
    assert Voter.objects.filter(election=e).count() == len(households)
    services.roll_publish(election=e, on=TODAY)
    e.refresh_from_db()
    # the household sends another member: refused while its representative is on the roll
    with pytest.raises(ElectionError, match="户代表选举每户一票:甲妻 所在户已由 甲户主 代表投票"):
        services.voter_add(election=e, resident=wife1, reason="户内推选")
    # any elector of the community may stand, not only the households' representatives
    c = services.candidate_nominate(election=e, resident=second2, post="member", nomination="party")
    assert c.voter is None and c.resident == second2
    with pytest.raises(ElectionError, match="甲子 在选举日.*未满十八周岁"):
        services.candidate_nominate(election=e, resident=child1, post="member", nomination="party")
    services.voter_remove(election=e, voter=e.roll.get(resident=head1), reason="户内改推妻子为户代表")
    services.voter_add(election=e, resident=wife1, reason="户内推选")
    assert _on_roll(e, people) == {"甲妻", "乙一", "丙子"}


def test_a_representatives_election_has_the_serving_representatives(world):
    hh = household(world.grid_a1)
    serving, ended, later, leader = (_adult(hh, n, "20") for n in ("在任代表", "已离任代表", "新任代表", "小组长"))
    post = dict(community=world.comm_a, kind=PostKind.REPRESENTATIVE)
    ResidentPost.objects.create(resident=serving, since=dt.date(2022, 1, 1), **post)
    ResidentPost.objects.create(resident=ended, since=dt.date(2019, 1, 1), until=DAY - dt.timedelta(days=1), **post)
    ResidentPost.objects.create(resident=later, since=DAY + dt.timedelta(days=1), **post)
    ResidentPost.objects.create(resident=leader, community=world.comm_a, kind=PostKind.GROUP_LEADER,
                                since=dt.date(2022, 1, 1))
    e = _open(world, Method.REPRESENTATIVE)
    n = services.roll_build(election=e)
    assert _on_roll(e, [serving, ended, later, leader]) == {"在任代表"} and n == 1
    services.roll_publish(election=e, on=TODAY)
    e.refresh_from_db()
    with pytest.raises(ElectionError, match="小组长 在选举日(.*)不是本社区在任的居民代表"):
        services.voter_add(election=e, resident=leader, reason="补登")
    assert _on_roll(e, [leader]) == set()


def test_a_direct_election_still_has_every_adult(world):
    hh = household(world.grid_a1)
    people = [_adult(hh, "丁户主", "02"), _adult(hh, "丁妻", "10"), _adult(hh, "丁子", "20", year=1999)]
    e = _open(world, Method.DIRECT)
    services.roll_build(election=e)
    assert _on_roll(e, people) == {"丁户主", "丁妻", "丁子"}


def test_voters_living_away_stay_on_the_roll_and_are_shown(client, world):
    from gongzhi.people.models import Absence
    hh = household(world.grid_a1)
    away, home, elsewhere = _adult(hh, "外出者", "02"), _adult(hh, "在家者", "10"), _adult(hh, "迁居者", "20", year=1990)
    for r, where in ((away, "苏州"), (elsewhere, "上海")):
        Absence.objects.create(resident=r, household=hh, community=world.comm_a, grid=world.grid_a1, reason="work",
                               destination=where, since=dt.date(2024, 3, 1), recorded_by=world.community_worker_a)
    e = _open(world, Method.DIRECT)
    services.exclusion_add(election=e, resident=elsewhere, kind="elsewhere", basis_text="本人书面确认在上海参加选举")
    services.roll_build(election=e)
    assert _on_roll(e, [away, home, elsewhere]) == {"外出者", "在家者"}
    client.force_login(world.community_worker_a)
    page = client.get(f"/elections/{e.pk}/roll/").content.decode()
    assert "外出务工(苏州)" in page and '<strong>1</strong> 人' in page
    page = client.get(f"/elections/{e.pk}/roll/?away=1").content.decode()
    assert "外出者" in page and "在家者" not in page
