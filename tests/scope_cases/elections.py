"""Elections' share of the scope matrix: community B's election (南岳社区, street B), with 王五 on its
roll, nominated and elected, and its board PDFs; street A's officer may plan only street A's."""
import datetime as dt

ENDPOINTS = {
    "elections:detail": ("GET", lambda w: f"/elections/{w.election_b.pk}/"),
    "elections:roll": ("GET", lambda w: f"/elections/{w.election_b.pk}/roll/"),
    "elections:roll_pdf": ("GET", lambda w: f"/elections/{w.election_b.pk}/roll.pdf"),
    "elections:candidates_pdf": ("GET", lambda w: f"/elections/{w.election_b.pk}/candidates.pdf"),
    "elections:result_pdf": ("GET", lambda w: f"/elections/{w.election_b.pk}/result.pdf"),
    "elections:mine_roll": ("GET", lambda w: f"/elections/mine/{w.election_b.pk}/roll/"),
    # every step goes through one view; the objection step is open in this state
    "elections:act": ("POST", lambda w: f"/elections/{w.election_b.pk}/act/objection/"),
    # street B's code and community B's code in the body (BODY below)
    "elections:plan": ("POST", lambda w: "/elections/plan/"),
    # a board typeset on the queue for community B's worker: only its owner sees it
    "elections:pdf_job": ("GET", lambda w: f"/elections/pdf/{w.roll_pdf_job_b.pk}/"),
    "elections:pdf_download": ("GET", lambda w: f"/elections/pdf/{w.roll_pdf_job_b.pk}/download/"),
    # the town's decision on community B's new party-branch member's probation
    "elections:probation_decide": ("POST", lambda w: f"/elections/probation/{w.probation_b.pk}/"),
}
LISTS = {
    "elections:list": "/elections/?state=",
    "elections:coverage_xlsx": "/elections/coverage.xlsx",
    "elections:mine": "/elections/mine/",
    # counting night: community B's party-branch election is voting, 王五 its candidate (build below)
    "elections:tallies": "/elections/tallies/",
    "elections:tallies_xlsx": "/elections/tallies.xlsx",
    "elections:probations": "/elections/probation/",
}
# counts only the caller's own ready elections: tests/elections/test_tally_sheet.py::test_count_all_…
OTHER = {"elections:tallies_count"}
BODY = {"street_code": "320282002", "community_codes": "320282002001", "term": "2027", "body": "residents",
        "method": "direct", "committee_on": "2027-01-01", "roll_on": "2027-01-05", "candidates_on": "2027-01-20",
        "election_day": "2027-02-10", "raised_by": "篡改", "text": "篡改", "outcome": "ended", "note": "篡改"}


def build(w):
    """Community B's 2026 election, counted and published: 王五 on the roll, nominated and elected."""
    from gongzhi.elections import services
    from gongzhi.elections.models import Nomination, Post
    today = dt.date.today()
    day = today + dt.timedelta(days=30)
    (e,) = services.election_open(street=w.street_b, communities=[w.comm_b], term=2026, committee_on=today,
                                  roll_on=today + dt.timedelta(days=1), candidates_on=today + dt.timedelta(days=2),
                                  election_day=day, seats=(1, 0, 0))
    e.margin = 0
    e.save(update_fields=["margin"])
    services.roll_build(election=e)
    services.roll_publish(election=e, on=today)
    services.candidate_nominate(election=e, resident=w.res_b1, post=Post.DIRECTOR, nomination=Nomination.PARTY,
                                on=today)
    services.candidates_publish(election=e, on=today)
    station = services.station_add(election=e, kind="station", name="南岳投票站")
    services.voting_open(election=e, on=today + dt.timedelta(days=5))
    voter = e.roll.get(resident=w.res_b1)
    services.turnout_record(election=e, voter=voter, station=station)
    cand = e.candidates.get()
    services.tally_enter(election=e, station=station, ballots=1, invalid=0, votes={cand.pk: 1})
    services.count(election=e)
    services.result_publish(election=e)
    e.refresh_from_db()
    w.election_b = e
    # and its village party branch's election, voting: its station waits for the counting night's sheet
    from gongzhi.people.models import Resident
    Resident.objects.filter(pk=w.res_b1.pk).update(party_member=True)
    (p,) = services.election_open(street=w.street_b, communities=[w.comm_b], term=2026, body="party",
                                  committee_on=today, roll_on=today + dt.timedelta(days=1),
                                  candidates_on=today + dt.timedelta(days=2), election_day=day, seats=(1, 0, 0))
    p.margin = 0
    p.save(update_fields=["margin"])
    services.roll_build(election=p)
    services.roll_publish(election=p, on=today)
    services.candidate_nominate(election=p, resident=w.res_b1, post=Post.DIRECTOR, nomination=Nomination.PARTY,
                                on=today)
    services.candidates_publish(election=p, on=today)
    services.station_add(election=p, kind="station", name="南岳党员大会")
    services.voting_open(election=p, on=today + dt.timedelta(days=8))
    w.party_election_b = p
    # its 2023 party-branch election, valid: 王五 newly elected, his year of probation run and due
    d = dt.date(2023, 11, 1)
    (old,) = services.election_open(street=w.street_b, communities=[w.comm_b], term=2023, body="party",
                                    committee_on=d - dt.timedelta(days=40), roll_on=d - dt.timedelta(days=30),
                                    candidates_on=d - dt.timedelta(days=10), election_day=d, seats=(1, 0, 0))
    old.margin = 0
    old.save(update_fields=["margin"])
    services.roll_build(election=old)
    services.roll_publish(election=old, on=d - dt.timedelta(days=30))
    cand = services.candidate_nominate(election=old, resident=w.res_b1, post=Post.DIRECTOR,
                                       nomination=Nomination.PARTY, on=d - dt.timedelta(days=12))
    services.candidates_publish(election=old, on=d - dt.timedelta(days=10))
    station = services.station_add(election=old, kind="central", name="南岳党员大会")
    services.voting_open(election=old, on=d)
    services.turnout_record(election=old, voter=old.roll.get(resident=w.res_b1), station=station)
    services.tally_enter(election=old, station=station, ballots=1, invalid=0, votes={cand.pk: 1})
    services.result_publish(election=services.count(election=old))
    w.probation_b = old.probations.get()
    from gongzhi.elections import pdf
    from gongzhi.elections.tasks import start_roll_job
    w.roll_pdf_job_b = start_roll_job(user=w.community_worker_b, election=e, version=e.roll_versions.get(),
                                      unit="南岳社区")
    pdf.run_roll_job(w.roll_pdf_job_b)  # done: its file waits for its owner (the queued task goes with the rollback)


def snapshot():
    from gongzhi.elections.models import Candidate, CommitteeMember, Election, Objection, Probation, Tally, Voter
    return (list(Election.objects.order_by("pk").values_list("pk", "state", "version", "voters")),
            list(Voter.objects.order_by("pk").values_list("pk", "active", "voted")),
            list(Candidate.objects.order_by("pk").values_list("pk", "votes", "elected")),
            Objection.objects.count(), CommitteeMember.objects.count(),
            list(Tally.objects.order_by("pk").values_list("pk", "ballots", "version")),
            list(Probation.objects.order_by("pk").values_list("pk", "outcome", "ends_on", "version")))
