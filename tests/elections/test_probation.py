"""New village party-branch members serve a year on probation (P-GOV-9): started when the valid result is
published, for those not elected last time; the town decides when it has run (confirm, end, or extend)."""
import datetime as dt

import pytest

from gongzhi.core.errors import ConflictError
from gongzhi.elections import services
from gongzhi.elections.models import Body, Nomination, Post, Probation, ProbationOutcome
from gongzhi.elections.services import ElectionError
from gongzhi.people.models import Resident
from tests.elections.helpers import people

pytestmark = pytest.mark.django_db


def _branch_election(w, term, day, winners):
    """A party-branch election of community A on `day`: 1 secretary and 2 members among 选民0-4, all party
    members; `winners` (indexes into w.adults) get every vote and are elected."""
    if not hasattr(w, "adults"):
        people(w)
        Resident.objects.filter(pk__in=[a.pk for a in w.adults]).update(party_member=True)
    (e,) = services.election_open(street=w.street_a, communities=[w.comm_a], term=term, body=Body.PARTY,
                                  committee_on=day - dt.timedelta(days=40), roll_on=day - dt.timedelta(days=30),
                                  candidates_on=day - dt.timedelta(days=10), election_day=day, seats=(1, 0, 2))
    services.roll_build(election=e)
    services.roll_publish(election=e, on=day - dt.timedelta(days=30))
    posts = [Post.DIRECTOR, Post.DIRECTOR, Post.MEMBER, Post.MEMBER, Post.MEMBER]
    cands = [services.candidate_nominate(election=e, resident=w.adults[i], post=p, nomination=Nomination.PARTY,
                                         on=day - dt.timedelta(days=12)) for i, p in enumerate(posts)]
    services.candidates_publish(election=e, on=day - dt.timedelta(days=10))
    station = services.station_add(election=e, kind="central", name="党员大会")
    services.voting_open(election=e, on=day)
    ids = list(e.roll.values_list("pk", flat=True))
    services.turnout_bulk(election=e, station=station, voter_ids=ids)
    services.tally_enter(election=e, station=station, ballots=len(ids), invalid=0,
                         votes={cands[i].pk: len(ids) for i in winners})
    e = services.count(election=e)
    return services.result_publish(election=e)


def test_new_members_start_a_years_probation_and_re_elected_ones_do_not(world):
    first = _branch_election(world, 2023, dt.date(2023, 11, 1), winners=[0, 2, 3])
    assert sorted(Probation.objects.filter(election=first).values_list("name", "starts_on", "ends_on")) == [
        (n, dt.date(2023, 11, 1), dt.date(2024, 10, 31)) for n in ("选民0", "选民2", "选民3")]
    second = _branch_election(world, 2026, dt.date(2026, 11, 1), winners=[1, 2, 4])
    # 选民2 was elected last time: no probation; 选民1 and 选民4 are new
    assert sorted(Probation.objects.filter(election=second).values_list("name", flat=True)) == ["选民1", "选民4"]
    assert second.events.filter(kind="probation", text__contains="新任 2 人试用一年").exists()


def test_the_town_decides_only_when_the_year_has_run(world):
    e = _branch_election(world, 2023, dt.date(2023, 11, 1), winners=[0, 2, 3])
    p = Probation.objects.get(election=e, name="选民0")
    before = list(Probation.objects.values_list("pk", "outcome", "ends_on", "version"))
    for kwargs, match in (
            (dict(outcome=ProbationOutcome.CONFIRMED, note="合格", on=dt.date(2024, 10, 30)), "试用期至 2024-10-31 届满"),
            (dict(outcome=ProbationOutcome.CONFIRMED, note=" ", on=dt.date(2024, 11, 1)), "请填写考察意见"),
            (dict(outcome="extend", note="再看半年", until=dt.date(2026, 1, 1), on=dt.date(2024, 11, 1)),
             "须晚于 2024-10-31,且不超过 2025-10-31"),
            (dict(outcome="promote", note="x", on=dt.date(2024, 11, 1)), "请选择考察结果")):
        with pytest.raises(ElectionError, match=match):
            services.probation_decide(probation=p, **kwargs)
        assert list(Probation.objects.values_list("pk", "outcome", "ends_on", "version")) == before
    p = services.probation_decide(probation=p, outcome="extend", note="群众意见较多,延长半年",
                                  until=dt.date(2025, 4, 30), on=dt.date(2024, 11, 1))
    assert p.ends_on == dt.date(2025, 4, 30) and p.extended and not p.outcome
    with pytest.raises(ConflictError):
        services.probation_decide(probation=p, outcome=ProbationOutcome.CONFIRMED, note="合格", version=1,
                                  on=dt.date(2025, 5, 1))
    p = services.probation_decide(probation=p, outcome=ProbationOutcome.ENDED, note="考察不合格", version=p.version,
                                  on=dt.date(2025, 5, 1))
    assert p.outcome == ProbationOutcome.ENDED and p.decided_on == dt.date(2025, 5, 1)
    with pytest.raises(ElectionError, match="已于 2025-05-01 考察:不合格"):
        services.probation_decide(probation=p, outcome=ProbationOutcome.CONFIRMED, note="改判", on=dt.date(2025, 5, 2))


def test_the_probation_page_shows_the_due_and_lets_the_town_decide(client, world):
    e = _branch_election(world, 2023, dt.date(2023, 11, 1), winners=[0, 2, 3])
    Probation.objects.filter(election=e, name="选民3").update(ends_on=dt.date.today() + dt.timedelta(days=30))
    client.force_login(world.community_worker_a)
    page = client.get("/elections/probation/?status=due").content.decode()
    assert "选民0" in page and "选民3" not in page and 'data-testid="decide-' not in page
    p = Probation.objects.get(election=e, name="选民0")
    assert client.post(f"/elections/probation/{p.pk}/", {"outcome": "confirmed", "note": "合格"}).status_code == 403
    client.force_login(world.street_officer_a)
    page = client.get("/elections/").content.decode()
    assert "待考察 2" in page
    page = client.get("/elections/probation/?status=due").content.decode()
    assert f'data-testid="decide-{p.pk}"' in page
    r = client.post(f"/elections/probation/{p.pk}/", {"outcome": "confirmed", "note": "", "version": p.version},
                    follow=True)
    assert "请填写考察意见" in r.content.decode()
    r = client.post(f"/elections/probation/{p.pk}/", {"outcome": "extend", "until": "明年", "note": "x"}, follow=True)
    assert "「延长至」请填写日期" in r.content.decode()
    r = client.post(f"/elections/probation/{p.pk}/", {"outcome": "confirmed", "note": "期满考察合格",
                                                       "version": p.version}, follow=True)
    assert "选民0:期满合格,正式任职" in r.content.decode()
    page = client.get("/elections/probation/?status=decided").content.decode()
    assert "期满考察合格" in page
    assert client.post("/elections/probation/99999999/", {"outcome": "confirmed", "note": "x"}).status_code == 404
